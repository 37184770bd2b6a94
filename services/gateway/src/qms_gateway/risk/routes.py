"""Routes of the risk wing: plans, the register, its heat map and the secretary's report."""

import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from qms_contracts.risk import SERVICE, EntryKind, Level
from qms_contracts.risk_commands import (
    AssessInput,
    CloseInput,
    CompleteActionInput,
    IdentifyInput,
    PlanInput,
    ReassessInput,
    RevisePlanInput,
    TreatmentInput,
)
from qms_gateway.frame.forwarding import CommandRoute, command_handlers
from qms_gateway.frame.reviewed import Statuses, review_routes, statuses, visible
from qms_gateway.frame.search import like_patterns
from qms_gateway.risk import readmodel
from qms_gateway.risk.views import (
    HeatCell,
    HeatMapView,
    RiskEntryView,
    RiskPlanView,
    RiskRegisterPage,
    RiskReportView,
)
from qms_runtime.clock import today
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId
from qms_runtime.principal import Principal

Text = Annotated[str | None, Parameter(min_length=1, max_length=200)]
PlanId = Annotated[uuid.UUID | None, Parameter(description="Kế hoạch (kỳ đánh giá)")]


async def plan_view(pool: asyncpg.Pool, plan_id: uuid.UUID) -> RiskPlanView | None:
    found = await readmodel.plan(pool, plan_id)
    return RiskPlanView.model_validate(found) if found else None


async def entry_view(pool: asyncpg.Pool, entry_id: uuid.UUID) -> RiskEntryView | None:
    found = await readmodel.entry(pool, entry_id)
    return RiskEntryView.model_validate(found) if found else None


PLAN_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/risk-plans",
        "draft_risk_plan",
        "Soạn kế hoạch đánh giá rủi ro",
        PlanInput,
        created=True,
    ),
    CommandRoute(
        "PUT",
        "/risk-plans/{plan_id:uuid}",
        "revise_risk_plan",
        "Sửa kế hoạch đánh giá rủi ro",
        RevisePlanInput,
    ),
    *review_routes("risk-plans", "plan_id", "risk_plan", "kế hoạch đánh giá rủi ro"),
]

ENTRY = "/risks/{entry_id:uuid}"
ENTRY_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/risks",
        "identify_risk",
        "Nhận diện rủi ro hoặc cơ hội",
        IdentifyInput,
        created=True,
    ),
    CommandRoute(
        "POST", f"{ENTRY}/assess", "assess_risk", "Đánh giá rủi ro (khả năng × mức độ)", AssessInput
    ),
    CommandRoute(
        "POST", f"{ENTRY}/treatment", "plan_risk_treatment", "Lập kế hoạch xử lý", TreatmentInput
    ),
    CommandRoute(
        "POST",
        f"{ENTRY}/actions/complete",
        "complete_risk_action",
        "Ghi nhận hoàn thành hành động xử lý",
        CompleteActionInput,
    ),
    CommandRoute(
        "POST", f"{ENTRY}/reassess", "reassess_risk", "Đánh giá lại rủi ro còn lại", ReassessInput
    ),
    CommandRoute(
        "POST",
        f"{ENTRY}/close",
        "close_risk",
        "Đóng rủi ro hoặc cơ hội",
        CloseInput,
        body_required=False,
    ),
]


def heat_map_view(
    unit_id: str, plan_id: uuid.UUID | None, counts: dict[str, dict[tuple[int, int], int]]
) -> HeatMapView:
    def cells(rating: str) -> list[HeatCell]:
        return [
            HeatCell(
                likelihood=likelihood,
                severity=severity,
                entries=counts[rating].get((likelihood, severity), 0),
            )
            for likelihood in range(1, 6)
            for severity in range(1, 6)
        ]

    return HeatMapView(
        unit_id=unit_id,
        plan_id=str(plan_id) if plan_id else None,
        inherent=cells("inherent"),
        residual=cells("residual"),
    )


async def plan_report(pool: asyncpg.Pool, plan: dict[str, object]) -> RiskReportView:
    as_of = today()
    found = await readmodel.report(pool, uuid.UUID(str(plan["id"])), as_of)
    return RiskReportView.model_validate({**found, "plan": plan, "as_of": as_of.isoformat()})


class RiskQueries(Controller):
    @get(
        "/risk-plans/{plan_id:uuid}",
        operation_id="read_risk_plan",
        summary="Xem kế hoạch đánh giá rủi ro",
    )
    async def read_plan(
        self, plan_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> RiskPlanView:
        return RiskPlanView.model_validate(visible(principal, await readmodel.plan(pool, plan_id)))

    @get(
        "/units/{unit_id:str}/risk-plans",
        operation_id="list_risk_plans",
        summary="Các kế hoạch đánh giá rủi ro của đơn vị",
    )
    async def list_plans(
        self, unit_id: UnitId, principal: Principal, pool: asyncpg.Pool, status: Statuses = None
    ) -> list[RiskPlanView]:
        principal.require(unit_id)
        found = await readmodel.plans(pool, unit_id, statuses(status))
        return [RiskPlanView.model_validate(item) for item in found]

    @get(
        "/risk-plans/{plan_id:uuid}/report",
        operation_id="risk_plan_report",
        summary="Báo cáo của thư ký theo kế hoạch: mức trước và sau xử lý, hành động, cơ hội",
    )
    async def report(
        self, plan_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> RiskReportView:
        return await plan_report(pool, visible(principal, await readmodel.plan(pool, plan_id)))

    @get("/risks/{entry_id:uuid}", operation_id="read_risk", summary="Xem rủi ro hoặc cơ hội")
    async def read_entry(
        self, entry_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> RiskEntryView:
        return RiskEntryView.model_validate(
            visible(principal, await readmodel.entry(pool, entry_id))
        )

    @get(
        "/units/{unit_id:str}/risks",
        operation_id="list_risks",
        summary="Sổ đăng ký rủi ro và cơ hội của đơn vị (ưu tiên cao trước)",
    )
    async def register(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        plan_id: PlanId = None,
        level: Level | None = None,
        department_id: Text = None,
        status: Text = None,
        process: Text = None,
        kind: EntryKind | None = None,
        q: Annotated[str | None, Parameter(max_length=200, description="Tìm không dấu")] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> RiskRegisterPage:
        principal.require(unit_id)
        found, total = await readmodel.entries(
            pool,
            unit_id,
            plan_id=plan_id,
            level=level,
            department_id=department_id,
            status=status,
            process=process,
            kind=kind,
            patterns=like_patterns(q or ""),
            limit=limit,
            offset=offset,
        )
        return RiskRegisterPage(
            entries=[RiskEntryView.model_validate(item) for item in found], total=total
        )

    @get(
        "/units/{unit_id:str}/risk-heat-map",
        operation_id="risk_heat_map",
        summary="Bản đồ nhiệt: số mục theo ô ma trận, trước và sau xử lý",
    )
    async def heat_map(
        self, unit_id: UnitId, principal: Principal, pool: asyncpg.Pool, plan_id: PlanId = None
    ) -> HeatMapView:
        principal.require(unit_id)
        return heat_map_view(unit_id, plan_id, await readmodel.heat_map(pool, unit_id, plan_id))


#: Reads and commands share paths (GET and PUT /risk-plans/{id}); Litestar wants one controller.
StaffController = type(
    "RiskWingController",
    (RiskQueries,),
    {
        "path": "/api/v1",
        "tags": ["Quản lý rủi ro và cơ hội"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, PLAN_COMMANDS, plan_view, RiskPlanView),
        **command_handlers(SERVICE, ENTRY_COMMANDS, entry_view, RiskEntryView),
    },
)
