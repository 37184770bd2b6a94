"""A unit's whole QMS year through the gateway, over the real broker and PostgreSQL: an
objective achieved; an internal audit whose finding opens a nonconformity, corrected once in
vain and then for good; a management review with one department late, whose conclusion opens
a nonconformity by event; then the review's evidence pack and the year's ISO report data,
checked against what was done, event by event."""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from qms_contracts import event_id
from qms_local.demo import audit_programme, audit_visit, seed_review_demo
from qms_local.stack import Stack
from qms_runtime.clock import today
from tests.conftest import STP, STP_PEOPLE, token_for
from tests.consistency import assert_consistent

#: A unit no other test writes to: its year holds only what this test does.
UNIT = "ubnd-xa-tan-lap"
ECONOMY, CULTURE, OFFICE = "kinh-te", "van-hoa-xa-hoi", "van-phong-hdnd-ubnd"


class Unit:
    """The unit's people, each sending commands through the gateway."""

    def __init__(self, gateway: httpx.Client) -> None:
        self.gateway = gateway

        def person(sub: str, role: str, department: str | None = None) -> dict[str, str]:
            return token_for(gateway, sub, [role], unit_id=UNIT, department_id=department)

        self.secretary = person("thuky-xa", "iso_secretary", OFFICE)
        self.leader = person("chutich-xa", "unit_leader")
        self.economy = person("tp-kinh-te", "department_leader", ECONOMY)
        self.culture = person("tp-van-hoa", "department_leader", CULTURE)
        self.auditor = person("dgv-vp", "auditor", OFFICE)
        self.auditor_of_economy = person("dgv-kt", "auditor", ECONOMY)

    def send(
        self, who: dict[str, str], path: str, body: Any = None, method: str = "POST"
    ) -> dict[str, Any]:
        reply = self.gateway.request(method, f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code in (200, 201), reply.text
        found: dict[str, Any] = reply.json()
        return found

    def get(self, path: str) -> Any:
        reply = self.gateway.get(f"/api/v1{path}", headers=self.secretary)
        assert reply.status_code == 200, reply.text
        return reply.json()


def eventually(read: Callable[[], Any], holds: Callable[[Any], bool], within: float = 30) -> Any:
    """What `read` gives once `holds` is true of it (the review's consumer is asynchronous)."""
    deadline = time.monotonic() + within
    found = read()
    while not holds(found) and time.monotonic() < deadline:
        time.sleep(0.3)
        found = read()
    assert holds(found), found
    return found


def achieved_objective(unit: Unit, year: int) -> str:
    body = {
        "year": year,
        "title": "Giải quyết hồ sơ đúng hạn",
        "targets": [
            {
                "statement": "100% hồ sơ đúng hạn",
                "indicator": "Tỷ lệ hồ sơ đúng hạn",
                "target_value": 100,
                "unit_of_measure": "%",
                "deadline": f"{year}-12-31",
                "department_id": ECONOMY,
                "action_plan": "Theo dõi hằng tuần",
            }
        ],
    }
    oid: str = unit.send(unit.secretary, f"/units/{UNIT}/objectives", body)["id"]
    unit.send(unit.secretary, f"/objectives/{oid}/submit")
    unit.send(unit.leader, f"/objectives/{oid}/approve")
    unit.send(unit.secretary, f"/objectives/{oid}/disseminate", {"department_ids": [ECONOMY]})
    progress = {"value": 100, "as_of": today().isoformat()}
    unit.send(unit.secretary, f"/objectives/{oid}/targets/t1/progress", progress)
    assert unit.send(unit.leader, f"/objectives/{oid}/evaluate", {})["achieved"] is True
    return oid


def audited_round(unit: Unit, year: int) -> tuple[str, str, str]:
    """Programme, round, and the nonconformity its minor finding opened."""
    programme: str = unit.send(
        unit.secretary, f"/units/{UNIT}/audit-programmes", audit_programme(year, [ECONOMY, CULTURE])
    )["id"]
    unit.send(unit.secretary, f"/audit-programmes/{programme}/submit")
    unit.send(unit.leader, f"/audit-programmes/{programme}/approve")
    auditor = {"sub": "dgv-vp", "name": "Đánh giá viên Văn phòng", "department_id": OFFICE}
    second = {"sub": "dgv-kt", "name": "Đánh giá viên Kinh tế", "department_id": ECONOMY}
    visits = [
        audit_visit(ECONOMY, today(), auditor, "8.5.1", "Hồ sơ đúng hạn?"),
        audit_visit(CULTURE, today(), second, "7.5.3", "Tài liệu được kiểm soát?"),
    ]
    plan: str = unit.send(
        unit.secretary, f"/audit-programmes/{programme}/plans", {"round": 1, "visits": visits}
    )["id"]
    unit.send(unit.secretary, f"/audit-plans/{plan}/submit")
    unit.send(unit.leader, f"/audit-plans/{plan}/approve")
    minor = {"department_id": ECONOMY, "kind": "minor", "clause": "8.5.1", "evidence": "Trễ hạn"}
    unit.send(unit.auditor, f"/audit-plans/{plan}/findings", minor)
    conformity = {"department_id": CULTURE, "kind": "conformity", "evidence": "Đúng quy trình"}
    unit.send(unit.auditor_of_economy, f"/audit-plans/{plan}/findings", conformity)
    unit.send(unit.economy, f"/audit-plans/{plan}/findings/f1/acknowledge")
    unit.send(unit.culture, f"/audit-plans/{plan}/findings/f2/acknowledge")
    unit.send(unit.leader, f"/audit-plans/{plan}/conclude", {"outcome": "improvement_actions"})
    found = unit.get(f"/units/{UNIT}/nonconformities?plan_id={plan}")["nonconformities"]
    assert [n["finding_id"] for n in found] == ["f1"]
    return programme, plan, found[0]["id"]


def corrected(unit: Unit, nc: str) -> dict[str, Any]:
    """Corrected once in vain (reopened), then for good; closed."""
    day = today().isoformat()
    for attempt, effective in ((1, False), (2, True)):
        action = {
            "correction": "Trả kết quả ngay",
            "root_cause": "Không theo dõi hạn" if attempt == 1 else "Sổ theo dõi không ai xem",
            "action": f"Biện pháp lần {attempt}",
            "owner_department_id": ECONOMY,
            "due_date": day,
        }
        unit.send(unit.economy, f"/nonconformities/{nc}/action", action)
        unit.send(
            unit.economy,
            f"/nonconformities/{nc}/implement",
            {"evidence": f"Đã làm lần {attempt}", "implemented_on": day},
        )
        checked = unit.send(
            unit.auditor,
            f"/nonconformities/{nc}/verify",
            {"effective": effective, "note": "Theo dõi một tháng", "verified_on": day},
        )
        assert checked["status"] == ("verified" if effective else "reopened")
    return unit.send(unit.secretary, f"/nonconformities/{nc}/close", {"note": "Có hiệu lực"})


def concluded_review(unit: Unit, year: int) -> str:
    """Issued with a deadline already past; economy reports, culture does not; the conclusion
    has an action and an output needing corrective action in culture."""
    notice = {
        "year": year,
        "title": f"Họp xem xét của lãnh đạo năm {year}",
        "agenda": [
            {"topic": "objective_achievement", "department_ids": [ECONOMY]},
            {"topic": "audit_results", "department_ids": [ECONOMY, CULTURE]},
            {"topic": "nonconformities", "department_ids": []},
        ],
        "report_deadline": (today() - timedelta(days=1)).isoformat(),
        "meeting_date": today().isoformat(),
    }
    review: str = unit.send(unit.secretary, f"/units/{UNIT}/reviews", notice)["id"]
    unit.send(unit.secretary, f"/reviews/{review}/submit")
    unit.send(unit.leader, f"/reviews/{review}/approve")
    unit.send(unit.secretary, f"/reviews/{review}/issue")
    for topic in ("objective_achievement", "audit_results"):
        report = {"department_id": ECONOMY, "topic": topic, "content": f"Báo cáo {topic}"}
        unit.send(unit.economy, f"/reviews/{review}/reports", report)
    consolidated = unit.send(
        unit.secretary, f"/reviews/{review}/consolidate", {"summary": "Tổng hợp"}
    )
    assert consolidated["status"] == "consolidated", consolidated
    meeting = {
        "held_on": today().isoformat(),
        "chair": "Chủ tịch UBND xã",
        "participants": ["Chủ tịch", "Thư ký ISO", "Trưởng các bộ phận"],
        "minutes": "Biên bản họp xem xét",
    }
    unit.send(unit.secretary, f"/reviews/{review}/meeting", meeting)
    conclusion = {
        "summary": "Hệ thống vận hành phù hợp, cần cải tiến",
        "outputs": [
            {
                "kind": "improvement",
                "description": "Nhắc hạn tự động cho hồ sơ",
                "action": {"owner_department_id": ECONOMY, "due_date": today().isoformat()},
            },
            {
                "kind": "qms_change",
                "description": "Tài liệu văn hóa chưa cập nhật",
                "corrective_action_needed": True,
                "department_id": CULTURE,
            },
        ],
    }
    unit.send(unit.secretary, f"/reviews/{review}/conclusion", conclusion, method="PUT")
    unit.send(unit.leader, f"/reviews/{review}/conclusion/approve")
    done = {"evidence": "Đã cấu hình nhắc hạn", "completed_on": today().isoformat()}
    unit.send(unit.economy, f"/reviews/{review}/actions/o1/complete", done)
    unit.send(unit.secretary, f"/reviews/{review}/actions/o1/verify", {"note": "Đã kiểm tra"})
    return review


def test_a_whole_year(stack: Stack, gateway: httpx.Client) -> None:
    unit, year = Unit(gateway), today().year
    objective = achieved_objective(unit, year)
    programme, plan, nc = audited_round(unit, year)
    closed = corrected(unit, nc)
    assert (closed["status"], closed["version"], closed["action"]["attempt"]) == ("closed", 9, 2)
    review = concluded_review(unit, year)

    # The conclusion's output opened a nonconformity in the audit service, by event.
    from_review = eventually(
        lambda: unit.get(f"/units/{UNIT}/nonconformities?source=review")["nonconformities"],
        lambda found: len(found) == 1,
    )
    assert (from_review[0]["department_id"], from_review[0]["review_id"]) == (CULTURE, review)

    evidence = eventually(
        lambda: unit.get(f"/reviews/{review}/evidence"),
        lambda found: found["pack"]["nonconformities"]["opened"] == 2,
    )
    agenda = {item["topic"]: item for item in evidence["agenda"]}
    assert agenda["audit_results"]["missing_departments"] == [CULTURE]
    assert agenda["objective_achievement"]["missing_departments"] == []
    objectives = agenda["objective_achievement"]["objectives"]
    assert (objectives["set"], objectives["achieved"]) == (1, 1)
    assert objectives["objectives"][0]["objective_id"] == objective
    audits = agenda["audit_results"]["audits"]
    assert [p["programme_id"] for p in audits["programmes_approved"]] == [programme]
    assert [(a["plan_id"], a["outcome"]) for a in audits["audits_concluded"]] == [
        (plan, "improvement_actions")
    ]
    assert audits["findings_by_kind"] == {"minor": 1, "conformity": 1}
    ncs = {
        n["nonconformity_id"]: n
        for n in agenda["nonconformities"]["nonconformities"]["nonconformities"]
    }
    assert ncs[nc]["status"] == "closed" and ncs[from_review[0]["id"]]["status"] == "open"
    # Each fact names the events it came from: the audit's opened (v1) and closed (v9).
    assert {event_id(nc, 1), event_id(nc, 9)} <= set(ncs[nc]["event_ids"])

    report = unit.get(f"/units/{UNIT}/iso-report/{year}")
    assert [(r["review_id"], r["concluded"], r["outputs"]) for r in report["reviews_held"]] == [
        (review, True, 2)
    ]
    assert report["objectives"]["achieved"] == 1
    assert len(report["audits"]["audits_concluded"]) == 1
    assert (report["nonconformities"]["opened"], report["nonconformities"]["closed"]) == (2, 1)
    assert all(fact["event_ids"] for fact in report["reviews_held"])
    # Every read model and the evidence pack hold exactly what the event stores hold.
    assert_consistent(stack)


def test_make_run_seeds_an_issued_review_notice(stack: Stack, gateway: httpx.Client) -> None:
    assert "đã ban hành" in seed_review_demo(stack.gateway_url, STP, STP_PEOPLE).lower()
    assert "không thêm" in seed_review_demo(stack.gateway_url, STP, STP_PEOPLE)
    secretary = token_for(gateway, "thuky-stp", ["iso_secretary"], unit_id=STP)
    reviews = gateway.get(f"/api/v1/units/{STP}/reviews", headers=secretary).json()
    assert [r["status"] for r in reviews] == ["issued"]
    owner = token_for(
        gateway,
        "tp-stp",
        ["department_leader"],
        unit_id=STP,
        department_id=STP_PEOPLE.department_id,
    )
    tasks = gateway.get("/api/v1/me/tasks", headers=owner).json()["tasks"]
    assert any(t["id"] == reviews[0]["id"] for t in tasks)
