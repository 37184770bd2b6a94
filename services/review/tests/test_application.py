"""The review application on in-memory persistence: who may do what; publishing complete."""

import uuid
from datetime import date
from typing import Any, get_args

import pytest

from qms_contracts import model_for_type
from qms_contracts import review as contract
from qms_review.application import ReviewApplication
from qms_review.domain import (
    OUTPUT_KINDS,
    TOPICS,
    AgendaItem,
    FollowUpAction,
    ManagementReview,
    Meeting,
    NoticeContent,
    Output,
    Report,
)
from qms_review.publishing import AGGREGATES, MAPPER
from qms_runtime.errors import Forbidden, IllegalTransition, VersionConflict
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, STAFF, UNIT_LEADER
from qms_runtime.publishing import event_classes
from qms_runtime.testing import context

UNIT = "so-khcn"
SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
ONE_STOP = context("tp-motcua", DEPARTMENT_LEADER, unit=UNIT, department="mot-cua")
OFFICE = context("tp-vanphong", DEPARTMENT_LEADER, unit=UNIT, department="van-phong")
STAFF_ONE = context("cv", STAFF, unit=UNIT, department="mot-cua")
OTHER_UNIT_SECRETARY = context("thuky-khac", ISO_SECRETARY, unit="so-tnmt")
NOTICE = NoticeContent(
    "Họp xem xét của lãnh đạo năm 2026",
    (
        AgendaItem("objective_achievement", ("mot-cua", "van-phong"), ""),
        AgendaItem("nonconformities", ("mot-cua",), ""),
    ),
    report_deadline=date(2026, 12, 5),
    meeting_date=date(2026, 12, 15),
)
MEETING = Meeting(date(2026, 12, 15), "Giám đốc", ("Giám đốc", "Thư ký ISO"), "Biên bản")
OUTPUTS = (
    Output("improvement", "Số hoá sổ", FollowUpAction("van-phong", date(2027, 3, 31))),
    Output(
        "qms_change",
        "Sửa quy trình một cửa",
        FollowUpAction("mot-cua", date(2027, 2, 28)),
        corrective_action_needed=True,
        department_id="mot-cua",
    ),
)


@pytest.fixture
def app() -> ReviewApplication:
    application = ReviewApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    application.today = lambda: date(2026, 12, 15)
    return application


def issued(app: ReviewApplication, year: int = 2026) -> uuid.UUID:
    notice = (
        NOTICE
        if year == 2026
        else NoticeContent("Năm trước", NOTICE.agenda, date(year, 12, 5), date(year, 12, 15))
    )
    review_id = app.draft_notice(SECRETARY, UNIT, year, notice).id
    app.submit(SECRETARY, ManagementReview, review_id, None)
    app.approve(LEADER, ManagementReview, review_id, None)
    app.issue_notice(SECRETARY, review_id, None)
    return review_id


def concluded(app: ReviewApplication, year: int = 2026) -> uuid.UUID:
    review_id = issued(app, year)
    app.submit_report(ONE_STOP, review_id, None, Report("mot-cua", "objective_achievement", "x"))
    app.submit_report(OFFICE, review_id, None, Report("van-phong", "objective_achievement", "y"))
    app.submit_report(ONE_STOP, review_id, None, Report("mot-cua", "nonconformities", "z"))
    app.consolidate(SECRETARY, review_id, None, "Tổng hợp")
    app.hold_meeting(
        SECRETARY,
        review_id,
        None,
        MEETING if year == 2026 else Meeting(date(year, 12, 15), "GĐ", ("GĐ",), "BB"),
    )
    app.draft_conclusion(SECRETARY, review_id, None, summary="Kết luận", outputs=OUTPUTS)
    app.approve_conclusion(LEADER, review_id, None)
    return review_id


def test_the_topics_and_kinds_are_the_contracts_own() -> None:
    assert get_args(contract.AgendaTopic) == TOPICS
    assert get_args(contract.OutputKind) == OUTPUT_KINDS


def test_the_secretary_drafts_and_issues_and_rounds_count_per_year(app: ReviewApplication) -> None:
    for who in (LEADER, ONE_STOP, STAFF_ONE, OTHER_UNIT_SECRETARY):
        with pytest.raises(Forbidden):
            app.draft_notice(who, UNIT, 2026, NOTICE)
    first = app.draft_notice(SECRETARY, UNIT, 2026, NOTICE).id
    second = app.draft_notice(SECRETARY, UNIT, 2026, NOTICE).id
    elsewhere = app.draft_notice(
        SECRETARY, UNIT, 2025, NoticeContent("x", NOTICE.agenda, date(2025, 1, 5), date(2025, 1, 9))
    ).id
    rounds = [
        app.read(STAFF_ONE.principal, ManagementReview, i).round for i in (first, second, elsewhere)
    ]
    assert rounds == [1, 2, 1]
    with pytest.raises(Forbidden):
        app.revise_notice(LEADER, first, None, NOTICE)
    with pytest.raises(VersionConflict):
        app.revise_notice(SECRETARY, first, 7, NOTICE)
    app.submit(SECRETARY, ManagementReview, first, 1)
    with pytest.raises(Forbidden):
        app.approve(ONE_STOP, ManagementReview, first, 2)
    app.approve(LEADER, ManagementReview, first, 2)
    with pytest.raises(Forbidden):
        app.issue_notice(LEADER, first, 3)
    app.issue_notice(SECRETARY, first, 3)
    assert app.read(STAFF_ONE.principal, ManagementReview, first).status == "issued"
    assert [r.id for r in app.reviews_of_year(STAFF_ONE.principal, UNIT, 2026)] == [first, second]
    with pytest.raises(Forbidden):
        app.reviews_of_year(OTHER_UNIT_SECRETARY.principal, UNIT, 2026)


def test_department_leaders_report_only_for_their_own_department(app: ReviewApplication) -> None:
    review_id = issued(app)
    office_report = Report("van-phong", "objective_achievement", "Đạt")
    for who in (ONE_STOP, STAFF_ONE, SECRETARY, LEADER):
        with pytest.raises(Forbidden):
            app.submit_report(who, review_id, None, office_report)
    app.submit_report(OFFICE, review_id, None, office_report)
    with pytest.raises(Forbidden):
        app.revise_report(ONE_STOP, review_id, None, office_report)
    app.revise_report(
        OFFICE, review_id, None, Report("van-phong", "objective_achievement", "Đạt 99 %")
    )
    review = app.read(STAFF_ONE.principal, ManagementReview, review_id)
    assert [r.content for r in review.reports.values()] == ["Đạt 99 %"]


def test_consolidation_follows_the_clock_of_the_application(app: ReviewApplication) -> None:
    review_id = issued(app)
    app.today = lambda: date(2026, 12, 5)
    with pytest.raises(IllegalTransition):
        app.consolidate(SECRETARY, review_id, None, "Tổng hợp")
    app.today = lambda: date(2026, 12, 6)
    with pytest.raises(Forbidden):
        app.consolidate(LEADER, review_id, None, "Tổng hợp")
    app.consolidate(SECRETARY, review_id, None, "Tổng hợp")
    review = app.read(STAFF_ONE.principal, ManagementReview, review_id)
    assert len(review.missing_reports) == 3
    # A meeting is recorded once it happened, by the application's today.
    with pytest.raises(Forbidden):
        app.hold_meeting(LEADER, review_id, None, MEETING)
    app.today = lambda: date(2026, 12, 15)
    app.hold_meeting(SECRETARY, review_id, None, MEETING)


def test_conclusion_roles_and_the_actions_owners(app: ReviewApplication) -> None:
    review_id = issued(app)
    app.today = lambda: date(2026, 12, 15)
    app.consolidate(SECRETARY, review_id, None, "Tổng hợp")
    app.hold_meeting(SECRETARY, review_id, None, MEETING)
    with pytest.raises(Forbidden):
        app.draft_conclusion(LEADER, review_id, None, summary="x", outputs=OUTPUTS)
    app.draft_conclusion(SECRETARY, review_id, None, summary="Kết luận", outputs=OUTPUTS)
    with pytest.raises(Forbidden):
        app.approve_conclusion(SECRETARY, review_id, None)
    with pytest.raises(Forbidden):
        app.return_conclusion(SECRETARY, review_id, None, "x")
    app.return_conclusion(LEADER, review_id, None, "Bổ sung")
    app.draft_conclusion(SECRETARY, review_id, None, summary="Kết luận", outputs=OUTPUTS)
    app.approve_conclusion(LEADER, review_id, None)
    done: dict[str, Any] = {"evidence": "Đã làm", "completed_on": date(2027, 1, 5)}
    app.today = lambda: date(2027, 1, 5)
    # o1 belongs to the office: not to the one-stop leader, nor to staff.
    for who in (ONE_STOP, STAFF_ONE, LEADER):
        with pytest.raises(Forbidden):
            app.complete_action(who, review_id, None, output_id="o1", **done)
    app.complete_action(OFFICE, review_id, None, output_id="o1", **done)
    app.complete_action(SECRETARY, review_id, None, output_id="o2", **done)
    with pytest.raises(Forbidden):
        app.verify_action(OFFICE, review_id, None, output_id="o1", note="x")
    app.verify_action(SECRETARY, review_id, None, output_id="o1", note="Tốt")
    # The secretary recorded o2 done: the unit leader (or another secretary) verifies it.
    with pytest.raises(Forbidden):
        app.verify_action(SECRETARY, review_id, None, output_id="o2", note="x")
    app.verify_action(LEADER, review_id, None, output_id="o2", note="Tốt")
    review = app.read(STAFF_ONE.principal, ManagementReview, review_id)
    assert {k: v.status for k, v in review.actions.items()} == {"o1": "verified", "o2": "verified"}


def test_earlier_reviews_are_the_concluded_ones_before(app: ReviewApplication) -> None:
    last_year = concluded(app, 2025)
    first = concluded(app)
    second = issued(app)
    review = app.read(SECRETARY.principal, ManagementReview, second)
    assert [r.id for r in app.earlier_reviews(review)] == [last_year, first]
    assert app.earlier_reviews(app.read(SECRETARY.principal, ManagementReview, last_year)) == []


def test_every_domain_event_class_has_an_entry_in_the_table() -> None:
    missing = [c.__qualname__ for c in event_classes(*AGGREGATES) if c not in MAPPER.table]
    assert [name for name in missing if not name.endswith(".Created")] == []


def test_every_recorded_event_maps_to_a_registered_valid_contract(app: ReviewApplication) -> None:
    review_id = app.draft_notice(SECRETARY, UNIT, 2026, NOTICE).id
    app.submit(SECRETARY, ManagementReview, review_id, None)
    app.return_for_revision(LEADER, ManagementReview, review_id, None, "Sửa")
    app.revise_notice(SECRETARY, review_id, None, NOTICE)
    app.submit(SECRETARY, ManagementReview, review_id, None)
    app.approve(LEADER, ManagementReview, review_id, None)
    app.issue_notice(SECRETARY, review_id, None)
    app.submit_report(ONE_STOP, review_id, None, Report("mot-cua", "objective_achievement", "x"))
    app.revise_report(ONE_STOP, review_id, None, Report("mot-cua", "objective_achievement", "y"))
    app.today = lambda: date(2026, 12, 6)
    app.consolidate(SECRETARY, review_id, None, "Tổng hợp")
    app.today = lambda: date(2026, 12, 15)
    app.hold_meeting(SECRETARY, review_id, None, MEETING)
    app.draft_conclusion(SECRETARY, review_id, None, summary="K", outputs=OUTPUTS)
    app.return_conclusion(LEADER, review_id, None, "Bổ sung")
    app.draft_conclusion(SECRETARY, review_id, None, summary="K", outputs=OUTPUTS)
    app.approve_conclusion(LEADER, review_id, None)
    app.today = lambda: date(2027, 1, 5)
    app.complete_action(
        OFFICE, review_id, None, output_id="o1", evidence="x", completed_on=date(2027, 1, 5)
    )
    app.verify_action(SECRETARY, review_id, None, output_id="o1", note="Tốt")
    events, _ = app.notifications_after(0, 1000)
    outgoing = [item for item in map(MAPPER, events) if item is not None]
    assert [type(item.payload).__name__ for item in outgoing] == [
        *("ReviewNoticeDrafted", "ReviewNoticeSubmitted", "ReviewNoticeReturned"),
        *("ReviewNoticeRevised", "ReviewNoticeSubmitted", "ReviewNoticeApproved"),
        *("ReviewNoticeIssued", "DepartmentReportSubmitted", "DepartmentReportRevised"),
        *("ReviewConsolidated", "ReviewMeetingHeld", "ReviewConclusionDrafted"),
        *("ReviewConclusionReturned", "ReviewConclusionDrafted", "ReviewConcluded"),
        *("ReviewActionCompleted", "ReviewActionVerified"),
    ]
    for item in outgoing:
        model = model_for_type(item.payload.event_type)
        assert model is type(item.payload)
        assert model.model_validate(item.payload.model_dump(mode="json")) == item.payload
        assert (item.unit_id, item.payload.review_id) == (UNIT, str(review_id))  # type: ignore[attr-defined]
    payloads = {type(item.payload): item.payload for item in outgoing}
    drafted = payloads[contract.ReviewNoticeDrafted]
    assert isinstance(drafted, contract.ReviewNoticeDrafted)
    assert (drafted.year, drafted.round, drafted.agenda[0].department_ids) == (
        2026,
        1,
        ["mot-cua", "van-phong"],
    )
    consolidated = payloads[contract.ReviewConsolidated]
    assert isinstance(consolidated, contract.ReviewConsolidated)
    assert consolidated.reports_received == 1
    assert [(m.department_id, m.topic) for m in consolidated.missing_reports] == [
        ("van-phong", "objective_achievement"),
        ("mot-cua", "nonconformities"),
    ]
    # What the audit service needs to open a nonconformity for an output.
    concluded_event = payloads[contract.ReviewConcluded]
    assert isinstance(concluded_event, contract.ReviewConcluded)
    needing = [o for o in concluded_event.outputs if o.corrective_action_needed]
    assert [(o.output_id, o.department_id, o.description) for o in needing] == [
        ("o2", "mot-cua", "Sửa quy trình một cửa")
    ]
    assert concluded_event.outputs[0].action == contract.FollowUpAction(
        owner_department_id="van-phong", due_date=date(2027, 3, 31)
    )
