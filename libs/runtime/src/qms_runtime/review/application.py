"""The kit's application steps: submit, approve, return, for any reviewed-record class."""

from collections.abc import Callable
from uuid import UUID

from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.eventstore import QmsApplication
from qms_runtime.review.domain import ReviewedRecord


class ReviewSteps(QmsApplication):
    """Base of an application whose aggregates include reviewed records."""

    def _step(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
        roles: tuple[str, ...],
        act: Callable[[ReviewedRecord, Stamp], None],
    ) -> CommandResult:
        record = self.load_for(context, kind, record_id, expected_version, *roles)
        act(record, record.stamp(context))
        return self.save_result(record)

    def submit(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
    ) -> CommandResult:
        return self._step(
            context, kind, record_id, expected_version, kind.drafter_roles, ReviewedRecord.submit
        )

    def approve(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
    ) -> CommandResult:
        return self._step(
            context, kind, record_id, expected_version, kind.reviewer_roles, ReviewedRecord.approve
        )

    def return_for_revision(
        self,
        context: CommandContext,
        kind: type[ReviewedRecord],
        record_id: UUID,
        expected_version: int | None,
        reason: str,
    ) -> CommandResult:
        return self._step(
            context,
            kind,
            record_id,
            expected_version,
            kind.reviewer_roles,
            lambda record, stamp: record.return_for_revision(reason, stamp),
        )
