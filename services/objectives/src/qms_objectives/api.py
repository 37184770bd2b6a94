"""HTTP API of the objectives service (called by the gateway with the caller's token)."""

import uuid
from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.status_codes import HTTP_201_CREATED

from qms_contracts.inputs import CommandReply
from qms_contracts.objectives_commands import (
    DisseminateInput,
    DocumentInput,
    DraftObjectiveInput,
    EvaluateInput,
    IndicatorSourceInput,
    ProgressInput,
    ReviseDocumentInput,
    ReviseObjectiveInput,
    TargetInput,
)
from qms_objectives.application import ObjectivesApplication
from qms_objectives.domain import (
    IndicatorSource,
    Objective,
    OrganizationContext,
    QualityDocument,
    QualityPolicy,
    TargetSpec,
)
from qms_runtime.command_routes import (
    COMMAND_DEPENDENCIES,
    UnitId,
    expected_version,
    rename_parameter,
    reply,
)
from qms_runtime.commands import CommandContext
from qms_runtime.principal import Principal
from qms_runtime.review.api import review_controller

OBJECTIVES_TAG = "Mục tiêu chất lượng"


def _targets(targets: list[TargetInput]) -> tuple[TargetSpec, ...]:
    return tuple(
        TargetSpec(
            target_id=target.target_id or f"t{index}",
            statement=target.statement,
            indicator=target.indicator,
            target_value=target.target_value,
            unit_of_measure=target.unit_of_measure,
            direction=target.direction,
            deadline=target.deadline,
            department_id=target.department_id,
            action_plan=target.action_plan,
            source=_source(target.source),
        )
        for index, target in enumerate(targets, start=1)
    )


def _source(source: IndicatorSourceInput | None) -> IndicatorSource | None:
    if source is None:
        return None
    procedure_id = str(source.procedure_id) if source.procedure_id else None
    return IndicatorSource(kind=source.kind, procedure_id=procedure_id)


def objective_view(objective: Objective) -> dict[str, Any]:
    return {
        "id": str(objective.id),
        "version": objective.version,
        "unit_id": objective.unit_id,
        "year": objective.year,
        "title": objective.title,
        "status": str(objective.status),
        "targets": [
            {
                **target.__dict__,
                "deadline": target.deadline.isoformat(),
                "source": vars(target.source) if target.source else None,
                "progress": [
                    {**entry.__dict__, "as_of": entry.as_of.isoformat()}
                    for entry in objective.progress.get(target.target_id, [])
                ],
            }
            for target in objective.targets
        ],
        "return_reason": objective.return_reason,
        "department_ids": list(objective.department_ids),
        "achieved": objective.achieved,
    }


def document_view(document: QualityDocument) -> dict[str, Any]:
    return {
        "id": str(document.id),
        "version": document.version,
        "unit_id": document.unit_id,
        "kind": document.register_key,
        "version_number": document.version_number,
        "title": document.title,
        "content": document.content,
        "status": str(document.status),
        "return_reason": document.return_reason,
    }


class ObjectivesController(Controller):
    path = "/api/v1"
    tags = [OBJECTIVES_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/objectives",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_objective",
        summary="Soạn mục tiêu chất lượng",
    )
    def draft(
        self,
        unit_id: UnitId,
        data: DraftObjectiveInput,
        context: CommandContext,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        result = application.draft_objective(
            context, unit_id, year=data.year, title=data.title, targets=_targets(data.targets)
        )
        return reply(result, HTTP_201_CREATED)

    @put(
        "/objectives/{objective_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_objective",
        summary="Sửa mục tiêu chất lượng",
    )
    def revise(
        self,
        objective_id: uuid.UUID,
        data: ReviseObjectiveInput,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.revise_objective(
                context,
                objective_id,
                expected_version(expected, data.expected_version),
                title=data.title,
                targets=_targets(data.targets),
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/disseminate",
        status_code=200,
        sync_to_thread=True,
        operation_id="disseminate_objective",
        summary="Phổ biến mục tiêu tới các phòng",
    )
    def disseminate(
        self,
        objective_id: uuid.UUID,
        data: DisseminateInput,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.disseminate_objective(
                context,
                objective_id,
                expected_version(expected, data.expected_version),
                tuple(data.department_ids),
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/targets/{target_id:str}/progress",
        status_code=200,
        sync_to_thread=True,
        operation_id="record_target_progress",
        summary="Cập nhật tiến độ một chỉ tiêu",
    )
    def progress(
        self,
        objective_id: uuid.UUID,
        target_id: str,
        data: ProgressInput,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.record_progress(
                context,
                objective_id,
                expected_version(expected, data.expected_version),
                target_id=target_id,
                value=data.value,
                as_of=data.as_of,
                note=data.note,
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/evaluate",
        status_code=200,
        sync_to_thread=True,
        operation_id="evaluate_objective",
        summary="Đánh giá mục tiêu cuối năm",
    )
    def evaluate(
        self,
        objective_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
        data: EvaluateInput | None = None,
    ) -> Response[CommandReply]:
        body = data or EvaluateInput()
        return reply(
            application.evaluate_objective(
                context,
                objective_id,
                expected_version(expected, body.expected_version),
                overrides=body.achieved,
                note=body.note,
            )
        )

    @get(
        "/objectives/{objective_id:uuid}",
        sync_to_thread=True,
        operation_id="read_objective",
        summary="Xem mục tiêu (từ kho sự kiện)",
    )
    def read(
        self, objective_id: uuid.UUID, principal: Principal, application: ObjectivesApplication
    ) -> dict[str, Any]:
        return objective_view(application.read(principal, Objective, objective_id))


def document_controller(
    kind: type[QualityDocument], plural: str, id_name: str, tag: str
) -> type[Controller]:
    """Drafting, revising, publishing and reading one document kind."""
    noun = kind.register_key

    def draft(
        self: Controller,
        unit_id: UnitId,
        data: DocumentInput,
        context: CommandContext,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        result = application.draft_document(
            context, unit_id, kind, title=data.title, content=data.content
        )
        return reply(result, HTTP_201_CREATED)

    def revise(
        self: Controller,
        record_id: uuid.UUID,
        data: ReviseDocumentInput,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(
            application.revise_document(
                context, kind, record_id, version, title=data.title, content=data.content
            )
        )

    def publish(
        self: Controller,
        record_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ObjectivesApplication,
    ) -> Response[CommandReply]:
        return reply(application.publish_document(context, kind, record_id, expected))

    def read(
        self: Controller,
        record_id: uuid.UUID,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> dict[str, Any]:
        return document_view(application.read(principal, kind, record_id))

    def on_record(handler: Any) -> Any:
        return rename_parameter(handler, "record_id", id_name)

    record = f"/{plural}/{{{id_name}:uuid}}"
    return type(
        f"{kind.__name__}Controller",
        (Controller,),
        {
            "path": "/api/v1",
            "tags": [tag],
            "dependencies": COMMAND_DEPENDENCIES,
            "draft": post(
                f"/units/{{unit_id:str}}/{plural}",
                status_code=HTTP_201_CREATED,
                sync_to_thread=True,
                operation_id=f"draft_{noun}",
                summary=f"Soạn {kind.noun}",
            )(draft),
            "revise": put(
                record,
                sync_to_thread=True,
                operation_id=f"revise_{noun}",
                summary=f"Sửa {kind.noun}",
            )(on_record(revise)),
            "publish": post(
                f"{record}/publish",
                status_code=200,
                sync_to_thread=True,
                operation_id=f"publish_{noun}",
                summary=f"Ban hành {kind.noun}",
            )(on_record(publish)),
            "read": get(
                record,
                sync_to_thread=True,
                operation_id=f"read_{noun}",
                summary=f"Xem {kind.noun} (từ kho sự kiện)",
            )(on_record(read)),
        },
    )


ROUTES: list[type[Controller]] = [
    ObjectivesController,
    review_controller(
        Objective,
        path="/api/v1/objectives",
        id_name="objective_id",
        tag=OBJECTIVES_TAG,
        operation="objective",
    ),
]
for _kind, _plural, _id_name, _tag in (
    (QualityPolicy, "policies", "policy_id", "Chính sách chất lượng"),
    (OrganizationContext, "contexts", "context_id", "Bối cảnh tổ chức"),
):
    ROUTES += [
        document_controller(_kind, _plural, _id_name, _tag),
        review_controller(
            _kind,
            path=f"/api/v1/{_plural}",
            id_name=_id_name,
            tag=_tag,
            operation=_kind.register_key,
        ),
    ]
