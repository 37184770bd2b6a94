"""What the risk wing answers: the read-model rows as typed models."""

from typing import Literal

from pydantic import BaseModel

from qms_contracts.risk import EntryKind, Level, TreatmentOption


class MethodView(BaseModel):
    medium_from: int
    high_from: int
    critical_from: int
    acceptance_level: Level


class RiskPlanView(BaseModel):
    id: str
    unit_id: str
    title: str
    scope: str
    objectives: str
    resources: str
    period_start: str
    period_end: str
    method: MethodView
    status: str
    version: int
    submitted_by: str | None = None
    return_reason: str | None = None
    updated_at: str


class RatingView(BaseModel):
    likelihood: int
    severity: int
    score: int
    level: Level


class ActionView(BaseModel):
    action_id: str
    description: str
    owner_department_id: str
    due_date: str
    done: bool = False
    evidence: str | None = None
    completed_on: str | None = None
    completed_by: str | None = None


class RiskEntryView(BaseModel):
    id: str
    unit_id: str
    plan_id: str
    kind: EntryKind
    title: str
    process: str
    cause: str
    consequence: str
    department_id: str
    method: MethodView
    identified_by: str
    status: Literal["identified", "assessed", "treatment", "reassessed", "closed"]
    version: int
    updated_at: str
    inherent: RatingView | None = None
    residual: RatingView | None = None
    #: The current level: residual once re-assessed, else inherent.
    level: Level | None = None
    priority: int | None = None
    acceptable: bool | None = None
    option: TreatmentOption | None = None
    actions: list[ActionView]
    monitor_on: str | None = None
    closing_note: str


class RiskRegisterPage(BaseModel):
    entries: list[RiskEntryView]
    total: int


class HeatCell(BaseModel):
    likelihood: int
    severity: int
    entries: int


class HeatMapView(BaseModel):
    """Entries per cell of the 5×5 matrix (every cell listed), before and after treatment."""

    unit_id: str
    plan_id: str | None
    inherent: list[HeatCell]
    residual: list[HeatCell]


class LevelCounts(BaseModel):
    low: int
    medium: int
    high: int
    critical: int


class LevelsView(BaseModel):
    inherent: LevelCounts
    residual: LevelCounts


class OverdueActionView(ActionView):
    entry_id: str
    entry_title: str


class OpportunityTaken(BaseModel):
    entry_id: str
    title: str
    option: TreatmentOption
    status: str


class RiskReportView(BaseModel):
    """The secretary's report of a plan: the risk part of the management review's evidence."""

    plan: RiskPlanView
    as_of: str
    entries: int
    risks: int
    opportunities: int
    closed: int
    by_level: LevelsView
    actions_planned: int
    actions_done: int
    overdue_actions: list[OverdueActionView]
    opportunities_taken: list[OpportunityTaken]
