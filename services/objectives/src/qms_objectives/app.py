"""Composition root of the objectives service: `python -m qms_objectives` serves it."""

from qms_contracts.objectives import SERVICE as NAME
from qms_objectives.api import ROUTES
from qms_objectives.application import ObjectivesApplication
from qms_objectives.publishing import MAPPER
from qms_objectives.reactions import EVENT_COMMANDS
from qms_runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name=NAME,
    version="0.1.0",
    application=ObjectivesApplication,
    mapper=MAPPER,
    routes=ROUTES,
    event_commands=EVENT_COMMANDS,
)


def main() -> None:
    SERVICE.serve()
