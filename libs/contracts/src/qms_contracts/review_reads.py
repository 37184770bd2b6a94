"""What the review service answers to the two reads it computes from its own evidence tables:
a review's evidence beside its agenda items, and the year's ISO activity report.

Shared by the service, which builds them, and the gateway, which forwards the two reads and
shows them on its pages. Every fact names the integration events it was derived from.
"""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from qms_contracts.review import AgendaTopic

# The year's evidence pack


class Sourced(BaseModel):
    event_ids: list[str] = Field(description="The integration events this fact was derived from.")


class ObjectiveEvidence(Sourced):
    objective_id: str
    title: str
    approved: bool
    achieved: bool | None = Field(description="The year-end evaluation; null before it.")


class ObjectivesEvidence(BaseModel):
    """Objective achievement (9.3.2 c 2)."""

    set: int = Field(description="Objectives of the year approved.")
    achieved: int
    not_achieved: int
    not_evaluated: int
    objectives: list[ObjectiveEvidence]


class ProgrammeEvidence(Sourced):
    programme_id: str
    scope: str


class AuditEvidence(Sourced):
    plan_id: str
    programme_id: str | None
    title: str
    outcome: str


class FindingEvidence(Sourced):
    plan_id: str
    finding_id: str
    kind: str
    department_id: str
    clause: str


class AuditsEvidence(BaseModel):
    """Audit results (9.3.2 c 6)."""

    programmes_approved: list[ProgrammeEvidence]
    audits_concluded: list[AuditEvidence]
    findings_by_kind: dict[str, int]
    findings: list[FindingEvidence]


class NonconformityEvidence(Sourced):
    nonconformity_id: str
    description: str
    department_id: str
    source: str
    opened_on: date | None
    closed_on: date | None
    status: Literal["open", "closed"]


class NonconformitiesEvidence(BaseModel):
    """Nonconformities and corrective actions (9.3.2 c 4): opened or closed in the year."""

    opened: int
    closed: int
    still_open: int = Field(description="Of those opened in the year, how many are not closed.")
    nonconformities: list[NonconformityEvidence]


class DocumentEvidence(Sourced):
    document_id: str
    kind: Literal["policy", "context"]
    version_number: int
    title: str
    published_on: date
    superseded_on: date | None


class DocumentsEvidence(BaseModel):
    """Document control of the policy and the context: versions published and superseded."""

    policy_in_force: list[DocumentEvidence] = Field(
        description="Versions of the quality policy in force at some time in the year."
    )
    published: list[DocumentEvidence]
    superseded: list[DocumentEvidence]


class YearEvidence(BaseModel):
    unit_id: str
    year: int
    objectives: ObjectivesEvidence
    audits: AuditsEvidence
    nonconformities: NonconformitiesEvidence
    documents: DocumentsEvidence


# A review's evidence and the year's report


class ReportView(BaseModel):
    department_id: str
    topic: AgendaTopic
    content: str


class PreviousAction(Sourced):
    """An action of an earlier review and where it stands (9.3.2 a)."""

    review_id: uuid.UUID
    year: int
    round: int
    output_id: str
    description: str
    owner_department_id: str
    due_date: date
    status: str


class AgendaEvidence(BaseModel):
    """One agenda item: its reports, and the part of the evidence pack it asks for."""

    topic: AgendaTopic
    department_ids: list[str]
    guidance: str
    reports: list[ReportView]
    missing_departments: list[str] = Field(description="Departments whose report is not in.")
    previous_actions: list[PreviousAction] | None = None
    context_changes: list[DocumentEvidence] | None = Field(
        default=None, description="Versions of the organisational context published in the year."
    )
    objectives: ObjectivesEvidence | None = None
    nonconformities: NonconformitiesEvidence | None = None
    audits: AuditsEvidence | None = None


class ReviewEvidence(BaseModel):
    review_id: uuid.UUID
    unit_id: str
    year: int
    round: int
    agenda: list[AgendaEvidence]
    pack: YearEvidence = Field(description="Everything known of the unit's year.")


class ReviewHeld(Sourced):
    review_id: uuid.UUID
    round: int
    held_on: date
    concluded: bool
    outputs: int = Field(description="Outputs of the approved conclusion (0 before it).")


class IsoReport(YearEvidence):
    """The facts of the yearly ISO activity report, each with the events it was derived from."""

    reviews_held: list[ReviewHeld]
