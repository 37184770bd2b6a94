"""The procedures application: commands (with authorisation) over the event store."""

import uuid
from collections.abc import Callable
from datetime import date, datetime

from eventsourcing.domain import Aggregate

from qms_procedures.domain import (
    Form,
    Procedure,
    ProcedureContent,
    ProcedureVersion,
    Step,
    procedure_id,
)
from qms_procedures.dossiers import (
    Applicant,
    Dossier,
    DossierCodes,
    DossierStep,
    code_counter_id,
)
from qms_procedures.working_days import CALENDAR_ID, CalendarExceptions, WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.clock import today as vietnam_today
from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from qms_runtime.principal import (
    ADMIN,
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    STAFF,
    Principal,
)
from qms_runtime.review.application import ReviewSteps

#: Who files a dossier at a unit's desk.
FILERS = (STAFF, DEPARTMENT_LEADER, ISO_SECRETARY)
#: Filings at once on one unit and day conflict on its counter; each retries this often.
FILING_ATTEMPTS = 100


class ProceduresApplication(ReviewSteps):
    dataclass_types = (Step, Form, ProcedureContent, DossierStep, Applicant)

    #: Vietnam's date; a test sets another.
    today: Callable[[], date] = staticmethod(vietnam_today)

    # The calendar

    def calendar(self) -> WorkingCalendar:
        exceptions = self.find(CalendarExceptions, CALENDAR_ID)
        return exceptions.calendar() if exceptions else WorkingCalendar()

    def set_calendar_day(
        self, context: CommandContext, *, day: date, working: bool, reason: str
    ) -> CommandResult:
        """An admin marks a day worked (a swapped Saturday) or off (an extra holiday)."""
        _require_admin(context)
        exceptions = self.find(CalendarExceptions, CALENDAR_ID) or CalendarExceptions()
        exceptions.set_day(day=day, working=working, reason=reason, stamp=context.stamp("*"))
        return self.save_result(exceptions)

    def clear_calendar_day(self, context: CommandContext, *, day: date) -> CommandResult:
        _require_admin(context)
        exceptions = self.find(CalendarExceptions, CALENDAR_ID)
        if exceptions is None:
            raise NotFound(f"Không có ngày ngoại lệ {day:%d/%m/%Y}")
        exceptions.clear_day(day=day, stamp=context.stamp("*"))
        return self.save_result(exceptions)

    # Procedures and their versions (submit, approve and return come from the kit)

    def draft_procedure(
        self, context: CommandContext, unit_id: str, code: str, content: ProcedureContent
    ) -> CommandResult:
        """A new code's first version; a code already registered in the unit gets 409."""
        context.principal.require(unit_id, *ProcedureVersion.drafter_roles)
        if self.find(Procedure, procedure_id(unit_id, code)) is not None:
            raise VersionConflict(f"Mã quy trình {code} đã có trong đơn vị", field="code")
        stamp = context.stamp(unit_id)
        return self._draft_version(Procedure.register(code=code, stamp=stamp), content, stamp)

    def draft_version(
        self,
        context: CommandContext,
        procedure: uuid.UUID,
        expected: int | None,
        content: ProcedureContent,
    ) -> CommandResult:
        """A change to a procedure: its next version, as a draft."""
        registered = self.load_for(
            context, Procedure, procedure, expected, *ProcedureVersion.drafter_roles
        )
        return self._draft_version(registered, content, registered.stamp(context))

    def _draft_version(
        self, procedure: Procedure, content: ProcedureContent, stamp: Stamp
    ) -> CommandResult:
        number = procedure.add_version(stamp)
        version = ProcedureVersion.draft(
            procedure=procedure, number=number, content=content, today=self.today(), stamp=stamp
        )
        return self.save_result(version, procedure)

    def revise_version(
        self,
        context: CommandContext,
        version_id: uuid.UUID,
        expected: int | None,
        content: ProcedureContent,
    ) -> CommandResult:
        version = self.load_for(
            context, ProcedureVersion, version_id, expected, *ProcedureVersion.drafter_roles
        )
        version.revise(content=content, today=self.today(), stamp=version.stamp(context))
        return self.save_result(version)

    def publish(
        self, context: CommandContext, version_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        """In force from today; the version it replaces is obsolete in the same save, so a
        concurrent publish of the same procedure conflicts (409)."""
        version = self.load_for(
            context, ProcedureVersion, version_id, expected, *ProcedureVersion.drafter_roles
        )
        stamp = version.stamp(context)
        procedure = self.load(Procedure, uuid.UUID(version.procedure_id))
        version.publish(on=self.today(), stamp=stamp)
        replaced = procedure.publish(str(version.id), stamp)
        changed: list[Aggregate] = [version, procedure]
        if replaced is not None:
            previous = self.load(ProcedureVersion, uuid.UUID(replaced))
            previous.make_obsolete(replaced_by=str(version.id), stamp=stamp)
            changed.append(previous)
        return self.save_result(*changed)

    def acknowledge_reading(
        self, context: CommandContext, version_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        """A department leader: the department has read the version in force."""
        version = self.load_for(context, ProcedureVersion, version_id, expected, DEPARTMENT_LEADER)
        version.acknowledge(
            department_id=context.principal.department_id, stamp=version.stamp(context)
        )
        return self.save_result(version)

    def record_periodic_review(
        self,
        context: CommandContext,
        version_id: uuid.UUID,
        expected: int | None,
        *,
        note: str,
        next_review_on: date,
    ) -> CommandResult:
        version = self.load_for(context, ProcedureVersion, version_id, expected, ISO_SECRETARY)
        version.record_periodic_review(
            note=note,
            next_review_on=next_review_on,
            today=self.today(),
            stamp=version.stamp(context),
        )
        return self.save_result(version)

    # Dossiers

    def file_dossier(
        self,
        context: CommandContext,
        unit_id: str,
        *,
        prefix: str,
        version_id: uuid.UUID,
        subject: str,
        applicant: Applicant,
        received_at: datetime,
    ) -> CommandResult:
        """Filed under a version in force, with the unit's next code of the receipt day."""
        context.principal.require(unit_id, *FILERS)
        version = self.load(ProcedureVersion, version_id)
        if version.unit_id != unit_id:
            raise InvalidInput("Quy trình thuộc đơn vị khác", field="version_id")
        if received_at.astimezone(TIMEZONE).date() > self.today():
            raise InvalidInput("Thời điểm tiếp nhận sau hôm nay", field="received_at")
        stamp = context.stamp(unit_id)
        calendar = self.calendar()
        day = received_at.astimezone(TIMEZONE).date()
        for _ in range(FILING_ATTEMPTS):
            codes = self.find(DossierCodes, code_counter_id(unit_id, day)) or DossierCodes(
                unit_id=unit_id, day=day
            )
            dossier = Dossier.file(
                code=codes.allocate(prefix),
                version=version,
                subject=subject,
                applicant=applicant,
                received_at=received_at,
                calendar=calendar,
                stamp=stamp,
            )
            try:
                return self.save_result(dossier, codes)
            except VersionConflict:
                continue
        raise VersionConflict("Quá nhiều hồ sơ tiếp nhận cùng lúc; hãy thử lại")

    def _dossier_step(
        self, context: CommandContext, dossier_id: uuid.UUID, expected: int | None
    ) -> Dossier:
        """The dossier, for whoever the current step names: its department's staff and leader,
        or the role it names; the secretary steps in for anyone."""
        dossier = self.load_for(context, Dossier, dossier_id, expected)
        _require_step(context.principal, dossier.step)
        return dossier

    def complete_step(
        self,
        context: CommandContext,
        dossier_id: uuid.UUID,
        expected: int | None,
        *,
        note: str,
        done_on: date,
        cause: str | None,
    ) -> CommandResult:
        dossier = self._dossier_step(context, dossier_id, expected)
        dossier.complete_step(
            note=note,
            done_on=done_on,
            cause=cause,
            today=self.today(),
            stamp=dossier.stamp(context),
        )
        return self.save_result(dossier)

    def return_dossier(
        self,
        context: CommandContext,
        dossier_id: uuid.UUID,
        expected: int | None,
        *,
        step: int,
        reason: str,
        cause: str,
    ) -> CommandResult:
        dossier = self._dossier_step(context, dossier_id, expected)
        dossier.return_to(step=step, reason=reason, cause=cause, stamp=dossier.stamp(context))
        return self.save_result(dossier)

    def request_supplement(
        self, context: CommandContext, dossier_id: uuid.UUID, expected: int | None, reason: str
    ) -> CommandResult:
        dossier = self._dossier_step(context, dossier_id, expected)
        dossier.request_supplement(
            reason=reason, on=self.today(), today=self.today(), stamp=dossier.stamp(context)
        )
        return self.save_result(dossier)

    def receive_supplement(
        self,
        context: CommandContext,
        dossier_id: uuid.UUID,
        expected: int | None,
        received_at: datetime,
    ) -> CommandResult:
        dossier = self.load_for(context, Dossier, dossier_id, expected, *FILERS)
        dossier.receive_supplement(
            received_at=received_at, calendar=self.calendar(), stamp=dossier.stamp(context)
        )
        return self.save_result(dossier)

    def extend_due_date(
        self,
        context: CommandContext,
        dossier_id: uuid.UUID,
        expected: int | None,
        *,
        new_due_on: date,
        reason: str,
    ) -> CommandResult:
        """The apology letter, issued today by the department responsible for the step."""
        dossier = self._dossier_step(context, dossier_id, expected)
        dossier.extend_due_date(
            new_due_on=new_due_on,
            reason=reason,
            department_id=dossier.step.department_id or context.principal.department_id or "",
            issued_on=self.today(),
            calendar=self.calendar(),
            stamp=dossier.stamp(context),
        )
        return self.save_result(dossier)

    def archive_dossier(
        self, context: CommandContext, dossier_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        dossier = self.load_for(context, Dossier, dossier_id, expected, *FILERS)
        dossier.archive(dossier.stamp(context))
        return self.save_result(dossier)


def _require_admin(context: CommandContext) -> None:
    if ADMIN not in context.principal.roles:
        raise Forbidden("Chỉ quản trị hệ thống sửa lịch ngày làm việc")


def _require_step(principal: Principal, step: DossierStep) -> None:
    if ISO_SECRETARY in principal.roles:
        return
    if step.department_id.strip():
        if principal.department_id != step.department_id or not principal.roles & {
            STAFF,
            DEPARTMENT_LEADER,
        }:
            raise Forbidden(f"Bước '{step.name}' do phòng {step.department_id} thực hiện")
    elif step.role not in principal.roles:
        raise Forbidden(f"Bước '{step.name}' do vai trò {step.role} thực hiện")
