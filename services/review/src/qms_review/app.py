"""Composition root of the review service: `python -m qms_review` serves it."""

from qms_contracts.review import SERVICE as NAME
from qms_review.api import ROUTES
from qms_review.application import ReviewApplication
from qms_review.evidence import DDL, REACTIONS
from qms_review.publishing import MAPPER
from qms_runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name=NAME,
    version="0.1.0",
    application=ReviewApplication,
    mapper=MAPPER,
    routes=ROUTES,
    # The evidence pack: objectives' and audit's events, kept in the service's own tables.
    reactions=REACTIONS,
    ddl=DDL,
)


def main() -> None:
    SERVICE.serve()
