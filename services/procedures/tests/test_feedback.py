"""Citizens' feedback and satisfaction ratings: the rules of each record (no I/O), then the
application on in-memory persistence (who may do what, the daily limit per address, ratings by
secret), and both limits under concurrency on PostgreSQL.

2026 dates follow `holidays.VN` (see test_working_days.py): 27/04, 30/04 and 01/05 are off;
March 2026 has no holiday (Monday 02/03, Friday 13/03, Monday 16/03).
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import partial
from typing import Any

import pytest

from qms_contracts import model_for_type
from qms_procedures.application import ProceduresApplication
from qms_procedures.domain import ProcedureContent, ProcedureVersion, Step
from qms_procedures.dossiers import Applicant
from qms_procedures.feedback import (
    CITIZEN,
    Feedback,
    FeedbackQuota,
    SatisfactionRating,
    address_digest,
    quota_id,
    rating_id,
    rating_secret,
    secret_matches,
)
from qms_procedures.publishing import MAPPER
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    QmsError,
    TooManyRequests,
    VersionConflict,
)
from qms_runtime.eventstore import ensure_schema, persistence_env
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, STAFF, UNIT_LEADER
from qms_runtime.testing import assert_rejected, context, stamp

UNIT = "so-khcn"
#: The secret key of ratings and address digests, given as the service is given it.
KEY = b"the tests' rating key"
SETTINGS = {"QMS_RATING_KEY": KEY.decode()}
CAL = WorkingCalendar()
CITIZEN_STAMP = stamp(CITIZEN, UNIT)
DESK_STAMP = stamp("motcua", UNIT)
ADDRESS = "203.0.113.7"


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TIMEZONE)


def check_event(event: object, cls: type[object], /, **expected: object) -> None:
    """`event` is a `cls` and carries the `expected` fields."""
    assert isinstance(event, cls), f"{type(event).__name__} is not {cls.__name__}"
    assert {name: getattr(event, name) for name in expected} == expected


def refused(record: Any, command: Callable[[], object], field: str) -> None:
    """`command` raises InvalidInput about `field` and records nothing."""
    error = assert_rejected(record, command, InvalidInput)
    assert isinstance(error, InvalidInput) and error.extensions["field"] == field


# Feedback, the record


def received(**changes: Any) -> Feedback:
    values: dict[str, Any] = {
        "kind": "complaint",
        "subject_kind": "dossier",
        "subject_ref": " skhcn-260302-1 ",
        "title": "Trả kết quả chậm",
        "content": "Hồ sơ của tôi quá hẹn mà chưa có kết quả.",
        "sender_name": "Trần Thị Bình",
        "sender_contact": "0901 234 567",
        "received_at": vn(3, 2, 9),
        "answer_days": 10,
        "calendar": CAL,
        "stamp": CITIZEN_STAMP,
    }
    return Feedback.receive(**{**values, **changes})


def assigned(**changes: Any) -> Feedback:
    feedback = received(**changes)
    feedback.assign(department_id="quan-ly-khcn", stamp=DESK_STAMP)
    return feedback


def answer(
    feedback: Feedback, on: date, publish: bool = False, today: date = date(2026, 6, 30)
) -> None:
    feedback.answer(
        text="Đã trả kết quả", answered_on=on, publish=publish, today=today, stamp=DESK_STAMP
    )


@pytest.mark.parametrize(
    ("received_at", "due_on"),
    [
        (vn(3, 2, 9), date(2026, 3, 13)),
        (vn(3, 2, 15, 0), date(2026, 3, 13)),  # 15:00 still counts the day
        (vn(3, 2, 15, 1), date(2026, 3, 16)),  # after 15:00: from Tuesday
        (vn(3, 7, 9), date(2026, 3, 20)),  # a Saturday: from Monday
        (vn(4, 20, 9), date(2026, 5, 6)),  # across 27/04, 30/04 and 01/05
    ],
)
def test_the_answer_is_due_in_working_days_from_the_first_counted_day(
    received_at: datetime, due_on: date
) -> None:
    assert received(received_at=received_at).answer_due_on == due_on


def test_a_received_feedback_keeps_what_was_sent_with_its_code_normalised() -> None:
    feedback = received()
    assert (feedback.unit_id, feedback.status, feedback.department_id) == (UNIT, "received", None)
    assert (feedback.kind, feedback.subject_kind, feedback.subject_ref) == (
        "complaint",
        "dossier",
        "SKHCN-260302-1",
    )
    assert (feedback.sender_contact, feedback.published, feedback.answer_text) == (
        "0901 234 567",
        False,
        None,
    )
    unit = received(subject_kind="unit", subject_ref="  ", kind="suggestion")
    assert (unit.subject_kind, unit.subject_ref) == ("unit", "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "praise"}, "kind"),
        ({"subject_kind": "person"}, "subject_kind"),
        ({"subject_kind": "unit", "subject_ref": "QT-01"}, "subject_ref"),
        ({"subject_kind": "procedure", "subject_ref": " "}, "subject_ref"),
        ({"title": " "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"content": ""}, "content"),
        ({"content": "x" * 5001}, "content"),
        ({"sender_name": " "}, "sender_name"),
        ({"sender_contact": ""}, "sender_contact"),
        ({"sender_contact": "12345"}, "sender_contact"),
        ({"sender_contact": "binh@localhost"}, "sender_contact"),
        ({"sender_contact": "gọi tôi"}, "sender_contact"),
    ],
)
def test_feedback_needs_a_known_kind_a_subject_a_text_and_a_way_to_answer(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        received(**changes)
    assert info.value.extensions["field"] == field


@pytest.mark.parametrize("contact", ["0901234567", "+84 90-123-4567", "(024) 3826.1234", "b@x.vn"])
def test_a_phone_number_or_an_email_is_a_contact(contact: str) -> None:
    assert received(sender_contact=f" {contact} ").sender_contact == contact


def test_feedback_is_assigned_and_reassigned_while_unanswered() -> None:
    feedback = received()
    feedback.collect_events()
    refused(feedback, lambda: feedback.assign(department_id=" ", stamp=DESK_STAMP), "department_id")
    feedback.assign(department_id="mot-cua", stamp=DESK_STAMP)
    to_desk = partial(feedback.assign, department_id="mot-cua", stamp=DESK_STAMP)
    refused(feedback, to_desk, "department_id")
    feedback.assign(department_id="quan-ly-khcn", stamp=DESK_STAMP)
    first, second = feedback.collect_events()
    check_event(first, Feedback.Assigned, department_id="mot-cua", previous=None)
    check_event(second, Feedback.Assigned, department_id="quan-ly-khcn", previous="mot-cua")
    assert (feedback.status, feedback.department_id) == ("assigned", "quan-ly-khcn")
    answer(feedback, date(2026, 3, 5))
    assert_rejected(feedback, to_desk, IllegalTransition)


def test_only_assigned_feedback_is_answered() -> None:
    feedback = received()
    assert_rejected(feedback, lambda: answer(feedback, date(2026, 3, 5)), IllegalTransition)


@pytest.mark.parametrize(
    ("received_at", "answered_on", "outcome"),
    [
        (vn(3, 2, 9), date(2026, 3, 2), "on_time"),
        (vn(3, 2, 9), date(2026, 3, 13), "on_time"),
        (vn(3, 2, 9), date(2026, 3, 16), "late"),
        (vn(3, 2, 15, 1), date(2026, 3, 16), "on_time"),
        (vn(4, 20, 9), date(2026, 5, 6), "on_time"),  # the holidays gave three more days
        (vn(4, 20, 9), date(2026, 5, 7), "late"),
    ],
)
def test_an_answer_is_on_time_up_to_its_due_date(
    received_at: datetime, answered_on: date, outcome: str
) -> None:
    feedback = assigned(received_at=received_at)
    feedback.collect_events()
    answer(feedback, answered_on)
    [event] = feedback.collect_events()
    due_on, department = feedback.answer_due_on, "quan-ly-khcn"
    check_event(event, Feedback.Answered, outcome=outcome, due_on=due_on, department_id=department)
    assert (feedback.status, feedback.outcome, feedback.answer_text) == (
        "answered",
        outcome,
        "Đã trả kết quả",
    )


def test_an_answer_needs_a_text_and_a_day_between_receipt_and_today() -> None:
    feedback = assigned(received_at=vn(3, 2, 16))
    refused(
        feedback, lambda: answer(feedback, date(2026, 3, 6), today=date(2026, 3, 5)), "answered_on"
    )
    refused(feedback, lambda: answer(feedback, date(2026, 3, 1)), "answered_on")
    day = date(2026, 3, 3)
    empty = partial(
        feedback.answer, text=" ", answered_on=day, publish=False, today=day, stamp=DESK_STAMP
    )
    refused(feedback, empty, "text")
    answer(feedback, date(2026, 3, 2))  # received after 15:00, answered the same day


def publish(feedback: Feedback) -> None:
    feedback.publish_answer(on=date(2026, 3, 6), stamp=DESK_STAMP)


def raise_nc(feedback: Feedback, text: str = "Trả kết quả quá hạn") -> None:
    feedback.raise_nonconformity(description=text, stamp=DESK_STAMP)


def test_an_answer_is_published_with_it_or_later_once() -> None:
    feedback = assigned()
    assert_rejected(feedback, lambda: publish(feedback), IllegalTransition)
    answer(feedback, date(2026, 3, 5))
    assert not feedback.published
    publish(feedback)
    assert feedback.published
    assert_rejected(feedback, lambda: publish(feedback), IllegalTransition)
    at_once = assigned()
    answer(at_once, date(2026, 3, 5), publish=True)
    assert at_once.published
    assert_rejected(at_once, lambda: publish(at_once), IllegalTransition)


def test_a_complaint_raises_one_nonconformity_in_its_department() -> None:
    suggestion = assigned(kind="suggestion")
    assert_rejected(suggestion, lambda: raise_nc(suggestion), IllegalTransition)
    complaint = received()
    assert_rejected(complaint, lambda: raise_nc(complaint), IllegalTransition)  # no department yet
    complaint.assign(department_id="quan-ly-khcn", stamp=DESK_STAMP)
    complaint.collect_events()
    refused(complaint, lambda: raise_nc(complaint, " "), "description")
    raise_nc(complaint)
    [event] = complaint.collect_events()
    described = {"department_id": "quan-ly-khcn", "description": "Trả kết quả quá hạn"}
    check_event(event, Feedback.NonconformityRaised, **described)
    assert_rejected(complaint, lambda: raise_nc(complaint), IllegalTransition)
    answered = assigned()
    answer(answered, date(2026, 3, 5))
    raise_nc(answered)  # an answered complaint still can


# The daily limit per address, and the address's digest


def test_a_quota_gives_up_to_its_limit_per_address_and_day() -> None:
    digest = address_digest(KEY, ADDRESS)
    quota = FeedbackQuota(digest=digest, day=date(2026, 3, 2))
    for _ in range(3):
        quota.take(3)
    error = assert_rejected(quota, lambda: quota.take(3), TooManyRequests)
    assert "3 phản ánh" in str(error)
    assert quota.id == quota_id(digest, date(2026, 3, 2))
    assert quota_id(digest, date(2026, 3, 3)) != quota.id
    assert quota_id(address_digest(KEY, "203.0.113.8"), date(2026, 3, 2)) != quota.id


def test_the_digest_is_sha256_of_the_address_an_ipv6_counted_by_its_64() -> None:
    assert (
        address_digest(KEY, f" {ADDRESS} ")
        == hmac.new(KEY, ADDRESS.encode(), hashlib.sha256).hexdigest()
    )
    assert address_digest(KEY, "::ffff:203.0.113.7") == address_digest(KEY, ADDRESS)
    same_64 = (
        address_digest(KEY, "2001:db8:1:2::1"),
        address_digest(KEY, "2001:DB8:1:2:ffff::9"),
    )
    assert same_64[0] == same_64[1]
    assert address_digest(KEY, "2001:db8:1:3::1") != same_64[0]
    assert (
        address_digest(KEY, "proxy-token")
        == hmac.new(KEY, b"proxy-token", hashlib.sha256).hexdigest()
    )
    with pytest.raises(ValueError, match="address"):
        address_digest(KEY, " ")


# The rating secret


def test_the_rating_secret_is_short_per_dossier_and_key_and_typed_loosely() -> None:
    dossier, other = uuid.uuid4(), uuid.uuid4()
    secret = rating_secret(KEY, dossier)
    assert len(secret) == 10 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert secret == rating_secret(KEY, dossier)
    assert secret != rating_secret(KEY, other)
    assert secret != rating_secret(b"another key of sixteen bytes", dossier)
    assert secret_matches(KEY, dossier, f" {secret[:5].lower()}-{secret[5:]} ")
    assert not secret_matches(KEY, other, secret)
    assert not secret_matches(KEY, dossier, secret[:9])
    with pytest.raises(ValueError, match="16 bytes"):
        rating_secret(b"short", dossier)


# The application

SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
DESK = context("motcua", STAFF, unit=UNIT, department="mot-cua")
EXPERT = context("chuyenvien", STAFF, unit=UNIT, department="quan-ly-khcn")
EXPERTS_HEAD = context("tp", DEPARTMENT_LEADER, unit=UNIT, department="quan-ly-khcn")
OTHER_HEAD = context("tp2", DEPARTMENT_LEADER, unit=UNIT, department="tai-chinh")
STRANGER = context("thuky2", ISO_SECRETARY, unit="ubnd-xa")
TODAY = date(2026, 3, 2)
MONDAY_MORNING = vn(3, 2, 9)
CONTENT = ProcedureContent(
    name="Cấp giấy xác nhận",
    scope="Hồ sơ nội bộ",
    steps=(
        Step("Tiếp nhận", "mot-cua", "", 1),
        Step("Thẩm định", "quan-ly-khcn", "", 3),
        Step("Ký duyệt", "", UNIT_LEADER, 1),
    ),
    forms=(),
    review_on=date(2027, 3, 1),
)


def _app(app: ProceduresApplication) -> ProceduresApplication:
    app.today = lambda: TODAY
    return app


@pytest.fixture
def app() -> ProceduresApplication:
    return _app(ProceduresApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **SETTINGS}))


def send(app: ProceduresApplication, address: str = ADDRESS, **changes: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "kind": "complaint",
        "subject_kind": "unit",
        "subject_ref": "",
        "title": "Thái độ tiếp dân",
        "content": "Cán bộ một cửa không hướng dẫn rõ.",
        "sender_name": "Lê Văn Cường",
        "sender_contact": "cuong@example.vn",
        "address": address,
        "received_at": MONDAY_MORNING,
    }
    return app.send_feedback(UNIT, **{**values, **changes}).id


def published(app: ProceduresApplication) -> uuid.UUID:
    """Procedure QT-05 of the unit, in force."""
    version = app.draft_procedure(SECRETARY, UNIT, "QT-05", CONTENT)
    app.submit(SECRETARY, ProcedureVersion, version.id, None)
    app.approve(LEADER, ProcedureVersion, version.id, None)
    app.publish(SECRETARY, version.id, None)
    return version.id


def filed(app: ProceduresApplication, version: uuid.UUID) -> uuid.UUID:
    return app.file_dossier(
        DESK,
        UNIT,
        prefix="SKHCN",
        version_id=version,
        subject="Xác nhận đề tài",
        applicant=Applicant("Nguyễn Văn A", "0901234567"),
        received_at=MONDAY_MORNING,
    ).id


def completed_dossier(app: ProceduresApplication, version: uuid.UUID | None = None) -> uuid.UUID:
    dossier = filed(app, version or published(app))
    for who in (DESK, EXPERT, LEADER):
        app.complete_step(who, dossier, None, note="Xong", done_on=TODAY, cause=None)
    return dossier


def rate(
    app: ProceduresApplication, dossier: uuid.UUID, secret: str | None = None, **more: Any
) -> uuid.UUID:
    values: dict[str, Any] = {"level": "satisfied", "comment": "", "rated_at": vn(3, 2, 16)}
    if secret is None:
        secret = rating_secret(app.rating_key, dossier)
    return app.rate_dossier(UNIT, dossier, secret=secret, **{**values, **more}).id


def test_a_citizen_sends_feedback_without_signing_in(app: ProceduresApplication) -> None:
    result = app.send_feedback(
        UNIT,
        kind="suggestion",
        subject_kind="unit",
        subject_ref="",
        title="Thêm ghế chờ",
        content="Phòng một cửa thiếu ghế.",
        sender_name="Lê Văn Cường",
        sender_contact="0912345678",
        address=ADDRESS,
        received_at=MONDAY_MORNING,
        correlation_id="req-7",
    )
    feedback = app.load(Feedback, result.id)
    assert (feedback.status, feedback.answer_due_on, result.version) == (
        "received",
        date(2026, 3, 13),
        1,
    )
    [received_event] = app.events_after(result.id, 0, 10)
    check_event(received_event, Feedback.Received, stamp=stamp(CITIZEN, UNIT, "req-7"))
    without_id = app.load(Feedback, send(app, "198.51.100.1"))
    [other] = app.events_after(without_id.id, 0, 1)
    assert getattr(other, "stamp").correlation_id  # noqa: B009  (a fresh one)


def test_feedback_cannot_be_dated_after_today(app: ProceduresApplication) -> None:
    with pytest.raises(InvalidInput) as info:
        send(app, received_at=vn(3, 3, 8))
    assert info.value.extensions["field"] == "received_at"


def test_the_answer_days_are_the_applications_to_set(app: ProceduresApplication) -> None:
    app.feedback_answer_days = 3
    assert app.load(Feedback, send(app)).answer_due_on == date(2026, 3, 4)


def test_feedback_about_a_procedure_names_one_the_unit_has(app: ProceduresApplication) -> None:
    with pytest.raises(InvalidInput) as info:
        send(app, subject_kind="procedure", subject_ref="QT-05")
    assert info.value.extensions["field"] == "subject_ref"
    published(app)
    feedback = app.load(Feedback, send(app, subject_kind="procedure", subject_ref=" qt-05"))
    assert feedback.subject_ref == "QT-05"


def test_an_address_sends_a_limited_number_a_day(app: ProceduresApplication) -> None:
    for _ in range(app.feedback_per_address_per_day):
        send(app)
    before = app.recorder.max_notification_id()
    with pytest.raises(TooManyRequests, match="5 phản ánh"):
        send(app)
    assert app.recorder.max_notification_id() == before  # nothing saved, not even the quota
    send(app, "198.51.100.1")  # another address
    app.today = lambda: date(2026, 3, 3)
    send(app, received_at=vn(3, 3, 8))  # a new day
    quota = app.load(FeedbackQuota, quota_id(address_digest(KEY, ADDRESS), TODAY))
    assert quota.used == app.feedback_per_address_per_day == 5


def test_the_limit_is_the_applications_to_set(app: ProceduresApplication) -> None:
    app.feedback_per_address_per_day = 1
    send(app)
    with pytest.raises(TooManyRequests):
        send(app)


def test_only_the_addresss_digest_is_stored_and_no_contact_is_published(
    app: ProceduresApplication,
) -> None:
    feedback = send(app, sender_contact="0987654321")
    stored = b"".join(n.state for n in app.recorder.select_notifications(1, 100))
    assert ADDRESS.encode() not in stored
    assert address_digest(KEY, ADDRESS).encode() in stored
    events, _ = app.notifications_after(0, 100)
    published = [item.payload for item in map(MAPPER, events) if item is not None]
    assert [type(p).__name__ for p in published] == ["FeedbackReceived"]
    text = json.dumps(published[0].model_dump(mode="json"))
    assert str(feedback) in text
    assert "0987654321" not in text and ADDRESS not in text
    assert address_digest(KEY, ADDRESS) not in text


def test_the_unit_assigns_and_the_department_answers(app: ProceduresApplication) -> None:
    feedback = send(app)
    with pytest.raises(Forbidden):
        app.assign_feedback(DESK, feedback, None, "quan-ly-khcn")
    with pytest.raises(Forbidden):
        app.assign_feedback(STRANGER, feedback, None, "quan-ly-khcn")
    with pytest.raises(Forbidden):  # not assigned: only the secretary could (and gets 409)
        app.answer_feedback(
            EXPERT, feedback, None, text="Đã xử lý", answered_on=TODAY, publish=False
        )
    app.assign_feedback(SECRETARY, feedback, 1, "tai-chinh")
    app.assign_feedback(LEADER, feedback, 2, "quan-ly-khcn")
    with pytest.raises(VersionConflict):
        app.assign_feedback(LEADER, feedback, 2, "mot-cua")
    for outsider in (DESK, OTHER_HEAD, LEADER):
        with pytest.raises(Forbidden):
            app.answer_feedback(
                outsider, feedback, None, text="Đã xử lý", answered_on=TODAY, publish=False
            )
    app.answer_feedback(EXPERT, feedback, 3, text="Đã xử lý", answered_on=TODAY, publish=False)
    answered = app.load(Feedback, feedback)
    assert (answered.status, answered.outcome, answered.published) == ("answered", "on_time", False)


@pytest.mark.parametrize("who", [EXPERTS_HEAD, SECRETARY])
def test_the_departments_leader_or_the_secretary_answers_too(
    app: ProceduresApplication, who: Any
) -> None:
    feedback = send(app)
    app.assign_feedback(SECRETARY, feedback, None, "quan-ly-khcn")
    app.answer_feedback(who, feedback, None, text="Đã xử lý", answered_on=TODAY, publish=True)
    assert app.load(Feedback, feedback).published


def test_an_answer_is_published_later_by_its_department_or_the_unit_leader(
    app: ProceduresApplication,
) -> None:
    feedback = send(app)
    app.assign_feedback(SECRETARY, feedback, None, "quan-ly-khcn")
    app.answer_feedback(EXPERT, feedback, None, text="Đã xử lý", answered_on=TODAY, publish=False)
    for outsider in (DESK, STRANGER):
        with pytest.raises(Forbidden):
            app.publish_feedback_answer(outsider, feedback, None)
    app.publish_feedback_answer(LEADER, feedback, None)
    with pytest.raises(IllegalTransition):
        app.publish_feedback_answer(EXPERT, feedback, None)
    [event] = app.events_after(feedback, 3, 10)
    check_event(event, Feedback.AnswerPublished, on=TODAY)


def test_the_secretary_raises_a_nonconformity_from_a_complaint_once(
    app: ProceduresApplication,
) -> None:
    complaint, suggestion = send(app), send(app, kind="suggestion")
    for feedback in (complaint, suggestion):
        app.assign_feedback(SECRETARY, feedback, None, "mot-cua")
    with pytest.raises(Forbidden):
        app.raise_complaint_nonconformity(LEADER, complaint, None, "Hướng dẫn chưa rõ")
    with pytest.raises(IllegalTransition):
        app.raise_complaint_nonconformity(SECRETARY, suggestion, None, "Hướng dẫn chưa rõ")
    app.raise_complaint_nonconformity(SECRETARY, complaint, 2, "Hướng dẫn chưa rõ")
    with pytest.raises(IllegalTransition):
        app.raise_complaint_nonconformity(SECRETARY, complaint, None, "Lần nữa")
    [event] = app.events_after(complaint, 2, 10)
    outgoing = MAPPER(event)
    assert outgoing is not None
    assert outgoing.payload.model_dump() == {
        "feedback_id": str(complaint),
        "unit_id": UNIT,
        "department_id": "mot-cua",
        "description": "Hướng dẫn chưa rõ",
        "source": "complaint",
        "raised_by": "thuky",
    }


def test_the_desk_gets_the_secret_to_print_on_the_result(app: ProceduresApplication) -> None:
    dossier = completed_dossier(app)
    assert app.rating_secret_for(DESK, dossier) == rating_secret(KEY, dossier)
    app.rating_key = b"the production key, from settings"
    assert app.rating_secret_for(SECRETARY, dossier) == rating_secret(app.rating_key, dossier)
    assert app.rating_secret_for(SECRETARY, dossier) != rating_secret(KEY, dossier)
    for outsider in (LEADER, STRANGER):
        with pytest.raises(Forbidden):
            app.rating_secret_for(outsider, dossier)


def test_a_citizen_rates_a_completed_dossier_once(app: ProceduresApplication) -> None:
    dossier = completed_dossier(app)
    rating = rate(app, dossier, level="not_satisfied", comment=" Chờ lâu ", correlation_id="r-9")
    assert rating == rating_id(dossier)
    recorded = app.load(SatisfactionRating, rating)
    assert (recorded.unit_id, recorded.dossier_id, recorded.level, recorded.comment) == (
        UNIT,
        dossier,
        "not_satisfied",
        "Chờ lâu",
    )
    [event] = app.events_after(rating, 0, 10)
    check_event(event, SatisfactionRating.Rated, stamp=stamp(CITIZEN, UNIT, "r-9"))
    with pytest.raises(IllegalTransition, match="Hồ sơ đã được đánh giá"):
        rate(app, dossier, level="satisfied")
    with pytest.raises(InvalidInput) as info:  # a wrong secret learns nothing, not even that
        rate(app, dossier, secret="AAAAAAAAAA")
    assert info.value.extensions["field"] == "secret"


def test_an_archived_dossier_is_rated_an_open_one_is_not(app: ProceduresApplication) -> None:
    version = published(app)
    dossier = completed_dossier(app, version)
    app.archive_dossier(DESK, dossier, None)
    rate(app, dossier, level="acceptable")
    open_dossier = filed(app, version)
    with pytest.raises(IllegalTransition, match="đã có kết quả"):
        rate(app, open_dossier)
    assert app.find(SatisfactionRating, rating_id(open_dossier)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"secret": "AAAAAAAAAA"}, "secret"),
        ({"level": "great"}, "level"),
        ({"comment": "x" * 2001}, "comment"),
        ({"rated_at": vn(3, 3, 8)}, "rated_at"),
    ],
)
def test_a_rating_needs_the_secret_a_level_and_a_short_comment(
    app: ProceduresApplication, changes: dict[str, Any], field: str
) -> None:
    dossier = completed_dossier(app)
    with pytest.raises(InvalidInput) as info:
        rate(app, dossier, **changes)
    assert info.value.extensions["field"] == field
    rate(app, dossier, comment="x" * 2000)


def test_a_dossier_of_another_unit_or_no_dossier_is_not_found(app: ProceduresApplication) -> None:
    dossier = completed_dossier(app)
    with pytest.raises(NotFound):
        app.rate_dossier(
            "ubnd-xa",
            dossier,
            secret=rating_secret(app.rating_key, dossier),
            level="satisfied",
            comment="",
            rated_at=vn(3, 2, 16),
        )
    with pytest.raises(NotFound):
        rate(app, uuid.uuid4())


def test_every_new_event_maps_to_a_registered_valid_contract(app: ProceduresApplication) -> None:
    complaint = send(app)
    app.assign_feedback(SECRETARY, complaint, None, "mot-cua")
    app.assign_feedback(SECRETARY, complaint, None, "quan-ly-khcn")
    app.answer_feedback(EXPERT, complaint, None, text="Đã xử lý", answered_on=TODAY, publish=False)
    app.publish_feedback_answer(EXPERT, complaint, None)
    app.raise_complaint_nonconformity(SECRETARY, complaint, None, "Hướng dẫn chưa rõ")
    rate(app, completed_dossier(app))
    events, _ = app.notifications_after(0, 1000)
    outgoing = [item for item in map(MAPPER, events) if item is not None]
    names = {type(item.payload).__name__ for item in outgoing}
    assert {
        "FeedbackReceived",
        "FeedbackAssigned",
        "FeedbackAnswered",
        "FeedbackAnswerPublished",
        "ComplaintNonconformityRaised",
        "SatisfactionRated",
    } <= names
    for item in outgoing:
        assert model_for_type(item.payload.event_type) is type(item.payload)


# Both limits under concurrency, on PostgreSQL


def test_sends_and_ratings_at_once_keep_their_limits(database_url: str) -> None:
    """Two replicas on one event store: 12 sends at once from one address, 5 pass; 8 ratings
    of one dossier at once, 1 passes."""
    ensure_schema(database_url, "procedures_feedback")
    env = {**persistence_env(database_url, "procedures_feedback"), "POSTGRES_MAX_OVERFLOW": "0"}
    replicas = [
        _app(ProceduresApplication(env={**env, **SETTINGS, "POSTGRES_POOL_SIZE": "4"}))
        for _ in range(2)
    ]

    def outcome(command: Callable[[], object]) -> str:
        try:
            command()
        except QmsError as error:
            return type(error).__name__
        return "ok"

    try:
        dossier = completed_dossier(replicas[0])
        with ThreadPoolExecutor(max_workers=8) as pool:
            sends = list(pool.map(lambda n: outcome(lambda: send(replicas[n % 2])), range(12)))
            ratings = list(
                pool.map(lambda n: outcome(lambda: rate(replicas[n % 2], dossier)), range(8))
            )
        used = replicas[1].load(FeedbackQuota, quota_id(address_digest(KEY, ADDRESS), TODAY)).used
    finally:
        for replica in replicas:
            replica.close()
    assert sorted(sends) == ["TooManyRequests"] * 7 + ["ok"] * 5
    assert used == 5
    assert sorted(ratings) == ["IllegalTransition"] * 7 + ["ok"]


def test_the_senders_contact_is_for_who_answers_and_the_unit_leader(
    app: ProceduresApplication,
) -> None:
    feedback_id = send(app)
    app.assign_feedback(SECRETARY, feedback_id, None, "quan-ly-khcn")
    for who in (SECRETARY, LEADER, EXPERT, EXPERTS_HEAD):
        found = app.feedback_with_contact(who.principal, feedback_id)
        assert found.sender_contact
    for who in (DESK, OTHER_HEAD, STRANGER):
        with pytest.raises(Forbidden):
            app.feedback_with_contact(who.principal, feedback_id)
