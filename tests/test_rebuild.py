"""Rebuilding the gateway's read models from zero replays every service's event feed."""

import json

import httpx

from qms_local.stack import Stack
from tests.conftest import UNIT, objective_body
from tests.consistency import assert_read_model_complete, read_model


def test_rebuild_replays_everything(
    stack: Stack, gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> None:
    oid = gateway.post(
        f"/api/v1/units/{UNIT}/objectives",
        json=objective_body("Trước khi dựng lại"),
        headers=secretary,
    ).json()["id"]
    assert gateway.post(f"/api/v1/objectives/{oid}/submit", headers=secretary).status_code == 200
    assert_read_model_complete(stack, gateway)
    before = read_model(stack)

    report = json.loads(stack.run_gateway_command("rebuild").strip().splitlines()[-1])

    assert report["events"] >= 2
    assert read_model(stack) == before
    assert gateway.get(f"/api/v1/objectives/{oid}", headers=leader).json()["status"] == "submitted"
