"""The audit service's HTTP surface as its OpenAPI documents it: typed bodies, stable names."""

from typing import Any

from litestar import Litestar

from qms_audit.api import ROUTES


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
    reviewed = [
        f"{step}_{kind}"
        for kind in ("audit_programme", "audit_plan")
        for step in ("draft", "revise", "read", "submit", "approve", "return")
    ]
    assert sorted(found) == sorted(
        [
            *reviewed,
            "record_finding",
            "acknowledge_finding",
            "conclude_audit",
            "open_nonconformity",
            "plan_corrective_action",
            "implement_corrective_action",
            "verify_effectiveness",
            "close_nonconformity",
            "read_nonconformity",
        ]
    )
    for name in (
        "draft_audit_plan",
        "record_finding",
        "plan_corrective_action",
        "verify_effectiveness",
    ):
        body = found[name][2]
        assert body is not None and body["required"] is True, name
        assert "$ref" in body["content"]["application/json"]["schema"], name
    # A body a client may leave out (Litestar documents it as JSON that may be null).
    for name in ("acknowledge_finding", "close_nonconformity"):
        schema = found[name][2]["content"]["application/json"]["schema"]
        assert {"type": "null"} in schema["oneOf"], name
    # One name per record id, whichever route it is on.
    ids = {part for _, path, _ in found.values() for part in path.split("/") if "{" in part}
    assert ids == {"{unit_id}", "{programme_id}", "{plan_id}", "{finding_id}", "{nonconformity_id}"}
