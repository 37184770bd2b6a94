"""The command kernel: who sends a command, the stamp its events carry, what it answers.

Pure Python: the domain and application layers use it without any framework or I/O.
"""

import uuid
from dataclasses import dataclass

from qms_runtime.principal import Principal


@dataclass(frozen=True)
class Stamp:
    """Carried by every domain event: who caused it, within which request, in which unit."""

    actor: str
    correlation_id: str
    unit_id: str


@dataclass(frozen=True)
class CommandContext:
    """Who sends a command, and the correlation id shared by every event it causes."""

    principal: Principal
    correlation_id: str

    def stamp(self, unit_id: str) -> Stamp:
        return Stamp(actor=self.principal.sub, correlation_id=self.correlation_id, unit_id=unit_id)


@dataclass(frozen=True)
class CommandResult:
    """What a command answers: the aggregate it changed and that aggregate's new version."""

    id: uuid.UUID
    version: int
