"""Events of the objectives service: quality objectives (6.2), quality policy (5.2), context (4).

Every event carries what a read model needs to apply it without asking the service.
"""

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

SERVICE = "objectives"

#: The statistics a target can follow by itself (see `IndicatorSource`).
IndicatorKind = Literal["dossiers_on_time", "satisfaction"]


class IndicatorSource(BaseModel):
    """Where a target's value comes from by itself: a statistic of the unit over the
    objective's year, the same as the gateway's statistics of that year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: IndicatorKind = Field(
        description="dossiers_on_time: dossiers received in the year and completed, the share "
        "completed early or on time; satisfaction: ratings given in the year (Vietnam's date), "
        "the share satisfied. Both in percent, one decimal."
    )
    procedure_id: str | None = Field(
        default=None, description="The procedure counted; None: every procedure of the unit."
    )


class Target(BaseModel):
    """One measurable target of a quality objective."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target_id: str = Field(description="Stable id of the target within its objective.")
    statement: str = Field(description="What is to be achieved, in words.")
    indicator: str = Field(description="The indicator measured, e.g. 'tỷ lệ hồ sơ đúng hạn'.")
    target_value: float = Field(description="The value to reach.")
    unit_of_measure: str = Field(description="Unit of the value, e.g. '%'.")
    direction: Literal["at_least", "at_most"] = Field(
        description="Achieved when the measured value is at least (or at most) the target value."
    )
    deadline: date = Field(description="When the target must be reached.")
    department_id: str = Field(description="Department responsible for the target.")
    action_plan: str = Field(description="How the department will reach it.")
    source: IndicatorSource | None = Field(
        default=None,
        description="The statistic that records the target's progress by itself; None: "
        "progress is recorded by hand.",
    )


class _ObjectiveEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    objective_id: str = Field(description="Id of the quality objective.")
    unit_id: str = Field(description="Unit the objective belongs to.")


class ObjectiveDrafted(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveDrafted.v1"
    year: int = Field(description="The year the objective is for.")
    title: str
    targets: list[Target]


class ObjectiveRevised(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveRevised.v1"
    title: str
    targets: list[Target] = Field(description="The whole new list of targets.")


class ObjectiveSubmitted(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveSubmitted.v1"
    submitted_by: str


class ObjectiveReturned(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveReturned.v1"
    reason: str
    returned_by: str


class ObjectiveApproved(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveApproved.v1"
    approved_by: str


class ObjectiveDisseminated(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveDisseminated.v1"
    department_ids: list[str] = Field(description="Departments the objective was sent to.")


class TargetProgressRecorded(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.TargetProgressRecorded.v1"
    target_id: str
    value: float = Field(description="Measured value of the target's indicator.")
    as_of: date = Field(description="The date the value was measured for.")
    note: str = ""
    recorded_by: str
    source: IndicatorSource | None = Field(
        default=None, description="The target's statistic, when the value is its own."
    )
    source_event_id: str | None = Field(
        default=None,
        description="Id of the event that changed the statistic; None when a person recorded it.",
    )


class TargetResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    target_id: str
    achieved: bool
    last_value: float | None = Field(description="Latest recorded value, if any.")


class ObjectiveEvaluated(_ObjectiveEvent):
    event_type: ClassVar[str] = "qms.objectives.ObjectiveEvaluated.v1"
    achieved: bool = Field(description="True when every target was achieved.")
    results: list[TargetResult]
    note: str = ""
    evaluated_by: str


class _DocumentEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    document_id: str = Field(description="Id of this version of the document.")
    unit_id: str
    version_number: int = Field(ge=1, description="1 for the unit's first version, then 2, 3…")


class _DocumentDrafted(_DocumentEvent):
    title: str
    content: str


class _DocumentRevised(_DocumentEvent):
    title: str
    content: str


class _DocumentSubmitted(_DocumentEvent):
    submitted_by: str


class _DocumentReturned(_DocumentEvent):
    reason: str
    returned_by: str


class _DocumentApproved(_DocumentEvent):
    approved_by: str


class _DocumentPublished(_DocumentEvent):
    supersedes: str | None = Field(description="Id of the version this one replaces, if any.")


class _DocumentSuperseded(_DocumentEvent):
    superseded_by: str = Field(description="Id of the newly published version.")


class QualityPolicyDrafted(_DocumentDrafted):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicyDrafted.v1"


class QualityPolicyRevised(_DocumentRevised):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicyRevised.v1"


class QualityPolicySubmitted(_DocumentSubmitted):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicySubmitted.v1"


class QualityPolicyReturned(_DocumentReturned):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicyReturned.v1"


class QualityPolicyApproved(_DocumentApproved):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicyApproved.v1"


class QualityPolicyPublished(_DocumentPublished):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicyPublished.v1"


class QualityPolicySuperseded(_DocumentSuperseded):
    event_type: ClassVar[str] = "qms.objectives.QualityPolicySuperseded.v1"


class OrganizationContextDrafted(_DocumentDrafted):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextDrafted.v1"


class OrganizationContextRevised(_DocumentRevised):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextRevised.v1"


class OrganizationContextSubmitted(_DocumentSubmitted):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextSubmitted.v1"


class OrganizationContextReturned(_DocumentReturned):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextReturned.v1"


class OrganizationContextApproved(_DocumentApproved):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextApproved.v1"


class OrganizationContextPublished(_DocumentPublished):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextPublished.v1"


class OrganizationContextSuperseded(_DocumentSuperseded):
    event_type: ClassVar[str] = "qms.objectives.OrganizationContextSuperseded.v1"


@dataclass(frozen=True)
class DocumentEvents:
    """The events of one document kind, step by step: its publisher and its consumers map and
    project both kinds through this one list."""

    kind: Literal["policy", "context"]
    drafted: type[_DocumentDrafted]
    revised: type[_DocumentRevised]
    submitted: type[_DocumentSubmitted]
    returned: type[_DocumentReturned]
    approved: type[_DocumentApproved]
    published: type[_DocumentPublished]
    superseded: type[_DocumentSuperseded]


POLICY_EVENTS = DocumentEvents(
    "policy",
    QualityPolicyDrafted,
    QualityPolicyRevised,
    QualityPolicySubmitted,
    QualityPolicyReturned,
    QualityPolicyApproved,
    QualityPolicyPublished,
    QualityPolicySuperseded,
)
CONTEXT_EVENTS = DocumentEvents(
    "context",
    OrganizationContextDrafted,
    OrganizationContextRevised,
    OrganizationContextSubmitted,
    OrganizationContextReturned,
    OrganizationContextApproved,
    OrganizationContextPublished,
    OrganizationContextSuperseded,
)
