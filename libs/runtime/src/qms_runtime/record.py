"""Aggregate base of every record that belongs to a unit and moves through states. No I/O."""

from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate

from qms_runtime.commands import CommandContext, Stamp
from qms_runtime.errors import IllegalTransition


class UnitRecord(Aggregate):
    """A subclass sets `unit_id` and `status` when created."""

    #: How the record is named in messages ("mục tiêu", "văn bản"…).
    noun: ClassVar[str] = "bản ghi"

    # Instance fields annotated for type checkers only: eventsourcing would read class-level
    # annotations as the fields of a generated __init__ and break the subclasses' own.
    if TYPE_CHECKING:
        unit_id: str
        status: str

    def stamp(self, context: CommandContext) -> Stamp:
        """The stamp this record's events carry for a command of `context`."""
        return context.stamp(self.unit_id)

    def expect(self, *allowed: str, action: str) -> None:
        """Refuse (409) an action the record's state does not allow."""
        if self.status not in allowed:
            raise IllegalTransition(
                f"Không thể {action} {self.noun} đang ở trạng thái '{self.status}'",
                current_status=str(self.status),
            )
