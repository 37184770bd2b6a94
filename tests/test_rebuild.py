"""Rebuilding the gateway's read models from zero replays every service's event feed."""

import json

import httpx

from qms_local.demo import audit_programme
from qms_local.stack import Stack
from tests.conftest import RISK_PLAN, UNIT, objective_body, risk_entry
from tests.consistency import assert_consistent, read_model


def test_rebuild_replays_everything(
    stack: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    oid = gateway.post(
        f"/api/v1/units/{UNIT}/objectives",
        json=objective_body("Trước khi dựng lại"),
        headers=secretary,
    ).json()["id"]
    assert gateway.post(f"/api/v1/objectives/{oid}/submit", headers=secretary).status_code == 200
    pid = gateway.post(f"/api/v1/units/{UNIT}/risk-plans", json=RISK_PLAN, headers=secretary)
    pid = pid.json()["id"]
    for step, who in (("submit", secretary), ("approve", leader)):
        assert gateway.post(f"/api/v1/risk-plans/{pid}/{step}", headers=who).status_code == 200
    entry = gateway.post(
        f"/api/v1/units/{UNIT}/risks",
        json=risk_entry(pid, "risk", "Trước khi dựng lại"),
        headers=department_leader,
    ).json()["id"]
    assessed = gateway.post(
        f"/api/v1/risks/{entry}/assess", json={"likelihood": 2, "severity": 3}, headers=secretary
    )
    assert assessed.status_code == 200
    programme = gateway.post(
        f"/api/v1/units/{UNIT}/audit-programmes",
        json=audit_programme(2026, ["van-phong"]),
        headers=secretary,
    ).json()["id"]
    nc = gateway.post(
        f"/api/v1/units/{UNIT}/nonconformities",
        json={"source": "complaint", "department_id": "van-phong", "description": "Trễ hạn"},
        headers=secretary,
    ).json()["id"]
    action = {
        "correction": "Trả ngay",
        "root_cause": "Không nhắc hạn",
        "action": "Nhắc hạn tự động",
        "owner_department_id": "van-phong",
        "due_date": "2026-12-31",
    }
    planned = gateway.post(f"/api/v1/nonconformities/{nc}/action", json=action, headers=secretary)
    assert planned.status_code == 200
    assert_consistent(stack)
    before = read_model(stack)

    report = json.loads(stack.run_gateway_command("rebuild").strip().splitlines()[-1])

    assert report["events"] >= 2
    assert read_model(stack) == before
    assert gateway.get(f"/api/v1/objectives/{oid}", headers=leader).json()["status"] == "submitted"
    assert gateway.get(f"/api/v1/risks/{entry}", headers=leader).json() == assessed.json()
    assert gateway.get(f"/api/v1/nonconformities/{nc}", headers=leader).json() == planned.json()
    read = gateway.get(f"/api/v1/audit-programmes/{programme}", headers=leader).json()
    assert read["status"] == "draft"
