"""The Indicator aggregate: one statistic of a unit's year, counted from other services' events.
No I/O.

An indicator is a share in percent: favourable observations among all of them (dossiers done
early or on time among those completed; ratings "satisfied" among all ratings). It keeps the
ids of the events it counted, so an event delivered again is counted once, whatever the
consumer's own memory of processed events says; and the targets that follow it (its
subscribers), whose objectives record each new value. Which events make which observations
is `qms_objectives.indicators.INDICATOR_SOURCES`.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_objectives.domain import IndicatorSource

_INDICATOR_NAMESPACE = uuid.UUID("6f0c2a41-8d3e-4b57-a1c9-2e7b5d9f0a13")


@dataclass(frozen=True)
class Observation:
    """What one event says about a statistic: of this unit, kind, procedure and year, one
    more observation, favourable or not, known on `day`."""

    unit_id: str
    kind: str
    procedure_id: str | None
    year: int
    favourable: bool
    day: date

    def indicators(self) -> list[IndicatorSource]:
        """It counts for its procedure's indicator and for the unit-wide one."""
        sources = [IndicatorSource(self.kind, None)]
        if self.procedure_id is not None:
            sources.insert(0, IndicatorSource(self.kind, self.procedure_id))
        return sources


class Indicator(Aggregate):
    """A unit's statistic of one kind over one year, of one procedure or of all of them."""

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Opened: type[Aggregate.Event]
        Counted: type[Aggregate.Event]
        Subscribed: type[Aggregate.Event]

    @staticmethod
    def create_id(unit_id: str, kind: str, procedure_id: str | None, year: int) -> uuid.UUID:
        return uuid.uuid5(_INDICATOR_NAMESPACE, f"{unit_id}:{kind}:{procedure_id or '*'}:{year}")

    @classmethod
    def id_for(cls, unit_id: str, source: IndicatorSource, year: int) -> uuid.UUID:
        return cls.create_id(unit_id, source.kind, source.procedure_id, year)

    @classmethod
    def open(cls, unit_id: str, source: IndicatorSource, year: int) -> "Indicator":
        return cls(unit_id=unit_id, kind=source.kind, procedure_id=source.procedure_id, year=year)

    @event("Opened")
    def __init__(self, unit_id: str, kind: str, procedure_id: str | None, year: int) -> None:
        self.unit_id = unit_id
        self.kind = kind
        self.procedure_id = procedure_id
        self.year = year
        self.favourable = 0
        self.total = 0
        #: The ids of the events counted (a dict: a snapshot keeps it as JSON).
        self.counted: dict[str, bool] = {}
        #: The latest day of what was counted (not of the last event counted: events of
        #: different dossiers arrive in any order, and a value is as of all it counts).
        self.as_of: date | None = None
        self.last_event_id: str | None = None
        #: (objective id, target id) of each target that follows the statistic.
        self.subscribers: list[tuple[str, str]] = []

    @property
    def source(self) -> IndicatorSource:
        return IndicatorSource(self.kind, self.procedure_id)

    @property
    def value(self) -> float | None:
        """The share favourable in percent, one decimal (as the gateway's statistics round)."""
        return round(100 * self.favourable / self.total, 1) if self.total else None

    def count(self, event_id: str, *, favourable: bool, day: date) -> bool:
        """One more observation, from the event `event_id`; False if that event was counted."""
        if event_id in self.counted:
            return False
        self._counted(event_id=event_id, favourable=favourable, day=day)
        return True

    @event("Counted")
    def _counted(self, event_id: str, favourable: bool, day: date) -> None:
        self.counted[event_id] = favourable
        self.total += 1
        self.favourable += int(favourable)
        self.as_of = day if self.as_of is None else max(self.as_of, day)
        self.last_event_id = event_id

    def subscribe(self, objective_id: uuid.UUID, target_id: str) -> bool:
        """The target follows the statistic from now on; False if it already did."""
        subscriber = (str(objective_id), target_id)
        if subscriber in self.subscribers:
            return False
        self._subscribed(objective_id=subscriber[0], target_id=target_id)
        return True

    @event("Subscribed")
    def _subscribed(self, objective_id: str, target_id: str) -> None:
        self.subscribers.append((objective_id, target_id))
