"""Litestar app factory shared by every service.

Every error leaves as RFC 9457 problem details (never a trace), health and metrics are at
the same paths everywhere, and the caller's identity is a `principal` dependency.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ControllerRouterHandler, LifespanHook

from qms_runtime.auth import Principal, TokenVerifier, bearer_token
from qms_runtime.errors import InvalidInput, QmsError

PROBLEM_JSON = "application/problem+json"
ReadinessCheck = Callable[[], Awaitable[None]]
log = logging.getLogger("qms.web")

_STATUS_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột",
    415: "Kiểu dữ liệu không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
    503: "Dịch vụ tạm thời không sẵn sàng",
}


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    title: str | None = None,
    extensions: dict[str, Any] | None = None,
    problem_type: str = "about:blank",
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": problem_type,
        "title": title or _STATUS_TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    # Members named like the standard ones never override them.
    body.update({k: v for k, v in (extensions or {}).items() if k not in body})
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _handle_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    if isinstance(error, QmsError):
        return problem(
            request, error.status, error.detail, error.title, error.extensions, error.type
        )
    if isinstance(error, ValidationException):
        errors = error.extra if isinstance(error.extra, list) else []
        return problem(
            request,
            422,
            "Dữ liệu gửi lên không hợp lệ",
            extensions={"errors": errors},
            problem_type=InvalidInput.type,
        )
    if isinstance(error, HTTPException):
        return problem(request, error.status_code, str(error.detail))
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Lỗi hệ thống; sự cố đã được ghi lại", title="Lỗi hệ thống")


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(bearer_token(request.headers.get("authorization")))


def _constant(value: Any) -> Callable[[], Any]:
    def provide() -> Any:
        return value

    return provide


def health_handlers(checks: Sequence[ReadinessCheck]) -> list[ControllerRouterHandler]:
    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", include_in_schema=False)
    async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        failures = []
        for check in checks:
            try:
                await check()
            except Exception as error:
                failures.append(f"{getattr(check, '__name__', 'check')}: {error}")
        if failures:
            return problem(request, 503, "; ".join(failures))
        return Response({"status": "ready"})

    return [live, ready]


def create_app(
    *,
    service: str,
    version: str,
    route_handlers: Sequence[ControllerRouterHandler],
    verifier: TokenVerifier,
    readiness: Sequence[ReadinessCheck] = (),
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    dependencies: dict[str, Any] | None = None,
    providers: dict[str, Callable[[], Any]] | None = None,
) -> Litestar:
    prometheus = PrometheusConfig(app_name=f"qms_{service}", prefix="qms_http", group_path=True)
    app = Litestar(
        route_handlers=[*route_handlers, *health_handlers(readiness), PrometheusController],
        dependencies={
            "principal": Provide(provide_principal),
            **{
                name: Provide(_constant(value), sync_to_thread=False)
                for name, value in (dependencies or {}).items()
            },
            **{
                name: Provide(provider, sync_to_thread=False)
                for name, provider in (providers or {}).items()
            },
        },
        exception_handlers={Exception: _handle_error},
        middleware=[prometheus.middleware],
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=OpenAPIConfig(
            title=f"e-ISO {service}",
            version=version,
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=False,
    )
    app.state.verifier = verifier
    return app
