"""Internal dossiers (ISO 9001 8.1, 8.7): filed under a published procedure version, moved
step by step on working days, ending at archive. No I/O.

A dossier keeps the steps of the version it was filed under, each with its due date, so a
later version changes nothing for it. Whether a step, and the dossier, finished early, on time
or late is decided when it finishes. A late step and a return are nonconforming outputs, each
recorded with its cause.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_procedures.domain import PUBLISHED, ProcedureVersion
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.commands import Stamp
from qms_runtime.errors import IllegalTransition, InvalidInput
from qms_runtime.record import UnitRecord
from qms_runtime.review.domain import require_text

#: Namespace of a unit's daily code counters: uuid5(DOSSIER_CODES, "<unit>/<YYMMDD>").
DOSSIER_CODES = uuid.UUID("0b8e54a4-8f3e-5a9f-a1c6-3d2b6f1e9c20")

EARLY, ON_TIME, LATE = "early", "on_time", "late"
PROCESSING, SUPPLEMENT, COMPLETED, ARCHIVED = (
    "processing",
    "supplement_requested",
    "completed",
    "archived",
)


def outcome(done_on: date, due_on: date) -> str:
    if done_on < due_on:
        return EARLY
    return ON_TIME if done_on == due_on else LATE


def code_counter_id(unit_id: str, day: date) -> uuid.UUID:
    return uuid.uuid5(DOSSIER_CODES, f"{unit_id}/{day:%y%m%d}")


class DossierCodes(Aggregate):
    """A unit's dossier numbers of one day. A filing saves it with the dossier, so two filings
    at once conflict and one retries: numbers are unique and leave no gap."""

    if TYPE_CHECKING:
        Opened: type[Aggregate.Event]
        Allocated: type[Aggregate.Event]

    @staticmethod
    def create_id(unit_id: str, day: date, **_: object) -> uuid.UUID:
        return code_counter_id(unit_id, day)

    @event("Opened")
    def __init__(self, *, unit_id: str, day: date) -> None:
        self.unit_id = unit_id
        self.day = day
        self.last = 0

    def allocate(self, prefix: str) -> str:
        """The next code: `<unit prefix>-YYMMDD-N`."""
        self._allocated(number=self.last + 1)
        return f"{prefix}-{self.day:%y%m%d}-{self.last}"

    @event("Allocated")
    def _allocated(self, number: int) -> None:
        self.last = number


@dataclass(frozen=True)
class DossierStep:
    """A step as the dossier keeps it: the version's step, and when it is due."""

    name: str
    department_id: str
    role: str
    working_days: int
    due_on: date


@dataclass(frozen=True)
class Applicant:
    name: str
    contact: str

    def check(self) -> None:
        require_text(self.name, "applicant.name")
        require_text(self.contact, "applicant.contact")


def _schedule(
    version: ProcedureVersion, first_day: date, calendar: WorkingCalendar
) -> tuple[DossierStep, ...]:
    steps: list[DossierStep] = []
    elapsed = 0
    for step in version.content.steps:
        elapsed += step.working_days
        due = calendar.due_date(first_day, elapsed)
        steps.append(DossierStep(step.name, step.department_id, step.role, step.working_days, due))
    return tuple(steps)


class Dossier(UnitRecord):
    noun = "hồ sơ"

    if TYPE_CHECKING:
        Filed: type[Aggregate.Event]
        StepCompleted: type[Aggregate.Event]
        Returned: type[Aggregate.Event]
        SupplementRequested: type[Aggregate.Event]
        SupplementReceived: type[Aggregate.Event]
        DueDateExtended: type[Aggregate.Event]
        NonconformingOutputRecorded: type[Aggregate.Event]
        Completed: type[Aggregate.Event]
        Archived: type[Aggregate.Event]

    @classmethod
    def file(
        cls,
        *,
        code: str,
        version: ProcedureVersion,
        subject: str,
        applicant: Applicant,
        received_at: datetime,
        calendar: WorkingCalendar,
        stamp: Stamp,
    ) -> "Dossier":
        if version.status != PUBLISHED:
            raise InvalidInput(
                "Chỉ tiếp nhận hồ sơ theo phiên bản quy trình đang có hiệu lực",
                field="version_id",
            )
        require_text(subject, "subject")
        applicant.check()
        first_day = calendar.first_counted_day(received_at)
        return cls(
            code=code,
            procedure_id=version.procedure_id,
            version_id=str(version.id),
            version_number=version.number,
            subject=subject,
            applicant=applicant,
            received_at=received_at,
            first_day=first_day,
            steps=_schedule(version, first_day, calendar),
            stamp=stamp,
        )

    @event("Filed")
    def __init__(
        self,
        *,
        code: str,
        procedure_id: str,
        version_id: str,
        version_number: int,
        subject: str,
        applicant: Applicant,
        received_at: datetime,
        first_day: date,
        steps: tuple[DossierStep, ...],
        stamp: Stamp,
    ) -> None:
        self.unit_id = stamp.unit_id
        self.code = code
        self.procedure_id = procedure_id
        self.version_id = version_id
        self.version_number = version_number
        self.subject = subject
        self.applicant = applicant
        self.received_at = received_at
        self.steps = tuple(steps)
        self.status: str = PROCESSING
        self.current = 0
        self.stopped_on: date | None = None
        self.extended = False
        self.outcome: str | None = None

    @property
    def due_on(self) -> date:
        return self.steps[-1].due_on

    @property
    def step(self) -> DossierStep:
        return self.steps[self.current]

    def _check_cause(self, cause: str, causes: Collection[str]) -> None:
        if cause not in causes:
            raise InvalidInput("Chọn nguyên nhân trong danh mục", field="cause")

    def _check_done_on(self, done_on: date, today: date, field: str = "done_on") -> None:
        if done_on > today:
            raise InvalidInput("Ngày thực hiện không được sau hôm nay", field=field)
        if done_on < self.received_at.astimezone(TIMEZONE).date():
            raise InvalidInput("Ngày thực hiện trước ngày tiếp nhận hồ sơ", field=field)

    def complete_step(
        self,
        *,
        note: str,
        done_on: date,
        cause: str | None,
        causes: Collection[str],
        today: date,
        stamp: Stamp,
    ) -> None:
        """The current step done; a late one needs its cause (one of `causes`, the unit's
        configured list). The last step completes the dossier: its result is ready to return."""
        self.expect(PROCESSING, action="hoàn thành bước của")
        self._check_done_on(done_on, today)
        result = outcome(done_on, self.step.due_on)
        if result == LATE:
            if cause is None:
                raise InvalidInput("Bước hoàn thành trễ hạn: chọn nguyên nhân", field="cause")
            self._check_cause(cause, causes)
        index = self.current
        self._step_completed(
            index=index,
            note=note,
            done_on=done_on,
            due_on=self.step.due_on,
            outcome=result,
            stamp=stamp,
        )
        if result == LATE:
            assert cause is not None
            self._nonconforming(
                procedure_id=self.procedure_id,
                step=index,
                kind=LATE,
                cause=cause,
                note=note,
                stamp=stamp,
            )
        if index == len(self.steps) - 1:
            self._completed(
                procedure_id=self.procedure_id,
                received_on=self.received_at.astimezone(TIMEZONE).date(),
                done_on=done_on,
                due_on=self.due_on,
                outcome=outcome(done_on, self.due_on),
                stamp=stamp,
            )

    @event("StepCompleted")
    def _step_completed(
        self, index: int, note: str, done_on: date, due_on: date, outcome: str, stamp: Stamp
    ) -> None:
        self.current = min(index + 1, len(self.steps) - 1)

    @event("Completed")
    def _completed(
        self,
        procedure_id: str,
        received_on: date,
        done_on: date,
        due_on: date,
        outcome: str,
        stamp: Stamp,
    ) -> None:
        self.status = COMPLETED
        self.outcome = outcome

    def return_to(
        self, *, step: int, reason: str, cause: str, causes: Collection[str], stamp: Stamp
    ) -> None:
        """Back to an earlier step, with a reason: a nonconforming output."""
        self.expect(PROCESSING, action="trả lại bước trước của")
        if not 0 <= step < self.current:
            raise InvalidInput("Chỉ trả về một bước trước bước hiện tại", field="step")
        require_text(reason, "reason")
        self._check_cause(cause, causes)
        self._returned(from_step=self.current, to_step=step, reason=reason, stamp=stamp)
        self._nonconforming(
            procedure_id=self.procedure_id,
            step=step,
            kind="returned",
            cause=cause,
            note=reason,
            stamp=stamp,
        )

    @event("Returned")
    def _returned(self, from_step: int, to_step: int, reason: str, stamp: Stamp) -> None:
        self.current = to_step

    @event("NonconformingOutputRecorded")
    def _nonconforming(
        self, procedure_id: str, step: int, kind: str, cause: str, note: str, stamp: Stamp
    ) -> None:
        pass

    def request_supplement(self, *, reason: str, on: date, today: date, stamp: Stamp) -> None:
        """The applicant must add to the dossier: its clock stops."""
        self.expect(PROCESSING, action="yêu cầu bổ sung")
        require_text(reason, "reason")
        self._check_done_on(on, today, "on")
        self._supplement_requested(reason=reason, on=on, stamp=stamp)

    @event("SupplementRequested")
    def _supplement_requested(self, reason: str, on: date, stamp: Stamp) -> None:
        self.status = SUPPLEMENT
        self.stopped_on = on

    def receive_supplement(
        self, *, received_at: datetime, calendar: WorkingCalendar, stamp: Stamp
    ) -> None:
        """The clock runs again: each step not yet done keeps the working days it had left
        when the clock stopped, counted from the day the supplement counts from."""
        self.expect(SUPPLEMENT, action="nhận bổ sung")
        assert self.stopped_on is not None
        if received_at.astimezone(TIMEZONE).date() < self.stopped_on:
            raise InvalidInput("Ngày nhận bổ sung trước ngày yêu cầu", field="received_at")
        restart = calendar.first_counted_day(received_at)
        stopped_on = self.stopped_on

        def restarted(step: DossierStep) -> DossierStep:
            left = calendar.working_days_between(stopped_on, step.due_on)
            # Overdue when the clock stopped: still overdue, its date unchanged.
            return replace(step, due_on=calendar.due_date(restart, left)) if left else step

        steps = tuple(
            step if index < self.current else restarted(step)
            for index, step in enumerate(self.steps)
        )
        self._supplement_received(received_at=received_at, steps=steps, stamp=stamp)

    @event("SupplementReceived")
    def _supplement_received(
        self, received_at: datetime, steps: tuple[DossierStep, ...], stamp: Stamp
    ) -> None:
        self.steps = tuple(steps)
        self.status = PROCESSING
        self.stopped_on = None

    def extend_due_date(
        self,
        *,
        new_due_on: date,
        reason: str,
        department_id: str,
        issued_on: date,
        calendar: WorkingCalendar,
        stamp: Stamp,
    ) -> None:
        """The apology letter with a new return date: once, issued at least one working day
        before the due date."""
        self.expect(PROCESSING, SUPPLEMENT, action="hẹn lại ngày trả kết quả")
        if self.extended:
            raise IllegalTransition(
                "Ngày hẹn trả chỉ được lùi một lần", current_status=str(self.status)
            )
        require_text(reason, "reason")
        # Two working days from the letter to the due date: the letter's day, and the due date.
        if calendar.working_days_between(issued_on, self.due_on) < 2:
            raise InvalidInput(
                "Phiếu xin lỗi phải gửi trước ngày hẹn trả ít nhất một ngày làm việc",
                field="issued_on",
            )
        if new_due_on <= self.due_on or not calendar.is_working_day(new_due_on):
            raise InvalidInput(
                "Ngày hẹn mới phải là ngày làm việc sau ngày hẹn cũ", field="new_due_on"
            )
        self._due_date_extended(
            previous_due_on=self.due_on,
            new_due_on=new_due_on,
            reason=reason,
            department_id=department_id,
            issued_on=issued_on,
            stamp=stamp,
        )

    @event("DueDateExtended")
    def _due_date_extended(
        self,
        previous_due_on: date,
        new_due_on: date,
        reason: str,
        department_id: str,
        issued_on: date,
        stamp: Stamp,
    ) -> None:
        self.steps = (*self.steps[:-1], replace(self.steps[-1], due_on=new_due_on))
        self.extended = True

    def archive(self, stamp: Stamp) -> None:
        self.expect(COMPLETED, action="lưu trữ")
        self._archived(stamp=stamp)

    @event("Archived")
    def _archived(self, stamp: Stamp) -> None:
        self.status = ARCHIVED
