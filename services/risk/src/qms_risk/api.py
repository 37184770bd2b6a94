"""HTTP API of the risk service (called by the gateway with the caller's token)."""

import uuid
from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.status_codes import HTTP_201_CREATED

from qms_contracts.inputs import CommandReply
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
from qms_risk.application import RiskApplication
from qms_risk.domain import ActionPlan, EntryFacts, Method, PlanContent, RegisterEntry, RiskPlan
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId, expected_version, reply
from qms_runtime.commands import CommandContext
from qms_runtime.principal import Principal
from qms_runtime.review.api import review_controller

PLANS_TAG = "Kế hoạch đánh giá rủi ro"
REGISTER_TAG = "Sổ đăng ký rủi ro và cơ hội"


def _content(data: PlanInput | RevisePlanInput) -> PlanContent:
    return PlanContent(
        title=data.title,
        scope=data.scope,
        objectives=data.objectives,
        resources=data.resources,
        period_start=data.period_start,
        period_end=data.period_end,
        method=Method(**data.method.model_dump()),
    )


def plan_view(plan: RiskPlan) -> dict[str, Any]:
    content = plan.content
    return {
        "id": str(plan.id),
        "version": plan.version,
        "unit_id": plan.unit_id,
        "status": str(plan.status),
        **{k: v for k, v in vars(content).items() if k != "method"},
        "period_start": content.period_start.isoformat(),
        "period_end": content.period_end.isoformat(),
        "method": vars(content.method),
        "return_reason": plan.return_reason,
    }


def entry_view(entry: RegisterEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "version": entry.version,
        "unit_id": entry.unit_id,
        "plan_id": entry.plan_id,
        "status": str(entry.status),
        **vars(entry.facts),
        "inherent": vars(entry.inherent) if entry.inherent else None,
        "residual": vars(entry.residual) if entry.residual else None,
        "option": entry.option,
        "actions": [
            {
                **vars(action),
                "due_date": action.due_date.isoformat(),
                "done": action.action_id in entry.completed,
            }
            for action in entry.actions
        ],
        "monitor_on": entry.monitor_on.isoformat() if entry.monitor_on else None,
    }


class PlansController(Controller):
    path = "/api/v1"
    tags = [PLANS_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/risk-plans",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_risk_plan",
        summary="Soạn kế hoạch đánh giá rủi ro",
    )
    def draft(
        self,
        unit_id: UnitId,
        data: PlanInput,
        context: CommandContext,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        return reply(application.draft_plan(context, unit_id, _content(data)), HTTP_201_CREATED)

    @put(
        "/risk-plans/{plan_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_risk_plan",
        summary="Sửa kế hoạch đánh giá rủi ro",
    )
    def revise(
        self,
        plan_id: uuid.UUID,
        data: RevisePlanInput,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.revise_plan(context, plan_id, version, _content(data)))

    @get(
        "/risk-plans/{plan_id:uuid}",
        sync_to_thread=True,
        operation_id="read_risk_plan",
        summary="Xem kế hoạch đánh giá rủi ro (từ kho sự kiện)",
    )
    def read(
        self, plan_id: uuid.UUID, principal: Principal, application: RiskApplication
    ) -> dict[str, Any]:
        return plan_view(application.read(principal, RiskPlan, plan_id))


class RegisterController(Controller):
    path = "/api/v1"
    tags = [REGISTER_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/risks",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="identify_risk",
        summary="Nhận diện rủi ro hoặc cơ hội",
    )
    def identify(
        self,
        unit_id: UnitId,
        data: IdentifyInput,
        context: CommandContext,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        facts = EntryFacts(
            kind=data.kind,
            title=data.title,
            process=data.process,
            cause=data.cause,
            consequence=data.consequence,
            department_id=data.department_id,
        )
        result = application.identify(context, unit_id, data.plan_id, facts)
        return reply(result, HTTP_201_CREATED)

    @post(
        "/risks/{entry_id:uuid}/assess",
        status_code=200,
        sync_to_thread=True,
        operation_id="assess_risk",
        summary="Đánh giá rủi ro (khả năng × mức độ)",
    )
    def assess(
        self,
        entry_id: uuid.UUID,
        data: AssessInput,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.assess(
                context,
                entry_id,
                expected_version(expected, data.expected_version),
                likelihood=data.likelihood,
                severity=data.severity,
            )
        )

    @post(
        "/risks/{entry_id:uuid}/treatment",
        status_code=200,
        sync_to_thread=True,
        operation_id="plan_risk_treatment",
        summary="Lập kế hoạch xử lý",
    )
    def treatment(
        self,
        entry_id: uuid.UUID,
        data: TreatmentInput,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        actions = tuple(
            ActionPlan(a.description, a.owner_department_id, a.due_date) for a in data.actions
        )
        return reply(
            application.plan_treatment(
                context,
                entry_id,
                expected_version(expected, data.expected_version),
                option=data.option,
                actions=actions,
                monitor_on=data.monitor_on,
            )
        )

    @post(
        "/risks/{entry_id:uuid}/actions/complete",
        status_code=200,
        sync_to_thread=True,
        operation_id="complete_risk_action",
        summary="Ghi nhận hoàn thành hành động xử lý",
    )
    def complete(
        self,
        entry_id: uuid.UUID,
        data: CompleteActionInput,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.complete_action(
                context,
                entry_id,
                expected_version(expected, data.expected_version),
                action_id=data.action_id,
                evidence=data.evidence,
                completed_on=data.completed_on,
            )
        )

    @post(
        "/risks/{entry_id:uuid}/reassess",
        status_code=200,
        sync_to_thread=True,
        operation_id="reassess_risk",
        summary="Đánh giá lại rủi ro còn lại",
    )
    def reassess(
        self,
        entry_id: uuid.UUID,
        data: ReassessInput,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.reassess(
                context,
                entry_id,
                expected_version(expected, data.expected_version),
                likelihood=data.likelihood,
                severity=data.severity,
            )
        )

    @post(
        "/risks/{entry_id:uuid}/close",
        status_code=200,
        sync_to_thread=True,
        operation_id="close_risk",
        summary="Đóng rủi ro hoặc cơ hội",
    )
    def close(
        self,
        entry_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: RiskApplication,
        data: CloseInput | None = None,
    ) -> Response[CommandReply]:
        body = data or CloseInput()
        return reply(
            application.close_entry(
                context, entry_id, expected_version(expected, body.expected_version), body.note
            )
        )

    @get(
        "/risks/{entry_id:uuid}",
        sync_to_thread=True,
        operation_id="read_risk",
        summary="Xem rủi ro hoặc cơ hội (từ kho sự kiện)",
    )
    def read(
        self, entry_id: uuid.UUID, principal: Principal, application: RiskApplication
    ) -> dict[str, Any]:
        return entry_view(application.read(principal, RegisterEntry, entry_id))


ROUTES: list[type[Controller]] = [
    PlansController,
    review_controller(
        RiskPlan,
        path="/api/v1/risk-plans",
        id_name="plan_id",
        tag=PLANS_TAG,
        operation="risk_plan",
    ),
    RegisterController,
]
