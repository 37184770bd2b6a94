"""The gateway's OpenAPI document describes each service's commands as the service does."""

from typing import Any

import pytest
from litestar import Litestar
from litestar.types import ControllerRouterHandler

from qms_audit.api import ROUTES as AUDIT
from qms_gateway.app import build_app
from qms_objectives.api import ROUTES as OBJECTIVES
from qms_procedures.api import ROUTES as PROCEDURES
from qms_review.api import ROUTES as REVIEW
from qms_risk.api import ROUTES as RISK

#: What the gateway alone calls, with its own identity, for people who do not sign in: its own
#: public operations (send_feedback, rate_dossier, public_form_file) take other paths and
#: bodies (a dossier named by its code).
RELAYED_FOR_CITIZENS = {"receive_citizen_feedback", "record_citizen_rating", "download_form_file"}


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    found = {}
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            if isinstance(spec, dict) and "operationId" in spec:
                body = spec.get("requestBody", {}).get("content", {}).get("application/json")
                found[spec["operationId"]] = (method, path, str(body))
    return found


@pytest.mark.parametrize(
    ("routes", "operations"),
    [(OBJECTIVES, 23), (RISK, 13), (AUDIT, 21), (REVIEW, 18), (PROCEDURES, 31)],
)
def test_the_gateway_documents_every_service_operation_as_the_service_does(
    routes: list[ControllerRouterHandler], operations: int
) -> None:
    """Same operation ids, methods, paths (with their parameter names) and body models."""
    service = _operations(Litestar(route_handlers=routes).openapi_schema.to_schema())
    gateway = _operations(build_app().openapi_schema.to_schema())
    assert len(service) == operations
    forwarded = {name: spec for name, spec in service.items() if name not in RELAYED_FOR_CITIZENS}
    assert {name: gateway.get(name) for name in forwarded} == forwarded
