"""The risk wing: assessment plans, the register of risks and opportunities, its heat map."""

from collections.abc import Sequence

import asyncpg

from qms_contracts.risk import SERVICE
from qms_gateway.frame.wing import SupervisionColumns, Wing
from qms_gateway.risk import readmodel, tasks
from qms_gateway.risk.actions import EVENT_LABELS
from qms_gateway.risk.pages import RegisterPages
from qms_gateway.risk.plan_pages import HeatMapPage, PlanPages
from qms_gateway.risk.projection import PROJECTION
from qms_gateway.risk.routes import StaffController
from qms_runtime.clock import today


async def risk_status(
    pool: asyncpg.Pool, unit_ids: Sequence[str], year: int
) -> dict[str, list[str]]:
    """Today's figures, whatever the year: what is open now is what a supervisor follows."""
    found = await readmodel.risk_status(pool, list(unit_ids), today())
    return {
        unit_id: [str(status["above_acceptance"]), str(status["overdue_actions"])]
        for unit_id, status in found.items()
    }


WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(StaffController,),
    tasks=tasks.tasks,
    package=__name__,
    pages=(RegisterPages, PlanPages, HeatMapPage),
    list_pages={"risk_plan": "/rui-ro/ke-hoach", "risk": "/rui-ro"},
    event_labels=EVENT_LABELS,
    supervision=SupervisionColumns(
        headers=("Rủi ro trên mức chấp nhận", "Hành động xử lý quá hạn"), load=risk_status
    ),
    menu=(("Rủi ro", "/rui-ro"),),
)
