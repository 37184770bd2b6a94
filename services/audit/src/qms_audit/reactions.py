"""What the audit service does with other services' events."""

from qms_audit.application import AuditApplication
from qms_contracts import Envelope, IntegrationEvent
from qms_contracts.procedures import CauseNonconformityRaised, ComplaintNonconformityRaised
from qms_contracts.review import ReviewConcluded
from qms_runtime.commands import Stamp
from qms_runtime.service import EventCommand


def review_concluded(
    application: AuditApplication, envelope: Envelope, concluded: ReviewConcluded
) -> None:
    """Each output the review marked as needing corrective action opens a nonconformity in
    its department, in the name of the leader who concluded the review."""
    stamp = Stamp(concluded.concluded_by, envelope.correlationid, concluded.unit_id)
    for output in concluded.outputs:
        if output.corrective_action_needed and output.department_id:
            application.open_from_review(
                stamp,
                review_id=concluded.review_id,
                output_id=output.output_id,
                department_id=output.department_id,
                description=output.description,
            )


def complaint_raised(
    application: AuditApplication, envelope: Envelope, raised: ComplaintNonconformityRaised
) -> None:
    """A complaint the secretary found to be a nonconformity opens one, in her name."""
    application.open_from_complaint(
        Stamp(raised.raised_by, envelope.correlationid, raised.unit_id),
        feedback_id=raised.feedback_id,
        department_id=raised.department_id,
        description=raised.description,
    )


def outputs_cause_raised(
    application: AuditApplication, envelope: Envelope, raised: CauseNonconformityRaised
) -> None:
    """A cause of a procedure's nonconforming outputs raised from its Pareto opens one."""
    application.open_for_outputs_cause(
        Stamp(raised.raised_by, envelope.correlationid, raised.unit_id),
        raise_id=raised.raise_id,
        department_id=raised.department_id,
        description=raised.description,
    )


EVENT_COMMANDS: dict[type[IntegrationEvent], EventCommand] = {
    ReviewConcluded: review_concluded,
    ComplaintNonconformityRaised: complaint_raised,
    CauseNonconformityRaised: outputs_cause_raised,
}
