"""The review service's HTTP surface: typed OpenAPI, stable names, refusals as problem details."""

from collections.abc import Iterator
from typing import Any

import pytest
from joserfc.jwk import KeySet
from litestar.testing import TestClient

from qms_review.api import ROUTES
from qms_review.application import ReviewApplication
from qms_runtime.auth import DevIssuer, TokenVerifier
from qms_runtime.web import PROBLEM_JSON, create_app

UNIT = "so-khcn"
NOTICE = {
    "year": 2026,
    "title": "Họp xem xét của lãnh đạo năm 2026",
    "agenda": [{"topic": "objective_achievement", "department_ids": ["mot-cua"]}],
    "report_deadline": "2026-12-05",
    "meeting_date": "2026-12-15",
}


def _operations() -> dict[str, tuple[str, str, Any, Any]]:
    # As the service serves it: the app factory adds the problem details of every operation.
    verifier = TokenVerifier("http://127.0.0.1:1/jwks.json", "https://issuer.test", "e-iso")
    app = create_app(service="review", version="0", route_handlers=ROUTES, verifier=verifier)
    document = app.openapi_schema.to_schema()
    return {
        spec["operationId"]: (method, path, spec.get("requestBody"), spec["responses"])
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
        if isinstance(spec, dict) and "operationId" in spec
    }


def test_every_command_and_read_is_documented_with_its_body() -> None:
    found = _operations()
    assert sorted(found) == sorted(
        [
            *(f"{step}_review_notice" for step in ("draft", "revise", "submit", "approve")),
            *("return_review_notice", "issue_review_notice", "read_review"),
            *("submit_department_report", "revise_department_report", "consolidate_review"),
            *("record_review_meeting", "draft_review_conclusion", "approve_review_conclusion"),
            *("return_review_conclusion", "complete_review_action", "verify_review_action"),
            *("read_review_evidence", "read_iso_report"),
        ]
    )
    for name in (
        "draft_review_notice",
        "revise_review_notice",
        "submit_department_report",
        "consolidate_review",
        "record_review_meeting",
        "draft_review_conclusion",
        "complete_review_action",
    ):
        body = found[name][2]
        assert body is not None and body["required"] is True, name
        assert "$ref" in body["content"]["application/json"]["schema"], name
    # The reads answer typed documents, not free-form objects.
    for name in ("read_review", "read_review_evidence", "read_iso_report"):
        answer = found[name][3]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in answer, name
    # Every command documents its refusals as problem details.
    for name in ("consolidate_review", "submit_department_report"):
        responses = found[name][3]
        assert {"403", "409", "422"} <= set(responses), name
        assert PROBLEM_JSON in responses["409"]["content"], name
    assert {path for _, path, _, _ in found.values() if "{" in path} == {
        "/api/v1/units/{unit_id}/reviews",
        "/api/v1/reviews/{review_id}",
        "/api/v1/reviews/{review_id}/submit",
        "/api/v1/reviews/{review_id}/approve",
        "/api/v1/reviews/{review_id}/return",
        "/api/v1/reviews/{review_id}/issue",
        "/api/v1/reviews/{review_id}/reports",
        "/api/v1/reviews/{review_id}/consolidate",
        "/api/v1/reviews/{review_id}/meeting",
        "/api/v1/reviews/{review_id}/conclusion",
        "/api/v1/reviews/{review_id}/conclusion/approve",
        "/api/v1/reviews/{review_id}/conclusion/return",
        "/api/v1/reviews/{review_id}/actions/{output_id}/complete",
        "/api/v1/reviews/{review_id}/actions/{output_id}/verify",
        "/api/v1/reviews/{review_id}/evidence",
        "/api/v1/units/{unit_id}/iso-report/{year}",
    }


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer("https://issuer.test", "e-iso")


@pytest.fixture(scope="module")
def client(issuer: DevIssuer) -> Iterator[TestClient[Any]]:
    verifier = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer.issuer, issuer.audience)
    # No JWKS server here: the verifier is handed the issuer's keys instead.
    verifier._keys = KeySet.import_key_set(issuer.jwks())  # type: ignore[arg-type]
    application = ReviewApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app = create_app(
        service="review",
        version="0",
        route_handlers=ROUTES,
        verifier=verifier,
        dependencies={"application": application},
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def headers(
    issuer: DevIssuer, sub: str, role: str, department: str | None = None
) -> dict[str, str]:
    token = issuer.issue(sub, sub, [UNIT], [role], department_id=department)
    return {"authorization": f"Bearer {token}"}


def test_refusals_are_problem_details(client: TestClient[Any], issuer: DevIssuer) -> None:
    secretary = headers(issuer, "thuky", "iso_secretary")
    leader = headers(issuer, "giamdoc", "unit_leader")
    # Wrong role: 403.
    refused = client.post(f"/api/v1/units/{UNIT}/reviews", json=NOTICE, headers=leader)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM_JSON)
    assert refused.json()["type"] == "urn:qms:problem:forbidden"
    # Bad input: 422, naming the field.
    late = {**NOTICE, "report_deadline": "2026-12-20"}
    refused = client.post(f"/api/v1/units/{UNIT}/reviews", json=late, headers=secretary)
    assert (refused.status_code, refused.json()["field"]) == (422, "report_deadline")
    refused = client.post(
        f"/api/v1/units/{UNIT}/reviews",
        json={**NOTICE, "agenda": [{"topic": "weather"}]},
        headers=secretary,
    )
    assert refused.status_code == 422
    assert "agenda" in str(refused.json()["errors"])
    drafted = client.post(f"/api/v1/units/{UNIT}/reviews", json=NOTICE, headers=secretary)
    assert (drafted.status_code, drafted.json()["version"]) == (201, 1)
    review = drafted.json()["id"]
    # An illegal transition: 409 with the current status.
    refused = client.post(f"/api/v1/reviews/{review}/issue", headers=secretary)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:qms:problem:illegal-transition"
    assert refused.json()["current_status"] == "draft"
    # A stale version: 409 too, of another kind.
    refused = client.post(
        f"/api/v1/reviews/{review}/submit", headers={**secretary, "If-Match": '"4"'}
    )
    assert refused.json()["type"] == "urn:qms:problem:version-conflict"
    assert client.post(f"/api/v1/reviews/{review}/submit", headers=secretary).status_code == 200
    # Separation of duties: who submitted never approves.
    both = headers(issuer, "thuky", "unit_leader")
    assert client.post(f"/api/v1/reviews/{review}/approve", headers=both).status_code == 403
    assert client.post(f"/api/v1/reviews/{review}/approve", headers=leader).status_code == 200
    assert client.post(f"/api/v1/reviews/{review}/issue", headers=secretary).status_code == 200
    # A department leader reports for their own department only.
    office = headers(issuer, "tp-vp", "department_leader", "van-phong")
    report = {"department_id": "mot-cua", "topic": "objective_achievement", "content": "Đạt"}
    refused = client.post(f"/api/v1/reviews/{review}/reports", json=report, headers=office)
    assert refused.status_code == 403
    one_stop = headers(issuer, "tp-mc", "department_leader", "mot-cua")
    sent = client.post(f"/api/v1/reviews/{review}/reports", json=report, headers=one_stop)
    assert sent.status_code == 200
    read = client.get(f"/api/v1/reviews/{review}", headers=office).json()
    assert (read["status"], read["round"], read["reports"][0]["content"]) == ("issued", 1, "Đạt")
    # An output id that is not one: refused at the path.
    refused = client.post(
        f"/api/v1/reviews/{review}/actions/x1/complete",
        json={"evidence": "x", "completed_on": "2027-01-01"},
        headers=secretary,
    )
    assert refused.status_code in (400, 422)
    assert refused.headers["content-type"].startswith(PROBLEM_JSON)
