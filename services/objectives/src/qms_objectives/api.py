"""HTTP API of the objectives service (called by the gateway with the caller's token)."""

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK as OK
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, ConfigDict, Field

from qms_objectives.application import Caller, CommandResult, ObjectivesApplication, Reviewed
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


def reply(result: CommandResult, status: int = OK) -> Response[dict[str, Any]]:
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


def provide_caller(request: Request[Any, Any, Any], principal: Principal) -> Caller:
    return Caller(principal, correlation_id(request))


def provide_expected(request: Request[Any, Any, Any]) -> int | None:
    return expected_version(request, None)


_CALLER = {
    "call": Provide(provide_caller, sync_to_thread=False),
    "expected": Provide(provide_expected, sync_to_thread=False),
}


def review_controller(plural: str, what: Reviewed, tag: str) -> type[Controller]:
    """Submit, approve and return: the same three routes for objectives and documents."""

    class ReviewController(Controller):
        path = f"/api/v1/{plural}"
        tags = [tag]
        dependencies = _CALLER

        @post("/{record_id:uuid}/submit", status_code=OK, sync_to_thread=True)
        def submit(
            self,
            record_id: uuid.UUID,
            call: Caller,
            expected: int | None,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(application.submit(call, what, record_id, expected))

        @post("/{record_id:uuid}/approve", status_code=OK, sync_to_thread=True)
        def approve(
            self,
            record_id: uuid.UUID,
            call: Caller,
            expected: int | None,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(application.approve(call, what, record_id, expected))

        @post("/{record_id:uuid}/return", status_code=OK, sync_to_thread=True)
        def return_(
            self,
            request: Request[Any, Any, Any],
            record_id: uuid.UUID,
            data: ReturnIn,
            call: Caller,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            expected = expected_version(request, data)
            return reply(
                application.return_for_revision(call, what, record_id, expected, data.reason)
            )

    ReviewController.__name__ = f"{plural.title()}ReviewController"
    return ReviewController


class ObjectivesController(Controller):
    path = "/api/v1"
    tags = ["Mục tiêu chất lượng"]
    dependencies = _CALLER

    @post("/units/{unit_id:str}/objectives", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def draft(
        self,
        unit_id: UnitId,
        data: DraftObjectiveIn,
        call: Caller,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        result = application.draft_objective(
            call, unit_id, year=data.year, title=data.title, targets=_targets(data.targets)
        )
        return reply(result, HTTP_201_CREATED)

    @put("/objectives/{objective_id:uuid}", sync_to_thread=True)
    def revise(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        data: ReviseObjectiveIn,
        call: Caller,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.revise_objective(
                call,
                objective_id,
                expected_version(request, data),
                title=data.title,
                targets=_targets(data.targets),
            )
        )

    @post("/objectives/{objective_id:uuid}/disseminate", status_code=OK, sync_to_thread=True)
    def disseminate(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        data: DisseminateIn,
        call: Caller,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.disseminate_objective(
                call, objective_id, expected_version(request, data), tuple(data.department_ids)
            )
        )

    @post(
        "/objectives/{objective_id:uuid}/targets/{target_id:str}/progress",
        status_code=OK,
        sync_to_thread=True,
    )
    def progress(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        target_id: str,
        data: ProgressIn,
        call: Caller,
        application: ObjectivesApplication,
    ) -> Response[dict[str, Any]]:
        return reply(
            application.record_progress(
                call,
                objective_id,
                expected_version(request, data),
                target_id=target_id,
                value=data.value,
                as_of=data.as_of,
                note=data.note,
            )
        )

    @post("/objectives/{objective_id:uuid}/evaluate", status_code=OK, sync_to_thread=True)
    def evaluate(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        call: Caller,
        application: ObjectivesApplication,
        data: EvaluateIn | None = None,
    ) -> Response[dict[str, Any]]:
        body = data or EvaluateIn()
        return reply(
            application.evaluate_objective(
                call,
                objective_id,
                expected_version(request, data),
                overrides=body.achieved,
                note=body.note,
            )
        )

    @get("/objectives/{objective_id:uuid}", sync_to_thread=True)
    def read(
        self, objective_id: uuid.UUID, principal: Principal, application: ObjectivesApplication
    ) -> dict[str, Any]:
        return objective_view(application.get_objective(principal, objective_id))


def document_controller(kind: DocumentKind, plural: str, tag: str) -> type[Controller]:
    """Drafting, revising, publishing and reading one document kind."""

    class DocumentController(Controller):
        path = "/api/v1"
        tags = [tag]
        dependencies = _CALLER

        @post(f"/units/{{unit_id:str}}/{plural}", status_code=HTTP_201_CREATED, sync_to_thread=True)
        def draft(
            self,
            unit_id: UnitId,
            data: DocumentIn,
            call: Caller,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            result = application.draft_document(
                call, unit_id, kind, title=data.title, content=data.content
            )
            return reply(result, HTTP_201_CREATED)

        @put(f"/{plural}/{{document_id:uuid}}", sync_to_thread=True)
        def revise(
            self,
            request: Request[Any, Any, Any],
            document_id: uuid.UUID,
            data: ReviseDocumentIn,
            call: Caller,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(
                application.revise_document(
                    call,
                    kind,
                    document_id,
                    expected_version(request, data),
                    title=data.title,
                    content=data.content,
                )
            )

        @post(f"/{plural}/{{document_id:uuid}}/publish", status_code=OK, sync_to_thread=True)
        def publish(
            self,
            document_id: uuid.UUID,
            call: Caller,
            expected: int | None,
            application: ObjectivesApplication,
        ) -> Response[dict[str, Any]]:
            return reply(application.publish_document(call, kind, document_id, expected))

        @get(f"/{plural}/{{document_id:uuid}}", sync_to_thread=True)
        def read(
            self, document_id: uuid.UUID, principal: Principal, application: ObjectivesApplication
        ) -> dict[str, Any]:
            return document_view(application.get_document(principal, kind, document_id))

    DocumentController.__name__ = f"{kind.value.title()}Controller"
    return DocumentController


ROUTES: list[type[Controller]] = [
    ObjectivesController,
    review_controller("objectives", None, "Mục tiêu chất lượng"),
]
for _kind, _plural, _tag in (
    (DocumentKind.POLICY, "policies", "Chính sách chất lượng"),
    (DocumentKind.CONTEXT, "contexts", "Bối cảnh tổ chức"),
):
    ROUTES += [document_controller(_kind, _plural, _tag), review_controller(_plural, _kind, _tag)]
