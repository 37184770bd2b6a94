"""The HTTP edge: what every service and the gateway refuse before a handler runs.

Hostile input must end in a 4xx, never a 500: a NUL in a path or query would fail in
PostgreSQL, JSON nested thousands of levels deep overflows the parsers' recursion, a body
that is not UTF-8 fails to decode, and a header that is not printable ASCII cannot be
forwarded. The gateway calls `forwardable_headers` and `raw_path` before it forwards.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from qms_runtime.errors import InvalidInput, NotFound, QmsError

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64
# A command holds at most a few hundred values (50 targets of 10 fields).
MAX_JSON_VALUES = 10_000
MAX_SEGMENT_CHARS = 200
#: A route handler's `opt` key: its body is a file (or a form carrying one), not JSON text;
#: the handler sets its own size limit and reads the body itself.
BINARY_BODY = "binary_body"

# The request headers the gateway forwards, each with the longest value it accepts.
FORWARDED_HEADERS = {
    "authorization": 8192,
    "content-type": 200,
    "if-match": 40,
    "x-correlation-id": 128,
}
_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_VERSION_TAG = re.compile(r'(?:W/)?"[0-9]{1,18}"|[0-9]{1,18}')
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_STRUCTURE = bytes(set(range(256)) - set(b"[]{},"))
# Characters kept as they are when a raw path is re-encoded: RFC 3986 pchar, "/" and "%".
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"


def json_shape(body: bytes, limit: int = MAX_JSON_DEPTH) -> tuple[int, int]:
    """Nesting depth (counted until it passes `limit`) and number of separated values of a
    JSON text, without parsing it: brackets and commas inside strings do not count."""
    structure = _JSON_STRING.sub(b"", body).translate(None, _NOT_STRUCTURE)
    values = structure.count(b",") + 1
    depth = deepest = 0
    for byte in structure.translate(None, b","):
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest, values


def check_body(body: bytes) -> None:
    """Refuse a body no JSON parser should be handed: not UTF-8, too deep, or so many values
    that validating them (one error each) would hold the event loop."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QmsError(f"Nội dung yêu cầu không phải UTF-8 (byte {error.start})") from None
    depth, values = json_shape(body)
    if depth > MAX_JSON_DEPTH:
        raise QmsError(f"JSON lồng nhau quá {MAX_JSON_DEPTH} cấp")
    if values > MAX_JSON_VALUES:
        raise QmsError(f"JSON có quá {MAX_JSON_VALUES} giá trị")


def check_target(path: str, query_string: bytes) -> None:
    """Refuse a NUL in the (decoded) path or the query; a path segment too long is unknown."""
    if "\x00" in path:
        raise QmsError("Đường dẫn chứa ký tự NUL")
    if b"\x00" in query_string or b"%00" in query_string:
        raise QmsError("Tham số truy vấn chứa ký tự NUL")
    if any(len(segment) > MAX_SEGMENT_CHARS for segment in path.split("/")):
        raise NotFound(f"Không tìm thấy: một đoạn đường dẫn dài quá {MAX_SEGMENT_CHARS} ký tự")


def forwardable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers to forward upstream (lower-case names), each checked; InvalidInput if not.

    Values must be printable ASCII within a bound; `If-Match` must be a version ("3", W/"3").
    """
    forwarded: dict[str, str] = {}
    for name, value in headers.items():
        name = name.lower()
        limit = FORWARDED_HEADERS.get(name)
        if limit is None:
            continue
        if len(value) > limit or not _PRINTABLE_ASCII.fullmatch(value):
            raise InvalidInput(
                f"Header {name} phải là ký tự ASCII in được, tối đa {limit} ký tự", field=name
            )
        if name == "if-match" and not _VERSION_TAG.fullmatch(value.strip()):
            raise InvalidInput('If-Match phải là số phiên bản, ví dụ "3"', field=name)
        forwarded[name] = value
    return forwarded


def raw_path(request: Request[Any, Any, Any]) -> str:
    """The request's path as received, still percent-encoded (`%3F` stays `%3F`)."""
    raw: bytes | None = request.scope.get("raw_path")
    if raw is None:
        return quote(request.scope["path"], safe=_PATH_SAFE)
    # Some clients (httpx's test transports) leave the query in `raw_path`; a "?" can only
    # start it. Re-encoding only touches bytes a server let through unencoded.
    return quote(raw.partition(b"?")[0], safe=_PATH_SAFE)


def allow_header(methods: Iterable[str]) -> str:
    """An `Allow` value: the methods given, with HEAD wherever GET is (`serve_head_as_get`)."""
    allowed = set(methods)
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(sorted(allowed))


class EdgeMiddleware(ASGIMiddleware):
    """Checks every request's target, forwarded headers and body before the handler runs.

    It runs after routing, inside the app's exception handling, so a refusal leaves as
    problem details; the body read here is what the handler's parser gets (Litestar keeps it).
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        check_target(scope["path"], scope.get("query_string", b""))
        if request.method == "OPTIONS":
            # Litestar's own answer forgets the methods of handlers that joined the path later.
            paths = request.app.route_handler_method_map
            methods = {m for path in request.route_handler.paths for m in paths.get(path, {})}
            options = Response(None, status_code=204, headers={"Allow": allow_header(methods)})
            await options.to_asgi_response(request.app, request)(scope, receive, send)
            return
        forwardable_headers(request.headers)
        # A request has a body only if it says so (RFC 9112 §6.3).
        has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
        if has_body and not request.route_handler.opt.get(BINARY_BODY):
            check_body(await request.body())
        await next_app(scope, receive, send)


def serve_head_as_get(app: ASGIApp) -> ASGIApp:
    """Answer HEAD like GET, without the body (RFC 9110 §9.3.2), on every GET route."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await app({**scope, "method": "GET"}, receive, send_headers_only)

    return handle
