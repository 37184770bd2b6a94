"""Events of the procedures service: controlled procedures (ISO 9001 7.5), internal dossiers
on working days (8.1) and their nonconforming outputs (8.7).

A procedure code has versions; each is drafted and reviewed, then published, which makes the
version in force before it obsolete. Dossiers are filed under a published version and keep its
steps with their due dates. Every event carries what a read model needs to apply it.
"""

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

SERVICE = "procedures"

Outcome = Literal["early", "on_time", "late"]

#: Causes of a nonconforming output (a late step, a return), by code: the service checks a
#: recorded cause against them and the portal names them.
CAUSES = {
    "missing_documents": "Hồ sơ thiếu thành phần, phải bổ sung",
    "wrong_content": "Nội dung hồ sơ chưa đúng quy định",
    "workload": "Khối lượng công việc vượt khả năng xử lý",
    "coordination": "Chậm phối hợp giữa các phòng, đơn vị",
    "staff_error": "Sai sót của cán bộ xử lý",
    "system_fault": "Sự cố hệ thống, thiết bị",
    "other": "Nguyên nhân khác",
}


#: What a form's file may be (media type → its usual extension): documents, spreadsheets and
#: scans, never a page a browser would run; and its largest size.
FORM_FILE_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
MAX_FORM_FILE_BYTES = 20 * 1024 * 1024


class Step(BaseModel):
    """A step of a procedure: who does it (a department, or a role when `department_id` is
    empty) and in how many working days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    department_id: str
    role: str
    working_days: int = Field(ge=1)


class Form(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: str
    version: str
    sha256: str = Field(description="Hex SHA-256 of the form's file.")
    size: int = Field(ge=0, description="The file's size in bytes.")


class DossierStep(Step):
    due_on: date = Field(description="The last working day of the step.")


class _VersionEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    version_id: str = Field(description="Id of the procedure version.")
    unit_id: str


class _VersionContent(_VersionEvent):
    name: str
    scope: str
    steps: list[Step]
    forms: list[Form]
    review_on: date = Field(description="The periodic review is due by this date.")


class ProcedureVersionDrafted(_VersionContent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureVersionDrafted.v1"
    procedure_id: str = Field(description="Id of the procedure (the unit's code).")
    code: str
    number: int = Field(ge=1, description="The version's number within its procedure.")


class ProcedureVersionRevised(_VersionContent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureVersionRevised.v1"


class ProcedureVersionSubmitted(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureVersionSubmitted.v1"
    submitted_by: str


class ProcedureVersionReturned(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureVersionReturned.v1"
    reason: str
    returned_by: str


class ProcedureVersionApproved(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureVersionApproved.v1"
    approved_by: str


class ProcedurePublished(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedurePublished.v1"
    published_on: date
    departments: list[str] = Field(description="The departments asked to acknowledge reading.")
    published_by: str


class ProcedureObsoleted(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureObsoleted.v1"
    replaced_by: str = Field(description="The version now in force.")


class ProcedureReadAcknowledged(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedureReadAcknowledged.v1"
    department_id: str
    acknowledged_by: str


class ProcedurePeriodicReviewRecorded(_VersionEvent):
    event_type: ClassVar[str] = "qms.procedures.ProcedurePeriodicReviewRecorded.v1"
    note: str
    next_review_on: date
    reviewed_by: str


class WorkingCalendarOpened(IntegrationEvent):
    """The exceptions table exists (its first change follows in the same save)."""

    service: ClassVar[str] = SERVICE
    event_type: ClassVar[str] = "qms.procedures.WorkingCalendarOpened.v1"


class WorkingCalendarDaySet(IntegrationEvent):
    """An admin's exception to the public-holiday calendar (unit `*`: every unit)."""

    service: ClassVar[str] = SERVICE
    event_type: ClassVar[str] = "qms.procedures.WorkingCalendarDaySet.v1"
    day: date
    working: bool = Field(description="True: a worked day (a swapped Saturday); False: off.")
    reason: str


class WorkingCalendarDayCleared(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    event_type: ClassVar[str] = "qms.procedures.WorkingCalendarDayCleared.v1"
    day: date


class _DossierEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    dossier_id: str
    unit_id: str


class DossierFiled(_DossierEvent):
    """The applicant's contact stays in the service: not published."""

    event_type: ClassVar[str] = "qms.procedures.DossierFiled.v1"
    code: str = Field(description="<unit prefix>-YYMMDD-N, unique per unit and day.")
    procedure_id: str
    version_id: str
    version_number: int
    subject: str
    applicant_name: str
    received_at: datetime
    steps: list[DossierStep]
    due_on: date
    filed_by: str


class DossierStepCompleted(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierStepCompleted.v1"
    step: int = Field(ge=0, description="Index of the step in the dossier's steps.")
    note: str
    done_on: date
    due_on: date
    outcome: Outcome
    completed_by: str


class DossierReturned(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierReturned.v1"
    from_step: int = Field(ge=0)
    to_step: int = Field(ge=0)
    reason: str
    returned_by: str


class DossierSupplementRequested(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierSupplementRequested.v1"
    reason: str
    requested_on: date
    requested_by: str


class DossierSupplementReceived(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierSupplementReceived.v1"
    received_at: datetime
    steps: list[DossierStep] = Field(description="The steps with their moved due dates.")
    due_on: date
    received_by: str


class DossierDueDateExtended(_DossierEvent):
    """The apology letter with a new return date (once per dossier)."""

    event_type: ClassVar[str] = "qms.procedures.DossierDueDateExtended.v1"
    previous_due_on: date
    due_on: date
    reason: str
    department_id: str = Field(description="The department that issued the letter.")
    issued_on: date
    issued_by: str


class NonconformingOutputRecorded(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.NonconformingOutputRecorded.v1"
    procedure_id: str
    step: int = Field(ge=0)
    kind: Literal["late", "returned"]
    cause: str = Field(description="A cause code of the unit's list.")
    note: str


class CauseNonconformityRaised(IntegrationEvent):
    """For the audit service: a nonconformity to open (source: process monitoring) for one
    cause of a procedure's nonconforming outputs over a period, once per procedure, cause and
    period."""

    service: ClassVar[str] = SERVICE
    event_type: ClassVar[str] = "qms.procedures.CauseNonconformityRaised.v1"
    raise_id: str = Field(description="Derived from the unit, procedure, cause and period.")
    unit_id: str
    procedure_id: str
    cause: str = Field(description="A cause code of the unit's list.")
    start: date
    end: date
    department_id: str = Field(description="The department to take corrective action.")
    description: str
    raised_by: str


class DossierCompleted(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierCompleted.v1"
    procedure_id: str
    received_on: date = Field(
        description="The day it was received in Vietnam: the period statistics count it in."
    )
    done_on: date
    due_on: date
    outcome: Outcome
    completed_by: str


class DossierArchived(_DossierEvent):
    event_type: ClassVar[str] = "qms.procedures.DossierArchived.v1"
    archived_by: str


# Citizens' feedback (8.2.1) and satisfaction (9.1.2)


class _FeedbackEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    feedback_id: str
    unit_id: str


class FeedbackReceived(_FeedbackEvent):
    """A complaint or suggestion from the public portal. The sender's contact and network
    address stay in the service: not published. The sender's name is for staff, not the public."""

    event_type: ClassVar[str] = "qms.procedures.FeedbackReceived.v1"
    kind: Literal["complaint", "suggestion"]
    subject_kind: Literal["unit", "procedure", "dossier"]
    subject_ref: str = Field(description="The procedure's or dossier's code; empty for the unit.")
    title: str
    content: str
    sender_name: str
    received_at: datetime
    answer_days: int = Field(ge=1, description="The working days the unit has to answer.")
    answer_due_on: date


class FeedbackAssigned(_FeedbackEvent):
    event_type: ClassVar[str] = "qms.procedures.FeedbackAssigned.v1"
    department_id: str = Field(description="The department that answers.")
    previous_department_id: str | None = Field(
        default=None, description="The department it was assigned to before, if reassigned."
    )
    assigned_by: str


class FeedbackAnswered(_FeedbackEvent):
    event_type: ClassVar[str] = "qms.procedures.FeedbackAnswered.v1"
    department_id: str
    answer: str
    answered_on: date
    due_on: date
    outcome: Literal["on_time", "late"]
    published: bool = Field(description="True: the answer is public from now on.")
    answered_by: str


class FeedbackAnswerPublished(_FeedbackEvent):
    event_type: ClassVar[str] = "qms.procedures.FeedbackAnswerPublished.v1"
    published_on: date
    published_by: str


class ComplaintNonconformityRaised(_FeedbackEvent):
    """For the audit service: a nonconformity to open in the department (source: complaint)."""

    event_type: ClassVar[str] = "qms.procedures.ComplaintNonconformityRaised.v1"
    department_id: str = Field(description="The department the complaint was assigned to.")
    description: str
    source: Literal["complaint"] = "complaint"
    raised_by: str


class SatisfactionRated(IntegrationEvent):
    """A citizen's rating of a completed dossier, one per dossier."""

    service: ClassVar[str] = SERVICE
    event_type: ClassVar[str] = "qms.procedures.SatisfactionRated.v1"
    rating_id: str
    unit_id: str
    dossier_id: str
    procedure_id: str
    level: Literal["satisfied", "acceptable", "not_satisfied"]
    comment: str
    rated_at: datetime
