"""What waits in the objectives wing for a principal's action, by role."""

import json

import asyncpg

from qms_gateway.frame.tasks import Task
from qms_gateway.objectives.readmodel import DOCUMENTS, OBJECTIVES
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

_SECRETARY = [
    (OBJECTIVES, "draft", "submit", "Trình duyệt mục tiêu chất lượng"),
    (OBJECTIVES, "returned", "revise", "Sửa mục tiêu bị trả lại"),
    (OBJECTIVES, "approved", "disseminate", "Phổ biến mục tiêu đã duyệt"),
    (OBJECTIVES, "disseminated", "evaluate", "Theo dõi và đánh giá mục tiêu"),
    (DOCUMENTS, "draft", "submit", "Trình duyệt văn bản"),
    (DOCUMENTS, "returned", "revise", "Sửa văn bản bị trả lại"),
    (DOCUMENTS, "approved", "publish", "Ban hành văn bản đã duyệt"),
]
_LEADER = [
    (OBJECTIVES, "submitted", "approve", "Phê duyệt mục tiêu chất lượng"),
    (DOCUMENTS, "submitted", "approve", "Phê duyệt văn bản"),
]


async def tasks(pool: asyncpg.Pool, principal: Principal) -> list[Task]:
    units = sorted(principal.units)
    wanted = []
    if ISO_SECRETARY in principal.roles:
        wanted += _SECRETARY
    if UNIT_LEADER in principal.roles:
        wanted += _LEADER
    found: list[Task] = []
    for table, status, action, label in wanted:
        kind = "'objective'" if table == OBJECTIVES else "kind"
        records = await pool.fetch(
            f"SELECT id, unit_id, title, status, version, {kind} AS kind, submitted_by "
            f"FROM {table} WHERE status=$1 AND (unit_id = ANY($2) OR '*' = ANY($2)) "
            "ORDER BY updated_at",
            status,
            units,
        )
        found += [
            Task(action=action, label=label, **{**dict(r), "id": str(r["id"])})
            for r in records
            # Separation of duties: never ask the submitter to approve.
            if not (action == "approve" and r["submitted_by"] == principal.sub)
        ]
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        records = await pool.fetch(
            f"SELECT id, unit_id, title, status, version FROM {OBJECTIVES} "
            "WHERE status='disseminated' AND (unit_id = ANY($1) OR '*' = ANY($1)) "
            "AND targets @> $2::jsonb ORDER BY updated_at",
            units,
            json.dumps([{"department_id": principal.department_id}]),
        )
        found += [
            Task(
                action="record_progress",
                label="Cập nhật tiến độ chỉ tiêu của phòng",
                kind="objective",
                **{**dict(r), "id": str(r["id"])},
            )
            for r in records
        ]
    return found
