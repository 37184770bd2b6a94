"""Indicator sources: which other services' events feed which statistic a target can follow.

`INDICATOR_SOURCES` maps an integration event's contract class to what it observes: a list of
`Observation`s (unit, kind, procedure, year, favourable or not, day). Each observation of a
procedure counts for that procedure's indicator and for the unit-wide one. The service consumes
every class of the table (`reactions.EVENT_COMMANDS` is built from it, and the runtime
subscribes to each class's topic), so a new source is one entry here and nothing else: the
bridge service that will mirror the one-stop-shop dossiers of the national portal adds its
contract classes (its completed dossiers as `dossiers_on_time` observations, its ratings as
`satisfaction` ones) and the indicators, objectives and pages take them as they are. Only a
new kind of statistic also needs its name in `IndicatorKind` (the contracts) and the pages.

The definitions are the gateway's statistics of a year (qms_gateway.procedures.readmodel):
dossiers counted in the year they were received (`received_on`), whenever they were done;
ratings in the year of their moment in Vietnam.
"""

from collections.abc import Callable
from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts.procedures import DossierCompleted, SatisfactionRated
from qms_objectives.indicator import Observation
from qms_runtime.clock import TIMEZONE

Observe = Callable[[Any], list[Observation]]


def dossier_completed(event: DossierCompleted) -> list[Observation]:
    """A dossier done early or on time is favourable; known on the day it was done."""
    return [
        Observation(
            unit_id=event.unit_id,
            kind="dossiers_on_time",
            procedure_id=event.procedure_id,
            year=event.received_on.year,
            favourable=event.outcome in ("early", "on_time"),
            day=event.done_on,
        )
    ]


def satisfaction_rated(event: SatisfactionRated) -> list[Observation]:
    """A rating "satisfied" is favourable; the others ("acceptable" too) are not."""
    rated_on = event.rated_at.astimezone(TIMEZONE).date()
    return [
        Observation(
            unit_id=event.unit_id,
            kind="satisfaction",
            procedure_id=event.procedure_id,
            year=rated_on.year,
            favourable=event.level == "satisfied",
            day=rated_on,
        )
    ]


INDICATOR_SOURCES: dict[type[IntegrationEvent], Observe] = {
    DossierCompleted: dossier_completed,
    SatisfactionRated: satisfaction_rated,
}
