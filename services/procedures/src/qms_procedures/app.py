"""Composition root of the procedures service: `python -m qms_procedures` serves it."""

from qms_contracts.procedures import SERVICE as NAME
from qms_procedures.api import ROUTES
from qms_procedures.application import ProceduresApplication
from qms_procedures.form_files import DDL
from qms_procedures.publishing import MAPPER
from qms_runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name=NAME,
    version="0.1.0",
    application=ProceduresApplication,
    mapper=MAPPER,
    routes=ROUTES,
    ddl=DDL,
)


def main() -> None:
    SERVICE.serve()
