"""The kit's application steps: submit, approve, return, for any reviewed-record class."""

from uuid import UUID

from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.eventstore import QmsApplication
from qms_runtime.review.domain import ReviewedRecord


class ReviewSteps(QmsApplication):
    """Base of an application whose aggregates include reviewed records."""

    def submit(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
    ) -> CommandResult:
        record = self.load_for(context, kind, record_id, expected_version, *kind.drafter_roles)
        record.submit(record.stamp(context))
        return self.save_result(record)

    def approve(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
    ) -> CommandResult:
        record = self.load_for(context, kind, record_id, expected_version, *kind.reviewer_roles)
        record.approve(record.stamp(context))
        return self.save_result(record)

    def return_for_revision(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
        reason: str,
    ) -> CommandResult:
        record = self.load_for(context, kind, record_id, expected_version, *kind.reviewer_roles)
        record.return_for_revision(reason, record.stamp(context))
        return self.save_result(record)
