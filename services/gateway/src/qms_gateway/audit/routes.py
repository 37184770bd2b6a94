"""Routes of the audit wing: programmes, round plans and findings, nonconformities."""

import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from qms_contracts.audit import SERVICE, Source
from qms_contracts.audit_commands import (
    AcknowledgeInput,
    AuditPlanInput,
    CloseNonconformityInput,
    ConcludeInput,
    CorrectiveActionInput,
    FindingInput,
    ImplementInput,
    NonconformityInput,
    ProgrammeInput,
    ReviseAuditPlanInput,
    ReviseProgrammeInput,
    VerifyInput,
)
from qms_gateway.audit import readmodel
from qms_gateway.audit.views import (
    AuditPlanView,
    AuditProgrammeView,
    MissingProgrammes,
    NonconformityPage,
    NonconformityView,
    UnitRef,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import CommandRoute, command_handlers
from qms_gateway.frame.reviewed import Statuses, Year, review_routes, statuses, visible
from qms_gateway.frame.search import like_patterns
from qms_runtime.clock import today
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId
from qms_runtime.errors import Forbidden
from qms_runtime.principal import ADMIN, ALL_UNITS, SUPERVISOR, Principal

Text = Annotated[str | None, Parameter(min_length=1, max_length=200)]


async def programme_view(pool: asyncpg.Pool, programme_id: uuid.UUID) -> AuditProgrammeView | None:
    found = await readmodel.programme(pool, programme_id)
    return AuditProgrammeView.model_validate(found) if found else None


async def plan_view(pool: asyncpg.Pool, plan_id: uuid.UUID) -> AuditPlanView | None:
    found = await readmodel.plan(pool, plan_id)
    return AuditPlanView.model_validate(found) if found else None


async def nonconformity_view(
    pool: asyncpg.Pool, nonconformity_id: uuid.UUID
) -> NonconformityView | None:
    found = await readmodel.nonconformity(pool, nonconformity_id)
    return NonconformityView.model_validate(found) if found else None


PROGRAMME = "/audit-programmes/{programme_id:uuid}"
PROGRAMME_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/audit-programmes",
        "draft_audit_programme",
        "Soạn chương trình đánh giá nội bộ của năm",
        ProgrammeInput,
        created=True,
    ),
    CommandRoute(
        "PUT",
        PROGRAMME,
        "revise_audit_programme",
        "Sửa chương trình đánh giá nội bộ",
        ReviseProgrammeInput,
    ),
    *review_routes("audit-programmes", "programme_id", "audit_programme", "chương trình đánh giá"),
]

PLAN = "/audit-plans/{plan_id:uuid}"
PLAN_COMMANDS = [
    CommandRoute(
        "POST",
        f"{PROGRAMME}/plans",
        "draft_audit_plan",
        "Soạn kế hoạch một đợt đánh giá theo chương trình đã duyệt",
        AuditPlanInput,
        created=True,
    ),
    CommandRoute("PUT", PLAN, "revise_audit_plan", "Sửa kế hoạch đánh giá", ReviseAuditPlanInput),
    *review_routes("audit-plans", "plan_id", "audit_plan", "kế hoạch đánh giá"),
    CommandRoute(
        "POST",
        f"{PLAN}/findings",
        "record_finding",
        "Ghi nhận phát hiện (đánh giá viên được phân công)",
        FindingInput,
    ),
    CommandRoute(
        "POST",
        f"{PLAN}/findings/{{finding_id:str}}/acknowledge",
        "acknowledge_finding",
        "Phòng được đánh giá xác nhận phát hiện",
        AcknowledgeInput,
        body_required=False,
    ),
    CommandRoute(
        "POST",
        f"{PLAN}/conclude",
        "conclude_audit",
        "Lãnh đạo đơn vị kết luận đợt đánh giá",
        ConcludeInput,
    ),
]

NONCONFORMITY = "/nonconformities/{nonconformity_id:uuid}"
NONCONFORMITY_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/nonconformities",
        "open_nonconformity",
        "Mở sự không phù hợp (khiếu nại, xem xét của lãnh đạo, theo dõi quá trình)",
        NonconformityInput,
        created=True,
    ),
    CommandRoute(
        "POST",
        f"{NONCONFORMITY}/action",
        "plan_corrective_action",
        "Lập hành động khắc phục (khắc phục, nguyên nhân gốc, hành động, hạn)",
        CorrectiveActionInput,
    ),
    CommandRoute(
        "POST",
        f"{NONCONFORMITY}/implement",
        "implement_corrective_action",
        "Ghi nhận đã thực hiện hành động khắc phục",
        ImplementInput,
    ),
    CommandRoute(
        "POST",
        f"{NONCONFORMITY}/verify",
        "verify_effectiveness",
        "Kiểm tra hiệu lực của hành động khắc phục",
        VerifyInput,
    ),
    CommandRoute(
        "POST",
        f"{NONCONFORMITY}/close",
        "close_nonconformity",
        "Đóng sự không phù hợp đã được xác nhận hiệu lực",
        CloseNonconformityInput,
        body_required=False,
    ),
]


async def missing_programmes(
    pool: asyncpg.Pool, principal: Principal, year: int
) -> MissingProgrammes:
    """The units a supervisor oversees (an administrator: every unit) with no approved
    programme for the year."""
    if not {SUPERVISOR, ADMIN} & principal.roles:
        raise Forbidden("Chỉ cơ quan giám sát hoặc quản trị xem được danh sách này")
    units = (
        await directory.units(pool)
        if ALL_UNITS in principal.units
        else await directory.supervised(pool, principal.units)
    )
    missing = set(
        await readmodel.units_without_programme(pool, [u["unit_id"] for u in units], year)
    )
    return MissingProgrammes(
        year=year,
        units=[
            UnitRef(unit_id=u["unit_id"], name=u["name"]) for u in units if u["unit_id"] in missing
        ],
    )


class AuditQueries(Controller):
    @get(
        "/audit-programmes/missing",
        operation_id="missing_audit_programmes",
        summary="Các đơn vị chưa có chương trình đánh giá nội bộ được duyệt trong năm",
    )
    async def missing(
        self, principal: Principal, pool: asyncpg.Pool, year: Year = None
    ) -> MissingProgrammes:
        return await missing_programmes(pool, principal, year or today().year)

    @get(PROGRAMME, operation_id="read_audit_programme", summary="Xem chương trình đánh giá")
    async def read_programme(
        self, programme_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> AuditProgrammeView:
        found = visible(principal, await readmodel.programme(pool, programme_id))
        return AuditProgrammeView.model_validate(found)

    @get(
        "/units/{unit_id:str}/audit-programmes",
        operation_id="list_audit_programmes",
        summary="Các chương trình đánh giá nội bộ của đơn vị",
    )
    async def list_programmes(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        year: Year = None,
        status: Statuses = None,
    ) -> list[AuditProgrammeView]:
        principal.require(unit_id)
        found = await readmodel.programmes(pool, unit_id, year, statuses(status))
        return [AuditProgrammeView.model_validate(item) for item in found]

    @get(
        f"{PROGRAMME}/plans",
        operation_id="list_audit_plans",
        summary="Các kế hoạch đánh giá (theo đợt) của chương trình",
    )
    async def list_plans(
        self, programme_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> list[AuditPlanView]:
        visible(principal, await readmodel.programme(pool, programme_id))
        return [AuditPlanView.model_validate(p) for p in await readmodel.plans(pool, programme_id)]

    @get(PLAN, operation_id="read_audit_plan", summary="Xem kế hoạch đánh giá và các phát hiện")
    async def read_plan(
        self, plan_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> AuditPlanView:
        return AuditPlanView.model_validate(visible(principal, await readmodel.plan(pool, plan_id)))

    @get(NONCONFORMITY, operation_id="read_nonconformity", summary="Xem sự không phù hợp")
    async def read_nonconformity(
        self, nonconformity_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> NonconformityView:
        found = visible(principal, await readmodel.nonconformity(pool, nonconformity_id))
        return NonconformityView.model_validate(found)

    @get(
        "/units/{unit_id:str}/nonconformities",
        operation_id="list_nonconformities",
        summary="Sự không phù hợp của đơn vị (đang mở trước)",
    )
    async def list_nonconformities(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        status: Text = None,
        department_id: Text = None,
        source: Source | None = None,
        plan_id: uuid.UUID | None = None,
        q: Annotated[str | None, Parameter(max_length=200, description="Tìm không dấu")] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> NonconformityPage:
        principal.require(unit_id)
        found, total = await readmodel.nonconformities(
            pool,
            unit_id,
            status=status,
            department_id=department_id,
            source=source,
            plan_id=plan_id,
            patterns=like_patterns(q or ""),
            limit=limit,
            offset=offset,
        )
        return NonconformityPage(
            nonconformities=[NonconformityView.model_validate(item) for item in found], total=total
        )


#: Reads and commands share paths (GET and PUT /audit-plans/{id}); Litestar wants one controller.
StaffController = type(
    "AuditWingController",
    (AuditQueries,),
    {
        "path": "/api/v1",
        "tags": ["Đánh giá nội bộ và hành động khắc phục"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, PROGRAMME_COMMANDS, programme_view, AuditProgrammeView),
        **command_handlers(SERVICE, PLAN_COMMANDS, plan_view, AuditPlanView),
        **command_handlers(SERVICE, NONCONFORMITY_COMMANDS, nonconformity_view, NonconformityView),
    },
)
