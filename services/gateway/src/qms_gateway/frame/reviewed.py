"""The gateway side of the reviewed-record kit, for every wing with drafted-and-reviewed records.

The kit's columns (status, version, submitted_by, return_reason, updated_at), its projection
handlers, its command routes (submit, approve, return), its tasks, and the checks on a read.
"""

import uuid
from typing import Annotated, Any

from litestar.params import Parameter

from qms_contracts import Envelope, IntegrationEvent
from qms_contracts.inputs import ReturnInput
from qms_gateway.frame.forwarding import CommandRoute
from qms_gateway.frame.tasks import TASKS_PER_STEP, TaskQuery
from qms_runtime.errors import Forbidden, NotFound
from qms_runtime.principal import ISO_SECRETARY, UNIT_LEADER, Principal
from qms_runtime.projection import Handler, ProjectionDb


def step_index(table: str) -> str:
    """The index a reviewed record's table needs for its tasks: the oldest of each step."""
    name = table.rpartition(".")[2]
    return f"CREATE INDEX IF NOT EXISTS {name}_steps ON {table} (status, updated_at, id);"


#: The columns every reviewed record's table has, for its DDL.
REVIEWED_COLUMNS = """
    status text NOT NULL,
    version int NOT NULL,
    submitted_by text,
    return_reason text,
    updated_at timestamptz NOT NULL"""

Year = Annotated[int | None, Parameter(ge=2000, le=2100, description="Năm")]
Statuses = Annotated[
    str | None,
    Parameter(
        pattern=r"^[a-z_,]{1,200}$", description="Trạng thái, phân cách bằng dấu phẩy (draft,…)"
    ),
]


def statuses(status: str | None) -> list[str] | None:
    return [s for s in status.split(",") if s] if status else None


def visible(principal: Principal, found: dict[str, Any] | None) -> dict[str, Any]:
    """A row the principal may read: 404 if absent, 403 for another unit."""
    if found is None:
        raise NotFound("Không tìm thấy")
    if not principal.can_act_in(found["unit_id"]):
        raise Forbidden(f"Người dùng không thuộc đơn vị {found['unit_id']}")
    return found


async def insert_row(db: ProjectionDb, table: str, envelope: Envelope, **columns: Any) -> None:
    """A new row for the envelope's aggregate, at its version and time, with `columns`."""
    names = ["id", "version", "updated_at", *columns]
    placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    await db.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})",
        uuid.UUID(envelope.subject),
        envelope.aggregateversion,
        envelope.time,
        *columns.values(),
    )


async def update_row(db: ProjectionDb, table: str, envelope: Envelope, **columns: Any) -> None:
    """Set columns of the aggregate's row, with the version and time of `envelope`."""
    names = list(columns)
    assignments = "".join(f", {name}=${index}" for index, name in enumerate(names, start=4))
    await db.execute(
        f"UPDATE {table} SET version=$2, updated_at=$3{assignments} WHERE id=$1",
        uuid.UUID(envelope.subject),
        envelope.aggregateversion,
        envelope.time,
        *columns.values(),
    )


def set_status(table: str, status: str) -> Handler:
    async def handle(db: ProjectionDb, envelope: Envelope, payload: Any) -> None:
        await update_row(db, table, envelope, status=status)

    return handle


def review_handlers(
    table: str,
    submitted: type[IntegrationEvent],
    returned: type[IntegrationEvent],
    approved: type[IntegrationEvent],
) -> dict[type[IntegrationEvent], Handler]:
    """Projection of the kit's steps; the contracts carry `submitted_by` and `reason`."""

    async def on_submitted(db: ProjectionDb, envelope: Envelope, payload: Any) -> None:
        await update_row(
            db,
            table,
            envelope,
            status="submitted",
            submitted_by=payload.submitted_by,
            return_reason=None,
        )

    async def on_returned(db: ProjectionDb, envelope: Envelope, payload: Any) -> None:
        await update_row(db, table, envelope, status="returned", return_reason=payload.reason)

    return {
        submitted: on_submitted,
        returned: on_returned,
        approved: set_status(table, "approved"),
    }


def review_actions(principal: Principal, record: dict[str, Any]) -> set[str]:
    """The kit's steps: the secretary drafts and submits, the leader (not the submitter) reviews."""
    allowed: set[str] = set()
    if not principal.can_act_in(record["unit_id"]):
        return allowed
    status = record["status"]
    if ISO_SECRETARY in principal.roles and status in ("draft", "returned"):
        allowed.add("revise")
    if ISO_SECRETARY in principal.roles and status == "draft":
        allowed.add("submit")
    reviewer = UNIT_LEADER in principal.roles and record.get("submitted_by") != principal.sub
    if reviewer and status == "submitted":
        allowed |= {"approve", "return"}
    return allowed


def review_routes(plural: str, id_name: str, noun: str, label: str) -> list[CommandRoute]:
    """Submit, approve and return, as the kit's `review_controller` serves them."""
    record = f"/{plural}/{{{id_name}:uuid}}"
    return [
        CommandRoute("POST", f"{record}/submit", f"submit_{noun}", f"Trình duyệt {label}"),
        CommandRoute("POST", f"{record}/approve", f"approve_{noun}", f"Phê duyệt {label}"),
        CommandRoute(
            "POST", f"{record}/return", f"return_{noun}", f"Trả lại {label} kèm lý do", ReturnInput
        ),
    ]


def tasks_in(
    principal: Principal, table: str, kind_sql: str, wanted: list[tuple[str, str, str]]
) -> TaskQuery:
    """Rows of `table` in the principal's units whose status waits for an action.

    `wanted` holds (status, action, label); `kind_sql` says what kind each row is (a column
    or a literal). Whoever submitted a record is never asked to approve it. At most
    TASKS_PER_STEP of each step, the oldest first (a list to act on, not a register); each
    task says how many wait at its step.
    """
    steps = {status: (action, label) for status, action, label in wanted}
    approving = [status for status, (action, _) in steps.items() if action == "approve"]
    # Counted per step in one pass; the oldest of each step read through the table's
    # (status, updated_at, id) index: no sort of every waiting row.
    waiting = (
        "status = ANY($2) AND (unit_id = ANY($1) OR '*' = ANY($1)) "
        "AND NOT (status = ANY($3) AND submitted_by IS NOT DISTINCT FROM $4)"
    )
    return TaskQuery(
        "SELECT oldest.*, steps.status AS step, steps.kind, steps.waiting FROM ("
        f"  SELECT status, {kind_sql} AS kind, count(*) AS waiting FROM {table}"
        f"  WHERE {waiting} GROUP BY 1, 2"
        ") steps CROSS JOIN LATERAL ("
        f"  SELECT id, unit_id, title, status, version, updated_at FROM {table} r"
        f"  WHERE r.status = steps.status AND {kind_sql} = steps.kind AND {waiting}"
        f"  ORDER BY r.updated_at, r.id LIMIT {TASKS_PER_STEP}"
        ") oldest",
        (list(steps), approving, principal.sub),
        steps,
    )
