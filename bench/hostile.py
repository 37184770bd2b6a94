"""A bounded burst of hostile requests to the gateway and to the objectives service directly.

Every request is sent as raw bytes on its own connection (bench.http.raw_exchange), so
nothing is cleaned up by a client library on the way. The answers are counted by status
class; a 5xx or a dropped connection is reported, never fatal to the benchmark.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.http import raw_exchange
from bench.load import UNIT, body

UNKNOWN_KEYS = 500_000
BIG_BODY_ROUNDS = 3


@dataclass(frozen=True)
class Hostile:
    label: str
    method: str
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""


def _message(request: Hostile, host: str, authorization: bytes) -> bytes:
    lines = [
        request.method.encode() + b" " + request.target + b" HTTP/1.1",
        b"host: " + host.encode(),
        b"authorization: " + authorization,
        b"content-type: application/json",
        b"content-length: " + str(len(request.body)).encode(),
        b"connection: close",
        *(name + b": " + value for name, value in request.headers),
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


def requests(objective_id: str) -> tuple[list[Hostile], Hostile]:
    """The small hostile requests, and the 8 MB one (sent several times)."""
    drafts = f"/api/v1/units/{UNIT}/objectives".encode()
    objective = f"/api/v1/objectives/{objective_id}".encode()
    good = body(0)
    deep = b"[" * 10_000 + b"]" * 10_000
    deep_object = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    unknown = b"{" + b",".join(b'"unknown%07d":1' % index for index in range(UNKNOWN_KEYS)) + b"}"
    small = [
        Hostile("JSON nested 10,000 levels (arrays)", "POST", drafts, body=deep),
        Hostile("JSON nested 10,000 levels (objects)", "POST", drafts, body=deep_object),
        Hostile("body not UTF-8", "POST", drafts, body=b'{"year": 2026, "title": "\xff\xfe\xc3"}'),
        Hostile("NUL in the path (encoded)", "GET", b"/api/v1/units/so%00khcn/objectives"),
        Hostile(
            "NUL in the path (encoded, command)",
            "POST",
            b"/api/v1/units/so%00khcn/objectives",
            body=good,
        ),
        Hostile("NUL in the path (raw byte)", "GET", b"/api/v1/units/so\x00khcn/objectives"),
        Hostile("NUL in an objective id", "GET", b"/api/v1/objectives/%00"),
        Hostile("NUL in a query parameter", "GET", drafts + b"?year=%00&status=%00"),
        Hostile("NUL in the wait parameter", "POST", drafts + b"?wait=%00", body=good),
        Hostile(
            "X-Correlation-Id with control characters",
            "POST",
            drafts,
            ((b"x-correlation-id", b"abc\x01\x02\x1b[31m\x7f"),),
            good,
        ),
        Hostile(
            "X-Correlation-Id with a NUL",
            "POST",
            drafts,
            ((b"x-correlation-id", b"abc\x00def"),),
            good,
        ),
        Hostile("If-Match: ² (PUT)", "PUT", objective, ((b"if-match", "²".encode()),), good),
        Hostile(
            "If-Match: ² (submit)",
            "POST",
            objective + b"/submit",
            ((b"if-match", "²".encode()),),
        ),
        Hostile(
            "unit id of 100,000 characters (command)",
            "POST",
            b"/api/v1/units/" + b"a" * 100_000 + b"/objectives",
            body=good,
        ),
        Hostile(
            "unit id of 100,000 characters (read)",
            "GET",
            b"/api/v1/units/" + b"a" * 100_000 + b"/objectives",
        ),
        Hostile(
            "title with a NUL (JSON escape)",
            "POST",
            drafts,
            body=good.replace("Mục tiêu".encode(), b"M\\u0000"),
        ),
        Hostile(
            "title with a NUL (raw byte)",
            "POST",
            drafts,
            body=good.replace("Mục tiêu".encode(), b"M\x00"),
        ),
    ]
    big = Hostile(f"8 MB body of {UNKNOWN_KEYS:,} unknown keys", "POST", drafts, body=unknown)
    return small, big


def _status_class(status: int | None) -> str:
    return "no answer" if status is None else f"{status // 100}xx"


async def burst(targets: dict[str, str], authorization: str, objective_id: str) -> dict[str, Any]:
    """Send every hostile request to every target; counts by class, and what went wrong."""
    small, big = requests(objective_id)
    token = authorization.encode()
    counts: dict[str, Counter[str]] = {name: Counter() for name in targets}
    server_errors: list[str] = []
    accepted: list[str] = []
    largest = dict.fromkeys(targets, 0)

    async def send(target: str, url: str, request: Hostile) -> None:
        host = url.removeprefix("http://")
        try:
            status, length = await raw_exchange(url, _message(request, host, token))
        except OSError:
            status, length = None, 0
        counts[target][_status_class(status)] += 1
        largest[target] = max(largest[target], length)
        line = f"{target}: {request.label} → {status or 'no answer'}"
        if status is None or status >= 500:
            server_errors.append(line)
        elif status < 400:
            accepted.append(line)

    for request in small:
        for target, url in targets.items():
            await send(target, url, request)
    for _ in range(BIG_BODY_ROUNDS):
        # The big bodies go to every service at once: the memory they need adds up.
        await asyncio.gather(*(send(t, url, big) for t, url in targets.items()))
    return {
        "requests": sum(sum(c.values()) for c in counts.values()),
        "by_target": {target: dict(sorted(c.items())) for target, c in counts.items()},
        "server_errors": server_errors,
        "accepted": accepted,
        "largest_answer_bytes": largest,
    }
