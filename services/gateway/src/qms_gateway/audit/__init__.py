"""The audit wing: internal audit programmes and rounds, findings, nonconformities."""

from collections.abc import Sequence

import asyncpg

from qms_contracts.audit import SERVICE
from qms_gateway.audit import readmodel, tasks
from qms_gateway.audit.actions import EVENT_LABELS
from qms_gateway.audit.nonconformity_pages import NonconformityPages
from qms_gateway.audit.plan_pages import PlanPages
from qms_gateway.audit.programme_pages import ProgrammePages
from qms_gateway.audit.projection import PROJECTION
from qms_gateway.audit.routes import StaffController
from qms_gateway.frame.wing import SupervisionColumns, Wing


async def audit_status(
    pool: asyncpg.Pool, unit_ids: Sequence[str], year: int
) -> dict[str, list[str]]:
    """The year's programme and rounds held; the nonconformities open today."""
    found = await readmodel.audit_status(pool, list(unit_ids), year)
    return {
        unit_id: [
            "Đã duyệt" if status["programme_approved"] else "Chưa có",
            str(status["audits_held"]),
            str(status["open_nonconformities"]),
        ]
        for unit_id, status in found.items()
    }


WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(StaffController,),
    tasks=tasks.tasks,
    package=__name__,
    pages=(ProgrammePages, PlanPages, NonconformityPages),
    list_pages={
        "audit_programme": "/danh-gia-noi-bo",
        "audit_plan": "/danh-gia-noi-bo/ke-hoach",
        "nonconformity": "/khong-phu-hop",
    },
    event_labels=EVENT_LABELS,
    supervision=SupervisionColumns(
        headers=(
            "Chương trình đánh giá nội bộ",
            "Đợt đánh giá đã kết luận",
            "Sự không phù hợp đang mở",
        ),
        load=audit_status,
    ),
    menu=(("Đánh giá nội bộ", "/danh-gia-noi-bo"), ("Không phù hợp", "/khong-phu-hop")),
)
