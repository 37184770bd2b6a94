"""Internal audit and corrective action through the gateway, over the real broker and
PostgreSQL: a programme, a round, findings, a nonconformity through a failed and a good
corrective action, with each role's rules and tasks."""

from datetime import timedelta
from typing import Any

import httpx

from qms_local.demo import SO_KHCN, audit_programme, audit_visit, seed_audit_demo
from qms_local.stack import Stack
from qms_runtime.clock import today
from tests.conftest import DEPARTMENT, STP, STP_PEOPLE, UNIT, token_for

FINANCE = "ke-hoach-tai-chinh"
AUDITOR, AUDITOR_OF_SCIENCE = (
    {name: a[name] for name in ("sub", "name", "department_id")} for a in SO_KHCN.auditors
)


def tasks_of(gateway: httpx.Client, who: dict[str, str]) -> set[tuple[str, str]]:
    found = gateway.get("/api/v1/me/tasks", headers=who).json()["tasks"]
    return {(t["action"], t["id"]) for t in found}


def test_a_round_from_programme_to_a_closed_nonconformity(
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    def send(who: dict[str, str], path: str, body: Any = None, status: int = 200) -> Any:
        reply = gateway.post(f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code == status, reply.text
        return reply.json()

    auditor = token_for(gateway, AUDITOR["sub"], ["auditor"], department_id=FINANCE)
    finance_leader = token_for(gateway, "tp-khtc", ["department_leader"], department_id=FINANCE)
    year = today().year

    body = audit_programme(year, [DEPARTMENT, FINANCE])
    programme = send(secretary, f"/units/{UNIT}/audit-programmes", body, 201)
    pid = programme["id"]
    assert (programme["status"], programme["title"]) == (
        "draft",
        f"Chương trình đánh giá nội bộ năm {year}",
    )
    # No plan before the programme is approved.
    plan_body = {
        "round": 1,
        "visits": [
            audit_visit(DEPARTMENT, today(), AUDITOR, "8.5.1", "Hồ sơ đúng hạn?"),
            audit_visit(FINANCE, today(), AUDITOR_OF_SCIENCE, "7.5.3", "Tài liệu kiểm soát?"),
        ],
    }
    send(secretary, f"/audit-programmes/{pid}/plans", plan_body, 409)
    send(secretary, f"/audit-programmes/{pid}/submit")
    send(leader, f"/audit-programmes/{pid}/return", {"reason": "Bổ sung phạm vi"})
    revised = gateway.put(
        f"/api/v1/audit-programmes/{pid}",
        json={**body, "scope": "Mọi quy trình"},
        headers={**secretary, "if-match": '"3"'},
    )
    assert revised.status_code == 200 and revised.json()["scope"] == "Mọi quy trình"
    send(secretary, f"/audit-programmes/{pid}/submit")
    assert ("approve", pid) in tasks_of(gateway, leader)
    send(secretary, f"/audit-programmes/{pid}/approve", status=403)
    assert send(leader, f"/audit-programmes/{pid}/approve")["status"] == "approved"

    # An auditor is never planned on their own department.
    own = {
        **plan_body,
        "visits": [audit_visit(DEPARTMENT, today(), AUDITOR_OF_SCIENCE, "8.5", "?")],
    }
    refused = send(secretary, f"/audit-programmes/{pid}/plans", own, 422)
    assert AUDITOR_OF_SCIENCE["name"] in refused["detail"] and DEPARTMENT in refused["detail"]
    assert refused["field"] == "visits.0.lead"
    plan = send(secretary, f"/audit-programmes/{pid}/plans", plan_body, 201)
    plan_id = plan["id"]
    send(secretary, f"/audit-plans/{plan_id}/submit")
    send(leader, f"/audit-plans/{plan_id}/approve")
    assert ("record_finding", plan_id) in tasks_of(gateway, auditor)

    # Findings by a planned auditor only, on the department they audit.
    finding = {"department_id": DEPARTMENT, "kind": "minor", "clause": "8.5.1", "evidence": "Trễ"}
    stranger = token_for(gateway, "dgv-khac", ["auditor"], department_id="van-phong")
    send(stranger, f"/audit-plans/{plan_id}/findings", finding, 403)
    send(auditor, f"/audit-plans/{plan_id}/findings", {**finding, "department_id": FINANCE}, 403)
    recorded = send(auditor, f"/audit-plans/{plan_id}/findings", finding)
    assert [(f["finding_id"], f["kind"]) for f in recorded["findings"]] == [("f1", "minor")]
    science = token_for(gateway, AUDITOR_OF_SCIENCE["sub"], ["auditor"], department_id=DEPARTMENT)
    conformity = {"department_id": FINANCE, "kind": "conformity", "evidence": "Đúng quy trình"}
    send(science, f"/audit-plans/{plan_id}/findings", conformity)

    # The minor finding opened a nonconformity, by the same save.
    opened = gateway.get(
        f"/api/v1/units/{UNIT}/nonconformities",
        params={"plan_id": plan_id},
        headers=secretary,
    ).json()["nonconformities"]
    assert [(n["source"], n["finding_id"], n["status"]) for n in opened] == [
        ("audit", "f1", "open")
    ]
    nc_id = opened[0]["id"]

    # Concluded only once every finding is acknowledged, each by its department's leader.
    send(leader, f"/audit-plans/{plan_id}/conclude", {"outcome": "results_confirmed"}, 409)
    send(department_leader, f"/audit-plans/{plan_id}/findings/f2/acknowledge", None, 403)
    assert ("acknowledge", plan_id) in tasks_of(gateway, department_leader)
    send(department_leader, f"/audit-plans/{plan_id}/findings/f1/acknowledge", {"note": "Đồng ý"})
    send(finance_leader, f"/audit-plans/{plan_id}/findings/f2/acknowledge")
    assert ("conclude", plan_id) in tasks_of(gateway, leader)
    concluded = send(leader, f"/audit-plans/{plan_id}/conclude", {"outcome": "improvement_actions"})
    assert (concluded["status"], concluded["outcome"]) == ("concluded", "improvement_actions")

    # The nonconformity: a first action not effective, a second one effective.
    send(secretary, f"/nonconformities/{nc_id}/close", None, 409)
    assert ("plan_action", nc_id) in tasks_of(gateway, department_leader)

    def corrective(action: str, owner: str) -> dict[str, Any]:
        return {
            "correction": "Xin lỗi công dân",
            "root_cause": "Thiếu nhắc hạn",
            "action": action,
            "owner_department_id": owner,
            "due_date": today().isoformat(),
        }

    send(finance_leader, f"/nonconformities/{nc_id}/action", corrective("X", FINANCE), 403)
    planned = send(
        department_leader, f"/nonconformities/{nc_id}/action", corrective("Nhắc hạn", DEPARTMENT)
    )
    assert (planned["status"], planned["action"]["attempt"]) == ("action_planned", 1)
    done = {"evidence": "Đã cấu hình", "implemented_on": today().isoformat()}
    send(department_leader, f"/nonconformities/{nc_id}/implement", done)
    assert ("verify", nc_id) in tasks_of(gateway, auditor)
    check = {"note": "Còn trễ hạn", "verified_on": today().isoformat()}
    early = {**check, "effective": True, "verified_on": (today() - timedelta(days=1)).isoformat()}
    send(secretary, f"/nonconformities/{nc_id}/verify", early, 422)
    reopened = send(auditor, f"/nonconformities/{nc_id}/verify", {**check, "effective": False})
    assert reopened["status"] == "reopened"
    again = send(
        secretary, f"/nonconformities/{nc_id}/action", corrective("Giao người", DEPARTMENT)
    )
    assert again["action"]["attempt"] == 2
    send(department_leader, f"/nonconformities/{nc_id}/implement", done)
    verified = send(
        secretary, f"/nonconformities/{nc_id}/verify", {**check, "effective": True, "note": "Ổn"}
    )
    assert verified["status"] == "verified"
    assert ("close", nc_id) in tasks_of(gateway, secretary)
    closed = send(secretary, f"/nonconformities/{nc_id}/close", {"note": "Có hiệu lực"})
    # Opened, then planned, implemented, verified and reopened, then again to closed.
    assert (closed["status"], closed["version"]) == ("closed", 9) and closed["closed_at"]
    outsider = token_for(gateway, "ngoai", ["staff"], unit_id=STP)
    assert gateway.get(f"/api/v1/nonconformities/{nc_id}", headers=outsider).status_code == 403


def test_a_nonconformity_opened_by_hand_and_overdue(
    gateway: httpx.Client, secretary: dict[str, str], department_leader: dict[str, str]
) -> None:
    staff = token_for(gateway, "nhanvien", ["staff"], department_id=DEPARTMENT)
    body = {
        "source": "complaint",
        "department_id": DEPARTMENT,
        "description": "Công dân phản ánh trả kết quả chậm",
        "clause": "8.2.1",
    }
    assert (
        gateway.post(f"/api/v1/units/{UNIT}/nonconformities", json=body, headers=staff).status_code
        == 403
    )
    audit = gateway.post(
        f"/api/v1/units/{UNIT}/nonconformities", json={**body, "source": "audit"}, headers=secretary
    )
    assert audit.status_code == 422 and audit.json()["field"] == "source"
    opened = gateway.post(f"/api/v1/units/{UNIT}/nonconformities", json=body, headers=secretary)
    assert opened.status_code == 201
    nc_id = opened.json()["id"]
    late = {
        "correction": "Trả kết quả ngay",
        "root_cause": "Không theo dõi hạn",
        "action": "Theo dõi hạn hằng ngày",
        "owner_department_id": DEPARTMENT,
        "due_date": (today() - timedelta(days=2)).isoformat(),
    }
    planned = gateway.post(
        f"/api/v1/nonconformities/{nc_id}/action", json=late, headers=department_leader
    )
    assert planned.status_code == 200
    assert ("implement", nc_id) in tasks_of(gateway, department_leader)
    found = gateway.get(
        f"/api/v1/units/{UNIT}/nonconformities",
        params={"q": "TRA KET QUA", "source": "complaint"},
        headers=staff,
    ).json()
    assert [n["id"] for n in found["nonconformities"]] == [nc_id]


def test_make_run_seeds_a_programme_and_supervisors_see_who_has_none(
    stack: Stack, gateway: httpx.Client
) -> None:
    assert "đợt 1" in seed_audit_demo(stack.gateway_url, STP, STP_PEOPLE)
    assert "không thêm" in seed_audit_demo(stack.gateway_url, STP, STP_PEOPLE)
    secretary = token_for(gateway, "thuky-stp", ["iso_secretary"], unit_id=STP)
    programmes = gateway.get(f"/api/v1/units/{STP}/audit-programmes", headers=secretary).json()
    assert [p["status"] for p in programmes] == ["approved"]
    plans = gateway.get(
        f"/api/v1/audit-programmes/{programmes[0]['id']}/plans", headers=secretary
    ).json()
    assert [(p["status"], len(p["findings"])) for p in plans] == [("approved", 1)]

    supervisor = token_for(gateway, "captren", ["supervisor"], unit_id="ubnd-tinh")
    missing = gateway.get(
        "/api/v1/audit-programmes/missing", params={"year": today().year}, headers=supervisor
    ).json()
    names = {u["unit_id"] for u in missing["units"]}
    assert STP not in names and "ubnd-xa-tan-lap" in names
    refused = gateway.get("/api/v1/audit-programmes/missing", headers=secretary)
    assert refused.status_code == 403
