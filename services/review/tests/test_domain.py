"""Every transition and rule of a management review, from notice to verified actions."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from qms_review.domain import (
    AgendaItem,
    ExpectedReport,
    FollowUpAction,
    ManagementReview,
    Meeting,
    NoticeContent,
    Output,
    Report,
    ReviewRegister,
)
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

UNIT = "so-khcn"
SECRETARY = stamp("thuky", UNIT)
LEADER = stamp("giamdoc", UNIT)
ONE_STOP = stamp("tp-motcua", UNIT)
OFFICE = stamp("tp-vanphong", UNIT)
NOTICE = NoticeContent(
    "Họp xem xét của lãnh đạo năm 2026",
    (
        AgendaItem("objective_achievement", ("mot-cua", "van-phong"), "Số liệu đến 30/11"),
        AgendaItem("customer_feedback", ("mot-cua",), ""),
        AgendaItem("audit_results", (), "Thư ký trình bày"),
    ),
    report_deadline=date(2026, 12, 5),
    meeting_date=date(2026, 12, 15),
)
BEFORE_DEADLINE = date(2026, 12, 5)
AFTER_DEADLINE = date(2026, 12, 6)
MEETING = Meeting(date(2026, 12, 15), "Giám đốc", ("Giám đốc", "Thư ký ISO"), "Biên bản…")
OUTPUTS = (
    Output("improvement", "Số hoá sổ theo dõi", FollowUpAction("van-phong", date(2027, 3, 31))),
    Output(
        "qms_change",
        "Sửa quy trình một cửa",
        FollowUpAction("mot-cua", date(2027, 2, 28)),
        corrective_action_needed=True,
        department_id="mot-cua",
    ),
    Output("resource_need", "Thêm một máy quét"),
)


def drafted() -> ManagementReview:
    return ManagementReview.draft(year=2026, round=1, content=NOTICE, stamp=SECRETARY)


def issued() -> ManagementReview:
    review = drafted()
    review.submit(SECRETARY)
    review.approve(LEADER)
    review.issue(stamp=SECRETARY)
    return review


def report(department: str, topic: str, content: str = "Đạt 98 %") -> Report:
    return Report(department, topic, content)


def with_every_report() -> ManagementReview:
    review = issued()
    review.submit_report(report=report("mot-cua", "objective_achievement"), stamp=ONE_STOP)
    review.submit_report(report=report("van-phong", "objective_achievement"), stamp=OFFICE)
    review.submit_report(report=report("mot-cua", "customer_feedback"), stamp=ONE_STOP)
    return review


def meeting_held() -> ManagementReview:
    review = with_every_report()
    review.consolidate(summary="Tổng hợp", today=BEFORE_DEADLINE, stamp=SECRETARY)
    review.hold_meeting(meeting=MEETING, today=date(2026, 12, 15), stamp=SECRETARY)
    return review


def concluded() -> ManagementReview:
    review = meeting_held()
    review.draft_conclusion(summary="Kết luận", outputs=OUTPUTS, stamp=SECRETARY)
    review.approve_conclusion(stamp=LEADER)
    return review


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"agenda": ()}, "agenda"),
        ({"agenda": (AgendaItem("weather", (), ""),)}, "agenda.0.topic"),
        (
            {"agenda": (AgendaItem("resources", (), ""), AgendaItem("resources", (), ""))},
            "agenda.1.topic",
        ),
        ({"agenda": (AgendaItem("resources", ("a", "a"), ""),)}, "agenda.0.department_ids"),
        ({"agenda": (AgendaItem("resources", (" ",), ""),)}, "agenda.0.department_ids"),
        ({"meeting_date": date(2027, 1, 5)}, "meeting_date"),
        ({"report_deadline": date(2026, 12, 16)}, "report_deadline"),
    ],
)
def test_a_notice_is_checked(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        ManagementReview.draft(
            year=2026, round=1, content=replace(NOTICE, **change), stamp=SECRETARY
        )
    assert raised.value.extensions["field"] == field


def test_the_notice_is_drafted_returned_revised_approved_and_issued() -> None:
    review = drafted()
    assert (review.status, review.year, review.round, review.unit_id) == ("draft", 2026, 1, UNIT)
    assert_rejected(review, lambda: review.issue(stamp=SECRETARY), IllegalTransition)
    review.submit(SECRETARY)
    # Separation of duties: who submitted never approves nor returns.
    assert_rejected(review, lambda: review.approve(SECRETARY), Forbidden)
    assert_rejected(
        review, lambda: review.revise(content=NOTICE, stamp=SECRETARY), IllegalTransition
    )
    review.return_for_revision("Thêm nội dung rủi ro", LEADER)
    assert (review.status, review.return_reason) == ("returned", "Thêm nội dung rủi ro")
    revised = replace(NOTICE, agenda=(*NOTICE.agenda, AgendaItem("risk_actions", ("mot-cua",), "")))
    review.revise(content=revised, stamp=SECRETARY)
    assert review.status == "draft" and len(review.content.agenda) == 4
    review.submit(SECRETARY)
    review.approve(LEADER)
    assert_rejected(
        review,
        lambda: review.submit_report(report=report("mot-cua", "risk_actions"), stamp=ONE_STOP),
        IllegalTransition,
    )
    review.issue(stamp=SECRETARY)
    assert review.status == "issued"
    assert_rejected(review, lambda: review.issue(stamp=SECRETARY), IllegalTransition)
    [*_, issued_event] = review.collect_events()
    assert isinstance(issued_event, ManagementReview.Issued)
    assert issued_event.expected == (  # type: ignore[attr-defined]
        ExpectedReport("mot-cua", "objective_achievement"),
        ExpectedReport("van-phong", "objective_achievement"),
        ExpectedReport("mot-cua", "customer_feedback"),
        ExpectedReport("mot-cua", "risk_actions"),
    )


def test_a_department_reports_once_per_item_and_may_revise_until_consolidation() -> None:
    review = issued()
    # Only on an item assigned to the department.
    error = assert_rejected(
        review,
        lambda: review.submit_report(report=report("van-phong", "customer_feedback"), stamp=OFFICE),
        InvalidInput,
    )
    assert error.extensions["field"] == "topic"  # type: ignore[attr-defined]
    assert_rejected(
        review,
        lambda: review.submit_report(
            report=report("mot-cua", "customer_feedback", " "), stamp=ONE_STOP
        ),
        InvalidInput,
    )
    assert_rejected(
        review,
        lambda: review.revise_report(report=report("mot-cua", "customer_feedback"), stamp=ONE_STOP),
        IllegalTransition,
    )
    review.submit_report(
        report=report("mot-cua", "customer_feedback", "Hài lòng 95 %"), stamp=ONE_STOP
    )
    assert_rejected(
        review,
        lambda: review.submit_report(report=report("mot-cua", "customer_feedback"), stamp=ONE_STOP),
        IllegalTransition,
    )
    review.revise_report(
        report=report("mot-cua", "customer_feedback", "Hài lòng 96 %"), stamp=ONE_STOP
    )
    assert review.reports[ExpectedReport("mot-cua", "customer_feedback")].content == "Hài lòng 96 %"


def test_consolidation_waits_for_every_report_until_the_deadline() -> None:
    review = issued()
    review.submit_report(report=report("mot-cua", "objective_achievement"), stamp=ONE_STOP)
    error = assert_rejected(
        review,
        lambda: review.consolidate(summary="x", today=BEFORE_DEADLINE, stamp=SECRETARY),
        IllegalTransition,
    )
    assert error.extensions["missing_reports"] == [  # type: ignore[attr-defined]
        {"department_id": "van-phong", "topic": "objective_achievement"},
        {"department_id": "mot-cua", "topic": "customer_feedback"},
    ]
    assert_rejected(
        review,
        lambda: review.consolidate(summary=" ", today=AFTER_DEADLINE, stamp=SECRETARY),
        InvalidInput,
    )
    # After the deadline the missing reports are named in the event, never dropped.
    review.consolidate(summary="Tổng hợp", today=AFTER_DEADLINE, stamp=SECRETARY)
    assert review.status == "consolidated"
    assert review.missing_reports == (
        ExpectedReport("van-phong", "objective_achievement"),
        ExpectedReport("mot-cua", "customer_feedback"),
    )
    [*_, event] = review.collect_events()
    assert (event.received, event.consolidated_on) == (1, AFTER_DEADLINE)  # type: ignore[attr-defined]
    # Reports are closed once consolidated.
    assert_rejected(
        review,
        lambda: review.revise_report(
            report=report("mot-cua", "objective_achievement"), stamp=ONE_STOP
        ),
        IllegalTransition,
    )


def test_with_every_report_in_the_secretary_consolidates_before_the_deadline() -> None:
    review = with_every_report()
    review.consolidate(summary="Tổng hợp", today=date(2026, 12, 1), stamp=SECRETARY)
    assert (review.status, review.missing_reports) == ("consolidated", ())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": date(2026, 12, 16)}, "held_on"),
        ({"chair": ""}, "chair"),
        ({"participants": ()}, "participants"),
        ({"participants": ("A", " ")}, "participants"),
        ({"minutes": " "}, "minutes"),
    ],
)
def test_a_meeting_is_checked(change: dict[str, Any], field: str) -> None:
    review = with_every_report()
    review.consolidate(summary="Tổng hợp", today=BEFORE_DEADLINE, stamp=SECRETARY)
    error = assert_rejected(
        review,
        lambda: review.hold_meeting(
            meeting=replace(MEETING, **change), today=date(2026, 12, 15), stamp=SECRETARY
        ),
        InvalidInput,
    )
    assert error.extensions["field"] == field  # type: ignore[attr-defined]


def test_the_meeting_follows_consolidation_and_records_its_version() -> None:
    review = with_every_report()
    assert_rejected(
        review,
        lambda: review.hold_meeting(meeting=MEETING, today=date(2026, 12, 15), stamp=SECRETARY),
        IllegalTransition,
    )
    review.consolidate(summary="Tổng hợp", today=BEFORE_DEADLINE, stamp=SECRETARY)
    review.hold_meeting(meeting=MEETING, today=date(2026, 12, 15), stamp=SECRETARY)
    assert (review.status, review.meeting, review.meeting_version) == (
        "meeting_held",
        MEETING,
        review.version,
    )


@pytest.mark.parametrize(
    ("output", "field"),
    [
        (Output("party", "x"), "outputs.0.kind"),
        (Output("improvement", " "), "outputs.0.description"),
        (Output("improvement", "x", corrective_action_needed=True), "outputs.0.department_id"),
        (
            Output("improvement", "x", FollowUpAction(" ", date(2027, 1, 1))),
            "outputs.0.action.owner_department_id",
        ),
        (
            Output("improvement", "x", FollowUpAction("mot-cua", date(2026, 12, 14))),
            "outputs.0.action.due_date",
        ),
    ],
)
def test_a_conclusion_is_checked(output: Output, field: str) -> None:
    review = meeting_held()
    error = assert_rejected(
        review,
        lambda: review.draft_conclusion(summary="x", outputs=(output,), stamp=SECRETARY),
        InvalidInput,
    )
    assert error.extensions["field"] == field  # type: ignore[attr-defined]


def test_the_conclusion_is_drafted_returned_drafted_again_and_approved() -> None:
    review = with_every_report()
    assert_rejected(
        review,
        lambda: review.draft_conclusion(summary="x", outputs=OUTPUTS, stamp=SECRETARY),
        IllegalTransition,
    )
    review = meeting_held()
    assert_rejected(
        review,
        lambda: review.draft_conclusion(summary="x", outputs=(), stamp=SECRETARY),
        InvalidInput,
    )
    assert_rejected(review, lambda: review.approve_conclusion(stamp=LEADER), IllegalTransition)
    review.draft_conclusion(summary="Kết luận", outputs=OUTPUTS[:1], stamp=SECRETARY)
    assert [o.output_id for o in review.outputs] == ["o1"]
    # Whoever drafted the conclusion never approves nor returns it.
    assert_rejected(review, lambda: review.approve_conclusion(stamp=SECRETARY), Forbidden)
    assert_rejected(
        review, lambda: review.return_conclusion(reason="x", stamp=SECRETARY), Forbidden
    )
    assert_rejected(
        review, lambda: review.return_conclusion(reason=" ", stamp=LEADER), InvalidInput
    )
    review.return_conclusion(reason="Thiếu nhu cầu nguồn lực", stamp=LEADER)
    assert (review.status, review.conclusion_return_reason) == (
        "conclusion_returned",
        "Thiếu nhu cầu nguồn lực",
    )
    assert_rejected(review, lambda: review.approve_conclusion(stamp=LEADER), IllegalTransition)
    review.draft_conclusion(summary="Kết luận", outputs=OUTPUTS, stamp=SECRETARY)
    assert [o.output_id for o in review.outputs] == ["o1", "o2", "o3"]
    review.approve_conclusion(stamp=LEADER)
    assert review.status == "concluded" and review.concluded_version == review.version
    # Only outputs with an action have one to follow.
    assert {k: v.status for k, v in review.actions.items()} == {"o1": "open", "o2": "open"}
    [*_, event] = review.collect_events()
    assert event.outputs[1].department_id == "mot-cua"  # type: ignore[attr-defined]
    assert_rejected(
        review,
        lambda: review.draft_conclusion(summary="x", outputs=OUTPUTS, stamp=SECRETARY),
        IllegalTransition,
    )


#: The day the actions' steps are recorded on.
TODAY = {"today": date(2027, 1, 10)}


def test_an_action_is_done_then_verified_by_someone_else() -> None:
    review = meeting_held()
    review.draft_conclusion(summary="Kết luận", outputs=OUTPUTS, stamp=SECRETARY)
    done: dict[str, Any] = {
        "evidence": "Sổ điện tử đã dùng",
        "completed_on": date(2027, 1, 10),
        "today": date(2027, 1, 10),
    }
    assert_rejected(
        review,
        lambda: review.complete_action(output_id="o1", stamp=OFFICE, **done),
        IllegalTransition,
    )
    review.approve_conclusion(stamp=LEADER)
    for output_id in ("o3", "o9"):  # no action, no output
        error = assert_rejected(
            review,
            lambda output_id=output_id: review.complete_action(  # type: ignore[misc]
                output_id=output_id, stamp=OFFICE, **done
            ),
            InvalidInput,
        )
        assert error.extensions["field"] == "output_id"  # type: ignore[attr-defined]
    assert_rejected(
        review,
        lambda: review.verify_action(output_id="o1", note="x", stamp=SECRETARY),
        IllegalTransition,
    )
    assert_rejected(
        review,
        lambda: review.complete_action(
            output_id="o1", evidence=" ", completed_on=date(2027, 1, 10), **TODAY, stamp=OFFICE
        ),
        InvalidInput,
    )
    # Done on a day that has not come yet: refused.
    assert_rejected(
        review,
        lambda: review.complete_action(
            output_id="o1", evidence="x", completed_on=date(2027, 1, 11), **TODAY, stamp=OFFICE
        ),
        InvalidInput,
    )
    assert_rejected(
        review,
        lambda: review.complete_action(
            output_id="o1", evidence="x", completed_on=date(2026, 12, 1), **TODAY, stamp=OFFICE
        ),
        InvalidInput,
    )
    review.complete_action(output_id="o1", stamp=OFFICE, **done)
    assert_rejected(
        review,
        lambda: review.complete_action(output_id="o1", stamp=OFFICE, **done),
        IllegalTransition,
    )
    assert_rejected(
        review, lambda: review.verify_action(output_id="o1", note="x", stamp=OFFICE), Forbidden
    )
    assert_rejected(
        review,
        lambda: review.verify_action(output_id="o1", note=" ", stamp=SECRETARY),
        InvalidInput,
    )
    review.verify_action(output_id="o1", note="Đã kiểm tra", stamp=SECRETARY)
    assert review.actions["o1"].status == "verified"
    assert (review.actions["o1"].completed_by, review.actions["o1"].verified_by) == (
        "tp-vanphong",
        "thuky",
    )
    assert review.actions["o2"].status == "open"
    assert_rejected(
        review,
        lambda: review.verify_action(output_id="o1", note="x", stamp=SECRETARY),
        IllegalTransition,
    )


def test_concluded_reviews_stay_concluded() -> None:
    review = concluded()
    assert review.status == "concluded"
    for command in (
        lambda: review.issue(stamp=SECRETARY),
        lambda: review.consolidate(summary="x", today=AFTER_DEADLINE, stamp=SECRETARY),
        lambda: review.hold_meeting(meeting=MEETING, today=date(2027, 1, 1), stamp=SECRETARY),
        lambda: review.approve_conclusion(stamp=LEADER),
        lambda: review.submit(SECRETARY),
    ):
        assert_rejected(review, command, IllegalTransition)


def test_the_register_numbers_rounds_per_unit_and_year() -> None:
    register = ReviewRegister(unit_id=UNIT, year=2026)
    assert (
        register.id == ReviewRegister.create_id(UNIT, 2026) != ReviewRegister.create_id(UNIT, 2027)
    )
    assert register.next_round == 1
    first = drafted()
    register.add_review(first.id)
    assert (register.next_round, register.reviews) == (2, [first.id])
