"""Events of the risk service: risk and opportunity management (ISO 9001 6.1).

An assessment plan sets the method (a 5×5 likelihood × severity matrix, its level thresholds
and the acceptance level); register entries are identified, assessed, treated, re-assessed and
closed under an approved plan. Every event carries what a read model needs to apply it.
"""

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

SERVICE = "risk"

Level = Literal["low", "medium", "high", "critical"]
EntryKind = Literal["risk", "opportunity"]
TreatmentOption = Literal["avoid", "reduce", "transfer", "accept", "exploit", "enhance", "share"]


class Method(BaseModel):
    """How a plan scores its entries: score = likelihood × severity (1–25)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    medium_from: int = Field(ge=2, le=25, description="Lowest score of level 'medium'.")
    high_from: int = Field(ge=2, le=25, description="Lowest score of level 'high'.")
    critical_from: int = Field(ge=2, le=25, description="Lowest score of level 'critical'.")
    acceptance_level: Level = Field(
        description="The highest level accepted without (further) treatment."
    )


class TreatmentAction(BaseModel):
    """One action of a treatment plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_id: str = Field(description="Stable id of the action within its entry.")
    description: str
    owner_department_id: str = Field(description="Department that carries the action out.")
    due_date: date


class _PlanEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    plan_id: str = Field(description="Id of the assessment plan.")
    unit_id: str = Field(description="Unit the plan belongs to.")


class _PlanContent(_PlanEvent):
    title: str
    scope: str = Field(description="Processes and departments the assessment covers.")
    objectives: str = Field(description="What the assessment is for.")
    resources: str = Field(description="People, time and means set aside.")
    period_start: date
    period_end: date
    method: Method


class RiskPlanDrafted(_PlanContent):
    event_type: ClassVar[str] = "qms.risk.RiskPlanDrafted.v1"


class RiskPlanRevised(_PlanContent):
    event_type: ClassVar[str] = "qms.risk.RiskPlanRevised.v1"


class RiskPlanSubmitted(_PlanEvent):
    event_type: ClassVar[str] = "qms.risk.RiskPlanSubmitted.v1"
    submitted_by: str


class RiskPlanReturned(_PlanEvent):
    event_type: ClassVar[str] = "qms.risk.RiskPlanReturned.v1"
    reason: str
    returned_by: str


class RiskPlanApproved(_PlanEvent):
    event_type: ClassVar[str] = "qms.risk.RiskPlanApproved.v1"
    approved_by: str


class _EntryEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    entry_id: str = Field(description="Id of the register entry (a risk or an opportunity).")
    unit_id: str = Field(description="Unit the entry belongs to.")


class RiskIdentified(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.RiskIdentified.v1"
    plan_id: str = Field(description="The approved plan the entry is registered under.")
    kind: EntryKind
    title: str
    process: str = Field(description="The process concerned (a procedure code of the unit).")
    cause: str
    consequence: str
    department_id: str = Field(description="Department that owns the entry.")
    method: Method = Field(description="The plan's method, which scores the entry.")
    identified_by: str


class RiskAssessed(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.RiskAssessed.v1"
    likelihood: int = Field(ge=1, le=5)
    severity: int = Field(ge=1, le=5)
    score: int = Field(ge=1, le=25, description="likelihood × severity")
    level: Level
    priority: int = Field(ge=1, le=4, description="1 = treat first (critical) … 4 = low.")
    assessed_by: str


class TreatmentPlanned(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.TreatmentPlanned.v1"
    option: TreatmentOption = Field(
        description="Risks: avoid, reduce, transfer, accept; opportunities: exploit, enhance, "
        "share, accept."
    )
    actions: list[TreatmentAction] = Field(
        description="The open actions from now on: done actions stay, earlier open ones not "
        "listed here are dropped."
    )
    monitor_on: date = Field(description="When the entry is to be re-assessed at the latest.")
    planned_by: str


class TreatmentActionCompleted(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.TreatmentActionCompleted.v1"
    action_id: str
    evidence: str = Field(description="What shows the action was done.")
    completed_on: date
    completed_by: str


class RiskReassessed(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.RiskReassessed.v1"
    likelihood: int = Field(ge=1, le=5, description="Residual likelihood.")
    severity: int = Field(ge=1, le=5, description="Residual severity.")
    score: int = Field(ge=1, le=25)
    level: Level = Field(description="Residual level.")
    acceptable: bool = Field(
        description="Whether the residual level is at or below the plan's acceptance level; "
        "if not, the entry is back at treatment."
    )
    reassessed_by: str


class RiskClosed(_EntryEvent):
    event_type: ClassVar[str] = "qms.risk.RiskClosed.v1"
    note: str = ""
    closed_by: str
