"""What waits in the procedures wing for a principal's action, by role."""

from qms_gateway.frame.reviewed import tasks_in
from qms_gateway.frame.tasks import TaskQuery, step_tasks
from qms_gateway.procedures.readmodel import DOSSIERS, FEEDBACK, VERSIONS
from qms_runtime.clock import today
from qms_runtime.principal import (
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    STAFF,
    UNIT_LEADER,
    Principal,
)

VERSION = "'procedure_version'"


def _versions(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    if ISO_SECRETARY in principal.roles:
        found.append(
            tasks_in(
                principal,
                VERSIONS,
                VERSION,
                [
                    ("draft", "submit", "Trình duyệt quy trình"),
                    ("returned", "revise", "Sửa quy trình bị trả lại"),
                    ("approved", "publish", "Ban hành quy trình đã duyệt"),
                ],
            )
        )
        found.append(
            step_tasks(
                VERSIONS,
                kind="procedure_version",
                action="periodic_review",
                label="Rà soát định kỳ quy trình đến hạn",
                where="status='published' AND review_on <= $2",
                arguments=(today(),),
            )
        )
    if UNIT_LEADER in principal.roles:
        found.append(
            tasks_in(
                principal,
                VERSIONS,
                VERSION,
                [("submitted", "approve", "Phê duyệt quy trình")],
            )
        )
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        found.append(
            step_tasks(
                VERSIONS,
                kind="procedure_version",
                action="acknowledge",
                label="Xác nhận phòng đã đọc quy trình mới ban hành",
                where="status='published' AND $2 = ANY(departments) AND NOT acknowledged ? $2",
                arguments=(principal.department_id,),
            )
        )
    return found


def _dossiers(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    department_id = principal.department_id
    # The department's staff and leader do its steps; a secretary of it stands in.
    if department_id and principal.roles & {STAFF, DEPARTMENT_LEADER, ISO_SECRETARY}:
        found.append(
            step_tasks(
                DOSSIERS,
                kind="dossier",
                action="complete_step",
                label="Xử lý hồ sơ tại phòng",
                where="status='processing' AND step_department=$2",
                arguments=(department_id,),
            )
        )
    found.append(
        step_tasks(
            DOSSIERS,
            kind="dossier",
            action="complete_step",
            label="Xử lý hồ sơ theo vai trò",
            where="status='processing' AND step_department='' AND step_role = ANY($2)",
            arguments=(sorted(principal.roles),),
        )
    )
    for status, action, label in (
        ("supplement_requested", "receive_supplement", "Nhận hồ sơ bổ sung"),
        ("completed", "archive", "Trả kết quả và lưu trữ hồ sơ"),
    ):
        found.append(
            step_tasks(
                DOSSIERS,
                kind="dossier",
                action=action,
                label=label,
                where="status=$2 AND filed_by=$3",
                arguments=(status, principal.sub),
            )
        )
    return found


def _feedback(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    if principal.roles & {ISO_SECRETARY, UNIT_LEADER}:
        found.append(
            step_tasks(
                FEEDBACK,
                kind="feedback",
                action="assign",
                label="Giao phòng trả lời phản ánh, kiến nghị",
                where="status='received'",
            )
        )
    if principal.department_id and principal.roles & {STAFF, DEPARTMENT_LEADER}:
        found.append(
            step_tasks(
                FEEDBACK,
                kind="feedback",
                action="answer",
                label="Trả lời phản ánh, kiến nghị",
                where="status='assigned' AND department_id=$2",
                arguments=(principal.department_id,),
            )
        )
    return found


def tasks(principal: Principal) -> list[TaskQuery]:
    return _versions(principal) + _dossiers(principal) + _feedback(principal)
