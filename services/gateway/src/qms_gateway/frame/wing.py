"""A wing: everything the gateway does for one owning service, registered once in `wings.py`."""

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.types import ControllerRouterHandler

from qms_gateway.frame.tasks import TaskQuery
from qms_runtime.projection import Projection


@dataclass(frozen=True)
class Wing:
    #: The owning service, whose topic the wing projects and to which it forwards commands.
    service: str
    #: Its read-model tables, created at start; the projection names them for a rebuild.
    ddl: str
    projection: Projection
    routes: Sequence[ControllerRouterHandler]
    tasks: TaskQuery
