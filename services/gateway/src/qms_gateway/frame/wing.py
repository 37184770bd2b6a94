"""A wing: everything the gateway does for one owning service, registered once in `wings.py`."""

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.types import ControllerRouterHandler

from qms_gateway.frame.projection import Projection
from qms_gateway.frame.tasks import TaskQuery


@dataclass(frozen=True)
class Wing:
    #: The owning service, whose topic the wing projects and to which it forwards commands.
    service: str
    #: Its read-model tables (created at start) and their names (emptied by a rebuild).
    ddl: str
    tables: Sequence[str]
    projection: Projection
    routes: Sequence[ControllerRouterHandler]
    tasks: TaskQuery
