"""A wing: everything the gateway does for one owning service, registered once in `wings.py`."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
from litestar.types import ControllerRouterHandler

from qms_contracts import IntegrationEvent
from qms_gateway.frame.tasks import TaskQueries
from qms_runtime.projection import Projection


@dataclass(frozen=True)
class Panel:
    """A wing's part of a frame page: its template, and the data it shows for one unit."""

    template: str
    load: Callable[[asyncpg.Pool, str], Awaitable[dict[str, object]]]


@dataclass(frozen=True)
class SupervisionColumns:
    """A wing's columns in the supervisor's view: a header each, and the cells per unit."""

    headers: Sequence[str]
    #: (pool, unit ids, year) -> unit id -> one cell per header.
    load: Callable[[asyncpg.Pool, Sequence[str], int], Awaitable[dict[str, list[str]]]]


@dataclass(frozen=True)
class Wing:
    #: The owning service, whose topic the wing projects and to which it forwards commands.
    service: str
    #: Its read-model tables, created at start; the projection names them for a rebuild.
    ddl: str
    projection: Projection
    routes: Sequence[ControllerRouterHandler]
    #: What waits for a principal in the wing, as queries the frame runs together.
    tasks: TaskQueries
    #: The package whose `templates/` folder holds the wing's page templates.
    package: str
    pages: Sequence[ControllerRouterHandler]
    #: Each record kind's list page; a record's page is `<list>/<id>`, and the list takes
    #: `?trang_thai=<status>`.
    list_pages: Mapping[str, str]
    #: How a record's history names each of the wing's events.
    event_labels: Mapping[type[IntegrationEvent], str]
    #: The wing's sections of a unit's public page.
    public_panels: Sequence[Panel] = ()
    supervision: SupervisionColumns | None = None
    #: Links in the staff menu: (label, path).
    menu: Sequence[tuple[str, str]] = field(default_factory=tuple)
