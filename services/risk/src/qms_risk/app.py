"""Composition root of the risk service: `python -m qms_risk` serves it."""

from qms_contracts.risk import SERVICE as NAME
from qms_risk.api import ROUTES
from qms_risk.application import RiskApplication
from qms_risk.publishing import MAPPER
from qms_runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name=NAME,
    version="0.1.0",
    application=RiskApplication,
    mapper=MAPPER,
    routes=ROUTES,
)


def main() -> None:
    SERVICE.serve()
