"""The review wing: management reviews (ISO 9001 9.3) and the year's ISO activity data."""

from collections.abc import Sequence

import asyncpg

from qms_contracts.review import SERVICE
from qms_gateway.frame.wing import SupervisionColumns, Wing
from qms_gateway.review import readmodel, tasks
from qms_gateway.review.actions import EVENT_LABELS
from qms_gateway.review.pages import LIST, ReviewPages
from qms_gateway.review.projection import PROJECTION
from qms_gateway.review.report_pages import IsoReportPage
from qms_gateway.review.routes import StaffController


async def review_status(
    pool: asyncpg.Pool, unit_ids: Sequence[str], year: int
) -> dict[str, list[str]]:
    """Whether the unit's leaders met to review its QMS in the year, and how often."""
    held = await readmodel.reviews_held(pool, list(unit_ids), year)
    return {unit_id: [f"Đã họp {n} lần" if n else "Chưa họp"] for unit_id, n in held.items()}


WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(StaffController,),
    tasks=tasks.tasks,
    package=__name__,
    pages=(IsoReportPage, ReviewPages),
    list_pages={"review": LIST},
    event_labels=EVENT_LABELS,
    supervision=SupervisionColumns(headers=("Xem xét của lãnh đạo",), load=review_status),
    menu=(("Xem xét của lãnh đạo", LIST),),
)
