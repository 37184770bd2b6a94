"""Composition root of the audit service: `python -m qms_audit` serves it."""

from qms_audit.api import ROUTES
from qms_audit.application import AuditApplication
from qms_audit.publishing import MAPPER
from qms_audit.reactions import EVENT_COMMANDS
from qms_contracts.audit import SERVICE as NAME
from qms_runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name=NAME,
    version="0.1.0",
    application=AuditApplication,
    mapper=MAPPER,
    routes=ROUTES,
    event_commands=EVENT_COMMANDS,
)


def main() -> None:
    SERVICE.serve()
