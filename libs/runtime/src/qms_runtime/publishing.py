"""Domain events to integration contracts: a table per service, keyed by domain event class.

No name-string dispatch: each concrete aggregate has its own event classes (the reviewed-record
kit's steps included), so the table says exactly what each one becomes, or that it stays
internal (None).
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from eventsourcing.domain import Aggregate, DomainEventProtocol

from qms_contracts import IntegrationEvent
from qms_runtime.commands import Stamp
from qms_runtime.relay import Outgoing

Builder = Callable[[Any], IntegrationEvent]


class UnmappedEvent(LookupError):
    """A domain event class the service's table does not know: a programming error."""


class ContractMapper:
    def __init__(self, table: Mapping[type[Any], Builder | None]) -> None:
        self.table = dict(table)

    def __call__(self, event: DomainEventProtocol[Any]) -> Outgoing | None:
        try:
            builder = self.table[type(event)]
        except KeyError:
            raise UnmappedEvent(f"no contract for {type(event).__qualname__}") from None
        if builder is None:
            return None
        stamp: Stamp = getattr(event, "stamp")  # noqa: B009  (every published event has one)
        return Outgoing(
            payload=builder(event),
            unit_id=stamp.unit_id,
            actor=stamp.actor,
            correlation_id=stamp.correlation_id,
        )


def event_classes(*aggregates: type[Aggregate]) -> Iterator[type[Any]]:
    """Every event class the given aggregate classes can record (for a completeness test)."""
    for aggregate in aggregates:
        for name in dir(aggregate):
            value = getattr(aggregate, name)
            if (
                isinstance(value, type)
                and issubclass(value, Aggregate.Event)
                and name != "Event"
                and name[0].isupper()
            ):
                yield value
