"""What waits in the objectives wing for a principal's action, by role."""

import json

from qms_gateway.frame.reviewed import tasks_in
from qms_gateway.frame.tasks import TaskQuery, step_tasks
from qms_gateway.objectives.readmodel import DOCUMENTS, OBJECTIVES
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal


def tasks(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    if ISO_SECRETARY in principal.roles:
        found.append(
            tasks_in(
                principal,
                OBJECTIVES,
                "'objective'",
                [
                    ("draft", "submit", "Trình duyệt mục tiêu chất lượng"),
                    ("returned", "revise", "Sửa mục tiêu bị trả lại"),
                    ("approved", "disseminate", "Phổ biến mục tiêu đã duyệt"),
                    ("disseminated", "evaluate", "Theo dõi và đánh giá mục tiêu"),
                ],
            )
        )
        found.append(
            tasks_in(
                principal,
                DOCUMENTS,
                "kind",
                [
                    ("draft", "submit", "Trình duyệt văn bản"),
                    ("returned", "revise", "Sửa văn bản bị trả lại"),
                    ("approved", "publish", "Ban hành văn bản đã duyệt"),
                ],
            )
        )
    if UNIT_LEADER in principal.roles:
        found.append(
            tasks_in(
                principal,
                OBJECTIVES,
                "'objective'",
                [("submitted", "approve", "Phê duyệt mục tiêu chất lượng")],
            )
        )
        found.append(
            tasks_in(principal, DOCUMENTS, "kind", [("submitted", "approve", "Phê duyệt văn bản")])
        )
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        found.append(
            step_tasks(
                OBJECTIVES,
                kind="objective",
                action="record_progress",
                label="Cập nhật tiến độ chỉ tiêu của phòng",
                where="status='disseminated' AND targets @> $2::jsonb",
                arguments=(json.dumps([{"department_id": principal.department_id}]),),
            )
        )
    return found
