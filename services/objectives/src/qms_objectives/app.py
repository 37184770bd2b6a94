"""Composition root of the objectives service: `python -m qms_objectives` serves it."""

from litestar import Litestar
from litestar.types import ControllerRouterHandler

from qms_contracts import event_types
from qms_contracts.objectives import SERVICE
from qms_objectives.api import ROUTES
from qms_objectives.application import ObjectivesApplication
from qms_objectives.events import ObjectivesEventMapper
from qms_runtime.auth import TokenVerifier
from qms_runtime.eventstore import open_application
from qms_runtime.feed import feed_controller
from qms_runtime.service import (
    EventSourcedService,
    asyncapi_document,
    asyncapi_route,
    relay_broker,
    serve,
)
from qms_runtime.settings import ServiceSettings
from qms_runtime.web import create_app

VERSION = "0.1.0"


def build_app(settings: ServiceSettings | None = None) -> Litestar:
    settings = settings or ServiceSettings()
    application = open_application(ObjectivesApplication, settings.database_url, SERVICE)
    mapper = ObjectivesEventMapper(application)
    runtime = EventSourcedService(
        name=SERVICE, settings=settings, application=application, mapper=mapper
    )
    published = [model for model in event_types().values() if model.service == SERVICE]
    routes: list[ControllerRouterHandler] = [
        *ROUTES,
        feed_controller(SERVICE),
        asyncapi_route(
            asyncapi_document(
                SERVICE, VERSION, relay_broker(SERVICE, settings.kafka_bootstrap, published)
            )
        ),
    ]
    return create_app(
        service=SERVICE,
        version=VERSION,
        route_handlers=routes,
        verifier=TokenVerifier(settings.jwks_url, settings.jwt_issuer, settings.jwt_audience),
        readiness=[runtime.database, runtime.broker],
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        dependencies={"application": application, "mapper": mapper},
    )


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings)
