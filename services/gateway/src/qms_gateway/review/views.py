"""What the review wing answers: the read-model rows as typed models."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from qms_contracts.review import AgendaItem, AgendaTopic, ExpectedReport, OutputKind

ReviewStatus = Literal[
    "draft",
    "submitted",
    "returned",
    "approved",
    "issued",
    "consolidated",
    "meeting_held",
    "conclusion_drafted",
    "conclusion_returned",
    "concluded",
]


class ReviewReportView(BaseModel):
    """A department's report on one agenda item: who sent it and when, and its last revision."""

    department_id: str
    topic: AgendaTopic
    content: str
    submitted_by: str
    submitted_at: datetime
    revised_by: str | None = None
    revised_at: datetime | None = None


class ReviewMeetingView(BaseModel):
    held_on: date
    chair: str
    participants: list[str]
    minutes: str
    recorded_by: str


class ReviewActionView(BaseModel):
    """An output's follow-up action; once the review is concluded, where it stands."""

    owner_department_id: str
    due_date: date
    status: Literal["open", "done", "verified"] | None = None
    evidence: str | None = None
    completed_on: date | None = None
    completed_by: str | None = None
    verified_by: str | None = None
    note: str | None = None


class ReviewOutputView(BaseModel):
    output_id: str
    kind: OutputKind
    description: str
    action: ReviewActionView | None = None
    corrective_action_needed: bool
    department_id: str | None = None


class ReviewView(BaseModel):
    id: str
    unit_id: str
    year: int
    round: int
    title: str
    agenda: list[AgendaItem]
    report_deadline: date
    meeting_date: date
    status: ReviewStatus
    version: int
    submitted_by: str | None = None
    return_reason: str | None = None
    updated_at: datetime
    expected_reports: list[ExpectedReport]
    issued_by: str | None = None
    reports: list[ReviewReportView]
    consolidation_summary: str
    consolidated_on: date | None = None
    consolidated_by: str | None = None
    missing_reports: list[ExpectedReport]
    meeting: ReviewMeetingView | None = None
    conclusion_summary: str
    outputs: list[ReviewOutputView]
    conclusion_drafted_by: str | None = None
    conclusion_return_reason: str | None = None
    concluded_by: str | None = None
