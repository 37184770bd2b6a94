"""What the review service publishes: each domain event class and its contract."""

from typing import Any

from qms_contracts import review as contract
from qms_review.domain import (
    ExpectedReport,
    ManagementReview,
    NoticeContent,
    Output,
    ReviewRegister,
)
from qms_runtime.publishing import Builder, ContractMapper


def _review(event: Any) -> dict[str, Any]:
    return {"review_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _notice(content: NoticeContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "agenda": [contract.AgendaItem.model_validate(vars(item)) for item in content.agenda],
        "report_deadline": content.report_deadline,
        "meeting_date": content.meeting_date,
    }


def _reports(reports: tuple[ExpectedReport, ...]) -> list[contract.ExpectedReport]:
    return [contract.ExpectedReport.model_validate(vars(report)) for report in reports]


def _output(output: Output) -> contract.ReviewOutput:
    return contract.ReviewOutput.model_validate(
        {**vars(output), "action": vars(output.action) if output.action else None}
    )


def _outputs(outputs: tuple[Output, ...]) -> list[contract.ReviewOutput]:
    return [_output(output) for output in outputs]


REVIEW: dict[type[Any], Builder | None] = {
    ManagementReview.Drafted: lambda e: contract.ReviewNoticeDrafted(
        **_review(e), year=e.year, round=e.round, **_notice(e.content)
    ),
    ManagementReview.Revised: lambda e: contract.ReviewNoticeRevised(
        **_review(e), **_notice(e.content)
    ),
    ManagementReview.Submitted: lambda e: contract.ReviewNoticeSubmitted(
        **_review(e), submitted_by=e.stamp.actor
    ),
    ManagementReview.Returned: lambda e: contract.ReviewNoticeReturned(
        **_review(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    ManagementReview.Approved: lambda e: contract.ReviewNoticeApproved(
        **_review(e), approved_by=e.stamp.actor
    ),
    ManagementReview.Issued: lambda e: contract.ReviewNoticeIssued(
        **_review(e),
        expected_reports=_reports(e.expected),
        report_deadline=e.report_deadline,
        issued_by=e.stamp.actor,
    ),
    ManagementReview.ReportSubmitted: lambda e: contract.DepartmentReportSubmitted(
        **_review(e), **vars(e.report), submitted_by=e.stamp.actor
    ),
    ManagementReview.ReportRevised: lambda e: contract.DepartmentReportRevised(
        **_review(e), **vars(e.report), revised_by=e.stamp.actor
    ),
    ManagementReview.Consolidated: lambda e: contract.ReviewConsolidated(
        **_review(e),
        summary=e.summary,
        reports_received=e.received,
        missing_reports=_reports(e.missing),
        consolidated_on=e.consolidated_on,
        consolidated_by=e.stamp.actor,
    ),
    ManagementReview.MeetingHeld: lambda e: contract.ReviewMeetingHeld(
        **_review(e),
        held_on=e.meeting.held_on,
        chair=e.meeting.chair,
        participants=list(e.meeting.participants),
        minutes=e.meeting.minutes,
        recorded_by=e.stamp.actor,
    ),
    ManagementReview.ConclusionDrafted: lambda e: contract.ReviewConclusionDrafted(
        **_review(e), summary=e.summary, outputs=_outputs(e.outputs), drafted_by=e.stamp.actor
    ),
    ManagementReview.ConclusionReturned: lambda e: contract.ReviewConclusionReturned(
        **_review(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    ManagementReview.Concluded: lambda e: contract.ReviewConcluded(
        **_review(e), summary=e.summary, outputs=_outputs(e.outputs), concluded_by=e.stamp.actor
    ),
    ManagementReview.ActionCompleted: lambda e: contract.ReviewActionCompleted(
        **_review(e),
        output_id=e.output_id,
        evidence=e.evidence,
        completed_on=e.completed_on,
        completed_by=e.stamp.actor,
    ),
    ManagementReview.ActionVerified: lambda e: contract.ReviewActionVerified(
        **_review(e), output_id=e.output_id, note=e.note, verified_by=e.stamp.actor
    ),
}

#: The register only numbers rounds: internal.
REGISTER: dict[type[Any], Builder | None] = {
    ReviewRegister.Opened: None,
    ReviewRegister.ReviewAdded: None,
}

#: The aggregates whose events this service stores.
AGGREGATES = (ManagementReview, ReviewRegister)
MAPPER = ContractMapper({**REVIEW, **REGISTER})
