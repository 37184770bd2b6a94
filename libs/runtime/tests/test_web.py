"""The HTTP edge of every service, on a small app built with `create_app`."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc.jwk import KeySet
from litestar import Controller, Request, get, post, put
from litestar.testing import TestClient
from pydantic import Field

from qms_contracts.inputs import CommandInput
from qms_runtime.auth import DevIssuer, Principal, TokenVerifier
from qms_runtime.edge import (
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    check_body,
    forwardable_headers,
    json_shape,
    raw_path,
)
from qms_runtime.errors import InvalidInput, QmsError
from qms_runtime.web import MAX_REPORTED_ERRORS, PROBLEM_JSON, create_app

JSON = {"content-type": "application/json"}


class ThingIn(CommandInput):
    title: str = Field(min_length=1, max_length=50)
    tags: list[str] = Field(default_factory=list)


class Things(Controller):
    path = "/api/v1"

    @post("/units/{unit_id:str}/things")
    async def draft(self, unit_id: str, data: ThingIn, principal: Principal) -> dict[str, Any]:
        return {"unit_id": unit_id, "title": data.title}

    @get("/things/{thing_id:uuid}")
    async def read(self, thing_id: uuid.UUID, principal: Principal) -> dict[str, Any]:
        return {"id": str(thing_id), "sub": principal.sub}

    @put("/things/{thing_id:uuid}", status_code=204)
    async def revise(self, thing_id: uuid.UUID, principal: Principal) -> None:
        return None

    @get("/public/units/{unit_id:str}")
    async def unit(self, unit_id: str, year: int | None = None) -> dict[str, Any]:
        return {"unit_id": unit_id, "year": year}

    @get("/raw/{rest:path}")
    async def raw(self, request: Request[Any, Any, Any], rest: str) -> dict[str, Any]:
        return {"raw_path": raw_path(request), "rest": rest}

    @post("/echo")
    async def echo(self, data: dict[str, Any]) -> dict[str, Any]:
        return data


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer("https://issuer.test", "e-iso")


@pytest.fixture(scope="module")
def client(issuer: DevIssuer) -> Iterator[TestClient[Any]]:
    verifier = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer.issuer, issuer.audience)
    # No JWKS server here: the verifier is handed the dev issuer's keys instead.
    verifier._keys = KeySet.import_key_set(issuer.jwks())
    app = create_app(service="test", version="0", route_handlers=[Things], verifier=verifier)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def token(issuer: DevIssuer) -> dict[str, str]:
    jwt = issuer.issue("thuky", "Thư ký", ["so-khcn"], ["iso_secretary"])
    return {"authorization": f"Bearer {jwt}"}


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:qms:problem:")
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/echo", "/api/v1/units/so-khcn/things"])
def test_json_nested_deeper_than_the_bound_is_refused_before_parsing(
    client: TestClient[Any], token: dict[str, str], path: str
) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    body = problem_of(client.post(path, content=deep, headers=JSON | token), 400)
    assert "lồng nhau" in body["detail"]


def test_json_at_the_depth_bound_is_accepted(client: TestClient[Any]) -> None:
    nested: Any = "đáy"
    for _ in range(MAX_JSON_DEPTH - 1):
        nested = [nested]
    reply = client.post("/api/v1/echo", json={"x": nested})
    assert reply.status_code == 201, reply.text


def test_json_shape_ignores_brackets_and_commas_in_strings() -> None:
    assert json_shape(b'{"a": "[[[{,,,\\"]]", "b": [1, [2]]}') == (3, 3)
    assert json_shape(b"[" * 100 + b"]" * 100, limit=10) == (11, 1)


@pytest.mark.parametrize(
    "body",
    [b'{"title": "\xff\xfe"}', '{"title": "Sở"}'.encode("utf-16"), b'{"title": "\xed\xa0\x80"}'],
    ids=["latin1", "utf16", "encoded-surrogate"],
)
def test_a_body_that_is_not_utf8_is_400(
    client: TestClient[Any], token: dict[str, str], body: bytes
) -> None:
    reply = client.post("/api/v1/units/so-khcn/things", content=body, headers=JSON | token)
    assert "UTF-8" in problem_of(reply, 400)["detail"]


def test_a_body_over_the_limit_is_413(client: TestClient[Any], token: dict[str, str]) -> None:
    body = json.dumps({f"k{i}": i for i in range(MAX_BODY_BYTES // 8)})
    reply = client.post("/api/v1/units/so-khcn/things", content=body, headers=JSON | token)
    problem_of(reply, 413)


def test_a_body_of_too_many_values_is_refused_before_validation(
    client: TestClient[Any], token: dict[str, str]
) -> None:
    body = json.dumps({f"k{i}": 1 for i in range(20_000)})
    reply = client.post("/api/v1/units/so-khcn/things", content=body, headers=JSON | token)
    assert len(reply.content) < 1000
    problem_of(reply, 400)


def test_validation_errors_are_bounded(client: TestClient[Any], token: dict[str, str]) -> None:
    body = {"title": "x" * 100_000, **{f"k{i}": 1 for i in range(500)}}
    reply = client.post("/api/v1/units/so-khcn/things", json=body, headers=token)
    problem = problem_of(reply, 422)
    assert len(problem["errors"]) == MAX_REPORTED_ERRORS
    assert problem["errors_omitted"] == 501 - MAX_REPORTED_ERRORS
    assert all(len(error["message"]) <= 300 for error in problem["errors"])


@pytest.mark.parametrize("title", ["a\x00b", "\ud800"], ids=["nul", "lone-surrogate"])
def test_unstorable_text_is_422_with_field_errors(
    client: TestClient[Any], token: dict[str, str], title: str
) -> None:
    # A lone surrogate can only travel as a JSON escape.
    body = json.dumps({"title": title}, ensure_ascii=True)
    reply = client.post("/api/v1/units/so-khcn/things", content=body, headers=JSON | token)
    status = 422 if "\x00" in title else 400
    problem = problem_of(reply, status)
    if status == 422:
        assert "NUL" in problem["errors"][0]["message"]


def test_a_refused_command_carries_the_field_errors(
    client: TestClient[Any], token: dict[str, str]
) -> None:
    reply = client.post(
        "/api/v1/units/so-khcn/things", json={"title": "", "extra": 1}, headers=token
    )
    keys = {error.get("key") for error in problem_of(reply, 422)["errors"]}
    assert {"title", "extra"} <= keys


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/public/units/a%00b", 400),
        ("/api/v1/public/units/ab?year=%00", 400),
        ("/api/v1/public/units/ab?other=x%00y", 400),
        ("/api/v1/things/a%00b", 404),
        ("/api/v1/public/units/" + "a" * 20_000, 404),
        ("/api/v1/public/units/" + "%C3%A1" * 201, 404),
    ],
    ids=["nul-in-path", "nul-in-query", "nul-in-unknown-query", "nul-in-uuid", "long", "long-utf8"],
)
def test_hostile_targets_are_4xx(client: TestClient[Any], url: str, status: int) -> None:
    problem_of(client.get(url), status)


def test_a_segment_at_the_bound_is_served(client: TestClient[Any]) -> None:
    assert client.get("/api/v1/public/units/" + "a" * 200).status_code == 200


def test_raw_path_keeps_percent_encoding(client: TestClient[Any]) -> None:
    reply = client.get("/api/v1/raw/so-khcn%3Fx%2Fy%20z?wait=false")
    assert reply.json() == {"raw_path": "/api/v1/raw/so-khcn%3Fx%2Fy%20z", "rest": "/so-khcn?x/y z"}
    problem = problem_of(client.get("/api/v1/public/units/a%3F%00"), 400)
    assert problem["instance"] == "/api/v1/public/units/a%3F%00"


def test_head_answers_like_get_without_a_body(client: TestClient[Any]) -> None:
    get_reply = client.get("/api/v1/public/units/so-khcn")
    head_reply = client.head("/api/v1/public/units/so-khcn")
    assert head_reply.status_code == 200
    assert head_reply.content == b""
    assert head_reply.headers["content-type"] == get_reply.headers["content-type"]
    assert client.head("/api/v1/things/not-a-uuid").status_code == 404


def test_405_lists_the_allowed_methods(client: TestClient[Any]) -> None:
    reply = client.delete("/api/v1/public/units/so-khcn")
    problem_of(reply, 405)
    assert set(reply.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "POST" in client.put("/api/v1/units/so-khcn/things").headers["allow"]


def test_options_lists_every_method_of_the_path(client: TestClient[Any]) -> None:
    # GET and PUT share the path; Litestar's own answer would list only the first.
    reply = client.options(f"/api/v1/things/{uuid.uuid4()}")
    assert reply.status_code == 204
    assert reply.headers["allow"] == "GET, HEAD, OPTIONS, PUT"


def test_401_names_the_bearer_scheme(client: TestClient[Any], issuer: DevIssuer) -> None:
    thing = f"/api/v1/things/{uuid.uuid4()}"
    missing = client.get(thing)
    problem_of(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    forged = DevIssuer(issuer.issuer, issuer.audience).issue("x", "x", ["so-khcn"], ["staff"])
    for bad in ("Bearer not-a-jwt", f"Bearer {forged}"):
        reply = client.get(thing, headers={"authorization": bad})
        problem_of(reply, 401)
        assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_good_token_still_passes(client: TestClient[Any], token: dict[str, str]) -> None:
    thing = uuid.uuid4()
    reply = client.get(f"/api/v1/things/{thing}", headers=token)
    assert reply.json() == {"id": str(thing), "sub": "thuky"}


@pytest.mark.parametrize(
    "headers",
    [{"if-match": "²"}, {"if-match": "abc"}, {"x-correlation-id": "é" * 3}],
    ids=["if-match-superscript", "if-match-word", "correlation-non-ascii"],
)
def test_bad_forwarded_headers_are_422_everywhere(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    encoded = [(k.encode(), v.encode()) for k, v in headers.items()]
    reply = client.get("/api/v1/public/units/so-khcn", headers=encoded)
    assert problem_of(reply, 422)["field"] in headers


def test_every_operation_documents_its_problem_details(client: TestClient[Any]) -> None:
    document = client.get("/schema/openapi.json").json()
    assert "ProblemDetails" in document["components"]["schemas"]
    assert "/metrics" not in document["paths"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            problems = {
                int(status)
                for status, response in operation["responses"].items()
                if PROBLEM_JSON in response.get("content", {})
            }
            assert {400, 422, 503} <= problems, (method, path)
            assert "application/json" not in operation["responses"].get("400", {}).get(
                "content", {}
            )
            if "{" in path:
                assert 404 in problems, (method, path)
            if method in ("post", "put"):
                assert {401, 403, 409, 413} <= problems, (method, path)
    draft = document["paths"]["/api/v1/units/{unit_id}/things"]["post"]
    assert draft["security"] == [{"bearer": []}]
    assert "security" not in document["paths"]["/api/v1/public/units/{unit_id}"]["get"]


def test_forwardable_headers_keeps_only_the_forwarded_ones() -> None:
    headers = {
        "Authorization": "Bearer abc.def.ghi",
        "Content-Type": "application/json",
        "If-Match": 'W/"3"',
        "X-Correlation-Id": "a1b2-c3",
        "Cookie": "secret=1",
        "Host": "gateway",
    }
    assert forwardable_headers(headers) == {
        "authorization": "Bearer abc.def.ghi",
        "content-type": "application/json",
        "if-match": 'W/"3"',
        "x-correlation-id": "a1b2-c3",
    }
    assert forwardable_headers({"if-match": '"12"'}) == {"if-match": '"12"'}
    assert forwardable_headers({"if-match": "7"}) == {"if-match": "7"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("if-match", "²"),
        ("if-match", '"3'),
        ("if-match", '"-1"'),
        ("if-match", "*"),
        ("x-correlation-id", "a\x01b"),
        ("x-correlation-id", "x" * 129),
        ("authorization", "Bearer \x7f"),
        ("content-type", "application/json\r\nX-Injected: 1"),
    ],
)
def test_forwardable_headers_refuses_what_cannot_be_forwarded(name: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        forwardable_headers({name: value})
    assert refused.value.extensions["field"] == name


def test_check_body_accepts_ordinary_json() -> None:
    check_body(json.dumps({"title": "Mục tiêu", "targets": [{"a": [1, 2]}]}).encode())
    with pytest.raises(QmsError):
        check_body(b"\xc3")
