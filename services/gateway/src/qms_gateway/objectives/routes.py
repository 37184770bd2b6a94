"""Routes of the objectives wing: staff reads and commands, and the public portal's data."""

import uuid
from typing import Any

import asyncpg
from litestar import Controller, get

from qms_contracts.objectives import SERVICE
from qms_contracts.objectives_commands import (
    DisseminateInput,
    DocumentInput,
    DraftObjectiveInput,
    EvaluateInput,
    ProgressInput,
    ReviseDocumentInput,
    ReviseObjectiveInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import CommandRoute, command_handlers
from qms_gateway.frame.reviewed import Statuses, Year, review_routes, statuses, visible
from qms_gateway.objectives import readmodel
from qms_gateway.objectives.views import (
    DocumentView,
    ObjectiveView,
    PublicDocumentView,
    PublicObjectiveView,
)
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId, rename_parameter
from qms_runtime.errors import NotFound
from qms_runtime.principal import Principal


async def objective_view(pool: asyncpg.Pool, objective_id: uuid.UUID) -> ObjectiveView | None:
    found = await readmodel.objective(pool, objective_id)
    return ObjectiveView.model_validate(found) if found else None


def _document_view(kind: str) -> Any:
    async def view(pool: asyncpg.Pool, document_id: uuid.UUID) -> DocumentView | None:
        found = await readmodel.document(pool, document_id, kind)
        return DocumentView.model_validate(found) if found else None

    return view


OBJECTIVE_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/objectives",
        "draft_objective",
        "Soạn mục tiêu chất lượng",
        DraftObjectiveInput,
        created=True,
    ),
    CommandRoute(
        "PUT",
        "/objectives/{objective_id:uuid}",
        "revise_objective",
        "Sửa mục tiêu chất lượng",
        ReviseObjectiveInput,
    ),
    *review_routes("objectives", "objective_id", "objective", "mục tiêu chất lượng"),
    CommandRoute(
        "POST",
        "/objectives/{objective_id:uuid}/disseminate",
        "disseminate_objective",
        "Phổ biến mục tiêu tới các phòng",
        DisseminateInput,
    ),
    CommandRoute(
        "POST",
        "/objectives/{objective_id:uuid}/targets/{target_id:str}/progress",
        "record_target_progress",
        "Cập nhật tiến độ một chỉ tiêu",
        ProgressInput,
    ),
    CommandRoute(
        "POST",
        "/objectives/{objective_id:uuid}/evaluate",
        "evaluate_objective",
        "Đánh giá mục tiêu cuối năm",
        EvaluateInput,
        body_required=False,
    ),
]


def _document_commands(plural: str, id_name: str, noun: str, label: str) -> list[CommandRoute]:
    record = f"/{plural}/{{{id_name}:uuid}}"
    return [
        CommandRoute(
            "POST",
            f"/units/{{unit_id:str}}/{plural}",
            f"draft_{noun}",
            f"Soạn {label}",
            DocumentInput,
            created=True,
        ),
        CommandRoute("PUT", record, f"revise_{noun}", f"Sửa {label}", ReviseDocumentInput),
        *review_routes(plural, id_name, noun, label),
        CommandRoute("POST", f"{record}/publish", f"publish_{noun}", f"Ban hành {label}"),
    ]


class ObjectiveQueries(Controller):
    @get(
        "/objectives/{objective_id:uuid}",
        operation_id="read_objective",
        summary="Xem mục tiêu chất lượng",
    )
    async def read_objective(
        self, objective_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> ObjectiveView:
        return ObjectiveView.model_validate(
            visible(principal, await readmodel.objective(pool, objective_id))
        )

    @get(
        "/units/{unit_id:str}/objectives",
        operation_id="list_objectives",
        summary="Danh sách mục tiêu của đơn vị",
    )
    async def list_objectives(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        year: Year = None,
        status: Statuses = None,
    ) -> list[ObjectiveView]:
        principal.require(unit_id)
        found = await readmodel.objectives(pool, unit_id, year, statuses(status))
        return [ObjectiveView.model_validate(item) for item in found]


def _document_queries(kind: str, plural: str, id_name: str, label: str) -> dict[str, Any]:
    async def read(
        self: Controller, record_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> DocumentView:
        found = await readmodel.document(pool, record_id, kind)
        return DocumentView.model_validate(visible(principal, found))

    async def listing(
        self: Controller,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        status: Statuses = None,
    ) -> list[DocumentView]:
        principal.require(unit_id)
        found = await readmodel.documents(pool, unit_id, kind, statuses(status))
        return [DocumentView.model_validate(item) for item in found]

    return {
        f"read_{kind}": get(
            f"/{plural}/{{{id_name}:uuid}}",
            operation_id=f"read_{kind}",
            summary=f"Xem {label}",
        )(rename_parameter(read, "record_id", id_name)),
        f"list_{kind}": get(
            f"/units/{{unit_id:str}}/{plural}",
            operation_id=f"list_{plural}",
            summary=f"Các phiên bản {label} của đơn vị",
        )(listing),
    }


DOCUMENT_KINDS = (
    ("policy", "policies", "policy_id", "chính sách chất lượng"),
    ("context", "contexts", "context_id", "bối cảnh tổ chức"),
)

#: Reads and commands share paths (GET and PUT /objectives/{id}); Litestar wants one controller.
StaffController = type(
    "ObjectivesWingController",
    (ObjectiveQueries,),
    {
        "path": "/api/v1",
        "tags": ["Mục tiêu, chính sách và bối cảnh"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, OBJECTIVE_COMMANDS, objective_view, ObjectiveView),
        **{
            name: handler
            for kind, plural, id_name, label in DOCUMENT_KINDS
            for name, handler in {
                **_document_queries(kind, plural, id_name, label),
                **command_handlers(
                    SERVICE,
                    _document_commands(plural, id_name, kind, label),
                    _document_view(kind),
                    DocumentView,
                ),
            }.items()
        },
    },
)


class PublicController(Controller):
    """Anonymous portal data: only what a unit has approved or published."""

    path = "/api/v1/public/units/{unit_id:str}"
    tags = ["Cổng công khai"]

    async def _unit(self, pool: asyncpg.Pool, unit_id: str) -> None:
        if not await directory.unit_exists(pool, unit_id):
            raise NotFound(f"Không có đơn vị {unit_id}")

    @get("/objectives", operation_id="public_objectives", summary="Mục tiêu đã duyệt của đơn vị")
    async def objectives(
        self, unit_id: UnitId, pool: asyncpg.Pool, year: Year = None
    ) -> list[PublicObjectiveView]:
        await self._unit(pool, unit_id)
        found = await readmodel.objectives(pool, unit_id, year, readmodel.PUBLIC_OBJECTIVE_STATUSES)
        return [PublicObjectiveView.model_validate(item) for item in found]

    async def _in_force(self, pool: asyncpg.Pool, unit_id: str, kind: str) -> PublicDocumentView:
        await self._unit(pool, unit_id)
        found = await readmodel.in_force(pool, unit_id, kind)
        if found is None:
            raise NotFound("Đơn vị chưa ban hành văn bản này")
        return PublicDocumentView.model_validate(found)

    @get("/policy", operation_id="public_policy", summary="Chính sách chất lượng đang hiệu lực")
    async def policy(self, unit_id: UnitId, pool: asyncpg.Pool) -> PublicDocumentView:
        return await self._in_force(pool, unit_id, "policy")

    @get("/context", operation_id="public_context", summary="Bối cảnh tổ chức đang hiệu lực")
    async def context(self, unit_id: UnitId, pool: asyncpg.Pool) -> PublicDocumentView:
        return await self._in_force(pool, unit_id, "context")
