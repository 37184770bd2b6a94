"""Dossiers on working days: codes, due dates, steps, returns, supplements, the apology letter.

Dates in 2026 follow `holidays.VN` (see test_working_days.py): Tết is 16-20/02, 27/04, 30/04 and
01/05 are off. March 2026 has no holiday: Monday 02/03, Friday 06/03, Monday 09/03...
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from qms_contracts.procedures import CAUSES
from qms_procedures.domain import Procedure, ProcedureContent, ProcedureVersion, Step
from qms_procedures.dossiers import Applicant, Dossier, DossierCodes, code_counter_id, outcome
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.errors import IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

UNIT = "ubnd-q1"
CAL = WorkingCalendar()
TODAY = date(2026, 6, 30)
STAFF = stamp("canbo", UNIT)
APPLICANT = Applicant("Nguyễn Văn An", "0901234567")
#: Monday 02/03/2026 at 09:00 in Hà Nội.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=TIMEZONE)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TIMEZONE)


def version(*days: int, status: str = "published") -> ProcedureVersion:
    """A version of QT-01 whose step i (from 1) is done by department phong-i in days[i-1]."""
    steps = tuple(Step(f"Bước {i}", f"phong-{i}", "", n) for i, n in enumerate(days, 1))
    content = ProcedureContent("Cấp phép", "Một cửa", steps, (), date(2027, 1, 1))
    procedure = Procedure.register(code="QT-01", stamp=STAFF)
    drafted = ProcedureVersion.draft(
        procedure=procedure, number=1, content=content, today=d(1, 1), stamp=STAFF
    )
    if status != "draft":
        drafted.submit(STAFF)
        drafted.approve(stamp("giamdoc", UNIT))
    if status in ("published", "obsolete"):
        drafted.publish(on=d(1, 2), stamp=STAFF)
    if status == "obsolete":
        drafted.make_obsolete(replaced_by="v2", stamp=STAFF)
    return drafted


def file(under: ProcedureVersion, **changes: Any) -> Dossier:
    values: dict[str, Any] = {"subject": "Cấp giấy phép", "applicant": APPLICANT}
    values |= {"received_at": MONDAY, "calendar": CAL, **changes}
    return Dossier.file(code="Q1-260302-1", version=under, stamp=STAFF, **values)


def filed(*days: int, **changes: Any) -> Dossier:
    return file(version(*days), **changes)


def due(dossier: Dossier) -> list[date]:
    return [step.due_on for step in dossier.steps]


def done(dossier: Dossier, on: date, cause: str | None = None, today: date = TODAY) -> None:
    dossier.complete_step(
        note="Xong", done_on=on, cause=cause, causes=CAUSES, today=today, stamp=STAFF
    )


def check_event(event: object, cls: type[object], /, **expected: object) -> None:
    """`event` is a `cls` and carries the `expected` fields."""
    assert isinstance(event, cls), f"{type(event).__name__} is not {cls.__name__}"
    assert {name: getattr(event, name) for name in expected} == expected


def refused(dossier: Dossier, command: Callable[[], object], field: str) -> None:
    """`command` raises InvalidInput about `field` and records nothing."""
    error = assert_rejected(dossier, command, InvalidInput)
    assert isinstance(error, InvalidInput) and error.extensions["field"] == field


def extend(dossier: Dossier, new_due_on: date, issued_on: date, reason: str = "Xác minh") -> None:
    """The apology letter of department phong-2."""
    letter: dict[str, Any] = {"department_id": "phong-2", "calendar": CAL, "stamp": STAFF}
    dossier.extend_due_date(new_due_on=new_due_on, reason=reason, issued_on=issued_on, **letter)


def send_back(dossier: Dossier, step: int, reason: str = "Sai", cause: str = "other") -> None:
    dossier.return_to(step=step, reason=reason, cause=cause, causes=CAUSES, stamp=STAFF)


def supplement(dossier: Dossier, on: date, reason: str = "Thiếu bản sao") -> None:
    dossier.request_supplement(reason=reason, on=on, today=TODAY, stamp=STAFF)


def receive(dossier: Dossier, at: datetime) -> None:
    dossier.receive_supplement(received_at=at, calendar=CAL, stamp=STAFF)


# Codes and outcomes


@pytest.mark.parametrize(
    ("done_on", "result"), [(d(3, 2), "early"), (d(3, 3), "on_time"), (d(3, 4), "late")]
)
def test_outcome_compares_the_day_done_with_the_due_date(done_on: date, result: str) -> None:
    assert outcome(done_on, d(3, 3)) == result


def test_codes_are_numbered_from_one_by_a_counter_of_the_unit_and_day() -> None:
    counter = DossierCodes(unit_id=UNIT, day=d(3, 2))
    assert [counter.allocate("Q1") for _ in range(3)] == [f"Q1-260302-{n}" for n in (1, 2, 3)]
    assert counter.id == code_counter_id(UNIT, d(3, 2))
    assert code_counter_id(UNIT, d(3, 3)) != counter.id
    assert code_counter_id("ubnd-q3", d(3, 2)) != counter.id


# Filing and due dates


@pytest.mark.parametrize(
    ("status", "changes", "field"),
    [
        ("draft", {}, "version_id"),
        ("approved", {}, "version_id"),
        ("obsolete", {}, "version_id"),
        ("published", {"subject": " "}, "subject"),
        ("published", {"applicant": Applicant("", "0901")}, "applicant.name"),
        ("published", {"applicant": Applicant("An", " ")}, "applicant.contact"),
    ],
)
def test_filing_needs_a_published_version_a_subject_and_an_applicant(
    status: str, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        file(version(1, status=status), **changes)
    assert info.value.extensions["field"] == field


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        # Friday 13/02 is day 1; 14-22/02 are weekend and Tết; 23/02 day 2, 24/02 day 3.
        (vn(2, 13, 10), [d(2, 13), d(2, 24)]),
        (vn(2, 13, 15, 0), [d(2, 13), d(2, 24)]),
        (vn(2, 13, 15, 1), [d(2, 23), d(2, 25)]),
        (vn(2, 14, 9), [d(2, 23), d(2, 25)]),
    ],
)
def test_due_dates_add_up_working_days_from_the_first_counted_day(
    received_at: datetime, expected: list[date]
) -> None:
    """After 15:00, or on a day off, the count starts on the next working day."""
    dossier = filed(1, 2, received_at=received_at)
    assert (due(dossier), dossier.due_on) == (expected, expected[-1])


def test_the_exceptions_table_pushes_the_due_date() -> None:
    day_off = WorkingCalendar(extra_days_off=frozenset({d(3, 4)}))
    assert due(filed(1, 2)) == [d(3, 2), d(3, 4)]
    assert due(filed(1, 2, calendar=day_off)) == [d(3, 2), d(3, 5)]


def test_the_dossier_keeps_the_steps_of_its_version() -> None:
    published = version(1, 2)
    dossier = file(published)
    kept = dossier.steps
    published.make_obsolete(replaced_by="v2", stamp=STAFF)
    version(5, 5, 5)  # the next version, published with other steps
    assert dossier.steps == kept
    assert (dossier.status, dossier.current, dossier.step) == ("processing", 0, kept[0])
    assert (dossier.unit_id, dossier.extended, dossier.outcome) == (UNIT, False, None)
    assert [(s.name, s.working_days) for s in kept] == [("Bước 1", 1), ("Bước 2", 2)]
    assert (dossier.version_id, dossier.procedure_id) == (str(published.id), published.procedure_id)


# Completing steps


@pytest.mark.parametrize(("day", "result"), [(2, "early"), (3, "on_time")])
def test_a_step_done_by_its_due_date_is_early_or_on_time(day: int, result: str) -> None:
    dossier = filed(2, 3)  # due 03/03, then 06/03
    dossier.collect_events()
    done(dossier, d(3, day))
    [event] = dossier.collect_events()
    check_event(event, Dossier.StepCompleted, index=0, outcome=result, done_on=d(3, day))
    assert (dossier.current, dossier.status) == (1, "processing")


def test_a_late_step_needs_a_listed_cause_and_is_a_nonconforming_output() -> None:
    dossier = filed(2, 3)
    dossier.collect_events()
    refused(dossier, lambda: done(dossier, d(3, 4)), "cause")
    refused(dossier, lambda: done(dossier, d(3, 4), "lazy"), "cause")
    done(dossier, d(3, 4), "workload")
    completed, nonconforming = dossier.collect_events()
    check_event(completed, Dossier.StepCompleted, outcome="late")
    check_event(
        nonconforming, Dossier.NonconformingOutputRecorded, step=0, kind="late", cause="workload"
    )
    assert dossier.current == 1


@pytest.mark.parametrize(
    ("day", "result", "kinds"),
    [
        (5, "early", ["StepCompleted", "Completed"]),
        (6, "on_time", ["StepCompleted", "Completed"]),
        (9, "late", ["StepCompleted", "NonconformingOutputRecorded", "Completed"]),
    ],
)
def test_the_last_step_completes_the_dossier(day: int, result: str, kinds: list[str]) -> None:
    dossier = filed(2, 3)  # due 03/03, then 06/03
    done(dossier, d(3, 3))
    dossier.collect_events()
    done(dossier, d(3, day), "coordination")
    events = dossier.collect_events()
    assert [type(e).__name__ for e in events] == kinds
    check_event(events[-1], Dossier.Completed, outcome=result, done_on=d(3, day))
    assert (dossier.status, dossier.outcome) == ("completed", result)
    assert_rejected(dossier, lambda: done(dossier, d(3, 9)), IllegalTransition)


def test_a_step_is_not_done_after_today_or_before_receipt() -> None:
    dossier = filed(2, 3)
    refused(dossier, lambda: done(dossier, d(3, 5), today=d(3, 4)), "done_on")
    refused(dossier, lambda: done(dossier, d(3, 1)), "done_on")
    done(dossier, d(3, 2), today=d(3, 2))


# Returns


def test_a_return_goes_back_to_an_earlier_step_as_a_nonconforming_output() -> None:
    dossier = filed(1, 1, 1)
    done(dossier, d(3, 2))
    done(dossier, d(3, 3))
    dossier.collect_events()
    send_back(dossier, 0, "Thiếu chữ ký", "staff_error")
    assert (dossier.current, dossier.step.name) == (0, "Bước 1")
    returned, nc = dossier.collect_events()
    check_event(returned, Dossier.Returned, from_step=2, to_step=0, reason="Thiếu chữ ký")
    check_event(
        nc, Dossier.NonconformingOutputRecorded, step=0, kind="returned", note="Thiếu chữ ký"
    )
    check_event(nc, Dossier.NonconformingOutputRecorded, cause="staff_error")


@pytest.mark.parametrize(
    ("done_steps", "step", "reason", "cause", "field"),
    [
        (0, 0, "Sai", "other", "step"),  # the first step has nowhere to go back to
        (1, 1, "Sai", "other", "step"),
        (1, 2, "Sai", "other", "step"),
        (1, -1, "Sai", "other", "step"),
        (1, 0, " ", "other", "reason"),
        (1, 0, "Sai", "lazy", "cause"),
    ],
)
def test_a_return_needs_an_earlier_step_a_reason_and_a_cause(
    done_steps: int, step: int, reason: str, cause: str, field: str
) -> None:
    dossier = filed(1, 1, 1)
    for _ in range(done_steps):
        done(dossier, d(3, 2))
    refused(dossier, lambda: send_back(dossier, step, reason, cause), field)


# Supplements: the clock stops and restarts


def test_a_supplement_request_needs_a_reason_and_a_valid_day_and_stops_the_clock() -> None:
    dossier = filed(1, 2)
    assert_rejected(dossier, lambda: receive(dossier, vn(3, 3, 9)), IllegalTransition)
    refused(dossier, lambda: supplement(dossier, d(3, 2), " "), "reason")
    assert_rejected(dossier, lambda: supplement(dossier, d(3, 1)), InvalidInput)  # before receipt
    assert_rejected(dossier, lambda: supplement(dossier, d(7, 1)), InvalidInput)  # after today
    supplement(dossier, d(3, 2))
    assert (dossier.status, dossier.stopped_on) == ("supplement_requested", d(3, 2))
    *_, event = dossier.collect_events()
    check_event(event, Dossier.SupplementRequested, reason="Thiếu bản sao", on=d(3, 2))
    assert_rejected(dossier, lambda: done(dossier, d(3, 2)), IllegalTransition)
    assert_rejected(dossier, lambda: send_back(dossier, 0), IllegalTransition)
    assert_rejected(dossier, lambda: supplement(dossier, d(3, 3)), IllegalTransition)
    refused(dossier, lambda: receive(dossier, vn(3, 1, 16)), "received_at")  # before the request
    receive(dossier, vn(3, 2, 16))  # the same day
    assert dossier.status == "processing"


@pytest.mark.parametrize(
    ("received_at", "step_2", "step_3"),
    [
        # After 15:00 on Friday 13/03: counts from Monday 16/03; 2 days left -> 17/03, 5 -> 20/03.
        (vn(3, 13, 16), d(3, 17), d(3, 20)),
        # At 10:00 on Friday 13/03: counts that day; 13, 16 -> 16/03; 13, 16-19 -> 19/03.
        (vn(3, 13, 10), d(3, 16), d(3, 19)),
        # Friday 24/04: 24, 28 (27 off) -> 28/04; 24, 28, 29, 04/05, 05/05 (30/04-03/05 off).
        (vn(4, 24, 9), d(4, 28), d(5, 5)),
    ],
)
def test_a_supplement_restarts_each_open_step_with_the_days_it_had_left(
    received_at: datetime, step_2: date, step_3: date
) -> None:
    dossier = filed(1, 2, 3)  # Monday 02/03 09:00: due 02/03, 04/03, 09/03
    assert due(dossier) == [d(3, 2), d(3, 4), d(3, 9)]
    done(dossier, d(3, 2))
    # Stopped on Tuesday 03/03: step 2 had 03-04/03 left (2), step 3 had 03/03-09/03 (5).
    supplement(dossier, d(3, 3))
    receive(dossier, received_at)
    assert due(dossier) == [d(3, 2), step_2, step_3]
    assert (dossier.status, dossier.stopped_on, dossier.current) == ("processing", None, 1)
    *_, event = dossier.collect_events()
    check_event(event, Dossier.SupplementReceived, received_at=received_at)
    done(dossier, step_2)
    [completed] = dossier.collect_events()
    check_event(completed, Dossier.StepCompleted, outcome="on_time")


def test_a_step_overdue_when_the_clock_stopped_stays_overdue() -> None:
    dossier = filed(1, 1)  # due 02/03, 03/03
    supplement(dossier, d(3, 4))
    receive(dossier, vn(3, 10, 9))
    assert due(dossier) == [d(3, 2), d(3, 3)]


# The apology letter: a new due date, once


def test_an_apology_letter_moves_the_last_due_date_once() -> None:
    dossier = filed(1, 2, received_at=vn(2, 13, 10))  # due 13/02, 24/02
    dossier.collect_events()
    extend(dossier, d(2, 25), issued_on=d(2, 23))
    assert due(dossier) == [d(2, 13), d(2, 25)]
    assert dossier.extended
    [event] = dossier.collect_events()
    check_event(event, Dossier.DueDateExtended, previous_due_on=d(2, 24), new_due_on=d(2, 25))
    check_event(event, Dossier.DueDateExtended, issued_on=d(2, 23), department_id="phong-2")
    assert_rejected(dossier, lambda: extend(dossier, d(3, 2), d(2, 24)), IllegalTransition)


@pytest.mark.parametrize(
    ("steps", "issued_on", "allowed"),
    [
        ((1, 2), d(2, 23), True),  # due 24/02: 23 and 24/02 are two working days
        ((1, 2), d(2, 22), True),  # a Sunday, with Monday 23/02 still before 24/02
        ((1, 2), d(2, 24), False),  # on the due date itself
        ((1, 2), d(2, 25), False),  # after it
        ((1, 1), d(2, 13), True),  # due 23/02: Friday 13/02 before Tết is enough
        ((1, 1), d(2, 21), False),  # Saturday 21/02: no working day before 23/02
    ],
)
def test_the_letter_is_issued_at_least_one_working_day_before_the_due_date(
    steps: tuple[int, ...], issued_on: date, allowed: bool
) -> None:
    dossier = filed(*steps, received_at=vn(2, 13, 10))
    if allowed:
        extend(dossier, d(3, 2), issued_on)
        assert dossier.due_on == d(3, 2)
    else:
        refused(dossier, lambda: extend(dossier, d(3, 2), issued_on), "issued_on")


@pytest.mark.parametrize(
    ("new_due_on", "reason", "field"),
    [
        (d(2, 24), "Xác minh", "new_due_on"),  # not after the old date
        (d(2, 20), "Xác minh", "new_due_on"),  # before it
        (d(2, 28), "Xác minh", "new_due_on"),  # a Saturday
        (d(3, 2), " ", "reason"),
    ],
)
def test_the_new_date_is_a_later_working_day_and_a_reason_is_given(
    new_due_on: date, reason: str, field: str
) -> None:
    dossier = filed(1, 2, received_at=vn(2, 13, 10))
    refused(dossier, lambda: extend(dossier, new_due_on, d(2, 13), reason), field)


def test_a_letter_may_be_issued_while_a_supplement_is_pending() -> None:
    dossier = filed(1, 2)  # due 02/03, 04/03
    supplement(dossier, d(3, 2))
    extend(dossier, d(3, 6), issued_on=d(3, 2))
    assert (dossier.status, dossier.due_on) == ("supplement_requested", d(3, 6))
    # The extended date's working days left (02-06/03: 5) count again from Monday 09/03.
    receive(dossier, vn(3, 9, 9))
    assert due(dossier) == [d(3, 9), d(3, 13)]


# Archive and replay


def test_only_a_completed_dossier_is_archived() -> None:
    dossier = filed(1)
    assert_rejected(dossier, lambda: dossier.archive(STAFF), IllegalTransition)
    supplement(dossier, d(3, 2))
    assert_rejected(dossier, lambda: dossier.archive(STAFF), IllegalTransition)
    receive(dossier, vn(3, 3, 9))
    done(dossier, d(3, 3))
    assert_rejected(dossier, lambda: extend(dossier, d(3, 6), d(3, 2)), IllegalTransition)
    dossier.archive(STAFF)
    assert dossier.status == "archived"
    assert_rejected(dossier, lambda: dossier.archive(STAFF), IllegalTransition)


def test_a_dossier_rebuilds_from_its_events() -> None:
    dossier = filed(1, 2, 3)
    done(dossier, d(3, 2))
    supplement(dossier, d(3, 3))
    extend(dossier, d(3, 20), issued_on=d(3, 3))
    receive(dossier, vn(3, 13, 16))
    copy: Any = None
    for event in dossier.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, Dossier)
    assert vars(copy) == vars(dossier)


# Receipt instants given in another zone are read in Vietnam, as working_days does.


def test_a_supplement_given_in_utc_is_dated_in_vietnam() -> None:
    dossier = filed(1, 2)
    supplement(dossier, d(3, 3))
    receive(dossier, datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 01:00 on 03/03 in Hà Nội
    assert dossier.status == "processing"


def test_a_step_is_not_done_before_the_receipt_day_in_vietnam() -> None:
    dossier = filed(1, 2, received_at=datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 03/03 01:00
    assert_rejected(dossier, lambda: done(dossier, d(3, 2)), InvalidInput)
