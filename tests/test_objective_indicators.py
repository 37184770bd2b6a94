"""Objectives linked to statistics, over the real broker and PostgreSQL: a target that follows
the on-time rate of a procedure and one that follows the unit's satisfaction record their
progress by themselves from the procedures' events, and equal the gateway's statistics."""

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from qms_local.demo import procedure_body
from qms_local.stack import Stack
from qms_runtime.clock import TIMEZONE, today
from tests.conftest import UNIT, token_for
from tests.consistency import assert_consistent


def latest(target: dict[str, Any]) -> float | None:
    """The target's latest value as the service evaluates it: the latest date, then the last."""
    entries = list(enumerate(target["progress"]))
    if not entries:
        return None
    return float(max(entries, key=lambda item: (item[1]["as_of"], item[0]))[1]["value"])


def test_targets_follow_the_on_time_rate_and_the_satisfaction(
    stack: Stack, gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> None:
    def send(who: dict[str, str], path: str, body: Any = None, status: int = 200) -> Any:
        reply = gateway.post(f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code == status, reply.text
        return reply.json()

    def read(path: str, who: dict[str, str] = secretary) -> Any:
        reply = gateway.get(f"/api/v1{path}", headers=who)
        assert reply.status_code == 200, reply.text
        return reply.json()

    year = today().year
    desk = token_for(gateway, "tp-vp-ind", ["department_leader"], department_id="van-phong")
    code = f"QT-IND-{uuid.uuid4().hex[:4].upper()}"
    body = procedure_body(code, "Chứng thực thử nghiệm", [("Tiếp nhận", "van-phong", "", 1)])
    body["steps"].append(
        {"name": "Ký", "department_id": "", "role": "unit_leader", "working_days": 1}
    )
    version = send(secretary, f"/units/{UNIT}/procedures", body, 201)
    send(secretary, f"/procedure-versions/{version['id']}/submit")
    send(leader, f"/procedure-versions/{version['id']}/approve")
    send(secretary, f"/procedure-versions/{version['id']}/publish")
    procedure_id = version["procedure_id"]

    # The objective drafted on its page, without JavaScript: the form offers the procedure.
    portal = httpx.Client(base_url=gateway.base_url, timeout=30)
    portal.cookies.set("qms_session", secretary["authorization"].removeprefix("Bearer "))
    form = portal.get("/muc-tieu/moi")
    assert form.status_code == 200 and f"{code} Chứng thực thử nghiệm" in form.text
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    row: dict[str, str] = {
        "statement": "95% hồ sơ giải quyết đúng hạn",
        "indicator": "Tỷ lệ hồ sơ đúng hạn",
        "target_value": "95",
        "unit_of_measure": "%",
        "direction": "at_least",
        "deadline": f"31/12/{year}",
        "department_id": "van-phong",
        "action_plan": "Theo dõi trên bảng hồ sơ",
    }
    fields = {
        "_csrf_token": csrf.group(1),
        "year": str(year),
        "title": f"Phục vụ người dân {code}",
        **{f"targets.0.{k}": v for k, v in row.items()},
        "targets.0.source": f"dossiers_on_time:{procedure_id}",
        **{f"targets.1.{k}": v for k, v in row.items()},
        "targets.1.statement": "90% người dân hài lòng",
        "targets.1.indicator": "Tỷ lệ hài lòng",
        "targets.1.source": "satisfaction",
        **{f"targets.2.{k}": v for k, v in row.items()},
        "targets.2.statement": "Không quá 2 khiếu nại",
        "targets.2.indicator": "Số khiếu nại",
        "targets.2.source": "",
    }
    drafted = portal.post("/muc-tieu/moi", data=fields, follow_redirects=False)
    assert drafted.status_code == 303, drafted.text
    objective_id = drafted.headers["location"].split("?")[0].rsplit("/", 1)[1]
    objective = read(f"/objectives/{objective_id}")
    assert [t["source"] for t in objective["targets"]] == [
        {"kind": "dossiers_on_time", "procedure_id": procedure_id},
        {"kind": "satisfaction", "procedure_id": None},
        None,
    ]
    on_time, satisfaction, by_hand = (t["target_id"] for t in objective["targets"])
    send(secretary, f"/objectives/{objective_id}/submit")
    send(leader, f"/objectives/{objective_id}/approve")
    send(secretary, f"/objectives/{objective_id}/disseminate", {"department_ids": ["van-phong"]})
    progress = {"value": 90, "as_of": today().isoformat()}
    refused = send(
        secretary, f"/objectives/{objective_id}/targets/{on_time}/progress", progress, 422
    )
    assert refused["type"] == "urn:qms:problem:invalid-input" and "tự động" in refused["detail"]
    send(secretary, f"/objectives/{objective_id}/targets/{by_hand}/progress", progress)

    # Dossiers: three received this morning and done today, one received ten days ago (late).
    now = datetime.now(TIMEZONE)
    morning = now.replace(hour=9, minute=0, second=0, microsecond=0)
    if morning > now:
        morning -= timedelta(days=1)

    def file(received: datetime) -> Any:
        dossier = {
            "version_id": version["id"],
            "subject": "Chứng thực bản sao",
            "applicant_name": "Trần Thị B",
            "applicant_contact": "0901234567",
            "received_at": received.isoformat(),
        }
        return send(secretary, f"/units/{UNIT}/dossiers", dossier, 201)

    def complete(dossier: dict[str, Any]) -> dict[str, Any]:
        step: dict[str, Any] = {"note": "Xong", "done_on": today().isoformat(), "cause": "workload"}
        current = dossier
        for who in (desk, leader):
            step["cause"] = "workload" if current["step_due_on"] < step["done_on"] else None
            current = send(who, f"/dossiers/{dossier['id']}/complete-step", step)
        assert current["status"] == "completed"
        return current

    done = [complete(file(morning)) for _ in range(3)]
    done.append(complete(file(morning - timedelta(days=10))))
    assert done[-1]["outcome"] == "late"

    # Citizens rate two results with the code printed on them: one satisfied, one acceptable.
    for dossier, level in zip(done[:2], ("satisfied", "acceptable"), strict=True):
        secret = read(f"/dossiers/{dossier['id']}/rating-secret")["secret"]
        rating = {"code": dossier["code"], "secret": secret, "level": level, "comment": ""}
        reply = gateway.post(f"/api/v1/public/units/{UNIT}/ratings", json=rating)
        assert reply.status_code == 201, reply.text

    def figures() -> tuple[float | None, float | None, int]:
        found = read(f"/units/{UNIT}/dossier-statistics?start={year}-01-01&end={year}-12-31")
        mine = next(p for p in found["procedures"] if p["procedure_id"] == procedure_id)
        good, completed = (
            mine["early"] + mine["on_time"],
            mine["early"] + mine["on_time"] + mine["late"],
        )
        rate = round(100 * good / completed, 1) if completed else None
        return rate, found["satisfaction_percent"], completed

    deadline = time.monotonic() + 60
    while True:
        targets = {t["target_id"]: t for t in read(f"/objectives/{objective_id}")["targets"]}
        rate, satisfied, completed = figures()
        measured = (latest(targets[on_time]), latest(targets[satisfaction]))
        if measured == (rate, satisfied):
            break
        assert time.monotonic() < deadline, f"{measured} never became {(rate, satisfied)}"
        time.sleep(0.5)
    # An entry each time the figure moved: never more than the dossiers completed.
    assert completed >= 3 and rate is not None
    assert 1 < len(targets[on_time]["progress"]) <= completed
    assert satisfied is not None and len(targets[satisfaction]["progress"]) >= 2
    assert all(entry["source_event_id"] for entry in targets[on_time]["progress"])
    assert [entry["source_event_id"] for entry in targets[by_hand]["progress"]] == [None]

    # The page says where each target's figures come from, and which entries came by themselves.
    page = portal.get(f"/muc-tieu/{objective_id}")
    assert page.status_code == 200
    assert f"Tự động: tỷ lệ hồ sơ đúng hạn — {code} Chứng thực thử nghiệm" in page.text
    assert "Tự động: tỷ lệ hài lòng" in page.text and "Nhập tay" in page.text
    assert page.text.count("Cập nhật tiến độ chỉ tiêu") == 1  # the target by hand only
    portal.close()
    # And what the consistency check holds every consumer to: each target equals its statistic.
    assert_consistent(stack)
