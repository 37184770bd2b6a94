"""What the procedures service publishes: each domain event class and its contract."""

from typing import Any

from qms_contracts import procedures as contract
from qms_procedures.domain import Procedure, ProcedureContent, ProcedureVersion
from qms_procedures.dossiers import Dossier, DossierCodes, DossierStep
from qms_procedures.feedback import Feedback, FeedbackQuota, SatisfactionRating
from qms_procedures.outputs import CauseNonconformity
from qms_procedures.working_days import CalendarExceptions
from qms_runtime.publishing import Builder, ContractMapper


def _version(event: Any) -> dict[str, Any]:
    return {"version_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _content(content: ProcedureContent) -> dict[str, Any]:
    return {
        "name": content.name,
        "scope": content.scope,
        "steps": [contract.Step.model_validate(vars(step)) for step in content.steps],
        "forms": [contract.Form.model_validate(vars(form)) for form in content.forms],
        "review_on": content.review_on,
    }


def _dossier(event: Any) -> dict[str, Any]:
    return {"dossier_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _steps(steps: tuple[DossierStep, ...]) -> list[contract.DossierStep]:
    return [contract.DossierStep.model_validate(vars(step)) for step in steps]


VERSION: dict[type[Any], Builder | None] = {
    ProcedureVersion.Drafted: lambda e: contract.ProcedureVersionDrafted(
        **_version(e),
        procedure_id=e.procedure_id,
        code=e.code,
        number=e.number,
        **_content(e.content),
    ),
    ProcedureVersion.Revised: lambda e: contract.ProcedureVersionRevised(
        **_version(e), **_content(e.content)
    ),
    ProcedureVersion.Submitted: lambda e: contract.ProcedureVersionSubmitted(
        **_version(e), submitted_by=e.stamp.actor
    ),
    ProcedureVersion.Returned: lambda e: contract.ProcedureVersionReturned(
        **_version(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    ProcedureVersion.Approved: lambda e: contract.ProcedureVersionApproved(
        **_version(e), approved_by=e.stamp.actor
    ),
    ProcedureVersion.Published: lambda e: contract.ProcedurePublished(
        **_version(e),
        published_on=e.on,
        departments=list(e.departments),
        published_by=e.stamp.actor,
    ),
    ProcedureVersion.Obsoleted: lambda e: contract.ProcedureObsoleted(
        **_version(e), replaced_by=e.replaced_by
    ),
    ProcedureVersion.ReadAcknowledged: lambda e: contract.ProcedureReadAcknowledged(
        **_version(e), department_id=e.department_id, acknowledged_by=e.stamp.actor
    ),
    ProcedureVersion.PeriodicReviewRecorded: lambda e: contract.ProcedurePeriodicReviewRecorded(
        **_version(e), note=e.note, next_review_on=e.next_review_on, reviewed_by=e.stamp.actor
    ),
}

#: The register of codes and the daily counters are the service's own bookkeeping.
INTERNAL: dict[type[Any], Builder | None] = {
    Procedure.Registered: None,
    Procedure.VersionAdded: None,
    Procedure.VersionPublished: None,
    DossierCodes.Opened: None,
    DossierCodes.Allocated: None,
}

#: Every change of the calendar, its opening included: a reader keeps its versions gap-free.
CALENDAR: dict[type[Any], Builder | None] = {
    CalendarExceptions.Opened: lambda e: contract.WorkingCalendarOpened(),
    CalendarExceptions.DaySet: lambda e: contract.WorkingCalendarDaySet(
        day=e.day, working=e.working, reason=e.reason
    ),
    CalendarExceptions.DayCleared: lambda e: contract.WorkingCalendarDayCleared(day=e.day),
}

DOSSIER: dict[type[Any], Builder | None] = {
    Dossier.Filed: lambda e: contract.DossierFiled(
        **_dossier(e),
        code=e.code,
        procedure_id=e.procedure_id,
        version_id=e.version_id,
        version_number=e.version_number,
        subject=e.subject,
        applicant_name=e.applicant.name,
        received_at=e.received_at,
        steps=_steps(e.steps),
        due_on=e.steps[-1].due_on,
        filed_by=e.stamp.actor,
    ),
    Dossier.StepCompleted: lambda e: contract.DossierStepCompleted(
        **_dossier(e),
        step=e.index,
        note=e.note,
        done_on=e.done_on,
        due_on=e.due_on,
        outcome=e.outcome,
        completed_by=e.stamp.actor,
    ),
    Dossier.Returned: lambda e: contract.DossierReturned(
        **_dossier(e),
        from_step=e.from_step,
        to_step=e.to_step,
        reason=e.reason,
        returned_by=e.stamp.actor,
    ),
    Dossier.SupplementRequested: lambda e: contract.DossierSupplementRequested(
        **_dossier(e), reason=e.reason, requested_on=e.on, requested_by=e.stamp.actor
    ),
    Dossier.SupplementReceived: lambda e: contract.DossierSupplementReceived(
        **_dossier(e),
        received_at=e.received_at,
        steps=_steps(e.steps),
        due_on=e.steps[-1].due_on,
        received_by=e.stamp.actor,
    ),
    Dossier.DueDateExtended: lambda e: contract.DossierDueDateExtended(
        **_dossier(e),
        previous_due_on=e.previous_due_on,
        due_on=e.new_due_on,
        reason=e.reason,
        department_id=e.department_id,
        issued_on=e.issued_on,
        issued_by=e.stamp.actor,
    ),
    Dossier.NonconformingOutputRecorded: lambda e: contract.NonconformingOutputRecorded(
        **_dossier(e),
        procedure_id=e.procedure_id,
        step=e.step,
        kind=e.kind,
        cause=e.cause,
        note=e.note,
    ),
    Dossier.Completed: lambda e: contract.DossierCompleted(
        **_dossier(e),
        procedure_id=e.procedure_id,
        received_on=e.received_on,
        done_on=e.done_on,
        due_on=e.due_on,
        outcome=e.outcome,
        completed_by=e.stamp.actor,
    ),
    Dossier.Archived: lambda e: contract.DossierArchived(**_dossier(e), archived_by=e.stamp.actor),
}


def _feedback(event: Any) -> dict[str, Any]:
    return {"feedback_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


#: The sender's contact stays here; the address quotas are the service's own bookkeeping.
FEEDBACK: dict[type[Any], Builder | None] = {
    Feedback.Received: lambda e: contract.FeedbackReceived(
        **_feedback(e),
        kind=e.kind,
        subject_kind=e.subject_kind,
        subject_ref=e.subject_ref,
        title=e.title,
        content=e.content,
        sender_name=e.sender_name,
        received_at=e.received_at,
        answer_days=e.answer_days,
        answer_due_on=e.answer_due_on,
    ),
    Feedback.Assigned: lambda e: contract.FeedbackAssigned(
        **_feedback(e),
        department_id=e.department_id,
        previous_department_id=e.previous,
        assigned_by=e.stamp.actor,
    ),
    Feedback.Answered: lambda e: contract.FeedbackAnswered(
        **_feedback(e),
        department_id=e.department_id,
        answer=e.text,
        answered_on=e.answered_on,
        due_on=e.due_on,
        outcome=e.outcome,
        published=e.published,
        answered_by=e.stamp.actor,
    ),
    Feedback.AnswerPublished: lambda e: contract.FeedbackAnswerPublished(
        **_feedback(e), published_on=e.on, published_by=e.stamp.actor
    ),
    Feedback.NonconformityRaised: lambda e: contract.ComplaintNonconformityRaised(
        **_feedback(e),
        department_id=e.department_id,
        description=e.description,
        source="complaint",
        raised_by=e.stamp.actor,
    ),
    FeedbackQuota.Opened: None,
    FeedbackQuota.Taken: None,
    SatisfactionRating.Rated: lambda e: contract.SatisfactionRated(
        rating_id=str(e.originator_id),
        unit_id=e.stamp.unit_id,
        dossier_id=str(e.dossier_id),
        procedure_id=e.procedure_id,
        level=e.level,
        comment=e.comment,
        rated_at=e.rated_at,
    ),
}

#: The aggregates whose events this service stores.
OUTPUTS: dict[type[Any], Builder | None] = {
    CauseNonconformity.Raised: lambda e: contract.CauseNonconformityRaised(
        raise_id=str(e.originator_id),
        unit_id=e.stamp.unit_id,
        procedure_id=e.procedure_id,
        cause=e.cause,
        start=e.start,
        end=e.end,
        department_id=e.department_id,
        description=e.description,
        raised_by=e.stamp.actor,
    ),
}

AGGREGATES = (
    Procedure,
    ProcedureVersion,
    DossierCodes,
    Dossier,
    CalendarExceptions,
    Feedback,
    FeedbackQuota,
    SatisfactionRating,
    CauseNonconformity,
)
MAPPER = ContractMapper({**VERSION, **INTERNAL, **CALENDAR, **DOSSIER, **FEEDBACK, **OUTPUTS})
