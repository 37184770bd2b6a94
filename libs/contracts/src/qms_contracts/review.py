"""Events of the review service: management review (ISO 9001 9.3) and the yearly ISO report.

The secretary drafts a review notice (agenda from the inputs of 9.3.2, the departments that
report on each item, a report deadline and a meeting date); the unit leader approves it or
returns it; once issued, each named department reports on its items; the secretary
consolidates, records the meeting and drafts the conclusion (the outputs of 9.3.3), which the
unit leader approves; each output's action is then done and verified. Every event carries what
a read model needs to apply it.
"""

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

SERVICE = "review"

#: The inputs of a management review (ISO 9001:2015 9.3.2), one code each.
AgendaTopic = Literal[
    "previous_actions",
    "changes_in_issues",
    "customer_feedback",
    "objective_achievement",
    "process_performance",
    "nonconformities",
    "monitoring_results",
    "audit_results",
    "external_providers",
    "resources",
    "risk_actions",
    "improvement_opportunities",
]
#: The outputs of a management review (9.3.3).
OutputKind = Literal["improvement", "qms_change", "resource_need"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AgendaItem(_Value):
    topic: AgendaTopic = Field(description="Which input of 9.3.2 the item reviews.")
    department_ids: list[str] = Field(
        description="Departments that must send a report on this item (may be none)."
    )
    guidance: str = Field(default="", description="What the reports should cover.")


class ExpectedReport(_Value):
    """One report a department owes: its department and the agenda item it is about."""

    department_id: str
    topic: AgendaTopic


class FollowUpAction(_Value):
    owner_department_id: str = Field(description="The department that carries the action out.")
    due_date: date


class ReviewOutput(_Value):
    """One output of the review, with a stable id within it."""

    output_id: str = Field(description="Stable id of the output within its review (o1, o2…).")
    kind: OutputKind
    description: str
    action: FollowUpAction | None = Field(
        default=None, description="The follow-up action, if the output asks for one."
    )
    corrective_action_needed: bool = Field(
        default=False,
        description="A nonconformity should be opened for it (source 'review') in the audit "
        "service, in department_id.",
    )
    department_id: str | None = Field(
        default=None, description="The department concerned; set when a corrective action is."
    )


class _ReviewEvent(IntegrationEvent):
    service: ClassVar[str] = SERVICE
    review_id: str = Field(description="Id of the management review.")
    unit_id: str


class _NoticeContent(_ReviewEvent):
    title: str
    agenda: list[AgendaItem]
    report_deadline: date = Field(description="The last day for the departments' reports.")
    meeting_date: date = Field(description="When the review meeting is planned.")


class ReviewNoticeDrafted(_NoticeContent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeDrafted.v1"
    year: int = Field(description="The year the review belongs to.")
    round: int = Field(ge=1, description="The unit's review of that year: 1, 2…")


class ReviewNoticeRevised(_NoticeContent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeRevised.v1"


class ReviewNoticeSubmitted(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeSubmitted.v1"
    submitted_by: str


class ReviewNoticeReturned(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeReturned.v1"
    reason: str
    returned_by: str


class ReviewNoticeApproved(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeApproved.v1"
    approved_by: str


class ReviewNoticeIssued(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewNoticeIssued.v1"
    expected_reports: list[ExpectedReport] = Field(description="Every report now owed.")
    report_deadline: date
    issued_by: str


class _ReportEvent(_ReviewEvent):
    department_id: str
    topic: AgendaTopic
    content: str


class DepartmentReportSubmitted(_ReportEvent):
    event_type: ClassVar[str] = "qms.review.DepartmentReportSubmitted.v1"
    submitted_by: str


class DepartmentReportRevised(_ReportEvent):
    event_type: ClassVar[str] = "qms.review.DepartmentReportRevised.v1"
    revised_by: str


class ReviewConsolidated(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewConsolidated.v1"
    summary: str
    reports_received: int = Field(ge=0)
    missing_reports: list[ExpectedReport] = Field(
        description="Reports still owed at consolidation (allowed only after the deadline)."
    )
    consolidated_on: date
    consolidated_by: str


class ReviewMeetingHeld(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewMeetingHeld.v1"
    held_on: date
    chair: str = Field(description="Who chaired the meeting.")
    participants: list[str]
    minutes: str
    recorded_by: str


class ReviewConclusionDrafted(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewConclusionDrafted.v1"
    summary: str
    outputs: list[ReviewOutput] = Field(description="The whole list of outputs, as drafted.")
    drafted_by: str


class ReviewConclusionReturned(_ReviewEvent):
    event_type: ClassVar[str] = "qms.review.ReviewConclusionReturned.v1"
    reason: str
    returned_by: str


class ReviewConcluded(_ReviewEvent):
    """The unit leader approved the conclusion: its outputs are final, their actions open."""

    event_type: ClassVar[str] = "qms.review.ReviewConcluded.v1"
    summary: str
    outputs: list[ReviewOutput]
    concluded_by: str


class _ActionEvent(_ReviewEvent):
    output_id: str = Field(description="The output whose action this is.")


class ReviewActionCompleted(_ActionEvent):
    event_type: ClassVar[str] = "qms.review.ReviewActionCompleted.v1"
    evidence: str
    completed_on: date
    completed_by: str


class ReviewActionVerified(_ActionEvent):
    event_type: ClassVar[str] = "qms.review.ReviewActionVerified.v1"
    note: str
    verified_by: str
