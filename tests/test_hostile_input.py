"""Hostile input against the running stack: a schemathesis run over every OpenAPI document,
then hand-made requests that once answered 500. Every one must end in a 4xx problem.

Schemathesis runs every check with a bounded number of examples per operation. The run
fails on a server error and on any conformance failure (undocumented status, content type,
headers, body or `Allow`); what the other checks find (a schema that allows more than the
service accepts, say) is reported as a warning.
"""

import json
import warnings
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from qms_local.stack import Stack
from tests.conftest import UNIT, objective_body

MAX_EXAMPLES = 15
# The documents served behind GET /api/v1/docs/; a new service must be added here.
DOCUMENTS = ["gateway", "objectives", "risk", "audit", "review", "procedures"]
PROBLEM_JSON = "application/problem+json"


def _fails_the_run(check: str) -> bool:
    return check == "not_a_server_error" or check.endswith("_conformance")


def test_every_listed_document_is_run(gateway: httpx.Client) -> None:
    assert sorted(gateway.get("/api/v1/docs/").json()["openapi"]) == sorted(DOCUMENTS)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_schemathesis_finds_no_server_error_and_nothing_undocumented(
    stack: Stack, gateway: httpx.Client, secretary: dict[str, str], name: str
) -> None:
    document = gateway.get(gateway.get("/api/v1/docs/").json()["openapi"][name]).json()
    config = schemathesis.Config.from_dict(
        {
            # A service's document describes the service itself, not the gateway.
            "base-url": stack.gateway_url if name == "gateway" else stack.service(name).url,
            "headers": secretary,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "seed": 2026,
            "workers": 1,
        }
    )
    failures: dict[tuple[str, str, str], str] = {}
    reported: Counter[tuple[str, str]] = Counter()
    errors = []
    schema = schemathesis.openapi.from_dict(document, config=config)
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value!r}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        for checks in event.recorder.checks.values():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                if _fails_the_run(check.name):
                    key = (str(event.label), check.name, failure.title)
                    detail = f"{check.failure_info.code_sample}\n  {str(failure)[:600]}"
                    failures.setdefault(key, detail)
                else:
                    reported[(str(event.label), check.name)] += 1
    if reported:
        warnings.warn(
            f"schemathesis on {name}: "
            + "; ".join(f"{label} {check} ×{n}" for (label, check), n in reported.items()),
            stacklevel=1,
        )
    assert not errors, errors
    assert not failures, "\n".join(f"{key}\n  {sample}" for key, sample in failures.items())


def _problem(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert reply.status_code in statuses, (reply.status_code, reply.text[:500])
    assert reply.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = reply.json()
    assert body["status"] == reply.status_code and body["title"]
    return body


JSON = {"content-type": "application/json"}
DEEP = ("[" * 10_000 + "]" * 10_000).encode()
NOT_UTF8 = (
    json.dumps(objective_body("Mục tiêu"), ensure_ascii=False).encode().replace(b"M\xe1", b"M\xff")
)
# Far over the 200-character bound, just under httpx's own limit on a URL.
LONG = "a" * 60_000
HUGE = json.dumps({f"k{i}": "x" for i in range(500_000)}).encode()


@pytest.mark.parametrize("via", ["gateway", "objectives"])
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (DEEP, 400),
        (NOT_UTF8, 400),
        (HUGE, 413),
        (json.dumps(objective_body("a\x00b")).encode(), 422),
        (json.dumps(objective_body("\ud800")).encode(), 400),
    ],
    ids=["deep-json", "not-utf8", "8mb-of-keys", "nul-in-text", "lone-surrogate"],
)
def test_hostile_bodies_are_refused(
    stack: Stack, secretary: dict[str, str], via: str, body: bytes, status: int
) -> None:
    base = stack.gateway_url if via == "gateway" else stack.service(via).url
    reply = httpx.post(
        f"{base}/api/v1/units/{UNIT}/objectives",
        content=body,
        headers=JSON | secretary,
        timeout=30,
    )
    problem = _problem(reply, status)
    assert len(reply.content) < 10_000
    if status == 422:
        assert "NUL" in json.dumps(problem["errors"], ensure_ascii=False)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/public/units/so%00khcn", 400),
        ("GET", f"/api/v1/public/units/{UNIT}/objectives?year=%00", 400),
        ("GET", f"/api/v1/units/{UNIT}/objectives?status=approved%00", 400),
        ("POST", "/api/v1/units/so%00khcn/objectives", 400),
        ("GET", "/api/v1/public/units/" + LONG, 404),
        ("POST", "/api/v1/units/" + LONG + "/objectives", 404),
        ("GET", "/api/v1/objectives/not%00a-uuid", 404),
    ],
    ids=[
        "nul-in-public-path",
        "nul-in-query",
        "nul-in-status-query",
        "nul-in-command-path",
        "long-segment",
        "long-command-segment",
        "nul-in-uuid",
    ],
)
def test_hostile_targets_are_refused(
    gateway: httpx.Client, secretary: dict[str, str], method: str, path: str, status: int
) -> None:
    reply = gateway.request(method, path, headers=secretary, json=objective_body())
    _problem(reply, status)


@pytest.mark.parametrize(
    "headers",
    [
        {b"if-match": "²".encode()},
        {b"if-match": b"W/abc"},
        {b"x-correlation-id": "tương-quan".encode()},
        {b"x-correlation-id": b"x" * 1000},
    ],
    ids=["if-match-superscript", "if-match-word", "correlation-non-ascii", "correlation-long"],
)
@pytest.mark.parametrize("via", ["gateway", "objectives"])
def test_headers_that_cannot_be_forwarded_are_422(
    stack: Stack, secretary: dict[str, str], headers: dict[bytes, bytes], via: str
) -> None:
    base = stack.gateway_url if via == "gateway" else stack.service(via).url
    sent = [(k.encode(), v.encode()) for k, v in secretary.items()] + list(headers.items())
    reply = httpx.post(
        f"{base}/api/v1/units/{UNIT}/objectives", json=objective_body(), headers=sent, timeout=30
    )
    _problem(reply, 422)


def test_head_is_get_without_a_body(gateway: httpx.Client) -> None:
    reply = gateway.head("/api/v1/public/units")
    assert reply.status_code == 200 and reply.content == b""


def test_405_and_options_list_the_methods_of_the_path(gateway: httpx.Client) -> None:
    reply = gateway.delete(f"/api/v1/units/{UNIT}/objectives")
    _problem(reply, 405)
    assert reply.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert gateway.options(f"/api/v1/units/{UNIT}/objectives").headers["allow"] == (
        "GET, HEAD, OPTIONS, POST"
    )


def test_401_names_the_bearer_scheme(gateway: httpx.Client) -> None:
    missing = gateway.get("/api/v1/me/tasks")
    _problem(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    bad = gateway.get("/api/v1/me/tasks", headers={"authorization": "Bearer x.y.z"})
    _problem(bad, 401)
    assert bad.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_percent_encoded_question_mark_reaches_the_service_in_the_unit_id(
    gateway: httpx.Client, secretary: dict[str, str]
) -> None:
    reply = gateway.post(
        f"/api/v1/units/{UNIT}%3Fx/objectives", json=objective_body(), headers=secretary
    )
    problem = _problem(reply, 422)
    assert problem["instance"] == f"/api/v1/units/{UNIT}%3Fx/objectives"


def test_a_control_character_in_a_unit_id_is_refused_not_forwarded(
    gateway: httpx.Client, secretary: dict[str, str]
) -> None:
    reply = gateway.post(
        "/api/v1/units/so%14khcn/objectives", json=objective_body(), headers=secretary
    )
    _problem(reply, 403, 404, 422)


def test_an_unknown_unit_is_404(gateway: httpx.Client) -> None:
    _problem(gateway.get("/api/v1/public/units/khong-co-don-vi/objectives"), 404)
