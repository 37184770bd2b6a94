"""The frame's own routes: my tasks, the unit directory, development sign-in, API documents."""

from collections.abc import Sequence
from typing import Any

import asyncpg
from litestar import Controller, get, post
from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.inputs import UNIT_ID_PATTERN
from qms_gateway.frame import directory
from qms_gateway.frame.tasks import Task, Tasks, fetch_tasks
from qms_gateway.frame.wing import Wing
from qms_gateway.upstream import Upstream
from qms_runtime.auth import DevIssuer
from qms_runtime.command_routes import UnitId
from qms_runtime.errors import InvalidInput, NotFound
from qms_runtime.principal import PERSON_ROLES, Principal


class Department(BaseModel):
    department_id: str
    name: str


class Unit(BaseModel):
    unit_id: str
    name: str
    code_prefix: str
    departments: list[Department]


async def collect_tasks(
    pool: asyncpg.Pool, principal: Principal, wings: Sequence[Wing]
) -> list[Task]:
    """Everything waiting for the principal in every wing, each with the page that does it."""
    list_pages = {kind: page for wing in wings for kind, page in wing.list_pages.items()}
    found = await fetch_tasks(pool, principal, *(wing.tasks for wing in wings))
    for task in found:
        listed = list_pages[task.kind]
        task.page = f"{listed}/{task.id}"
        task.step_page = f"{listed}?trang_thai={task.status}"
    return found


def tasks_controller(wings: Sequence[Wing]) -> type[Controller]:
    class TasksController(Controller):
        path = "/api/v1/me"
        tags = ["Việc của tôi"]

        @get("/tasks", operation_id="my_tasks", summary="Việc đang chờ người dùng xử lý")
        async def my_tasks(self, principal: Principal, pool: asyncpg.Pool) -> Tasks:
            found = await collect_tasks(pool, principal, wings)
            return Tasks(sub=principal.sub, name=principal.name, tasks=found)

    return TasksController


class DirectoryController(Controller):
    path = "/api/v1/public/units"
    tags = ["Cổng công khai"]

    @get("/", operation_id="public_units", summary="Các đơn vị")
    async def units(self, pool: asyncpg.Pool) -> list[Unit]:
        return [Unit.model_validate(found) for found in await directory.units(pool)]

    @get("/{unit_id:str}", operation_id="public_unit", summary="Một đơn vị")
    async def unit(self, unit_id: UnitId, pool: asyncpg.Pool) -> Unit:
        found = await directory.unit(pool, unit_id)
        if found is None:
            raise NotFound(f"Không có đơn vị {unit_id}")
        return Unit.model_validate(found)


class DevTokenIn(BaseModel):
    """Either a seeded user's `sub` alone, or every claim of a made-up user of a real unit."""

    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_id: str | None = Field(default=None, pattern=UNIT_ID_PATTERN)
    roles: list[str] | None = Field(default=None, min_length=1, max_length=8)
    department_id: str | None = Field(default=None, max_length=80)


class DevToken(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105  (the scheme, not a secret)


async def issue_dev_token(
    pool: asyncpg.Pool, dev_issuer: DevIssuer | None, data: DevTokenIn
) -> str:
    """A token for a seeded user, or for a made-up user of a real unit with real roles."""
    if dev_issuer is None:
        raise NotFound("Chỉ có khi QMS_DEV_AUTH=1")
    if data.name is None or data.unit_id is None or data.roles is None:
        seeded = await directory.user(pool, data.sub)
        if seeded is None:
            raise InvalidInput(
                f"Không có người dùng mẫu '{data.sub}'; hãy gửi đủ name, unit_id, roles",
                field="sub",
            )
        data = DevTokenIn(**{**seeded, **data.model_dump(exclude_none=True)})
    assert data.name is not None and data.unit_id is not None and data.roles is not None
    unit = await directory.unit(pool, data.unit_id)
    if unit is None:
        raise InvalidInput(f"Không có đơn vị {data.unit_id}", field="unit_id")
    unknown = sorted(set(data.roles) - PERSON_ROLES)
    if unknown:
        raise InvalidInput(f"Vai trò không hợp lệ: {', '.join(unknown)}", field="roles")
    departments = {d["department_id"] for d in unit["departments"]}
    if data.department_id is not None and data.department_id not in departments:
        raise InvalidInput(
            f"Đơn vị {data.unit_id} không có phòng {data.department_id}", field="department_id"
        )
    return dev_issuer.issue(data.sub, data.name, [data.unit_id], data.roles, data.department_id)


class AuthController(Controller):
    path = "/auth"
    tags = ["Xác thực (phát triển)"]

    @get("/jwks.json", operation_id="jwks", summary="Khóa công khai của bên phát hành token")
    async def jwks(self, dev_issuer: DevIssuer | None) -> dict[str, Any]:
        if dev_issuer is None:
            raise NotFound("Máy chủ này không phát hành token")
        return dev_issuer.jwks()

    @post(
        "/dev-token",
        status_code=200,
        operation_id="dev_token",
        summary="Token cho người dùng mẫu (chỉ khi QMS_DEV_AUTH=1)",
    )
    async def dev_token(
        self, data: DevTokenIn, dev_issuer: DevIssuer | None, pool: asyncpg.Pool
    ) -> DevToken:
        return DevToken(access_token=await issue_dev_token(pool, dev_issuer, data))


async def _upstream_document(upstream: Upstream, service: str, path: str) -> dict[str, Any]:
    if service not in upstream.services:
        raise NotFound(f"Không biết dịch vụ {service}")
    reply = await upstream.forward(service, "GET", path, b"", {})
    document: dict[str, Any] = reply.json()
    return document


class DocsIndex(BaseModel):
    openapi: dict[str, str]
    asyncapi: dict[str, str]


class DocsController(Controller):
    """Every service's AsyncAPI document, and the OpenAPI documents of those behind the gateway."""

    path = "/api/v1/docs"
    tags = ["Tài liệu API"]

    @get("/", operation_id="api_documents", summary="Danh sách tài liệu API")
    async def index(self, upstream: Upstream) -> DocsIndex:
        return DocsIndex(
            openapi={
                "gateway": "/schema/openapi.json",
                **{name: f"/api/v1/docs/openapi/{name}" for name in upstream.services},
            },
            asyncapi={
                name: f"/api/v1/docs/asyncapi/{name}" for name in ["gateway", *upstream.services]
            },
        )

    @get("/asyncapi/{service:str}", operation_id="asyncapi_document", summary="Tài liệu AsyncAPI")
    async def asyncapi(
        self, service: str, upstream: Upstream, gateway_asyncapi: dict[str, Any]
    ) -> dict[str, Any]:
        if service == "gateway":
            return gateway_asyncapi
        return await _upstream_document(upstream, service, "/asyncapi.json")

    @get("/openapi/{service:str}", operation_id="openapi_document", summary="Tài liệu OpenAPI")
    async def openapi(self, service: str, upstream: Upstream) -> dict[str, Any]:
        return await _upstream_document(upstream, service, "/schema/openapi.json")
