"""HTTP API of the gateway: command forwarding with read-your-writes, read models, portal data."""

import asyncio
import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from qms_gateway import readmodel
from qms_gateway.upstream import Upstream
from qms_runtime.auth import ROLES, DevIssuer, Principal
from qms_runtime.errors import Forbidden, InvalidInput, NotFound

READ_WAIT_SECONDS = 5.0
_FORWARDED_HEADERS = ("authorization", "content-type", "if-match", "x-correlation-id")


async def _wait_for_version(pool: asyncpg.Pool, aggregate_id: uuid.UUID, version: int) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READ_WAIT_SECONDS
    delay = 0.005
    while loop.time() < deadline:
        if await readmodel.version_of(pool, aggregate_id) >= version:
            return True
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
    return False


async def forward(
    service: str, request: Request[Any, Any, Any], upstream: Upstream, pool: asyncpg.Pool
) -> Response[Any]:
    """Forward a command with the caller's token; answer once the read model caught up."""
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED_HEADERS}
    headers.setdefault("x-correlation-id", str(uuid.uuid4()))
    path = request.url.path
    reply = await upstream.forward(service, request.method, path, await request.body(), headers)
    if reply.status_code >= 300:
        return Response(
            reply.content,
            status_code=reply.status_code,
            media_type=reply.headers.get("content-type", "application/json"),
        )
    result = reply.json()
    aggregate_id, version = uuid.UUID(result["id"]), int(result["version"])
    view = None
    if request.query_params.get("wait") != "false" and await _wait_for_version(
        pool, aggregate_id, version
    ):
        view = await readmodel.objective(pool, aggregate_id) or await readmodel.document(
            pool, aggregate_id
        )
    return Response(
        view or result,
        status_code=reply.status_code,
        headers={"ETag": f'"{version}"', "QMS-Read-Model": "current" if view else "pending"},
    )


def _command_controller(
    service: str, base: type[Controller], commands: list[tuple[str, str]]
) -> type[Controller]:
    """Extend `base` with routes that forward to `service` (bodies are validated there)."""
    handlers: dict[str, Any] = {}
    for index, (method, route) in enumerate(commands):
        decorator = post if method == "POST" else put
        status = 201 if method == "POST" and route.startswith("/units/") else 200

        async def command(
            self: Controller,
            request: Request[Any, Any, Any],
            upstream: Upstream,
            pool: asyncpg.Pool,
        ) -> Response[Any]:
            return await forward(service, request, upstream, pool)

        command.__name__ = f"command_{index}"
        handlers[command.__name__] = decorator(route, status_code=status)(command)
    return type(f"{service.title()}Controller", (base,), handlers)


def _visible(principal: Principal, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        raise NotFound("Không tìm thấy")
    if not principal.can_act_in(row["unit_id"]):
        raise Forbidden(f"Người dùng không thuộc đơn vị {row['unit_id']}")
    return row


def _statuses(status: str | None) -> list[str] | None:
    return [s for s in status.split(",") if s] if status else None


class QueryController(Controller):
    path = "/api/v1"
    tags = ["Tra cứu"]

    @get("/objectives/{objective_id:uuid}")
    async def objective(
        self, objective_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> dict[str, Any]:
        return _visible(principal, await readmodel.objective(pool, objective_id))

    @get("/units/{unit_id:str}/objectives")
    async def objectives(
        self,
        unit_id: str,
        principal: Principal,
        pool: asyncpg.Pool,
        year: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        principal.require(unit_id)
        return await readmodel.objectives(pool, unit_id, year, _statuses(status))

    @get("/policies/{document_id:uuid}")
    async def policy(
        self, document_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> dict[str, Any]:
        return _visible(principal, await readmodel.document(pool, document_id))

    @get("/contexts/{document_id:uuid}")
    async def context(
        self, document_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> dict[str, Any]:
        return _visible(principal, await readmodel.document(pool, document_id))

    @get("/units/{unit_id:str}/policies")
    async def policies(
        self, unit_id: str, principal: Principal, pool: asyncpg.Pool, status: str | None = None
    ) -> list[dict[str, Any]]:
        principal.require(unit_id)
        return await readmodel.documents(pool, unit_id, "policy", _statuses(status))

    @get("/units/{unit_id:str}/contexts")
    async def contexts(
        self, unit_id: str, principal: Principal, pool: asyncpg.Pool, status: str | None = None
    ) -> list[dict[str, Any]]:
        principal.require(unit_id)
        return await readmodel.documents(pool, unit_id, "context", _statuses(status))

    @get("/me/tasks")
    async def my_tasks(self, principal: Principal, pool: asyncpg.Pool) -> dict[str, Any]:
        tasks = await readmodel.tasks_for(
            pool,
            sorted(principal.units),
            set(principal.roles),
            principal.sub,
            principal.department_id,
        )
        return {"sub": principal.sub, "name": principal.name, "tasks": tasks}


# Reads and commands share paths (GET and PUT /objectives/{id}), so one controller holds both.
ObjectivesController = _command_controller(
    "objectives",
    QueryController,
    [
        ("POST", "/units/{unit_id:str}/objectives"),
        ("PUT", "/objectives/{objective_id:uuid}"),
        *[
            ("POST", f"/objectives/{{objective_id:uuid}}/{step}")
            for step in ("submit", "approve", "return", "disseminate", "evaluate")
        ],
        ("POST", "/objectives/{objective_id:uuid}/targets/{target_id:str}/progress"),
        *[
            command
            for plural in ("policies", "contexts")
            for command in (
                ("POST", f"/units/{{unit_id:str}}/{plural}"),
                ("PUT", f"/{plural}/{{document_id:uuid}}"),
                *[
                    ("POST", f"/{plural}/{{document_id:uuid}}/{step}")
                    for step in ("submit", "approve", "return", "publish")
                ],
            )
        ],
    ],
)


PUBLIC_OBJECTIVE_STATUSES = ["approved", "disseminated", "evaluated"]


class PublicController(Controller):
    """Anonymous portal data: only what a unit has approved or published."""

    path = "/api/v1/public"
    tags = ["Cổng công khai"]

    @get("/units")
    async def units(self, pool: asyncpg.Pool) -> list[dict[str, Any]]:
        return await readmodel.units(pool)

    @get("/units/{unit_id:str}")
    async def unit(self, unit_id: str, pool: asyncpg.Pool) -> dict[str, Any]:
        found = await readmodel.unit(pool, unit_id)
        if found is None:
            raise NotFound(f"Không có đơn vị {unit_id}")
        return found

    @get("/units/{unit_id:str}/objectives")
    async def objectives(
        self,
        unit_id: str,
        pool: asyncpg.Pool,
        year: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
    ) -> list[dict[str, Any]]:
        rows = await readmodel.objectives(pool, unit_id, year, PUBLIC_OBJECTIVE_STATUSES)
        return [
            {k: v for k, v in row.items() if k not in ("submitted_by", "return_reason")}
            for row in rows
        ]

    async def _in_force(self, pool: asyncpg.Pool, unit_id: str, kind: str) -> dict[str, Any]:
        rows = await readmodel.documents(pool, unit_id, kind, ["published"])
        if not rows:
            raise NotFound("Đơn vị chưa ban hành văn bản này")
        return {k: v for k, v in rows[0].items() if k not in ("submitted_by", "return_reason")}

    @get("/units/{unit_id:str}/policy")
    async def policy(self, unit_id: str, pool: asyncpg.Pool) -> dict[str, Any]:
        return await self._in_force(pool, unit_id, "policy")

    @get("/units/{unit_id:str}/context")
    async def context(self, unit_id: str, pool: asyncpg.Pool) -> dict[str, Any]:
        return await self._in_force(pool, unit_id, "context")


class DevTokenIn(BaseModel):
    """Either a seeded user's `sub` alone, or every claim of a made-up user."""

    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=100)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_id: str | None = Field(default=None, min_length=1, max_length=64)
    roles: list[str] | None = Field(default=None, min_length=1)
    department_id: str | None = None


class AuthController(Controller):
    path = "/auth"
    tags = ["Xác thực (phát triển)"]

    @get("/jwks.json")
    async def jwks(self, dev_issuer: DevIssuer | None) -> dict[str, Any]:
        if dev_issuer is None:
            raise NotFound("Máy chủ này không phát hành token")
        return dev_issuer.jwks()

    @post("/dev-token", status_code=200)
    async def dev_token(
        self, data: DevTokenIn, dev_issuer: DevIssuer | None, pool: asyncpg.Pool
    ) -> dict[str, Any]:
        if dev_issuer is None:
            raise NotFound("Chỉ có khi QMS_DEV_AUTH=1")
        if data.name is None or data.unit_id is None or data.roles is None:
            seeded = await readmodel.user(pool, data.sub)
            if seeded is None:
                raise InvalidInput(
                    f"Không có người dùng mẫu '{data.sub}'; hãy gửi đủ name, unit_id, roles",
                    field="sub",
                )
            data = DevTokenIn(**{**seeded, **data.model_dump(exclude_none=True)})
        assert data.name is not None and data.unit_id is not None and data.roles is not None
        unknown = sorted(set(data.roles) - ROLES)
        if unknown:
            raise InvalidInput(f"Vai trò không tồn tại: {', '.join(unknown)}", field="roles")
        token = dev_issuer.issue(
            data.sub, data.name, [data.unit_id], data.roles, data.department_id
        )
        return {"access_token": token, "token_type": "Bearer"}


async def _upstream_document(upstream: Upstream, service: str, path: str) -> dict[str, Any]:
    if service not in upstream.services:
        raise NotFound(f"Không biết dịch vụ {service}")
    reply = await upstream.forward(service, "GET", path, b"", {})
    document: dict[str, Any] = reply.json()
    return document


class DocsController(Controller):
    """Every service's AsyncAPI document, and the OpenAPI documents of those behind the gateway
    (the gateway forwards command bodies unread; their schemas are the owning service's)."""

    path = "/api/v1/docs"
    tags = ["Tài liệu API"]

    @get("/")
    async def index(self, upstream: Upstream) -> dict[str, Any]:
        return {
            "openapi": {
                "gateway": "/schema/openapi.json",
                **{name: f"/api/v1/docs/openapi/{name}" for name in upstream.services},
            },
            "asyncapi": {
                name: f"/api/v1/docs/asyncapi/{name}" for name in ["gateway", *upstream.services]
            },
        }

    @get("/asyncapi/{service:str}")
    async def asyncapi(
        self, service: str, upstream: Upstream, gateway_asyncapi: dict[str, Any]
    ) -> dict[str, Any]:
        if service == "gateway":
            return gateway_asyncapi
        return await _upstream_document(upstream, service, "/asyncapi.json")

    @get("/openapi/{service:str}")
    async def openapi(self, service: str, upstream: Upstream) -> dict[str, Any]:
        return await _upstream_document(upstream, service, "/schema/openapi.json")
