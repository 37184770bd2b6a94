"""HTTP API of the objectives service (called by the gateway with the caller's token)."""

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel, ConfigDict, Field

from qms_objectives.application import CommandResult, ObjectivesApplication
from qms_objectives.domain import DocumentKind, Objective, QualityDocument, TargetSpec
from qms_runtime.auth import Principal
from qms_runtime.errors import InvalidInput

UnitId = Annotated[str, Parameter(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TargetIn(_In):
    target_id: str | None = Field(
        default=None, max_length=40, description="Keep to revise a target"
    )
    statement: str = Field(min_length=1, max_length=2000)
    indicator: str = Field(min_length=1, max_length=500)
    target_value: float
    unit_of_measure: str = Field(min_length=1, max_length=40)
    direction: Literal["at_least", "at_most"] = "at_least"
    deadline: date
    department_id: str = Field(min_length=1, max_length=80)
    action_plan: str = Field(min_length=1, max_length=5000)


class DraftObjectiveIn(_In):
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=500)
    targets: list[TargetIn] = Field(min_length=1, max_length=50)


class VersionIn(_In):
    expected_version: int | None = Field(default=None, ge=1)


class ReviseObjectiveIn(VersionIn):
    title: str = Field(min_length=1, max_length=500)
    targets: list[TargetIn] = Field(min_length=1, max_length=50)


class ReturnIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class DisseminateIn(VersionIn):
    department_ids: list[str] = Field(min_length=1, max_length=100)


class ProgressIn(VersionIn):
    value: float
    as_of: date
    note: str = Field(default="", max_length=2000)


class EvaluateIn(VersionIn):
    achieved: dict[str, bool] = Field(
        default_factory=dict, description="Override the measured result of some targets"
    )
    note: str = Field(default="", max_length=2000)


class DocumentIn(_In):
    title: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=100_000)


class ReviseDocumentIn(VersionIn, DocumentIn):
    pass


def _targets(targets: list[TargetIn]) -> tuple[TargetSpec, ...]:
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
        )
        for index, target in enumerate(targets, start=1)
    )


def expected_version(request: Request[Any, Any, Any], body: VersionIn | None) -> int | None:
    """Expected version from `If-Match` ("3", W/"3" or 3), else from the body."""
    header = request.headers.get("if-match")
    if header:
        text = header.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise InvalidInput("If-Match phải là số phiên bản", field="If-Match")
        return int(text)
    return body.expected_version if body else None


def correlation_id(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("x-correlation-id") or str(uuid.uuid4())


def reply(result: CommandResult, status: int = HTTP_200_OK) -> Response[dict[str, Any]]:
    return Response(
        {"id": str(result.id), "version": result.version},
        status_code=status,
        headers={"ETag": f'"{result.version}"'},
    )


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
        "kind": str(document.kind),
        "version_number": document.version_number,
        "title": document.title,
        "content": document.content,
        "status": str(document.status),
        "return_reason": document.return_reason,
    }


class ObjectivesController(Controller):
    path = "/api/v1"
    tags = ["Mục tiêu chất lượng"]

    @post("/units/{unit_id:str}/objectives", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def draft(
        self,
        request: Request[Any, Any, Any],
        unit_id: UnitId,
        data: DraftObjectiveIn,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        result = application.draft_objective(
            principal,
            unit_id=unit_id,
            year=data.year,
            title=data.title,
            targets=_targets(data.targets),
            correlation_id=correlation_id(request),
        )
        return reply(result, HTTP_201_CREATED)

    @put("/objectives/{objective_id:uuid}", sync_to_thread=True)
    def revise(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        data: ReviseObjectiveIn,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.revise_objective(
                principal,
                objective_id,
                expected_version(request, data),
                title=data.title,
                targets=_targets(data.targets),
                correlation_id=correlation_id(request),
            )
        )

    @post("/objectives/{objective_id:uuid}/submit", status_code=HTTP_200_OK, sync_to_thread=True)
    def submit(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        principal: Principal,
        application: ObjectivesApplication,
        data: VersionIn | None = None,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.submit_objective(
                principal, objective_id, expected_version(request, data), correlation_id(request)
            )
        )

    @post("/objectives/{objective_id:uuid}/approve", status_code=HTTP_200_OK, sync_to_thread=True)
    def approve(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        principal: Principal,
        application: ObjectivesApplication,
        data: VersionIn | None = None,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.approve_objective(
                principal, objective_id, expected_version(request, data), correlation_id(request)
            )
        )

    @post("/objectives/{objective_id:uuid}/return", status_code=HTTP_200_OK, sync_to_thread=True)
    def return_(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        data: ReturnIn,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.return_objective(
                principal,
                objective_id,
                expected_version(request, data),
                data.reason,
                correlation_id(request),
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/disseminate", status_code=HTTP_200_OK, sync_to_thread=True
    )
    def disseminate(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        data: DisseminateIn,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.disseminate_objective(
                principal,
                objective_id,
                expected_version(request, data),
                tuple(data.department_ids),
                correlation_id(request),
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/targets/{target_id:str}/progress",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def progress(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        target_id: str,
        data: ProgressIn,
        principal: Principal,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.record_progress(
                principal,
                objective_id,
                expected_version(request, data),
                target_id=target_id,
                value=data.value,
                as_of=data.as_of,
                note=data.note,
                correlation_id=correlation_id(request),
            )
        )

    @post("/objectives/{objective_id:uuid}/evaluate", status_code=HTTP_200_OK, sync_to_thread=True)
    def evaluate(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        principal: Principal,
        application: ObjectivesApplication,
        data: EvaluateIn | None = None,
    ) -> Response[dict[str, Any]]:
        body = data or EvaluateIn()
        return reply(
            application.evaluate_objective(
                principal,
                objective_id,
                expected_version(request, data),
                overrides=body.achieved,
                note=body.note,
                correlation_id=correlation_id(request),
            )
        )

    @get("/objectives/{objective_id:uuid}", sync_to_thread=True)
    def read(
        self, objective_id: uuid.UUID, principal: Principal, application: ObjectivesApplication
    ) -> dict[str, Any]:
        return objective_view(application.get_objective(principal, objective_id))


def document_controller(kind: DocumentKind, plural: str, tag: str) -> type[Controller]:
    """The same draft → submit → approve/return → publish routes for each document kind."""

    class DocumentController(Controller):
        path = "/api/v1"
        tags = [tag]

        @post(f"/units/{{unit_id:str}}/{plural}", status_code=HTTP_201_CREATED, sync_to_thread=True)
        def draft(
            self,
            request: Request[Any, Any, Any],
            unit_id: UnitId,
            data: DocumentIn,
            principal: Principal,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.draft_document(
                    principal,
                    unit_id=unit_id,
                    kind=kind,
                    title=data.title,
                    content=data.content,
                    correlation_id=correlation_id(request),
                ),
                HTTP_201_CREATED,
            )

        @put(f"/{plural}/{{document_id:uuid}}", sync_to_thread=True)
        def revise(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            data: ReviseDocumentIn,
            principal: Principal,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.revise_document(
                    principal,
                    kind,
                    document_id,
                    expected_version(request, data),
                    title=data.title,
                    content=data.content,
                    correlation_id=correlation_id(request),
                )
            )

        @post(
            f"/{plural}/{{document_id:uuid}}/submit", status_code=HTTP_200_OK, sync_to_thread=True
        )
        def submit(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            principal: Principal,
            application: ObjectivesApplication,
            data: VersionIn | None = None,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.submit_document(
                    principal,
                    kind,
                    document_id,
                    expected_version(request, data),
                    correlation_id(request),
                )
            )

        @post(
            f"/{plural}/{{document_id:uuid}}/approve", status_code=HTTP_200_OK, sync_to_thread=True
        )
        def approve(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            principal: Principal,
            application: ObjectivesApplication,
            data: VersionIn | None = None,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.approve_document(
                    principal,
                    kind,
                    document_id,
                    expected_version(request, data),
                    correlation_id(request),
                )
            )

        @post(
            f"/{plural}/{{document_id:uuid}}/return", status_code=HTTP_200_OK, sync_to_thread=True
        )
        def return_(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            data: ReturnIn,
            principal: Principal,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.return_document(
                    principal,
                    kind,
                    document_id,
                    expected_version(request, data),
                    data.reason,
                    correlation_id(request),
                )
            )

        @post(
            f"/{plural}/{{document_id:uuid}}/publish", status_code=HTTP_200_OK, sync_to_thread=True
        )
        def publish(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            principal: Principal,
            application: ObjectivesApplication,
            data: VersionIn | None = None,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.publish_document(
                    principal,
                    kind,
                    document_id,
                    expected_version(request, data),
                    correlation_id(request),
                )
            )

        @get(f"/{plural}/{{document_id:uuid}}", sync_to_thread=True)
        def read(
            self, document_id: uuid.UUID, principal: Principal, application: ObjectivesApplication
        ) -> dict[str, Any]:
            return document_view(application.get_document(principal, kind, document_id))

    DocumentController.__name__ = f"{kind.value.title()}Controller"
    return DocumentController


PolicyController = document_controller(DocumentKind.POLICY, "policies", "Chính sách chất lượng")
ContextController = document_controller(DocumentKind.CONTEXT, "contexts", "Bối cảnh tổ chức")
