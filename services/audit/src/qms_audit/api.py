"""HTTP API of the audit service (called by the gateway with the caller's token)."""

import uuid
from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.status_codes import HTTP_201_CREATED

from qms_audit.application import AuditApplication
from qms_audit.domain import (
    Auditor,
    AuditPlan,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    NcFacts,
    Nonconformity,
    PlanContent,
    ProgrammeContent,
    Visit,
)
from qms_contracts.audit_commands import (
    AcknowledgeInput,
    AuditorInput,
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
from qms_contracts.inputs import CommandReply
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId, expected_version, reply
from qms_runtime.commands import CommandContext
from qms_runtime.principal import Principal
from qms_runtime.review.api import review_controller

PROGRAMMES_TAG = "Chương trình đánh giá nội bộ"
PLANS_TAG = "Kế hoạch và phát hiện đánh giá nội bộ"
NONCONFORMITIES_TAG = "Sự không phù hợp và hành động khắc phục"


def _programme(data: ProgrammeInput) -> ProgrammeContent:
    return ProgrammeContent(
        year=data.year,
        objectives=data.objectives,
        scope=data.scope,
        criteria=data.criteria,
        department_ids=tuple(data.department_ids),
        period_start=data.period_start,
        period_end=data.period_end,
        planned_rounds=data.planned_rounds,
    )


def _auditor(data: AuditorInput) -> Auditor:
    return Auditor(data.sub, data.name, data.department_id)


def _plan(data: AuditPlanInput) -> PlanContent:
    return PlanContent(
        round=data.round,
        visits=tuple(
            Visit(
                department_id=v.department_id,
                day=v.day,
                slot=v.slot,
                lead=_auditor(v.lead),
                team=tuple(_auditor(a) for a in v.team),
                auditees=tuple(v.auditees),
                criteria=v.criteria,
                checklist=tuple(ChecklistItem(i.clause, i.question) for i in v.checklist),
            )
            for v in data.visits
        ),
    )


def _plain(value: Any) -> Any:
    """A domain value as JSON-ready data: dataclasses as objects, tuples as lists, dates as text."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(item) for name, item in vars(value).items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def programme_view(programme: AuditProgramme) -> dict[str, Any]:
    return {
        "id": str(programme.id),
        "version": programme.version,
        "unit_id": programme.unit_id,
        "status": str(programme.status),
        **_plain(programme.content),
        "return_reason": programme.return_reason,
    }


def plan_view(plan: AuditPlan) -> dict[str, Any]:
    return {
        "id": str(plan.id),
        "version": plan.version,
        "unit_id": plan.unit_id,
        "programme_id": plan.programme_id,
        "status": str(plan.status),
        **_plain(plan.content),
        "findings": [
            {**_plain(f), "acknowledged": f.finding_id in plan.acknowledged}
            for f in plan.findings.values()
        ],
        "outcome": plan.outcome,
        "return_reason": plan.return_reason,
    }


def nonconformity_view(nc: Nonconformity) -> dict[str, Any]:
    return {
        "id": str(nc.id),
        "version": nc.version,
        "unit_id": nc.unit_id,
        "status": str(nc.status),
        **_plain(nc.facts),
        "action": _plain(nc.action),
        "attempts": nc.attempts,
    }


class ProgrammesController(Controller):
    path = "/api/v1"
    tags = [PROGRAMMES_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/audit-programmes",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_audit_programme",
        summary="Soạn chương trình đánh giá nội bộ của năm",
    )
    def draft(
        self,
        unit_id: UnitId,
        data: ProgrammeInput,
        context: CommandContext,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        result = application.draft_programme(context, unit_id, _programme(data))
        return reply(result, HTTP_201_CREATED)

    @put(
        "/audit-programmes/{programme_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_audit_programme",
        summary="Sửa chương trình đánh giá nội bộ",
    )
    def revise(
        self,
        programme_id: uuid.UUID,
        data: ReviseProgrammeInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.revise_programme(context, programme_id, version, _programme(data)))

    @get(
        "/audit-programmes/{programme_id:uuid}",
        sync_to_thread=True,
        operation_id="read_audit_programme",
        summary="Xem chương trình đánh giá (từ kho sự kiện)",
    )
    def read(
        self, programme_id: uuid.UUID, principal: Principal, application: AuditApplication
    ) -> dict[str, Any]:
        return programme_view(application.read(principal, AuditProgramme, programme_id))


class PlansController(Controller):
    path = "/api/v1"
    tags = [PLANS_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/audit-programmes/{programme_id:uuid}/plans",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_audit_plan",
        summary="Soạn kế hoạch một đợt đánh giá theo chương trình đã duyệt",
    )
    def draft(
        self,
        programme_id: uuid.UUID,
        data: AuditPlanInput,
        context: CommandContext,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        return reply(application.draft_plan(context, programme_id, _plan(data)), HTTP_201_CREATED)

    @put(
        "/audit-plans/{plan_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_audit_plan",
        summary="Sửa kế hoạch đánh giá",
    )
    def revise(
        self,
        plan_id: uuid.UUID,
        data: ReviseAuditPlanInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.revise_plan(context, plan_id, version, _plan(data)))

    @post(
        "/audit-plans/{plan_id:uuid}/findings",
        status_code=200,
        sync_to_thread=True,
        operation_id="record_finding",
        summary="Ghi nhận phát hiện (đánh giá viên được phân công)",
    )
    def record_finding(
        self,
        plan_id: uuid.UUID,
        data: FindingInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.record_finding(
                context,
                plan_id,
                expected_version(expected, data.expected_version),
                department_id=data.department_id,
                kind=data.kind,
                clause=data.clause,
                evidence=data.evidence,
            )
        )

    @post(
        "/audit-plans/{plan_id:uuid}/findings/{finding_id:str}/acknowledge",
        status_code=200,
        sync_to_thread=True,
        operation_id="acknowledge_finding",
        summary="Phòng được đánh giá xác nhận phát hiện",
    )
    def acknowledge(
        self,
        plan_id: uuid.UUID,
        finding_id: str,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
        data: AcknowledgeInput | None = None,
    ) -> Response[CommandReply]:
        body = data or AcknowledgeInput()
        return reply(
            application.acknowledge_finding(
                context,
                plan_id,
                expected_version(expected, body.expected_version),
                finding_id=finding_id,
                note=body.note,
            )
        )

    @post(
        "/audit-plans/{plan_id:uuid}/conclude",
        status_code=200,
        sync_to_thread=True,
        operation_id="conclude_audit",
        summary="Lãnh đạo đơn vị kết luận đợt đánh giá",
    )
    def conclude(
        self,
        plan_id: uuid.UUID,
        data: ConcludeInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.conclude(
                context,
                plan_id,
                expected_version(expected, data.expected_version),
                outcome=data.outcome,
                note=data.note,
            )
        )

    @get(
        "/audit-plans/{plan_id:uuid}",
        sync_to_thread=True,
        operation_id="read_audit_plan",
        summary="Xem kế hoạch đánh giá và các phát hiện (từ kho sự kiện)",
    )
    def read(
        self, plan_id: uuid.UUID, principal: Principal, application: AuditApplication
    ) -> dict[str, Any]:
        return plan_view(application.read(principal, AuditPlan, plan_id))


class NonconformitiesController(Controller):
    path = "/api/v1"
    tags = [NONCONFORMITIES_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/nonconformities",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="open_nonconformity",
        summary="Mở sự không phù hợp (khiếu nại, xem xét của lãnh đạo, theo dõi quá trình)",
    )
    def open(
        self,
        unit_id: UnitId,
        data: NonconformityInput,
        context: CommandContext,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        facts = NcFacts(data.source, data.department_id, data.description, data.clause)
        return reply(application.open_nonconformity(context, unit_id, facts), HTTP_201_CREATED)

    @post(
        "/nonconformities/{nonconformity_id:uuid}/action",
        status_code=200,
        sync_to_thread=True,
        operation_id="plan_corrective_action",
        summary="Lập hành động khắc phục (khắc phục, nguyên nhân gốc, hành động, hạn)",
    )
    def plan_action(
        self,
        nonconformity_id: uuid.UUID,
        data: CorrectiveActionInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        action = CorrectiveAction(
            data.correction, data.root_cause, data.action, data.owner_department_id, data.due_date
        )
        version = expected_version(expected, data.expected_version)
        return reply(application.plan_corrective_action(context, nonconformity_id, version, action))

    @post(
        "/nonconformities/{nonconformity_id:uuid}/implement",
        status_code=200,
        sync_to_thread=True,
        operation_id="implement_corrective_action",
        summary="Ghi nhận đã thực hiện hành động khắc phục",
    )
    def implement(
        self,
        nonconformity_id: uuid.UUID,
        data: ImplementInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.implement(
                context,
                nonconformity_id,
                expected_version(expected, data.expected_version),
                evidence=data.evidence,
                implemented_on=data.implemented_on,
            )
        )

    @post(
        "/nonconformities/{nonconformity_id:uuid}/verify",
        status_code=200,
        sync_to_thread=True,
        operation_id="verify_effectiveness",
        summary="Kiểm tra hiệu lực của hành động khắc phục",
    )
    def verify(
        self,
        nonconformity_id: uuid.UUID,
        data: VerifyInput,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.verify(
                context,
                nonconformity_id,
                expected_version(expected, data.expected_version),
                effective=data.effective,
                note=data.note,
                verified_on=data.verified_on,
            )
        )

    @post(
        "/nonconformities/{nonconformity_id:uuid}/close",
        status_code=200,
        sync_to_thread=True,
        operation_id="close_nonconformity",
        summary="Đóng sự không phù hợp đã được xác nhận hiệu lực",
    )
    def close(
        self,
        nonconformity_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: AuditApplication,
        data: CloseNonconformityInput | None = None,
    ) -> Response[CommandReply]:
        body = data or CloseNonconformityInput()
        version = expected_version(expected, body.expected_version)
        return reply(application.close_nonconformity(context, nonconformity_id, version, body.note))

    @get(
        "/nonconformities/{nonconformity_id:uuid}",
        sync_to_thread=True,
        operation_id="read_nonconformity",
        summary="Xem sự không phù hợp (từ kho sự kiện)",
    )
    def read(
        self, nonconformity_id: uuid.UUID, principal: Principal, application: AuditApplication
    ) -> dict[str, Any]:
        return nonconformity_view(application.read(principal, Nonconformity, nonconformity_id))


ROUTES: list[type[Controller]] = [
    ProgrammesController,
    review_controller(
        AuditProgramme,
        path="/api/v1/audit-programmes",
        id_name="programme_id",
        tag=PROGRAMMES_TAG,
        operation="audit_programme",
    ),
    PlansController,
    review_controller(
        AuditPlan,
        path="/api/v1/audit-plans",
        id_name="plan_id",
        tag=PLANS_TAG,
        operation="audit_plan",
    ),
    NonconformitiesController,
]
