"""Command forwarding with read-your-writes, and the typed command routes every wing declares.

A wing lists its commands (path as the owning service declares it, body model from
qms_contracts); the gateway validates the body, the headers and the path with the same models,
forwards the raw body with the caller's token to the owning service, and answers once its own
read model holds the new version (at most READ_WAIT_SECONDS; `?wait=false` skips the wait).
"""

import inspect
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import asyncpg
from litestar import Request, Response, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter
from pydantic import BaseModel

from qms_contracts.inputs import CommandInput, CommandReply
from qms_gateway.frame import directory
from qms_gateway.upstream import Reply, Upstream
from qms_runtime.command_routes import (
    CLIENT_ADDRESS_HEADER,
    CORRELATION_ID,
    UNIT_PREFIX_HEADER,
    UnitId,
)
from qms_runtime.commands import CommandContext
from qms_runtime.edge import forwardable_headers, raw_path
from qms_runtime.errors import NotFound
from qms_runtime.projection import ProjectionMachine

READ_WAIT_SECONDS = 5.0
View = Callable[[asyncpg.Pool, uuid.UUID], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class CommandRoute:
    """One command of a service, as the gateway documents and forwards it."""

    method: Literal["POST", "PUT"]
    #: The path as the owning service declares it (under /api/v1), e.g.
    #: "/objectives/{objective_id:uuid}/submit".
    path: str
    operation_id: str
    summary: str
    body: type[CommandInput] | None = None
    body_required: bool = True
    created: bool = False


class PendingReply(CommandReply):
    """The gateway's answer when its read model has not reached the new version yet."""

    #: Always "pending"; required, so that a client tells this from the record itself.
    read_model: Literal["pending"]


@dataclass(frozen=True)
class Sent:
    """A forwarded command's outcome: the service's reply, and what it changed if it accepted."""

    reply: Reply
    result: CommandReply | None
    #: Whether the read model already holds the new version.
    current: bool


class Forwarder:
    def __init__(
        self,
        upstream: Upstream,
        pool: Callable[[], asyncpg.Pool],
        machine: Callable[[], ProjectionMachine],
    ) -> None:
        self._upstream = upstream
        self._pool = pool
        self._machine = machine

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        body: bytes,
        headers: dict[str, str],
        wait: bool = True,
    ) -> Sent:
        """Forward a command; once accepted, wait until the read model holds its new version."""
        reply = await self._upstream.forward(service, method, path, body, headers)
        if reply.status_code >= 300:
            return Sent(reply, None, current=False)
        result = CommandReply.model_validate_json(reply.content)
        current = wait and await self._machine().wait_for(
            result.id, result.version, READ_WAIT_SECONDS
        )
        return Sent(reply, result, current)

    async def for_citizen(
        self, service: str, request: Request[Any, Any, Any], path: str, body: CommandInput
    ) -> Sent:
        """What a citizen sends from the public portal, unsigned: forwarded with the gateway's
        own identity and the sender's network address (the service's daily quota keys on it;
        behind a reverse proxy, uvicorn takes it from X-Forwarded-For of FORWARDED_ALLOW_IPS)."""
        headers = {
            "authorization": f"Bearer {self._upstream.service_token()}",
            "content-type": "application/json",
            CLIENT_ADDRESS_HEADER.lower(): request.client.host if request.client else "unknown",
        }
        correlation = request.headers.get("x-correlation-id")
        if correlation and CORRELATION_ID.match(correlation):
            headers["x-correlation-id"] = correlation
        return await self.send(service, "POST", path, body.model_dump_json().encode(), headers)

    async def command(
        self,
        service: str,
        request: Request[Any, Any, Any],
        context: CommandContext,
        unit_id: str | None,
        view: View,
    ) -> Response[Any]:
        prefix = None
        if unit_id is not None:
            prefix = await directory.code_prefix(self._pool(), unit_id)
            if prefix is None:
                raise NotFound(f"Không có đơn vị {unit_id}")
        headers = forwardable_headers(request.headers)
        # The directory is the gateway's: the service numbers a unit's dossiers with it.
        if prefix and prefix.isascii() and prefix.isprintable():
            headers[UNIT_PREFIX_HEADER.lower()] = prefix
        headers["x-correlation-id"] = context.correlation_id
        # The path as sent, still percent-encoded: a decoded "%3F" would become a query.
        path = raw_path(request)
        sent = await self.send(
            service,
            request.method,
            path,
            await request.body(),
            headers,
            wait=request.query_params.get("wait") != "false",
        )
        if sent.result is None:
            return Response(
                sent.reply.content,
                status_code=sent.reply.status_code,
                media_type=sent.reply.content_type or "application/problem+json",
            )
        found = await view(self._pool(), sent.result.id) if sent.current else None
        return Response(
            found
            or PendingReply(id=sent.result.id, version=sent.result.version, read_model="pending"),
            status_code=sent.reply.status_code,
            headers={
                "ETag": f'"{sent.result.version}"',
                "QMS-Read-Model": "current" if found else "pending",
            },
        )


_PATH_PARAMETER = re.compile(r"\{(\w+):(\w+)\}")
_PATH_TYPES: dict[str, Any] = {
    "uuid": uuid.UUID,
    "str": Annotated[str, Parameter(min_length=1, max_length=100)],
}


def command_handlers(
    service: str, routes: Sequence[CommandRoute], view: View, view_type: type[BaseModel]
) -> dict[str, HTTPRouteHandler]:
    """Route handlers forwarding `routes` to `service`, for a wing's controller."""
    handlers: dict[str, HTTPRouteHandler] = {}
    for route in routes:
        parameters = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=UnitId)
            if name == "unit_id"
            else inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=_PATH_TYPES[kind]
            )
            for name, kind in _PATH_PARAMETER.findall(route.path)
        ]
        if route.body is not None:
            parameters.append(
                inspect.Parameter(
                    "data",
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=route.body if route.body_required else route.body | None,
                    default=inspect.Parameter.empty if route.body_required else None,
                )
            )
        handlers[route.operation_id] = _command_handler(service, route, parameters, view, view_type)
    return handlers


def _command_handler(
    service: str,
    route: CommandRoute,
    path_and_body: list[inspect.Parameter],
    view: View,
    view_type: type[BaseModel],
) -> HTTPRouteHandler:
    async def forward(self: Any, **kwargs: Any) -> Response[Any]:
        forwarder: Forwarder = kwargs["forwarder"]
        return await forwarder.command(
            service, kwargs["request"], kwargs["context"], kwargs.get("unit_id"), view
        )

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("request", keyword, annotation=Request[Any, Any, Any]),
        inspect.Parameter("context", keyword, annotation=CommandContext),
        inspect.Parameter("expected", keyword, annotation=int | None),
        inspect.Parameter("forwarder", keyword, annotation=Forwarder),
        *path_and_body,
    ]
    returns = Response[view_type | PendingReply]  # type: ignore[valid-type]
    forward.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    forward.__annotations__ = {
        **{p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty},
        "return": returns,
    }
    forward.__name__ = forward.__qualname__ = route.operation_id
    decorator = post if route.method == "POST" else put
    return decorator(
        route.path,
        status_code=201 if route.created else 200,
        operation_id=route.operation_id,
        summary=route.summary,
        description="Chuyển tới dịch vụ sở hữu; trả bản ghi từ mô hình đọc khi đã cập nhật "
        "(header QMS-Read-Model: current), nếu chưa kịp thì chỉ id và version (pending).",
    )(forward)
