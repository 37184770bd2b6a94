"""The risk service's HTTP surface as its OpenAPI documents it: typed bodies, stable names."""

from typing import Any

from litestar import Litestar

from qms_risk.api import ROUTES


def _operations() -> dict[str, tuple[str, str, Any]]:
    document = Litestar(route_handlers=ROUTES).openapi_schema.to_schema()
    return {
        spec["operationId"]: (method, path, spec.get("requestBody"))
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
        if isinstance(spec, dict) and "operationId" in spec
    }


def test_every_command_and_read_is_documented_with_its_body() -> None:
    found = _operations()
    assert sorted(found) == sorted(
        [
            "draft_risk_plan",
            "revise_risk_plan",
            "read_risk_plan",
            "submit_risk_plan",
            "approve_risk_plan",
            "return_risk_plan",
            "identify_risk",
            "assess_risk",
            "plan_risk_treatment",
            "complete_risk_action",
            "reassess_risk",
            "close_risk",
            "read_risk",
        ]
    )
    for name in ("draft_risk_plan", "identify_risk", "assess_risk", "plan_risk_treatment"):
        body = found[name][2]
        assert body is not None and body["required"] is True, name
        assert "$ref" in body["content"]["application/json"]["schema"], name
    # One name per record id, whichever route it is on.
    assert {path for _, path, _ in found.values() if "{" in path} == {
        "/api/v1/units/{unit_id}/risk-plans",
        "/api/v1/risk-plans/{plan_id}",
        "/api/v1/risk-plans/{plan_id}/submit",
        "/api/v1/risk-plans/{plan_id}/approve",
        "/api/v1/risk-plans/{plan_id}/return",
        "/api/v1/units/{unit_id}/risks",
        "/api/v1/risks/{entry_id}",
        "/api/v1/risks/{entry_id}/assess",
        "/api/v1/risks/{entry_id}/treatment",
        "/api/v1/risks/{entry_id}/actions/complete",
        "/api/v1/risks/{entry_id}/reassess",
        "/api/v1/risks/{entry_id}/close",
    }
