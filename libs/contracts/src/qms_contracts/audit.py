"""Events of the audit service: internal audit (ISO 9001 9.2) and nonconformity (10.2).

A yearly programme is approved, then one plan per round (who audits which department, when,
against what); auditors record findings, auditees acknowledge them, the unit leader concludes.
Nonconformities (from major and minor findings, or opened by hand) go through corrective
action to a verified closure. Every event carries what a read model needs to apply it.
"""

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

SERVICE = "audit"

FindingKind = Literal["conformity", "major", "minor", "observation", "improvement"]
Outcome = Literal["results_confirmed", "improvement_actions", "follow_up"]
Source = Literal["audit", "complaint", "review", "process_monitoring"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Auditor(_Value):
    sub: str = Field(description="The auditor's user id.")
    name: str
    department_id: str = Field(description="The auditor's own department (never audited by them).")


class ChecklistItem(_Value):
    clause: str = Field(description="ISO 9001 clause, e.g. 8.5.1.")
    question: str


class Visit(_Value):
    """One department's audit in a round."""

    department_id: str
    day: date
    slot: str = Field(description="Time slot, e.g. 08:00–10:00.")
    lead: Auditor
    team: list[Auditor]
    auditees: list[str] = Field(description="Who is interviewed (names or roles).")
    criteria: str
    checklist: list[ChecklistItem]


class _ProgrammeEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    programme_id: str = Field(description="Id of the audit programme.")
    unit_id: str


class _ProgrammeContent(_ProgrammeEvent):
    year: int
    objectives: str
    scope: str
    criteria: str
    department_ids: list[str] = Field(description="Departments the programme audits.")
    period_start: date
    period_end: date
    planned_rounds: int


class AuditProgrammeDrafted(_ProgrammeContent):
    event_type: ClassVar[str] = "qms.audit.AuditProgrammeDrafted.v1"


class AuditProgrammeRevised(_ProgrammeContent):
    event_type: ClassVar[str] = "qms.audit.AuditProgrammeRevised.v1"


class AuditProgrammeSubmitted(_ProgrammeEvent):
    event_type: ClassVar[str] = "qms.audit.AuditProgrammeSubmitted.v1"
    submitted_by: str


class AuditProgrammeReturned(_ProgrammeEvent):
    event_type: ClassVar[str] = "qms.audit.AuditProgrammeReturned.v1"
    reason: str
    returned_by: str


class AuditProgrammeApproved(_ProgrammeEvent):
    event_type: ClassVar[str] = "qms.audit.AuditProgrammeApproved.v1"
    approved_by: str


class _PlanEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    plan_id: str = Field(description="Id of the audit plan (one round).")
    unit_id: str


class _PlanContent(_PlanEvent):
    round: int
    visits: list[Visit]


class AuditPlanDrafted(_PlanContent):
    event_type: ClassVar[str] = "qms.audit.AuditPlanDrafted.v1"
    programme_id: str


class AuditPlanRevised(_PlanContent):
    event_type: ClassVar[str] = "qms.audit.AuditPlanRevised.v1"


class AuditPlanSubmitted(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.AuditPlanSubmitted.v1"
    submitted_by: str


class AuditPlanReturned(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.AuditPlanReturned.v1"
    reason: str
    returned_by: str


class AuditPlanApproved(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.AuditPlanApproved.v1"
    approved_by: str


class FindingRecorded(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.FindingRecorded.v1"
    finding_id: str = Field(description="Stable id of the finding within its plan.")
    department_id: str
    kind: FindingKind
    clause: str
    evidence: str
    recorded_by: str


class FindingAcknowledged(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.FindingAcknowledged.v1"
    finding_id: str
    note: str = ""
    acknowledged_by: str


class AuditConcluded(_PlanEvent):
    event_type: ClassVar[str] = "qms.audit.AuditConcluded.v1"
    outcome: Outcome
    note: str = ""
    follow_up_plan_id: str | None = Field(
        default=None, description="The next round's plan, drafted when the outcome is follow_up."
    )
    concluded_by: str


class _NcEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    nonconformity_id: str
    unit_id: str


class NonconformityOpened(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.NonconformityOpened.v1"
    source: Source
    department_id: str = Field(description="The department where it was found.")
    description: str
    clause: str
    plan_id: str | None = Field(default=None, description="The audit plan, if from a finding.")
    finding_id: str | None = None
    review_id: str | None = Field(
        default=None, description="The management review, if from one of its outputs."
    )
    output_id: str | None = None
    feedback_id: str | None = Field(
        default=None, description="The citizen's feedback, if from a complaint."
    )
    cause_raise_id: str | None = Field(
        default=None,
        description="The procedures service's raise, if for a cause of nonconforming outputs.",
    )
    opened_by: str


class CorrectiveActionPlanned(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.CorrectiveActionPlanned.v1"
    correction: str = Field(description="What was done at once about the nonconformity.")
    root_cause: str
    action: str = Field(description="What removes the cause.")
    owner_department_id: str
    due_date: date
    attempt: int = Field(ge=1, description="1 for the first action, 2 after a reopening…")
    planned_by: str


class CorrectiveActionImplemented(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.CorrectiveActionImplemented.v1"
    evidence: str
    implemented_on: date
    implemented_by: str


class EffectivenessVerified(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.EffectivenessVerified.v1"
    effective: bool
    note: str
    verified_on: date
    verified_by: str


class NonconformityReopened(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.NonconformityReopened.v1"
    reopened_by: str


class NonconformityClosed(_NcEvent):
    event_type: ClassVar[str] = "qms.audit.NonconformityClosed.v1"
    note: str = ""
    closed_by: str
