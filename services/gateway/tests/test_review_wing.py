"""The review wing on PostgreSQL, without Kafka: projection of every event, tasks per role,
the supervision column, what the pages offer, and the forms' mapping to the commands."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from qms_contracts import IntegrationEvent, event_types
from qms_contracts import review as contract
from qms_gateway.frame import directory
from qms_gateway.frame.routes import collect_tasks
from qms_gateway.frame.tasks import fetch_tasks
from qms_gateway.portal.commands import Refusal
from qms_gateway.review import WING, readmodel, review_status, tasks
from qms_gateway.review.actions import EVENT_LABELS, action_steps, reporting, review_steps
from qms_gateway.review.forms import (
    blank_notice,
    conclusion_body,
    conclusion_refusal,
    notice_body,
    notice_refusal,
)
from qms_gateway.review.projection import PROJECTION
from qms_gateway.review.views import ReviewView
from qms_runtime.clock import today
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
PAST = today() - timedelta(days=3)
FUTURE = today() + timedelta(days=30)
#: Two items: qlkh reports on both, tai-chinh on the objectives only.
AGENDA = [
    contract.AgendaItem(topic="objective_achievement", department_ids=["qlkh", "tai-chinh"]),
    contract.AgendaItem(topic="audit_results", department_ids=["qlkh"], guidance="Kết quả 2026"),
]
OWED = [
    contract.ExpectedReport(department_id="qlkh", topic="objective_achievement"),
    contract.ExpectedReport(department_id="tai-chinh", topic="objective_achievement"),
    contract.ExpectedReport(department_id="qlkh", topic="audit_results"),
]


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def principal(sub: str, role: str, department: str | None = None) -> Principal:
    return Principal(sub, sub, frozenset({UNIT}), frozenset({role}), department)


def history(review_id: uuid.UUID, payloads: list[IntegrationEvent]) -> list[Message]:
    return [delivered(review_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


def ids(review_id: uuid.UUID) -> dict[str, Any]:
    return {"review_id": str(review_id), "unit_id": UNIT}


def notice(
    review_id: uuid.UUID, deadline: date = FUTURE, year: int = 2026
) -> list[IntegrationEvent]:
    """Drafted, returned once, revised, approved."""
    content: dict[str, Any] = {
        "title": "Họp xem xét của lãnh đạo năm 2026",
        "agenda": AGENDA,
        "report_deadline": deadline,
        "meeting_date": deadline + timedelta(days=5),
    }
    i = ids(review_id)
    return [
        contract.ReviewNoticeDrafted(**i, year=year, round=1, **{**content, "agenda": AGENDA[:1]}),
        contract.ReviewNoticeSubmitted(**i, submitted_by="thuky"),
        contract.ReviewNoticeReturned(**i, reason="Thiếu kết quả đánh giá", returned_by="giamdoc"),
        contract.ReviewNoticeRevised(**i, **content),
        contract.ReviewNoticeSubmitted(**i, submitted_by="thuky"),
        contract.ReviewNoticeApproved(**i, approved_by="giamdoc"),
    ]


def issued(review_id: uuid.UUID, deadline: date = FUTURE) -> list[IntegrationEvent]:
    """Issued; qlkh reports on both its items (and revises one), tai-chinh not yet."""
    i = ids(review_id)
    return [
        contract.ReviewNoticeIssued(
            **i, expected_reports=OWED, report_deadline=deadline, issued_by="thuky"
        ),
        contract.DepartmentReportSubmitted(
            **i,
            department_id="qlkh",
            topic="objective_achievement",
            content="Đạt 3/4 mục tiêu",
            submitted_by="tp",
        ),
        contract.DepartmentReportSubmitted(
            **i, department_id="qlkh", topic="audit_results", content="1 NC nhẹ", submitted_by="tp"
        ),
        contract.DepartmentReportRevised(
            **i,
            department_id="qlkh",
            topic="objective_achievement",
            content="Đạt 4/4 mục tiêu",
            revised_by="tp2",
        ),
    ]


def finance_report(review_id: uuid.UUID) -> contract.DepartmentReportSubmitted:
    return contract.DepartmentReportSubmitted(
        **ids(review_id),
        department_id="tai-chinh",
        topic="objective_achievement",
        content="Giải ngân đúng hạn",
        submitted_by="tc",
    )


def outputs(due: date) -> list[contract.ReviewOutput]:
    return [
        contract.ReviewOutput(
            output_id="o1",
            kind="improvement",
            description="Số hóa sổ theo dõi hồ sơ",
            action=contract.FollowUpAction(owner_department_id="qlkh", due_date=due),
        ),
        contract.ReviewOutput(
            output_id="o2",
            kind="resource_need",
            description="Thêm một công chức một cửa",
            corrective_action_needed=True,
            department_id="tai-chinh",
        ),
    ]


def held(review_id: uuid.UUID, missing: bool) -> list[IntegrationEvent]:
    """Consolidated (after the deadline with tai-chinh's report missing, or with all in), then
    the meeting."""
    i = ids(review_id)
    return [
        contract.ReviewConsolidated(
            **i,
            summary="Các phòng đạt mục tiêu",
            reports_received=2 if missing else 3,
            missing_reports=OWED[1:2] if missing else [],
            consolidated_on=today(),
            consolidated_by="thuky",
        ),
        contract.ReviewMeetingHeld(
            **i,
            held_on=today(),
            chair="Trần Văn Giám",
            participants=["Giám đốc", "Các trưởng phòng"],
            minutes="Thống nhất kết luận",
            recorded_by="thuky",
        ),
    ]


def concluded(review_id: uuid.UUID, due: date = FUTURE) -> list[IntegrationEvent]:
    """Drafted, returned, drafted again and approved."""
    i = ids(review_id)
    return [
        contract.ReviewConclusionDrafted(
            **i, summary="Bản đầu", outputs=outputs(due)[:1], drafted_by="thuky"
        ),
        contract.ReviewConclusionReturned(**i, reason="Thiếu nhu cầu nguồn lực", returned_by="gd"),
        contract.ReviewConclusionDrafted(
            **i, summary="HTQLCL phù hợp", outputs=outputs(due), drafted_by="thuky"
        ),
        contract.ReviewConcluded(
            **i, summary="HTQLCL phù hợp", outputs=outputs(due), concluded_by="giamdoc"
        ),
    ]


def done(review_id: uuid.UUID, by: str = "tp") -> contract.ReviewActionCompleted:
    return contract.ReviewActionCompleted(
        **ids(review_id),
        output_id="o1",
        evidence="Sổ điện tử đã dùng",
        completed_on=today(),
        completed_by=by,
    )


def whole(review_id: uuid.UUID) -> list[IntegrationEvent]:
    """Every event type of the service, once at least."""
    verified = contract.ReviewActionVerified(
        **ids(review_id), output_id="o1", note="Đã kiểm tra", verified_by="thuky"
    )
    return [
        *notice(review_id, PAST),
        *issued(review_id, PAST),
        *held(review_id, missing=True),
        *concluded(review_id),
        done(review_id),
        verified,
    ]


def test_the_projection_and_the_labels_cover_every_review_event() -> None:
    review_events = {m for m in event_types().values() if m.service == contract.SERVICE}
    assert set(PROJECTION.handlers) == review_events
    assert set(EVENT_LABELS) == review_events
    assert {type(p) for p in whole(uuid.uuid4())} == review_events


async def test_every_event_gives_the_row(wing: Any) -> None:
    review_id = uuid.uuid4()
    events = whole(review_id)
    await wing.machine.apply(history(review_id, events[:10]))
    found = await readmodel.review(wing.pool, review_id)
    assert found is not None
    row = ReviewView.model_validate(found)
    assert (row.status, row.version, row.year, row.round) == ("issued", 10, 2026, 1)
    assert [item.topic for item in row.agenda] == ["objective_achievement", "audit_results"]
    assert row.agenda[1].guidance == "Kết quả 2026" and row.return_reason is None
    assert row.expected_reports == OWED and row.issued_by == "thuky"
    first = row.reports[0]
    assert (first.content, first.submitted_by, first.revised_by) == (
        "Đạt 4/4 mục tiêu",
        "tp",
        "tp2",
    )
    assert first.revised_at is not None and row.reports[1].revised_at is None
    assert readmodel.missing(found) == [OWED[1].model_dump()]
    assert readmodel.past_deadline(found, today())

    await wing.machine.apply(history(review_id, events))
    found = await readmodel.review(wing.pool, review_id)
    assert found is not None
    row = ReviewView.model_validate(found)
    assert (row.status, row.version) == ("concluded", len(events))
    assert row.consolidation_summary == "Các phòng đạt mục tiêu"
    assert row.missing_reports == OWED[1:2] and row.consolidated_on == today()
    assert row.meeting is not None and row.meeting.participants == ["Giám đốc", "Các trưởng phòng"]
    assert (row.conclusion_summary, row.conclusion_drafted_by, row.concluded_by) == (
        "HTQLCL phù hợp",
        "thuky",
        "giamdoc",
    )
    assert row.conclusion_return_reason is None
    o1, o2 = row.outputs
    assert o1.action is not None
    assert (o1.action.status, o1.action.evidence, o1.action.completed_by) == (
        "verified",
        "Sổ điện tử đã dùng",
        "tp",
    )
    assert (o1.action.verified_by, o1.action.note) == ("thuky", "Đã kiểm tra")
    assert o2.action is None and o2.corrective_action_needed and o2.department_id == "tai-chinh"

    # Rebuilt from zero, the same row.
    await wing.machine.reset()
    await wing.machine.apply(history(review_id, events))
    assert await readmodel.review(wing.pool, review_id) == found


async def test_a_returned_conclusion_says_why(wing: Any) -> None:
    review_id = uuid.uuid4()
    events = [
        *notice(review_id),
        *issued(review_id),
        *held(review_id, False),
        *concluded(review_id),
    ]
    await wing.machine.apply(history(review_id, events[:-2]))
    row = await readmodel.review(wing.pool, review_id)
    assert row is not None
    assert (row["status"], row["conclusion_return_reason"]) == (
        "conclusion_returned",
        "Thiếu nhu cầu nguồn lực",
    )
    # A drafted output's action has no status before the conclusion is approved.
    assert row["outputs"][0]["action"]["status"] is None


async def test_lists_filter_by_year_status_and_words(wing: Any) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [*history(first, notice(first)), *history(second, notice(second, year=2025)[:1])]
    )
    found = await readmodel.reviews(wing.pool, UNIT)
    assert [r["id"] for r in found] == [str(first), str(second)]
    assert [r["id"] for r in await readmodel.reviews(wing.pool, UNIT, 2025)] == [str(second)]
    approved = await readmodel.reviews(wing.pool, UNIT, statuses=["approved"])
    assert [r["id"] for r in approved] == [str(first)]
    words = await readmodel.reviews(wing.pool, UNIT, patterns=["%hop%", "%2026%"])
    assert [r["id"] for r in words] == [str(first), str(second)]
    assert await readmodel.reviews(wing.pool, UNIT, patterns=["%kiem tra%"]) == []


async def test_supervision_counts_the_reviews_held_in_the_year(wing: Any) -> None:
    async with wing.pool.acquire() as connection:
        for unit_id in (UNIT, "xa-a"):
            await directory.upsert_unit(connection, {"unit_id": unit_id, "name": unit_id})
    met, waiting = uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [
            *history(met, [*notice(met), *issued(met), finance_report(met), *held(met, False)]),
            *history(waiting, [*notice(waiting), *issued(waiting)]),
        ]
    )
    assert await review_status(wing.pool, [UNIT, "xa-a"], 2026) == {
        UNIT: ["Đã họp 1 lần"],
        "xa-a": ["Chưa họp"],
    }
    assert await review_status(wing.pool, [UNIT], 2027) == {UNIT: ["Chưa họp"]}


async def test_tasks_follow_each_role(wing: Any) -> None:
    drafted, submitted, approved = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owing, late, complete = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    consolidated, meeting, drafting, acting = (uuid.uuid4() for _ in range(4))
    overdue, verifying, self_done = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    stages: dict[uuid.UUID, list[IntegrationEvent]] = {
        drafted: notice(drafted)[:1],
        submitted: notice(submitted)[:2],
        approved: notice(approved),
        owing: [*notice(owing), *issued(owing)],
        late: [*notice(late, PAST), *issued(late, PAST)],
        complete: [*notice(complete), *issued(complete), finance_report(complete)],
        consolidated: [*notice(consolidated), *issued(consolidated), *held(consolidated, True)[:1]],
        meeting: [*notice(meeting), *issued(meeting), *held(meeting, True)],
        drafting: [*notice(drafting), *issued(drafting), *held(drafting, True)],
        acting: [*notice(acting), *issued(acting), *held(acting, True), *concluded(acting)],
        overdue: [
            *notice(overdue),
            *issued(overdue),
            *held(overdue, True),
            *concluded(overdue, PAST),
        ],
        verifying: [*notice(verifying), *issued(verifying), *held(verifying, True)],
        self_done: [*notice(self_done), *issued(self_done), *held(self_done, True)],
    }
    stages[drafting] += concluded(drafting)[:1]
    stages[verifying] += [*concluded(verifying), done(verifying)]
    stages[self_done] += [*concluded(self_done), done(self_done, by="thuky")]
    await wing.machine.apply(
        [message for review_id, events in stages.items() for message in history(review_id, events)]
    )

    async def found(who: Principal) -> dict[tuple[str, str], str]:
        return {(t.action, t.id): t.label for t in await fetch_tasks(wing.pool, who, tasks.tasks)}

    assert set(await found(principal("thuky", ISO_SECRETARY))) == {
        ("submit", str(drafted)),
        ("issue", str(approved)),
        ("consolidate", str(late)),
        ("consolidate", str(complete)),
        ("record_meeting", str(consolidated)),
        ("draft_conclusion", str(meeting)),
        ("verify_action", str(verifying)),
    }
    # Never what the leader submitted or drafted; the leader also verifies, even what the
    # secretary recorded done.
    assert set(await found(principal("giamdoc", UNIT_LEADER))) == {
        ("approve", str(submitted)),
        ("approve_conclusion", str(drafting)),
        ("verify_action", str(verifying)),
        ("verify_action", str(self_done)),
    }
    assert set(await found(principal("thuky", UNIT_LEADER))) == {("verify_action", str(verifying))}
    finance = await found(principal("tc", DEPARTMENT_LEADER, "tai-chinh"))
    assert finance == {
        ("report", str(owing)): "Gửi báo cáo cho họp xem xét của lãnh đạo",
        ("report", str(late)): "Báo cáo xem xét của lãnh đạo quá hạn",
    }
    science = await found(principal("tp", DEPARTMENT_LEADER, "qlkh"))
    assert science == {
        ("complete_action", str(acting)): "Thực hiện hành động sau xem xét của lãnh đạo",
        ("complete_action", str(overdue)): "Hành động sau xem xét của lãnh đạo quá hạn",
    }
    pages = {
        t.page
        for t in await collect_tasks(wing.pool, principal("tp", DEPARTMENT_LEADER, "qlkh"), [WING])
    }
    assert pages == {f"/xem-xet-lanh-dao/{acting}", f"/xem-xet-lanh-dao/{overdue}"}


async def test_pages_offer_what_the_service_allows(wing: Any) -> None:
    owing, late, drafting, acting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [
            *history(owing, [*notice(owing), *issued(owing)]),
            *history(late, [*notice(late, PAST), *issued(late, PAST)]),
            *history(
                drafting,
                [
                    *notice(drafting),
                    *issued(drafting),
                    *held(drafting, True),
                    *concluded(drafting)[:1],
                ],
            ),
            *history(
                acting,
                [
                    *notice(acting),
                    *issued(acting),
                    *held(acting, True),
                    *concluded(acting),
                    done(acting),
                ],
            ),
        ]
    )
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    for review_id in (owing, late, drafting, acting):
        found = await readmodel.review(wing.pool, review_id)
        assert found is not None
        rows[review_id] = found
    secretary = principal("thuky", ISO_SECRETARY)
    leader = principal("giamdoc", UNIT_LEADER)
    finance = principal("tc", DEPARTMENT_LEADER, "tai-chinh")
    # Consolidation: once every report is in, or after the deadline.
    assert review_steps(secretary, rows[owing], today()) == set()
    assert review_steps(secretary, rows[late], today()) == {"consolidate"}
    assert reporting(finance, rows[owing]) == ["objective_achievement"]
    assert reporting(principal("tp", DEPARTMENT_LEADER, "qlkh"), rows[owing]) == [
        "objective_achievement",
        "audit_results",
    ]
    assert reporting(secretary, rows[owing]) == []
    assert review_steps(leader, rows[drafting], today()) == {
        "approve_conclusion",
        "return_conclusion",
    }
    assert review_steps(secretary, rows[drafting], today()) == {"draft_conclusion"}
    # The action recorded done: the secretary verifies it, nobody records it done again.
    assert action_steps(secretary, rows[acting]) == {"o1": {"verify"}}
    assert action_steps(principal("tp", DEPARTMENT_LEADER, "qlkh"), rows[acting]) == {"o1": set()}
    assert action_steps(principal("tp", ISO_SECRETARY), rows[acting]) == {"o1": set()}


def test_the_forms_name_errors_as_they_name_fields() -> None:
    values = blank_notice(2026)
    for topic in values["agenda"]:
        values["agenda"][topic]["included"] = topic in ("changes_in_issues", "audit_results")
    values["agenda"]["audit_results"]["department_ids"] = ["qlkh"]
    body = notice_body(values, drafting=False)
    assert "year" not in body
    assert [item["topic"] for item in body["agenda"]] == ["changes_in_issues", "audit_results"]
    refused = Refusal(422, {"agenda.1.department_ids": "Mỗi phòng một lần", "agenda.0.topic": "x"})
    assert notice_refusal(refused, values).errors == {
        "agenda.audit_results.department_ids": "Mỗi phòng một lần",
        "agenda.changes_in_issues.included": "x",
    }

    row = {
        "kind": "improvement",
        "description": "Cải tiến",
        "owner_department_id": "qlkh",
        "due_date": "",
        "corrective_action_needed": False,
        "department_id": "",
    }
    no_action = {**row, "owner_department_id": ""}
    body = conclusion_body("Kết luận", [row, no_action])
    assert body["outputs"][0]["action"] == {"owner_department_id": "qlkh"}
    assert body["outputs"][1]["action"] is None and body["outputs"][1]["department_id"] is None
    refused = Refusal(422, {"outputs.0.action.due_date": "Chưa nhập", "outputs.1.action": "y"})
    assert conclusion_refusal(refused).errors == {
        "outputs.0.due_date": "Chưa nhập",
        "outputs.1.owner_department_id": "y",
    }
