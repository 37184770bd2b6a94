"""A client that knows only the gateway's OpenAPI document can build and send valid commands."""

from typing import Any

import httpx

from tests.conftest import UNIT


def example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest value a client would build from `schema`: required fields only."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for union in ("oneOf", "anyOf"):
        if union in schema:
            options = [option for option in schema[union] if option.get("type") != "null"]
            return example(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example(properties[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [example(schema["items"], components)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1.0)
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2100-12-31"
    return "x" * max(1, schema.get("minLength", 1))


def operation(document: dict[str, Any], operation_id: str) -> tuple[str, str, dict[str, Any]]:
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            if isinstance(spec, dict) and spec.get("operationId") == operation_id:
                return method.upper(), path, spec
    raise AssertionError(f"no operation {operation_id}")


def test_a_draft_built_from_the_document_alone_is_accepted(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> None:
    document = gateway.get("/schema/openapi.json").json()
    components = document["components"]["schemas"]
    method, path, spec = operation(document, "draft_objective")
    body_schema = spec["requestBody"]["content"]["application/json"]["schema"]
    body = example(body_schema, components)
    assert set(body) == {"year", "title", "targets"}

    created = gateway.request(method, path.replace("{unit_id}", UNIT), json=body, headers=secretary)
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["title"] == body["title"] and record["status"] == "draft"

    method, path, spec = operation(document, "submit_objective")
    headers = {p["name"] for p in spec["parameters"] if p["in"] == "header"}
    assert {"If-Match", "X-Correlation-Id"} <= headers
    submitted = gateway.request(
        method,
        path.replace("{objective_id}", record["id"]),
        headers={**secretary, "If-Match": f'"{record["version"]}"'},
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert "409" in spec["responses"] and "application/problem+json" in str(spec["responses"])
