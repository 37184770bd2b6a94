"""Aggregate base of every drafted-and-reviewed record. No I/O.

The shared steps are explicit event classes, so each subclass gets its own (`Objective.Submitted`,
`QualityPolicy.Submitted`…): the aggregate's kind is known from the event itself.
"""

from enum import StrEnum
from typing import ClassVar

from eventsourcing.domain import Aggregate

from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, InvalidInput
from qms_runtime.principal import ISO_SECRETARY, UNIT_LEADER
from qms_runtime.record import UnitRecord


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


def require_text(value: str, field: str) -> None:
    if not value.strip():
        raise InvalidInput(f"Trường '{field}' không được để trống", field=field)


class ReviewedRecord(UnitRecord):
    """Submit, then approve or return with a reason; whoever submitted may not review."""

    #: Who drafts, revises and submits; who approves or returns.
    drafter_roles: ClassVar[tuple[str, ...]] = (ISO_SECRETARY,)
    reviewer_roles: ClassVar[tuple[str, ...]] = (UNIT_LEADER,)

    # No class-level annotations: eventsourcing would read them as the fields of a generated
    # __init__ and break the subclasses' own.
    def _start_as_draft(self, unit_id: str) -> None:
        self.unit_id = unit_id
        self.status: str = ReviewStatus.DRAFT
        self.submitted_by: str | None = None
        self.return_reason: str | None = None

    def expect_editable(self) -> None:
        self.expect(ReviewStatus.DRAFT, ReviewStatus.RETURNED, action="sửa")

    def _check_reviewer(self, stamp: Stamp) -> None:
        if stamp.actor == self.submitted_by:
            raise Forbidden("Người trình không được tự phê duyệt hoặc trả lại (phân tách nhiệm vụ)")

    class Submitted(Aggregate.Event):
        stamp: Stamp

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ReviewedRecord)
            aggregate.status = ReviewStatus.SUBMITTED
            aggregate.submitted_by = self.stamp.actor
            aggregate.return_reason = None

    class Approved(Aggregate.Event):
        stamp: Stamp

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ReviewedRecord)
            aggregate.status = ReviewStatus.APPROVED

    class Returned(Aggregate.Event):
        stamp: Stamp
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ReviewedRecord)
            aggregate.status = ReviewStatus.RETURNED
            aggregate.return_reason = self.reason

    def submit(self, stamp: Stamp) -> None:
        self.expect(ReviewStatus.DRAFT, action="trình")
        self.trigger_event(self.Submitted, stamp=stamp)

    def approve(self, stamp: Stamp) -> None:
        self.expect(ReviewStatus.SUBMITTED, action="phê duyệt")
        self._check_reviewer(stamp)
        self.trigger_event(self.Approved, stamp=stamp)

    def return_for_revision(self, reason: str, stamp: Stamp) -> None:
        self.expect(ReviewStatus.SUBMITTED, action="trả lại")
        self._check_reviewer(stamp)
        require_text(reason, "reason")
        self.trigger_event(self.Returned, stamp=stamp, reason=reason)
