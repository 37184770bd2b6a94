"""The whole risk workflow through the gateway, over the real broker and PostgreSQL."""

from datetime import timedelta
from typing import Any

import httpx

from qms_local.demo import seed_risk_demo
from qms_local.stack import Stack
from qms_runtime.clock import today
from tests.conftest import DEPARTMENT, RISK_PLAN, STP, STP_PEOPLE, UNIT, risk_entry, token_for


def action(due_in_days: int, department: str = DEPARTMENT) -> dict[str, Any]:
    return {
        "description": "Bổ sung cán bộ",
        "owner_department_id": department,
        "due_date": (today() + timedelta(days=due_in_days)).isoformat(),
    }


def test_plan_register_heat_map_and_report(
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    def send(who: dict[str, str], path: str, body: Any = None, status: int = 200) -> Any:
        reply = gateway.post(f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code == status, reply.text
        return reply.json()

    plan = send(secretary, f"/units/{UNIT}/risk-plans", RISK_PLAN, 201)
    pid = plan["id"]
    # Nothing is registered under a plan that is not approved.
    refused = send(department_leader, f"/units/{UNIT}/risks", risk_entry(pid, "risk", "R"), 409)
    assert refused["type"] == "urn:qms:problem:illegal-transition"
    send(secretary, f"/risk-plans/{pid}/submit")
    send(secretary, f"/risk-plans/{pid}/approve", status=403)
    assert send(leader, f"/risk-plans/{pid}/approve")["status"] == "approved"

    # A department leader identifies for their own department only.
    other = send(
        department_leader, f"/units/{UNIT}/risks", risk_entry(pid, "risk", "X", "van-phong"), 403
    )
    assert other["status"] == 403
    closing = send(
        department_leader, f"/units/{UNIT}/risks", risk_entry(pid, "risk", "Trễ hạn"), 201
    )
    back = send(department_leader, f"/units/{UNIT}/risks", risk_entry(pid, "risk", "Thất lạc"), 201)
    chance = send(
        department_leader, f"/units/{UNIT}/risks", risk_entry(pid, "opportunity", "Số hóa"), 201
    )
    assert closing["status"] == "identified" and closing["level"] is None

    assessed = send(
        department_leader, f"/risks/{closing['id']}/assess", {"likelihood": 3, "severity": 4}
    )
    assert (assessed["inherent"]["score"], assessed["level"], assessed["priority"]) == (
        12,
        "high",
        2,
    )
    send(secretary, f"/risks/{back['id']}/assess", {"likelihood": 5, "severity": 4})
    send(department_leader, f"/risks/{chance['id']}/assess", {"likelihood": 3, "severity": 3})
    # An opportunity is not "reduced".
    wrong = send(
        department_leader,
        f"/risks/{chance['id']}/treatment",
        {"option": "reduce", "actions": [action(10)], "monitor_on": "2026-12-31"},
        422,
    )
    assert wrong["type"] == "urn:qms:problem:invalid-input"
    for item, option, due in ((closing, "reduce", 10), (back, "avoid", -3), (chance, "exploit", 5)):
        body = {"option": option, "actions": [action(due)], "monitor_on": "2026-12-31"}
        treated = send(department_leader, f"/risks/{item['id']}/treatment", body)
        assert treated["status"] == "treatment" and treated["actions"][0]["action_id"] == "a1"

    tasks = gateway.get("/api/v1/me/tasks", headers=department_leader).json()["tasks"]
    assert ("complete_action", back["id"]) in {(t["action"], t["id"]) for t in tasks}
    # Re-assessing while an action is open is refused.
    send(
        department_leader, f"/risks/{closing['id']}/reassess", {"likelihood": 1, "severity": 1}, 409
    )
    for item in (closing, back, chance):
        done = {"action_id": "a1", "evidence": "Biên bản", "completed_on": today().isoformat()}
        send(department_leader, f"/risks/{item['id']}/actions/complete", done)
    reassessed = send(
        department_leader, f"/risks/{closing['id']}/reassess", {"likelihood": 2, "severity": 2}
    )
    assert (reassessed["status"], reassessed["level"], reassessed["acceptable"]) == (
        "reassessed",
        "low",
        True,
    )
    # Still high after treatment: back to treatment.
    sent_back = send(
        department_leader, f"/risks/{back['id']}/reassess", {"likelihood": 3, "severity": 4}
    )
    assert (sent_back["status"], sent_back["acceptable"]) == ("treatment", False)
    send(secretary, f"/risks/{chance['id']}/reassess", {"likelihood": 2, "severity": 2})
    send(department_leader, f"/risks/{closing['id']}/close", {"note": "Đã kiểm soát"}, 403)
    closed = send(secretary, f"/risks/{closing['id']}/close", {"note": "Đã kiểm soát"})
    assert closed["status"] == "closed" and closed["closing_note"] == "Đã kiểm soát"

    heat = gateway.get(f"/api/v1/units/{UNIT}/risk-heat-map?plan_id={pid}", headers=secretary)
    cells = heat.json()
    inherent = {
        (c["likelihood"], c["severity"]): c["entries"] for c in cells["inherent"] if c["entries"]
    }
    residual = {
        (c["likelihood"], c["severity"]): c["entries"] for c in cells["residual"] if c["entries"]
    }
    assert inherent == {(3, 4): 1, (5, 4): 1, (3, 3): 1}
    assert residual == {(2, 2): 2, (3, 4): 1}

    report = gateway.get(f"/api/v1/risk-plans/{pid}/report", headers=secretary).json()
    assert (report["entries"], report["risks"], report["opportunities"], report["closed"]) == (
        3,
        2,
        1,
        1,
    )
    assert report["by_level"]["inherent"] == {"low": 0, "medium": 1, "high": 1, "critical": 1}
    assert report["by_level"]["residual"] == {"low": 2, "medium": 0, "high": 1, "critical": 0}
    assert (report["actions_planned"], report["actions_done"], report["overdue_actions"]) == (
        3,
        3,
        [],
    )
    assert [o["entry_id"] for o in report["opportunities_taken"]] == [chance["id"]]

    register = gateway.get(
        f"/api/v1/units/{UNIT}/risks",
        params={"plan_id": pid, "q": "THAT LAC", "status": "treatment"},
        headers=token_for(gateway, "nhanvien", ["staff"], department_id="van-phong"),
    ).json()
    assert [e["id"] for e in register["entries"]] == [back["id"]]
    outsider = token_for(gateway, "ngoai", ["staff"], unit_id="so-tu-phap")
    assert gateway.get(f"/api/v1/risks/{back['id']}", headers=outsider).status_code == 403
    history = gateway.get(f"/api/v1/risks/{back['id']}", headers=secretary).json()
    assert history["version"] == 5 and history["residual"]["level"] == "high"


def test_make_run_seeds_a_plan_and_entries_at_every_stage(
    stack: Stack, gateway: httpx.Client
) -> None:
    unit = STP
    assert "5 rủi ro" in seed_risk_demo(stack.gateway_url, unit, STP_PEOPLE)
    assert "không thêm" in seed_risk_demo(stack.gateway_url, unit, STP_PEOPLE)
    secretary = token_for(gateway, "thuky-stp", ["iso_secretary"], unit_id=unit)
    plans = gateway.get(f"/api/v1/units/{unit}/risk-plans", headers=secretary).json()
    assert [p["status"] for p in plans] == ["approved"]
    register = gateway.get(f"/api/v1/units/{unit}/risks", headers=secretary).json()
    assert sorted(e["status"] for e in register["entries"]) == [
        "assessed",
        "closed",
        "identified",
        "reassessed",
        "treatment",
    ]
    tasks = gateway.get("/api/v1/me/tasks", headers=secretary).json()["tasks"]
    assert {t["action"] for t in tasks} >= {"close", "complete_action"}
