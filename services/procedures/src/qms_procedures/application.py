"""The procedures application: commands (with authorisation) over the event store."""

import uuid
from collections.abc import Callable
from datetime import date, datetime

from eventsourcing.domain import Aggregate

from qms_contracts.procedures_commands import WRONG_RATING_CODE
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
from qms_procedures.feedback import (
    CITIZEN,
    PROCEDURE,
    Feedback,
    FeedbackQuota,
    SatisfactionRating,
    address_digest,
    quota_id,
    rating_id,
    rating_secret,
    secret_matches,
)
from qms_procedures.outputs import CauseNonconformity
from qms_procedures.settings import ProceduresSettings
from qms_procedures.working_days import CALENDAR_ID, CalendarExceptions, WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.clock import today as vietnam_today
from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from qms_runtime.principal import (
    ADMIN,
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    STAFF,
    UNIT_LEADER,
    Principal,
)
from qms_runtime.review.application import ReviewSteps

#: Who files a dossier at a unit's desk.
FILERS = (STAFF, DEPARTMENT_LEADER, ISO_SECRETARY)
#: Filings at once on one unit and day conflict on its counter; each retries this often.
FILING_ATTEMPTS = 100
#: Sends at once from one address conflict on its quota; each retries this often.
FEEDBACK_ATTEMPTS = 20
#: Who assigns citizens' feedback to a department.
FEEDBACK_ASSIGNERS = (ISO_SECRETARY, UNIT_LEADER)
ALREADY_RATED = "Hồ sơ đã được đánh giá"


class ProceduresApplication(ReviewSteps):
    dataclass_types = (Step, Form, ProcedureContent, DossierStep, Applicant)

    #: Vietnam's date; a test sets another.
    today: Callable[[], date] = staticmethod(vietnam_today)

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        settings = ProceduresSettings.from_env(self.env)
        #: The key of the secrets printed on dossiers' results and of address digests.
        self.rating_key = settings.rating_key.get_secret_value().encode()
        #: Citizens' feedback: working days to answer it, sends per address and day.
        self.feedback_answer_days = settings.feedback_answer_days
        self.feedback_per_address_per_day = settings.feedback_per_address_per_day
        #: Causes a nonconforming output may name.
        self.causes = frozenset(settings.nonconformity_causes)

    # The calendar

    def calendar(self) -> WorkingCalendar:
        exceptions = self.find(CalendarExceptions, CALENDAR_ID)
        return exceptions.calendar() if exceptions else WorkingCalendar()

    def set_calendar_day(
        self, context: CommandContext, *, day: date, working: bool, reason: str
    ) -> CommandResult:
        """An admin marks a day worked (a swapped Saturday) or off (an extra holiday)."""
        _require_admin(context)
        stamp = context.stamp("*")
        exceptions = self.find(CalendarExceptions, CALENDAR_ID) or CalendarExceptions(stamp=stamp)
        exceptions.set_day(day=day, working=working, reason=reason, stamp=stamp)
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
            causes=self.causes,
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
        dossier.return_to(
            step=step,
            reason=reason,
            cause=cause,
            causes=self.causes,
            stamp=dossier.stamp(context),
        )
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

    # Corrective action for a cause of nonconforming outputs

    def raise_cause_nonconformity(
        self,
        context: CommandContext,
        unit_id: str,
        *,
        procedure_id: uuid.UUID,
        cause: str,
        start: date,
        end: date,
        department_id: str,
        description: str,
    ) -> CommandResult:
        """The secretary, from the Pareto: once per procedure, cause and period (again: 409)."""
        context.principal.require(unit_id, ISO_SECRETARY)
        procedure = self.find(Procedure, procedure_id)
        if procedure is None or procedure.unit_id != unit_id:
            raise InvalidInput("Đơn vị không có quy trình này", field="procedure_id")
        raised = CauseNonconformity.raise_for(
            procedure_id=str(procedure_id),
            cause=cause,
            causes=self.causes,
            start=start,
            end=end,
            today=self.today(),
            department_id=department_id,
            description=description,
            stamp=context.stamp(unit_id),
        )
        try:
            return self.save_result(raised)
        except VersionConflict:
            raise IllegalTransition(
                "Nguyên nhân này của quy trình trong kỳ đã được đề nghị khắc phục",
                current_status="raised",
            ) from None

    # Citizens' feedback: sent from the public portal without signing in, handled by the unit

    def send_feedback(
        self,
        unit_id: str,
        *,
        kind: str,
        subject_kind: str,
        subject_ref: str,
        title: str,
        content: str,
        sender_name: str,
        sender_contact: str,
        address: str,
        received_at: datetime,
        correlation_id: str | None = None,
    ) -> CommandResult:
        """A complaint or suggestion. The HTTP layer passes the client's network `address`
        (only its digest is kept, in the day's quota saved with the feedback) and `received_at`
        from its own clock, never from the body."""
        day = received_at.astimezone(TIMEZONE).date()
        if day > self.today():
            raise InvalidInput("Thời điểm tiếp nhận sau hôm nay", field="received_at")
        stamp = _citizen_stamp(unit_id, correlation_id)
        calendar = self.calendar()

        def received() -> Feedback:
            return Feedback.receive(
                kind=kind,
                subject_kind=subject_kind,
                subject_ref=subject_ref,
                title=title,
                content=content,
                sender_name=sender_name,
                sender_contact=sender_contact,
                received_at=received_at,
                answer_days=self.feedback_answer_days,
                calendar=calendar,
                stamp=stamp,
            )

        feedback = received()
        if feedback.subject_kind == PROCEDURE and not self.find(
            Procedure, procedure_id(unit_id, feedback.subject_ref)
        ):
            raise InvalidInput("Đơn vị không có thủ tục mang mã này", field="subject_ref")
        digest = address_digest(self.rating_key, address)
        for _ in range(FEEDBACK_ATTEMPTS):
            quota = self.find(FeedbackQuota, quota_id(digest, day)) or FeedbackQuota(
                digest=digest, day=day
            )
            quota.take(self.feedback_per_address_per_day)
            try:
                return self.save_result(feedback, quota)
            except VersionConflict:
                feedback = received()  # the failed save took the pending events
        raise VersionConflict("Có quá nhiều phản ánh gửi cùng lúc; xin gửi lại")

    def assign_feedback(
        self,
        context: CommandContext,
        feedback_id: uuid.UUID,
        expected: int | None,
        department_id: str,
    ) -> CommandResult:
        feedback = self.load_for(context, Feedback, feedback_id, expected, *FEEDBACK_ASSIGNERS)
        feedback.assign(department_id=department_id, stamp=feedback.stamp(context))
        return self.save_result(feedback)

    def answer_feedback(
        self,
        context: CommandContext,
        feedback_id: uuid.UUID,
        expected: int | None,
        *,
        text: str,
        answered_on: date,
        publish: bool,
    ) -> CommandResult:
        feedback = self.load_for(context, Feedback, feedback_id, expected)
        _require_answerer(context.principal, feedback)
        feedback.answer(
            text=text,
            answered_on=answered_on,
            publish=publish,
            today=self.today(),
            stamp=feedback.stamp(context),
        )
        return self.save_result(feedback)

    def publish_feedback_answer(
        self, context: CommandContext, feedback_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        """Whoever may answer, or the unit leader, makes the answer public later."""
        feedback = self.load_for(context, Feedback, feedback_id, expected)
        if UNIT_LEADER not in context.principal.roles:
            _require_answerer(context.principal, feedback)
        feedback.publish_answer(on=self.today(), stamp=feedback.stamp(context))
        return self.save_result(feedback)

    def feedback_with_contact(self, principal: Principal, feedback_id: uuid.UUID) -> Feedback:
        """The item with its sender's contact, for whoever answers it (or the unit leader)."""
        feedback = self.read(principal, Feedback, feedback_id)
        if UNIT_LEADER not in principal.roles:
            _require_answerer(principal, feedback)
        return feedback

    def raise_complaint_nonconformity(
        self,
        context: CommandContext,
        feedback_id: uuid.UUID,
        expected: int | None,
        description: str,
    ) -> CommandResult:
        """The secretary: the audit service opens a nonconformity from the event."""
        feedback = self.load_for(context, Feedback, feedback_id, expected, ISO_SECRETARY)
        feedback.raise_nonconformity(description=description, stamp=feedback.stamp(context))
        return self.save_result(feedback)

    # Satisfaction with a dossier's result

    def rating_secret_for(self, context: CommandContext, dossier_id: uuid.UUID) -> str:
        """For the unit's desk, to print on the result."""
        dossier = self.load_for(context, Dossier, dossier_id, None, *FILERS)
        return rating_secret(self.rating_key, dossier.id)

    def rate_dossier(
        self,
        unit_id: str,
        dossier_id: uuid.UUID,
        *,
        secret: str,
        level: str,
        comment: str,
        rated_at: datetime,
        correlation_id: str | None = None,
    ) -> CommandResult:
        """A citizen, without signing in. The gateway resolves the dossier's code (its read
        model) to `dossier_id`; the secret is checked first, so without it nothing about the
        dossier shows, not even whether it was rated."""
        dossier = self.find(Dossier, dossier_id)
        if dossier is None or dossier.unit_id != unit_id:
            raise NotFound("Không tìm thấy hồ sơ")
        if not secret_matches(self.rating_key, dossier.id, secret):
            raise InvalidInput(WRONG_RATING_CODE, field="secret")
        if self.find(SatisfactionRating, rating_id(dossier.id)) is not None:
            raise IllegalTransition(ALREADY_RATED, current_status="rated")
        if rated_at.astimezone(TIMEZONE).date() > self.today():
            raise InvalidInput("Thời điểm đánh giá sau hôm nay", field="rated_at")
        rating = SatisfactionRating.rate(
            dossier=dossier,
            level=level,
            comment=comment,
            rated_at=rated_at,
            stamp=_citizen_stamp(unit_id, correlation_id),
        )
        try:
            return self.save_result(rating)
        except VersionConflict:  # rated at the same moment by another request
            raise IllegalTransition(ALREADY_RATED, current_status="rated") from None


def _require_admin(context: CommandContext) -> None:
    if ADMIN not in context.principal.roles:
        raise Forbidden("Chỉ quản trị hệ thống sửa lịch ngày làm việc")


def _citizen_stamp(unit_id: str, correlation_id: str | None) -> Stamp:
    return Stamp(actor=CITIZEN, correlation_id=correlation_id or str(uuid.uuid4()), unit_id=unit_id)


def _require_answerer(principal: Principal, feedback: Feedback) -> None:
    """The secretary, or the staff and leader of the department it is assigned to."""
    if ISO_SECRETARY in principal.roles:
        return
    if (
        feedback.department_id is None
        or principal.department_id != feedback.department_id
        or not principal.roles & {STAFF, DEPARTMENT_LEADER}
    ):
        raise Forbidden("Chỉ phòng được giao hoặc thư ký ISO được trả lời phản ánh này")


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
