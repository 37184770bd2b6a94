"""Unit tests of the Objective aggregate: every transition and rule, no I/O."""

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from qms_objectives.domain import (
    Objective,
    ProgressEntry,
    Status,
    TargetResult,
    TargetSpec,
)
from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

CID = "corr-1"
DRAFTER = "alice"
SUBMITTER = "bob"
REVIEWER = "carol"


def as_(actor: str) -> Stamp:
    return stamp(actor, correlation_id=CID)


def spec(
    target_id: str = "t1",
    *,
    target_value: float = 90.0,
    direction: str = "at_least",
    deadline: date = date(2025, 12, 31),
    department_id: str = "dep-a",
    **overrides: Any,
) -> TargetSpec:
    fields: dict[str, Any] = {
        "target_id": target_id,
        "statement": "Giải quyết hồ sơ đúng hạn",
        "indicator": "tỷ lệ hồ sơ đúng hạn",
        "target_value": target_value,
        "unit_of_measure": "%",
        "direction": direction,
        "deadline": deadline,
        "department_id": department_id,
        "action_plan": "Rà soát quy trình hằng tháng",
    }
    fields.update(overrides)
    return TargetSpec(**fields)


DEFAULT_TARGETS = (
    spec("t1", target_value=90.0, direction="at_least", department_id="dep-a"),
    spec("t2", target_value=5.0, direction="at_most", department_id="dep-b"),
)


def draft_objective(
    *, year: int = 2025, title: str = "Mục tiêu chất lượng 2025", targets: Any = DEFAULT_TARGETS
) -> Objective:
    return Objective.draft(year=year, title=title, targets=targets, stamp=as_(DRAFTER))


def submitted_objective() -> Objective:
    obj = draft_objective()
    obj.submit(stamp=as_(SUBMITTER))
    return obj


def approved_objective() -> Objective:
    obj = submitted_objective()
    obj.approve(stamp=as_(REVIEWER))
    return obj


def returned_objective() -> Objective:
    obj = submitted_objective()
    obj.return_for_revision(reason="Chỉ tiêu chưa đo được", stamp=as_(REVIEWER))
    return obj


def disseminated_objective() -> Objective:
    obj = approved_objective()
    obj.disseminate(department_ids=("dep-a", "dep-b"), stamp=as_(REVIEWER))
    return obj


def evaluated_objective() -> Objective:
    obj = disseminated_objective()
    obj.evaluate(overrides={}, note="", stamp=as_(REVIEWER))
    return obj


OBJECTIVE_BUILDERS: dict[Status, Callable[[], Objective]] = {
    Status.DRAFT: draft_objective,
    Status.SUBMITTED: submitted_objective,
    Status.RETURNED: returned_objective,
    Status.APPROVED: approved_objective,
    Status.DISSEMINATED: disseminated_objective,
    Status.EVALUATED: evaluated_objective,
}

OBJECTIVE_COMMANDS: dict[str, Callable[[Objective], None]] = {
    "revise": lambda o: o.revise(title="Tiêu đề mới", targets=DEFAULT_TARGETS, stamp=as_(DRAFTER)),
    "submit": lambda o: o.submit(stamp=as_(SUBMITTER)),
    "approve": lambda o: o.approve(stamp=as_(REVIEWER)),
    "return_for_revision": lambda o: o.return_for_revision(
        reason="Thiếu số liệu", stamp=as_(REVIEWER)
    ),
    "disseminate": lambda o: o.disseminate(department_ids=("dep-a", "dep-b"), stamp=as_(REVIEWER)),
    "record_progress": lambda o: o.record_progress(
        target_id="t1", value=95.0, as_of=date(2025, 6, 30), note="", stamp=as_("dep")
    ),
    "evaluate": lambda o: o.evaluate(overrides={}, note="", stamp=as_(REVIEWER)),
}

OBJECTIVE_ALLOWED: dict[str, set[Status]] = {
    "revise": {Status.DRAFT, Status.RETURNED},
    "submit": {Status.DRAFT},
    "approve": {Status.SUBMITTED},
    "return_for_revision": {Status.SUBMITTED},
    "disseminate": {Status.APPROVED},
    "record_progress": {Status.DISSEMINATED},
    "evaluate": {Status.DISSEMINATED},
}


def pending_count(aggregate: Aggregate) -> int:
    return len(aggregate.collect_events())


# --- Objective: drafting -------------------------------------------------------------------------


def test_draft_records_one_event_and_initial_state() -> None:
    obj = draft_objective()
    assert obj.status == Status.DRAFT
    assert obj.version == 1
    assert obj.unit_id == "unit-1"
    assert obj.year == 2025
    assert obj.targets == DEFAULT_TARGETS
    assert obj.drafted_by == DRAFTER
    assert obj.submitted_by is None
    assert obj.progress == {"t1": [], "t2": []}
    assert obj.results == ()
    assert obj.achieved is None
    events = obj.collect_events()
    assert len(events) == 1
    assert type(events[0]).__name__ == "Drafted"


def test_draft_accepts_targets_as_list() -> None:
    obj = draft_objective(targets=list(DEFAULT_TARGETS))
    assert obj.targets == DEFAULT_TARGETS


@pytest.mark.parametrize("year", [2000, 2100])
def test_draft_accepts_year_bounds(year: int) -> None:
    obj = draft_objective(year=year, targets=(spec(deadline=date(year, 12, 31)),))
    assert obj.year == year


@pytest.mark.parametrize("year", [1999, 2101, 0, -2025])
def test_draft_rejects_year_out_of_bounds(year: int) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(year=year, targets=(spec(deadline=date(2025, 12, 31)),))
    assert info.value.extensions["field"] == "year"


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_draft_rejects_empty_title(title: str) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(title=title)
    assert info.value.extensions["field"] == "title"


@pytest.mark.parametrize("targets", [(), []])
def test_draft_rejects_no_targets(targets: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(targets=targets)
    assert info.value.extensions["field"] == "targets"


def test_draft_rejects_duplicate_target_ids() -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(targets=(spec("t1"), spec("t1", department_id="dep-b")))
    assert info.value.extensions["field"] == "targets"


@pytest.mark.parametrize("direction", ["", "atleast", "AT_LEAST", "between", "exactly"])
def test_draft_rejects_bad_direction(direction: str) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(targets=(spec(direction=direction),))
    assert info.value.extensions["field"] == "direction"


def test_draft_rejects_deadline_before_year() -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(year=2025, targets=(spec(deadline=date(2024, 12, 31)),))
    assert info.value.extensions["field"] == "targets.deadline"


def test_draft_accepts_deadline_in_year_or_later() -> None:
    obj = draft_objective(
        year=2025,
        targets=(spec("t1", deadline=date(2025, 1, 1)), spec("t2", deadline=date(2027, 1, 1))),
    )
    assert len(obj.targets) == 2


@pytest.mark.parametrize(
    "field", ["statement", "indicator", "unit_of_measure", "department_id", "action_plan"]
)
def test_draft_rejects_empty_target_text(field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(targets=(spec(**{field: "  "}),))
    assert info.value.extensions["field"] == f"targets.{field}"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_draft_rejects_non_finite_target_value(value: float) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_objective(targets=(spec(target_value=value),))
    assert info.value.extensions["field"] == "targets.target_value"


# --- Objective: transitions ----------------------------------------------------------------------


@pytest.mark.parametrize("status", list(OBJECTIVE_BUILDERS))
def test_builders_reach_their_status(status: Status) -> None:
    assert OBJECTIVE_BUILDERS[status]().status == status


ILLEGAL_CASES = [
    (command, status)
    for command, allowed in OBJECTIVE_ALLOWED.items()
    for status in OBJECTIVE_BUILDERS
    if status not in allowed
]


@pytest.mark.parametrize(("command", "status"), ILLEGAL_CASES)
def test_objective_illegal_transitions_raise_and_record_nothing(
    command: str, status: Status
) -> None:
    obj = OBJECTIVE_BUILDERS[status]()
    version = obj.version
    count = pending_count(obj)
    assert count == version  # every event so far is pending
    error = assert_rejected(obj, lambda: OBJECTIVE_COMMANDS[command](obj), IllegalTransition)
    assert error.extensions["current_status"] == str(status)
    assert obj.status == status
    assert obj.collect_events() == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_revise_in_draft_or_returned_goes_back_to_draft(status: Status) -> None:
    obj = OBJECTIVE_BUILDERS[status]()
    version = obj.version
    new_targets = (spec("n1", department_id="dep-c"),)
    obj.revise(title="Tiêu đề mới", targets=new_targets, stamp=as_(DRAFTER))
    assert obj.status == Status.DRAFT
    assert obj.version == version + 1
    assert obj.title == "Tiêu đề mới"
    assert obj.targets == new_targets
    assert obj.progress == {"n1": []}


def test_revise_resets_progress_to_new_targets() -> None:
    obj = draft_objective()
    obj.progress["t1"].append(ProgressEntry(1.0, date(2025, 1, 1), "", "x"))  # simulate stale data
    obj.revise(title="Mới", targets=(spec("t1"), spec("t3")), stamp=as_(DRAFTER))
    assert obj.progress == {"t1": [], "t3": []}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " ", "targets": DEFAULT_TARGETS}, "title"),
        ({"title": "T", "targets": ()}, "targets"),
        ({"title": "T", "targets": (spec("a"), spec("a"))}, "targets"),
        ({"title": "T", "targets": (spec(direction="up"),)}, "direction"),
        ({"title": "T", "targets": (spec(deadline=date(2024, 6, 1)),)}, "targets.deadline"),
    ],
)
def test_revise_validates_like_draft(kwargs: dict[str, Any], field: str) -> None:
    obj = draft_objective()
    error = assert_rejected(obj, lambda: obj.revise(**kwargs, stamp=as_(DRAFTER)), InvalidInput)
    assert error.extensions["field"] == field
    assert obj.targets == DEFAULT_TARGETS


def test_submit_from_draft() -> None:
    obj = draft_objective()
    obj.submit(stamp=as_(SUBMITTER))
    assert obj.status == Status.SUBMITTED
    assert obj.submitted_by == SUBMITTER
    assert obj.version == 2


def test_approve_when_submitted() -> None:
    obj = submitted_objective()
    obj.approve(stamp=as_(REVIEWER))
    assert obj.status == Status.APPROVED
    assert obj.version == 3


def test_return_when_submitted_keeps_reason() -> None:
    obj = submitted_objective()
    obj.return_for_revision(reason="Thiếu kế hoạch", stamp=as_(REVIEWER))
    assert obj.status == Status.RETURNED
    assert obj.return_reason == "Thiếu kế hoạch"


def test_resubmit_after_return_clears_reason() -> None:
    obj = returned_objective()
    obj.revise(title="Sửa", targets=DEFAULT_TARGETS, stamp=as_(DRAFTER))
    obj.submit(stamp=as_(SUBMITTER))
    assert obj.status == Status.SUBMITTED
    assert obj.return_reason is None


def test_submitter_cannot_approve() -> None:
    obj = submitted_objective()
    assert_rejected(obj, lambda: obj.approve(stamp=as_(SUBMITTER)), Forbidden)
    assert obj.status == Status.SUBMITTED


def test_submitter_cannot_return() -> None:
    obj = submitted_objective()
    assert_rejected(
        obj,
        lambda: obj.return_for_revision(reason="Tự trả", stamp=as_(SUBMITTER)),
        Forbidden,
    )
    assert obj.status == Status.SUBMITTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_requires_reason(reason: str) -> None:
    obj = submitted_objective()
    error = assert_rejected(
        obj,
        lambda: obj.return_for_revision(reason=reason, stamp=as_(REVIEWER)),
        InvalidInput,
    )
    assert error.extensions["field"] == "reason"
    assert obj.status == Status.SUBMITTED


def test_disseminate_when_approved_dedups_departments() -> None:
    obj = approved_objective()
    obj.disseminate(department_ids=("dep-b", "dep-a", "dep-b", "dep-x"), stamp=as_(REVIEWER))
    assert obj.status == Status.DISSEMINATED
    assert obj.department_ids == ("dep-b", "dep-a", "dep-x")


def test_disseminate_must_include_every_responsible_department() -> None:
    obj = approved_objective()
    error = assert_rejected(
        obj,
        lambda: obj.disseminate(department_ids=("dep-x",), stamp=as_(REVIEWER)),
        InvalidInput,
    )
    assert error.extensions["missing"] == ["dep-a", "dep-b"]
    assert error.extensions["field"] == "department_ids"
    error = assert_rejected(
        obj,
        lambda: obj.disseminate(department_ids=("dep-a",), stamp=as_(REVIEWER)),
        InvalidInput,
    )
    assert error.extensions["missing"] == ["dep-b"]
    assert obj.status == Status.APPROVED


# --- Objective: progress and evaluation ----------------------------------------------------------


def test_record_progress_appends_entry() -> None:
    obj = disseminated_objective()
    version = obj.version
    obj.record_progress(
        target_id="t1", value=80.0, as_of=date(2025, 3, 31), note="Q1", stamp=as_("dep")
    )
    assert obj.version == version + 1
    assert obj.progress["t1"] == [ProgressEntry(80.0, date(2025, 3, 31), "Q1", "dep")]
    assert obj.progress["t2"] == []
    assert obj.status == Status.DISSEMINATED


def test_record_progress_unknown_target() -> None:
    obj = disseminated_objective()
    error = assert_rejected(
        obj,
        lambda: obj.record_progress(
            target_id="nope", value=1.0, as_of=date(2025, 1, 1), note="", stamp=as_("d")
        ),
        InvalidInput,
    )
    assert error.extensions["field"] == "target_id"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_record_progress_rejects_non_finite_value(value: float) -> None:
    obj = disseminated_objective()
    error = assert_rejected(
        obj,
        lambda: obj.record_progress(
            target_id="t1", value=value, as_of=date(2025, 1, 1), note="", stamp=as_("d")
        ),
        InvalidInput,
    )
    assert error.extensions["field"] == "value"


def test_record_progress_rejects_date_before_year() -> None:
    obj = disseminated_objective()
    error = assert_rejected(
        obj,
        lambda: obj.record_progress(
            target_id="t1", value=1.0, as_of=date(2024, 12, 31), note="", stamp=as_("d")
        ),
        InvalidInput,
    )
    assert error.extensions["field"] == "as_of"


def record(obj: Objective, target_id: str, value: float, as_of: date) -> None:
    obj.record_progress(target_id=target_id, value=value, as_of=as_of, note="", stamp=as_("dep"))


def test_latest_value_none_without_progress_or_unknown_target() -> None:
    obj = disseminated_objective()
    assert obj.latest_value("t1") is None
    assert obj.latest_value("unknown") is None


def test_latest_value_picks_latest_as_of_not_last_recorded() -> None:
    obj = disseminated_objective()
    record(obj, "t1", 70.0, date(2025, 6, 30))
    record(obj, "t1", 50.0, date(2025, 3, 31))  # late entry of an older measurement
    assert obj.latest_value("t1") == 70.0
    record(obj, "t1", 95.0, date(2025, 9, 30))
    assert obj.latest_value("t1") == 95.0


def test_latest_value_tie_picks_last_recorded() -> None:
    obj = disseminated_objective()
    record(obj, "t1", 70.0, date(2025, 6, 30))
    record(obj, "t1", 75.0, date(2025, 6, 30))
    record(obj, "t1", 10.0, date(2025, 1, 31))
    assert obj.latest_value("t1") == 75.0


def test_evaluate_from_latest_progress_with_directions() -> None:
    obj = disseminated_objective()
    record(obj, "t1", 95.0, date(2025, 6, 30))  # at_least 90 -> achieved
    record(obj, "t1", 85.0, date(2025, 3, 31))  # older: ignored
    record(obj, "t2", 4.0, date(2025, 12, 31))  # at_most 5 -> achieved
    version = obj.version
    obj.evaluate(overrides={}, note="Tốt", stamp=as_(REVIEWER))
    assert obj.version == version + 1
    assert obj.status == Status.EVALUATED
    assert obj.results == (TargetResult("t1", True, 95.0), TargetResult("t2", True, 4.0))
    assert obj.achieved is True


@pytest.mark.parametrize(
    ("direction", "target", "value", "achieved"),
    [
        ("at_least", 90.0, 90.0, True),
        ("at_least", 90.0, 89.99, False),
        ("at_least", 90.0, 100.0, True),
        ("at_most", 5.0, 5.0, True),
        ("at_most", 5.0, 5.01, False),
        ("at_most", 5.0, 0.0, True),
    ],
)
def test_evaluate_direction_boundaries(
    direction: str, target: float, value: float, achieved: bool
) -> None:
    obj = draft_objective(targets=(spec("t1", direction=direction, target_value=target),))
    obj.submit(stamp=as_(SUBMITTER))
    obj.approve(stamp=as_(REVIEWER))
    obj.disseminate(department_ids=("dep-a",), stamp=as_(REVIEWER))
    record(obj, "t1", value, date(2025, 12, 31))
    obj.evaluate(overrides={}, note="", stamp=as_(REVIEWER))
    assert obj.results == (TargetResult("t1", achieved, value),)
    assert obj.achieved is achieved


def test_evaluate_one_target_missed_means_not_achieved() -> None:
    obj = disseminated_objective()
    record(obj, "t1", 95.0, date(2025, 6, 30))
    record(obj, "t2", 9.0, date(2025, 6, 30))  # at_most 5 -> missed
    obj.evaluate(overrides={}, note="", stamp=as_(REVIEWER))
    assert obj.results == (TargetResult("t1", True, 95.0), TargetResult("t2", False, 9.0))
    assert obj.achieved is False


def test_evaluate_without_progress_is_not_achieved() -> None:
    obj = disseminated_objective()
    obj.evaluate(overrides={}, note="", stamp=as_(REVIEWER))
    assert obj.results == (TargetResult("t1", False, None), TargetResult("t2", False, None))
    assert obj.achieved is False


def test_evaluate_overrides_win_both_ways() -> None:
    obj = disseminated_objective()
    record(obj, "t1", 95.0, date(2025, 6, 30))  # measured achieved
    obj.evaluate(overrides={"t1": False, "t2": True}, note="", stamp=as_(REVIEWER))
    assert obj.results == (TargetResult("t1", False, 95.0), TargetResult("t2", True, None))
    assert obj.achieved is False


def test_evaluate_overrides_can_make_all_achieved() -> None:
    obj = disseminated_objective()
    obj.evaluate(overrides={"t1": True, "t2": True}, note="", stamp=as_(REVIEWER))
    assert obj.achieved is True


def test_evaluate_unknown_override_target() -> None:
    obj = disseminated_objective()
    error = assert_rejected(
        obj,
        lambda: obj.evaluate(overrides={"ghost": True}, note="", stamp=as_(REVIEWER)),
        InvalidInput,
    )
    assert error.extensions["field"] == "target_id"
    assert obj.status == Status.DISSEMINATED


def test_target_lookup() -> None:
    obj = draft_objective()
    assert obj.target("t2") == DEFAULT_TARGETS[1]
    with pytest.raises(InvalidInput):
        obj.target("zzz")


def test_target_spec_achieved_by() -> None:
    assert spec(direction="at_least", target_value=1.0).achieved_by(1.0)
    assert not spec(direction="at_least", target_value=1.0).achieved_by(0.5)
    assert spec(direction="at_most", target_value=1.0).achieved_by(0.5)
    assert not spec(direction="at_most", target_value=1.0).achieved_by(1.5)
    assert replace(spec(), target_value=0.0).achieved_by(0.0)


# --- Objective: event sourcing -------------------------------------------------------------------


def test_full_lifecycle_event_names_and_versions() -> None:
    obj = returned_objective()
    obj.revise(title="Sửa", targets=DEFAULT_TARGETS, stamp=as_(DRAFTER))
    obj.submit(stamp=as_(SUBMITTER))
    obj.approve(stamp=as_(REVIEWER))
    obj.disseminate(department_ids=("dep-a", "dep-b"), stamp=as_(REVIEWER))
    record(obj, "t1", 95.0, date(2025, 6, 30))
    obj.evaluate(overrides={}, note="", stamp=as_(REVIEWER))
    events = obj.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Drafted",
        "Submitted",
        "Returned",
        "Revised",
        "Submitted",
        "Approved",
        "Disseminated",
        "ProgressRecorded",
        "Evaluated",
    ]
    assert [e.originator_version for e in events] == list(range(1, 10))
    assert all(e.originator_id == obj.id for e in events)
    assert obj.version == 9
    assert obj.collect_events() == []


def test_objective_reconstructs_from_its_events() -> None:
    obj = returned_objective()
    obj.revise(title="Sửa lần 1", targets=DEFAULT_TARGETS, stamp=as_(DRAFTER))
    obj.submit(stamp=as_(SUBMITTER))
    obj.approve(stamp=as_(REVIEWER))
    obj.disseminate(department_ids=("dep-b", "dep-a"), stamp=as_(REVIEWER))
    record(obj, "t1", 80.0, date(2025, 3, 31))
    record(obj, "t1", 92.0, date(2025, 6, 30))
    record(obj, "t2", 3.0, date(2025, 6, 30))
    obj.evaluate(overrides={"t2": False}, note="Ghi chú", stamp=as_(REVIEWER))

    events = obj.collect_events()
    copy: Any = None
    for e in events:
        copy = e.mutate(copy)

    assert isinstance(copy, Objective)
    assert copy is not obj
    assert copy.id == obj.id
    assert copy.version == obj.version == len(events)
    assert copy.status == Status.EVALUATED
    assert copy.title == "Sửa lần 1"
    assert copy.targets == obj.targets
    assert copy.department_ids == ("dep-b", "dep-a")
    assert copy.progress == obj.progress
    assert copy.latest_value("t1") == 92.0
    assert copy.results == obj.results
    assert copy.achieved is False
    assert copy.submitted_by == SUBMITTER
    assert copy.created_on == obj.created_on
    assert copy.modified_on == obj.modified_on
    assert vars(copy) == vars(obj)


def test_reconstruct_partial_history_stops_at_that_state() -> None:
    obj = approved_objective()
    events = obj.collect_events()
    copy: Any = None
    for e in events[:2]:
        copy = e.mutate(copy)
    assert copy.status == Status.SUBMITTED
    assert copy.version == 2
