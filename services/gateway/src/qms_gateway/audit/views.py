"""What the audit wing answers: the read-model rows as typed models."""

from typing import Literal

from pydantic import BaseModel

from qms_contracts.audit import FindingKind, Outcome, Source, Visit


class AuditProgrammeView(BaseModel):
    id: str
    unit_id: str
    year: int
    title: str
    objectives: str
    scope: str
    criteria: str
    department_ids: list[str]
    period_start: str
    period_end: str
    planned_rounds: int
    status: Literal["draft", "submitted", "returned", "approved"]
    version: int
    submitted_by: str | None = None
    return_reason: str | None = None
    updated_at: str


class FindingView(BaseModel):
    finding_id: str
    department_id: str
    kind: FindingKind
    clause: str
    evidence: str
    recorded_by: str
    recorded_at: str
    acknowledged: bool
    acknowledged_by: str | None = None
    note: str | None = None


class AuditPlanView(BaseModel):
    id: str
    unit_id: str
    programme_id: str
    round: int
    title: str
    visits: list[Visit]
    findings: list[FindingView]
    status: Literal["draft", "submitted", "returned", "approved", "concluded"]
    version: int
    submitted_by: str | None = None
    return_reason: str | None = None
    outcome: Outcome | None = None
    conclusion_note: str
    follow_up_plan_id: str | None = None
    concluded_by: str | None = None
    updated_at: str


class CorrectiveActionView(BaseModel):
    correction: str
    root_cause: str
    action: str
    owner_department_id: str
    due_date: str
    attempt: int
    evidence: str | None = None
    implemented_on: str | None = None


class NonconformityView(BaseModel):
    id: str
    unit_id: str
    title: str
    source: Source
    department_id: str
    description: str
    clause: str
    plan_id: str | None = None
    finding_id: str | None = None
    review_id: str | None = None
    output_id: str | None = None
    feedback_id: str | None = None
    cause_raise_id: str | None = None
    opened_by: str
    opened_at: str
    status: Literal["open", "action_planned", "implemented", "verified", "reopened", "closed"]
    version: int
    updated_at: str
    action: CorrectiveActionView | None = None
    closed_at: str | None = None


class NonconformityPage(BaseModel):
    nonconformities: list[NonconformityView]
    total: int


class UnitRef(BaseModel):
    unit_id: str
    name: str


class MissingProgrammes(BaseModel):
    """Units (of those the caller supervises) with no approved audit programme for the year."""

    year: int
    units: list[UnitRef]
