"""Litestar app factory shared by every service.

Every error leaves as RFC 9457 problem details (never a trace), and every OpenAPI operation
documents the ones it can send; health and metrics are at the same paths everywhere, and
the caller's identity is a `principal` dependency. Hostile input is refused at the edge
(`qms_runtime.edge`) before any handler runs.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins import ReceiveRoutePlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.routes import BaseRoute, HTTPRoute
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler, LifespanHook

from qms_runtime.auth import Principal, TokenVerifier, bearer_token
from qms_runtime.edge import (
    MAX_BODY_BYTES,
    EdgeMiddleware,
    allow_header,
    raw_path,
    serve_head_as_get,
)
from qms_runtime.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    QmsError,
    UpstreamUnavailable,
)

PROBLEM_JSON = "application/problem+json"
ReadinessCheck = Callable[[], Awaitable[None]]
#: Renders a problem as a page, for a person's browser (status, title, detail).
ErrorPage = Callable[[Request[Any, Any, Any], int, str, str], Response[Any]]
log = logging.getLogger("qms.web")

_STATUS_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột",
    413: "Nội dung yêu cầu quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
    503: "Dịch vụ tạm thời không sẵn sàng",
}
# Litestar's own refusals get the same `type` as ours with the same meaning.
_STATUS_TYPES = {
    400: QmsError.type,
    401: NotAuthenticated.type,
    403: Forbidden.type,
    404: NotFound.type,
    405: "urn:qms:problem:method-not-allowed",
    413: "urn:qms:problem:payload-too-large",
    415: "urn:qms:problem:unsupported-media-type",
    422: InvalidInput.type,
    429: "urn:qms:problem:too-many-requests",
    503: UpstreamUnavailable.type,
}
# A refused body may hold thousands of faults; the answer stays small.
MAX_REPORTED_ERRORS = 20
MAX_ERROR_TEXT = 300


class FieldError(TypedDict):
    message: str
    key: NotRequired[str]
    source: NotRequired[str]


class ProblemDetails(TypedDict):
    """RFC 9457 problem details. Some problems add members: `errors` (a refused body's
    faults), `current_version` (a version conflict), `field`, `required_roles`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: NotRequired[list[FieldError]]


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    title: str | None = None,
    extensions: dict[str, Any] | None = None,
    problem_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": problem_type or _STATUS_TYPES.get(status, "about:blank"),
        "title": title or _STATUS_TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        # A URI reference, so still percent-encoded.
        "instance": raw_path(request),
    }
    # Members named like the standard ones never override them.
    body.update({k: v for k, v in (extensions or {}).items() if k not in body})
    headers = dict(headers or {})
    if status == 401:
        # RFC 6750 §3: name the scheme; say the token is bad only when one was sent.
        sent = request.headers.get("authorization", "").lower().startswith("bearer ")
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent else "Bearer"
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(extra: Any) -> dict[str, Any]:
    errors = extra if isinstance(extra, list) else []
    reported = [
        {k: str(v)[:MAX_ERROR_TEXT] for k, v in error.items()}
        for error in errors[:MAX_REPORTED_ERRORS]
        if isinstance(error, dict)
    ]
    if len(errors) > len(reported):
        return {"errors": reported, "errors_omitted": len(errors) - len(reported)}
    return {"errors": reported}


def _handle_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    answer = _problem_for(request, error)
    error_page: ErrorPage | None = request.app.state.get("error_page")
    if error_page is not None and wants_page(request):
        body = answer.content
        return error_page(request, body["status"], body["title"], body["detail"])
    return answer


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser's navigation or form (it asks for HTML), not an API client."""
    return "text/html" in request.headers.get("accept", "")


def _problem_for(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    if isinstance(error, QmsError):
        return problem(
            request, error.status, error.detail, error.title, error.extensions, error.type
        )
    if isinstance(error, ValidationException):
        return problem(
            request,
            422,
            "Dữ liệu gửi lên không hợp lệ",
            extensions=_field_errors(error.extra),
            problem_type=InvalidInput.type,
        )
    if isinstance(error, HTTPException):
        detail = str(error.detail)[:MAX_ERROR_TEXT]
        if isinstance(error.__cause__, SerializationException):
            detail = f"Nội dung không phải JSON hợp lệ: {detail}"
        headers = None
        if error.status_code == 405:
            allowed = (error.headers or {}).get("allow", "").split(", ")
            headers = {"Allow": allow_header(allowed)}
        return problem(request, error.status_code, detail, headers=headers)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Lỗi hệ thống; sự cố đã được ghi lại", title="Lỗi hệ thống")


_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BEARER = "bearer"


class ProblemResponses(ReceiveRoutePlugin):
    """Documents on every operation the problem details it can answer with.

    Every request can be refused at the edge (400, 422) or meet an unavailable dependency
    (503); a path with parameters can name nothing (404); an operation that needs a
    principal, or a command (the gateway's are authenticated by the owning service), can
    answer 401 and 403; a command can also conflict (409) or carry too large a body (413).
    """

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for method, (handler, kwargs) in route.route_handler_map.items():
            if not handler.include_in_schema or method in ("HEAD", "OPTIONS"):
                continue
            needs_principal = any(
                dependency.key == "principal"
                for batch in kwargs.dependency_batches
                for dependency in batch
            )
            statuses = {400, 422, 503}
            if route.path_parameters:
                statuses.add(404)
            if needs_principal or method in _UNSAFE:
                statuses |= {401, 403}
            if method in _UNSAFE:
                statuses |= {409, 413}
            if needs_principal and not handler.security:
                handler.security = [{BEARER: []}]
            handler.responses = {
                **{
                    status: ResponseSpec(
                        ProblemDetails,
                        generate_examples=False,
                        description=_STATUS_TITLES[status],
                        media_type=PROBLEM_JSON,
                    )
                    for status in sorted(statuses)
                },
                # What a handler documents itself stays.
                **(handler.responses or {}),
            }


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


class _MetricsController(PrometheusController):
    # Scraped by Prometheus, not part of the API a client is generated from.
    include_in_schema = False


@dataclass(frozen=True)
class Pages:
    """What an app serving pages to people adds: templates, CSRF checks on forms, error pages."""

    templates: TemplateConfig[Any]
    csrf: CSRFConfig
    error_page: ErrorPage


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
    pages: Pages | None = None,
) -> Litestar:
    prometheus = PrometheusConfig(app_name=f"qms_{service}", prefix="qms_http", group_path=True)
    app = Litestar(
        route_handlers=[*route_handlers, *health_handlers(readiness), _MetricsController],
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
        middleware=[prometheus.middleware, EdgeMiddleware()],
        plugins=[ProblemResponses()],
        request_max_body_size=MAX_BODY_BYTES,
        template_config=pages.templates if pages else None,
        csrf_config=pages.csrf if pages else None,
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        openapi_config=OpenAPIConfig(
            title=f"e-ISO {service}",
            version=version,
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    BEARER: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        debug=False,
    )
    app.state.verifier = verifier
    app.state.error_page = pages.error_page if pages else None
    # HEAD is routed before any middleware runs, so it is turned into GET around the router.
    app.asgi_handler = serve_head_as_get(app.asgi_handler)
    return app
