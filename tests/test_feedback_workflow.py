"""Citizens' feedback and satisfaction through the gateway, over the real broker and
PostgreSQL: sent without signing in (a daily limit per address), assigned, answered and made
public; a complaint opening a nonconformity in the audit service; a dossier rated once with the
code printed on its result; all of it in the unit's statistics."""

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from qms_audit.domain import COMPLAINTS
from qms_local.demo import procedure_body
from qms_runtime.clock import TIMEZONE, today
from tests.conftest import DEPARTMENT, UNIT


def eventually(check: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_feedback_answered_a_complaint_as_a_nonconformity_and_a_rating(
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    def send(who: dict[str, str], path: str, body: Any = None, status: int = 200) -> Any:
        reply = gateway.post(f"/api/v1{path}", json=body, headers=who)
        assert reply.status_code == status, reply.text
        return reply.json()

    def read(path: str, who: dict[str, str] | None = None) -> Any:
        reply = gateway.get(f"/api/v1{path}", headers=who or {})
        assert reply.status_code == 200, reply.text
        return reply.json()

    def citizen(address: str, path: str, body: Any, status: int) -> Any:
        # The stack's gateway trusts X-Forwarded-For from 127.0.0.1, as behind a local proxy.
        reply = gateway.post(
            f"/api/v1/public/units/{UNIT}{path}", json=body, headers={"X-Forwarded-For": address}
        )
        assert reply.status_code == status, reply.text
        return reply.json()

    complaint = {
        "kind": "complaint",
        "subject_kind": "unit",
        "title": "Trả kết quả trễ hẹn",
        "content": "Hồ sơ của tôi trễ hẹn hai lần mà không được báo trước.",
        "sender_name": "Trần Thị B",
        "sender_contact": "tran.b@example.vn",
    }
    sent = citizen("198.51.100.20", "/feedback", complaint, 201)
    followed = read(f"/public/feedback/{sent['id']}")
    assert (followed["status"], followed["answer"]) == ("received", None)
    assert "content" not in followed and "sender_name" not in followed
    bad = citizen("198.51.100.20", "/feedback", {**complaint, "sender_contact": "không có"}, 422)
    assert bad["status"] == 422 and bad["instance"] == f"/api/v1/public/units/{UNIT}/feedback"

    # Five a day from one address; the sixth is refused, another address goes on.
    for _ in range(4):
        citizen("198.51.100.21", "/feedback", {**complaint, "kind": "suggestion"}, 201)
    citizen("198.51.100.21", "/feedback", complaint, 201)
    limited = citizen("198.51.100.21", "/feedback", complaint, 429)
    assert limited["type"] == "urn:qms:problem:too-many-requests"
    citizen("198.51.100.22", "/feedback", complaint, 201)

    item = f"/feedback/{sent['id']}"
    staff_view = read(item, secretary)
    assert staff_view["sender_name"] == "Trần Thị B" and "sender_contact" not in staff_view
    tasks = read("/me/tasks", secretary)["tasks"]
    assert sent["id"] in [t["id"] for t in tasks]
    assigned = send(secretary, f"{item}/assign", {"department_id": DEPARTMENT})
    assert (assigned["status"], assigned["department_id"]) == ("assigned", DEPARTMENT)
    on = today().isoformat()
    answer = {"text": "Đơn vị xin lỗi; đã chấn chỉnh bộ phận một cửa.", "answered_on": on}
    send(leader, f"{item}/answer", answer, 403)
    answered = send(department_leader, f"{item}/answer", {**answer, "publish": True})
    assert (answered["status"], answered["outcome"], answered["published"]) == (
        "answered",
        "on_time",
        True,
    )
    assert read(f"/public/feedback/{sent['id']}")["answer"] == answer["text"]
    public_answers = read(f"/public/units/{UNIT}/feedback-answers")
    assert sent["id"] in [a["id"] for a in public_answers]

    raised = send(secretary, f"{item}/nonconformity", {"description": "Trễ hẹn không báo trước"})
    assert raised["nonconformity_raised"]
    send(secretary, f"{item}/nonconformity", {"description": "Lần hai"}, 409)
    nonconformity = uuid.uuid5(COMPLAINTS, sent["id"])

    def opened() -> bool:
        reply = gateway.get(f"/api/v1/nonconformities/{nonconformity}", headers=secretary)
        return reply.status_code == 200

    eventually(opened, "the audit service never opened the complaint's nonconformity")
    nc = read(f"/nonconformities/{nonconformity}", secretary)
    assert (nc["source"], nc["department_id"], nc["feedback_id"]) == (
        "complaint",
        DEPARTMENT,
        sent["id"],
    )

    # A dossier done at once (one step, the leader's), rated with the code on its result.
    version = send(
        secretary,
        f"/units/{UNIT}/procedures",
        procedure_body("QT-DG", "Xác nhận nhanh", [("Ký", "", "unit_leader", 1)]),
        201,
    )
    send(secretary, f"/procedure-versions/{version['id']}/submit")
    send(leader, f"/procedure-versions/{version['id']}/approve")
    send(secretary, f"/procedure-versions/{version['id']}/publish")
    received = datetime.now(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    dossier = send(
        secretary,
        f"/units/{UNIT}/dossiers",
        {
            "version_id": version["id"],
            "subject": "Xác nhận",
            "applicant_name": "Lê Văn C",
            "applicant_contact": "0912345678",
            "received_at": received.isoformat(),
        },
        201,
    )
    secret = read(f"/dossiers/{dossier['id']}/rating-secret", secretary)
    assert secret["code"] == dossier["code"] and len(secret["secret"]) == 10
    rating = {"code": dossier["code"], "secret": secret["secret"], "level": "satisfied"}
    not_done = citizen("198.51.100.30", "/ratings", rating, 409)
    assert not_done["type"] == "urn:qms:problem:illegal-transition"
    send(leader, f"/dossiers/{dossier['id']}/complete-step", {"note": "Đã ký", "done_on": on})
    wrong = citizen("198.51.100.30", "/ratings", {**rating, "secret": "AAAAAAAAAA"}, 422)
    assert wrong["field"] == "secret"
    unknown = citizen("198.51.100.30", "/ratings", {**rating, "code": "KHCN-000101-9"}, 422)
    assert (unknown["field"], unknown["detail"]) == (wrong["field"], wrong["detail"])
    citizen(
        "198.51.100.30",
        "/ratings",
        {**rating, "secret": secret["secret"].lower(), "comment": "Nhanh"},
        201,
    )
    twice = citizen("198.51.100.30", "/ratings", rating, 409)
    assert twice["type"] == "urn:qms:problem:illegal-transition"

    figures = read(
        f"/units/{UNIT}/dossier-statistics?start={received.date().isoformat()}", secretary
    )
    assert figures["feedback"]["received"] >= 7 and figures["feedback"]["on_time"] >= 1
    assert figures["ratings"]["satisfied"] >= 1
    assert figures["satisfaction_percent"] is not None
