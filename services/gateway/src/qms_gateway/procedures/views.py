"""What the procedures wing answers: the read-model rows as typed models."""

from typing import Literal

from pydantic import BaseModel

from qms_contracts.procedures import Form, Outcome, Step

VersionStatus = Literal["draft", "submitted", "returned", "approved", "published", "obsolete"]
DossierStatus = Literal["processing", "supplement_requested", "completed", "archived"]


class PublicProcedureView(BaseModel):
    """A version in force, as anyone may read it: its steps, time limits and forms."""

    id: str
    unit_id: str
    procedure_id: str
    code: str
    number: int
    name: str
    scope: str
    steps: list[Step]
    forms: list[Form]
    published_on: str | None = None


class ProcedureVersionView(PublicProcedureView):
    status: VersionStatus
    version: int
    review_on: str
    replaced_by: str | None = None
    #: The departments asked to read the version, and those that did (department → by).
    departments: list[str]
    acknowledged: dict[str, str]
    submitted_by: str | None = None
    return_reason: str | None = None
    updated_at: str


class DossierStepView(Step):
    due_on: str
    done_on: str | None = None
    outcome: Outcome | None = None


class DossierView(BaseModel):
    """A dossier as staff see it (the applicant's contact stays in the service)."""

    id: str
    unit_id: str
    code: str
    procedure_id: str
    version_id: str
    version_number: int
    subject: str
    applicant_name: str
    received_at: str
    received_on: str
    steps: list[DossierStepView]
    current_step: int
    step_department: str
    step_role: str
    step_due_on: str
    due_on: str
    extended: bool
    supplement_requests: int
    status: DossierStatus
    outcome: Outcome | None = None
    done_on: str | None = None
    filed_by: str
    version: int
    updated_at: str


class DossierPage(BaseModel):
    dossiers: list[DossierView]
    total: int


class CalendarDayView(BaseModel):
    day: str
    working: bool
    reason: str


class CalendarView(BaseModel):
    days: list[CalendarDayView]


class ProcedureStatistics(BaseModel):
    procedure_id: str
    code: str
    name: str
    received: int
    early: int
    on_time: int
    late: int
    open: int
    overdue: int
    supplement_requests: int


class DepartmentStatistics(BaseModel):
    department_id: str
    steps: int
    early: int
    on_time: int
    late: int


class FeedbackFigures(BaseModel):
    received: int
    on_time: int
    late: int
    unanswered: int


class RatingFigures(BaseModel):
    satisfied: int
    acceptable: int
    not_satisfied: int


class StatisticsView(BaseModel):
    """Dossiers received in a period: per procedure, and the steps each department finished;
    feedback received in it and how it was answered; the ratings given in it."""

    unit_id: str
    start: str
    end: str
    as_of: str
    procedures: list[ProcedureStatistics]
    departments: list[DepartmentStatistics]
    feedback: FeedbackFigures
    ratings: RatingFigures
    #: Satisfied among the ratings, in percent; None without any rating.
    satisfaction_percent: float | None


class FeedbackView(BaseModel):
    """A complaint or suggestion as staff see it (the sender's contact stays in the service)."""

    id: str
    unit_id: str
    kind: Literal["complaint", "suggestion"]
    subject_kind: Literal["unit", "procedure", "dossier"]
    subject_ref: str
    title: str
    content: str
    sender_name: str
    received_at: str
    answer_due_on: str
    department_id: str | None = None
    answer: str | None = None
    answered_on: str | None = None
    outcome: Literal["on_time", "late"] | None = None
    published: bool
    nonconformity_raised: bool
    status: Literal["received", "assigned", "answered"]
    version: int
    updated_at: str


class ParetoCause(BaseModel):
    cause: str
    label: str
    outputs: int
    cumulative_percent: float


class CauseNonconformityView(BaseModel):
    """A cause of a procedure's nonconforming outputs raised for corrective action over a
    period (internal audit opens the nonconformity)."""

    id: str
    unit_id: str
    procedure_id: str
    cause: str
    start_on: str
    end_on: str
    department_id: str
    description: str
    raised_by: str
    version: int
    updated_at: str


class CitizenReceipt(BaseModel):
    """What a citizen is told once the unit has what they sent: its id (a feedback's id is
    also where to follow it)."""

    id: str


class PublicFeedbackView(BaseModel):
    """A feedback as its sender (who holds its id) or anyone sees it: no content, no sender;
    the answer only once the unit made it public."""

    id: str
    unit_id: str
    kind: Literal["complaint", "suggestion"]
    subject_kind: Literal["unit", "procedure", "dossier"]
    subject_ref: str
    title: str
    received_at: str
    answer_due_on: str
    status: Literal["received", "assigned", "answered"]
    answer: str | None = None
    answered_on: str | None = None


class RatingSecretView(BaseModel):
    """The code printed on a dossier's result, with which its applicant rates it."""

    dossier_id: str
    code: str
    secret: str
