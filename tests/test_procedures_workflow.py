"""Procedures and dossiers through the gateway, over the real broker and PostgreSQL: versions
published and replaced, dossiers moved step by step, statistics from what happened."""

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from qms_audit.domain import OUTPUT_CAUSES
from qms_local.demo import procedure_body, seed_procedures_demo
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE, today
from tests.conftest import DEPARTMENT, STP, STP_PEOPLE, UNIT, token_for


def test_versions_dossiers_and_their_statistics(
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    def send(who: dict[str, str], path: str, body: Any = None, status: int = 200) -> Any:
        reply = gateway.post(f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code == status, reply.text
        return reply.json()

    def read(path: str, who: dict[str, str] = secretary) -> Any:
        reply = gateway.get(f"/api/v1{path}", headers=who)
        assert reply.status_code == 200, reply.text
        return reply.json()

    desk_head = token_for(gateway, "tp-vp", ["department_leader"], department_id="van-phong")
    expert = token_for(gateway, "cv-e2e", ["staff"], department_id=DEPARTMENT)
    body = procedure_body(
        "QT-E2E",
        "Xác nhận thử nghiệm",
        [
            ("Tiếp nhận", "van-phong", "", 1),
            ("Thẩm định", DEPARTMENT, "", 3),
            ("Ký", "", "unit_leader", 1),
        ],
    )
    first = send(secretary, f"/units/{UNIT}/procedures", body, 201)
    assert (first["status"], first["number"], first["code"]) == ("draft", 1, "QT-E2E")
    again = send(secretary, f"/units/{UNIT}/procedures", body, 409)
    assert again["type"] == "urn:qms:problem:version-conflict"
    send(secretary, f"/procedure-versions/{first['id']}/submit")
    send(leader, f"/procedure-versions/{first['id']}/approve")
    published = send(secretary, f"/procedure-versions/{first['id']}/publish")
    assert published["status"] == "published" and published["departments"] == [
        "van-phong",
        DEPARTMENT,
    ]
    public = gateway.get(f"/api/v1/public/units/{UNIT}/procedures").json()
    assert first["id"] in [p["id"] for p in public]

    # Filed before 15:00 today: the first step counts from today if it is a working day.
    received = datetime.now(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)

    def file(subject: str) -> Any:
        dossier = {
            "version_id": first["id"],
            "subject": subject,
            "applicant_name": "Nguyễn Văn A",
            "applicant_contact": "0901234567",
            "received_at": received.isoformat(),
        }
        return send(secretary, f"/units/{UNIT}/dossiers", dossier, 201)

    dossiers = [file(f"Hồ sơ {n}") for n in range(3)]
    codes = [d["code"] for d in dossiers]
    stamp = received.strftime("%y%m%d")
    assert all(code.startswith(f"KHCN-{stamp}-") for code in codes)
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 3)), "no gap between codes"
    one, two, three = dossiers
    assert one["step_department"] == "van-phong" and one["current_step"] == 0

    on = today().isoformat()
    step = {"note": "Đủ thành phần", "done_on": on}
    # The expert is not the desk: 403; the desk's leader completes the first step.
    assert send(expert, f"/dossiers/{one['id']}/complete-step", step, 403)["status"] == 403
    moved = send(desk_head, f"/dossiers/{one['id']}/complete-step", step)
    assert (moved["current_step"], moved["step_department"]) == (1, DEPARTMENT)
    returned = send(
        expert,
        f"/dossiers/{one['id']}/return",
        {"step": 0, "reason": "Thiếu chữ ký", "cause": "missing_documents"},
    )
    assert returned["current_step"] == 0
    for who in (desk_head, expert, leader):
        last = send(who, f"/dossiers/{one['id']}/complete-step", step)
    assert (last["status"], last["outcome"]) == ("completed", "early")
    send(secretary, f"/dossiers/{one['id']}/archive")

    supplement = send(
        desk_head, f"/dossiers/{two['id']}/supplement-request", {"reason": "Thiếu bản sao"}
    )
    assert supplement["status"] == "supplement_requested"
    resumed = send(
        secretary,
        f"/dossiers/{two['id']}/supplement-received",
        {"received_at": received.isoformat()},
    )
    assert resumed["status"] == "processing" and resumed["supplement_requests"] == 1
    # The new return date must be a working day.
    later = WorkingCalendar().first_counted_day(received + timedelta(days=60))
    apology = send(
        desk_head,
        f"/dossiers/{three['id']}/extend-due-date",
        {"new_due_on": later.isoformat(), "reason": "Cần xác minh"},
    )
    assert apology["extended"] and apology["due_on"] > three["due_on"]
    again = send(
        desk_head,
        f"/dossiers/{three['id']}/extend-due-date",
        {"new_due_on": (later + timedelta(days=7)).isoformat(), "reason": "Lần hai"},
        409,
    )
    assert again["type"] == "urn:qms:problem:illegal-transition"

    # A second version: the first is obsolete; a dossier filed under it keeps its steps.
    second = send(
        secretary,
        f"/procedures/{first['procedure_id']}/versions",
        {k: v for k, v in body.items() if k != "code"},
        201,
    )
    assert second["number"] == 2
    send(secretary, f"/procedure-versions/{second['id']}/submit")
    send(leader, f"/procedure-versions/{second['id']}/approve")
    send(secretary, f"/procedure-versions/{second['id']}/publish")
    # Read-your-writes covers the published version; the replaced one follows on the bus.
    deadline = time.monotonic() + 10
    while read(f"/procedure-versions/{first['id']}")["status"] != "obsolete":
        assert time.monotonic() < deadline, "the replaced version never became obsolete"
        time.sleep(0.05)
    assert read(f"/dossiers/{two['id']}")["version_number"] == 1
    refused = send(
        secretary,
        f"/units/{UNIT}/dossiers",
        {
            "version_id": first["id"],
            "subject": "Theo bản cũ",
            "applicant_name": "B",
            "applicant_contact": "0900000000",
            "received_at": received.isoformat(),
        },
        422,
    )
    assert refused["status"] == 422
    ack = send(department_leader, f"/procedure-versions/{second['id']}/acknowledge")
    assert ack["acknowledged"] == {DEPARTMENT: "truongphong"}
    tasks = read("/me/tasks", desk_head)["tasks"]
    assert ("acknowledge", second["id"]) in [(t["action"], t["id"]) for t in tasks]

    figures = read(f"/units/{UNIT}/dossier-statistics?start={received.date().isoformat()}")
    mine = next(p for p in figures["procedures"] if p["procedure_id"] == first["procedure_id"])
    assert (mine["received"], mine["early"], mine["open"], mine["supplement_requests"]) == (
        3,
        1,
        2,
        1,
    )
    pareto = read(
        f"/units/{UNIT}/nonconforming-outputs/pareto?procedure_id={first['procedure_id']}"
    )
    assert [(p["cause"], p["outputs"]) for p in pareto] == [("missing_documents", 1)]

    # Corrective action for that cause: internal audit opens the nonconformity, once.
    cause = {
        "procedure_id": first["procedure_id"],
        "cause": "missing_documents",
        "start": received.date().isoformat(),
        "end": on,
        "department_id": "van-phong",
        "description": "Hồ sơ thiếu chữ ký người nộp",
    }
    send(department_leader, f"/units/{UNIT}/cause-nonconformities", cause, 403)
    raised = send(secretary, f"/units/{UNIT}/cause-nonconformities", cause, 201)
    assert (raised["cause"], raised["department_id"]) == ("missing_documents", "van-phong")
    again = send(secretary, f"/units/{UNIT}/cause-nonconformities", cause, 409)
    assert again["type"] == "urn:qms:problem:illegal-transition"
    opened = f"/nonconformities/{uuid.uuid5(OUTPUT_CAUSES, raised['id'])}"
    deadline = time.monotonic() + 20
    while gateway.get(f"/api/v1{opened}", headers=secretary).status_code != 200:
        assert time.monotonic() < deadline, "internal audit never opened the nonconformity"
        time.sleep(0.1)
    nonconformity = read(opened)
    assert (nonconformity["source"], nonconformity["cause_raise_id"]) == (
        "process_monitoring",
        raised["id"],
    )


def test_the_demo_seed_publishes_two_procedures_once(gateway: httpx.Client) -> None:
    assert "4 hồ sơ" in seed_procedures_demo(str(gateway.base_url), STP, STP_PEOPLE)
    assert "không thêm" in seed_procedures_demo(str(gateway.base_url), STP, STP_PEOPLE)
    public = gateway.get(f"/api/v1/public/units/{STP}/procedures").json()
    assert sorted(p["code"] for p in public) == ["QT-05", "QT-07"]
