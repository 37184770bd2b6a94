"""Composition root of the gateway.

`python -m qms_gateway` serves it; `python -m qms_gateway rebuild` rebuilds the read models
from zero by replaying every service's event feed; `python -m qms_gateway replay-dead-letters`
applies the dead letters again after a fix; `python -m qms_gateway load-units FILE`
loads the unit directory (units, departments, users) from a JSON file, until the SSO bridge
keeps that directory.
"""

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from pydantic import Field, SecretStr

from qms_contracts import IntegrationEvent, dead_letter_topic, event_types, events_topic
from qms_contracts.procedures import CAUSES
from qms_gateway.frame import directory, history
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.routes import (
    AuthController,
    DirectoryController,
    DocsController,
    tasks_controller,
)
from qms_gateway.frame.store import SCHEMA
from qms_gateway.portal.pages import error_page, sign_in_first, template_config
from qms_gateway.portal.routes import frame_pages
from qms_gateway.portal.session import SignInRequired, provide_session
from qms_gateway.upstream import ServiceCredentials, Upstream
from qms_gateway.wings import WINGS
from qms_runtime.auth import DevIssuer, TokenVerifier
from qms_runtime.consumer import IdempotentConsumer, replay_dead_letters
from qms_runtime.projection import Message, ProjectionMachine
from qms_runtime.service import asyncapi_document, create_pool, serve
from qms_runtime.settings import ServiceSettings
from qms_runtime.web import Pages, create_app

SERVICE = "gateway"
VERSION = "0.1.0"
REPLAY_PAGE = 2000
log = logging.getLogger("qms.gateway")


class GatewaySettings(ServiceSettings):
    services: dict[str, str] = Field(
        default={
            "objectives": "http://127.0.0.1:8101",
            "risk": "http://127.0.0.1:8102",
            "audit": "http://127.0.0.1:8103",
            "review": "http://127.0.0.1:8104",
            "procedures": "http://127.0.0.1:8105",
        },
        description="Owning services by name, with their base URL (JSON in QMS_SERVICES).",
    )
    assets_dir: Path | None = Field(
        default=None,
        description="Folder of installed browser assets (deploy/web/node_modules) served under "
        "/static/vendor; pages work without it, htmx only enhances them.",
    )
    nonconformity_causes: dict[str, str] = Field(
        default_factory=lambda: dict(CAUSES),
        min_length=1,
        description="Causes of nonconforming outputs, code → name (JSON in "
        "QMS_NONCONFORMITY_CAUSES, the same value the procedures service is given).",
    )
    session_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_hex(32)),
        description="Signs the portal's CSRF tokens; the same on every replica of the gateway.",
    )


async def open_read_models(settings: GatewaySettings) -> asyncpg.Pool:
    """A pool on the read-model database, its tables created if missing."""
    # Pages and API reads at once, several queries a page: more than a service's 8.
    pool = await create_pool(settings, size=20)
    async with pool.acquire() as connection:
        for ddl in (directory.DDL, history.DDL, *(wing.ddl for wing in WINGS)):
            await connection.execute(ddl)
    return pool


def _subscribed_types() -> list[type[IntegrationEvent]]:
    subscribed = {wing.service for wing in WINGS}
    return [model for model in event_types().values() if model.service in subscribed]


async def projection_machine(pool: asyncpg.Pool, upstream: Upstream) -> ProjectionMachine:
    """Every wing's projection; refuses to start if a subscribed event type has no handler."""
    machine = ProjectionMachine(
        pool=pool,
        schema=SCHEMA,
        projections=[
            *(wing.projection for wing in WINGS),
            history.history_projection(_subscribed_types()),
        ],
        fetch_missing=upstream.missing_events,
    )
    subscribed = {wing.service for wing in WINGS}
    unhandled = sorted(
        name
        for name, model in event_types().items()
        if model.service in subscribed
        and not any(model in wing.projection.handlers for wing in WINGS)
    )
    if unhandled:
        raise RuntimeError(f"no projection for: {', '.join(unhandled)}")
    await machine.setup()
    return machine


class Gateway:
    """Everything the gateway runs besides HTTP: pool, upstream client, projection, consumer."""

    def __init__(self, settings: GatewaySettings) -> None:
        unknown = sorted({wing.service for wing in WINGS} - set(settings.services))
        if unknown:
            raise RuntimeError(f"QMS_SERVICES lacks the URL of: {', '.join(unknown)}")
        self.settings = settings
        self.dev_issuer = (
            DevIssuer(settings.jwt_issuer, settings.jwt_audience, settings.dev_signing_key_file)
            if settings.dev_auth
            else None
        )
        self.upstream = Upstream(
            settings.services, ServiceCredentials(settings.service_token, self.dev_issuer)
        )
        self.pool: asyncpg.Pool | None = None
        self.machine: ProjectionMachine | None = None
        self.consumer: IdempotentConsumer | None = None
        self.forwarder = Forwarder(self.upstream, self.provide_pool, self.provide_machine)

    async def start(self) -> None:
        self.pool = await open_read_models(self.settings)
        self.machine = await projection_machine(self.pool, self.upstream)
        self.consumer = IdempotentConsumer(
            bootstrap=self.settings.kafka_bootstrap,
            group_id=f"qms-{SERVICE}",
            topics=[events_topic(wing.service) for wing in WINGS],
            dead_letter_topic=dead_letter_topic(SERVICE),
            handle_batch=self.machine.apply,
            partitions=self.settings.topic_partitions,
            replication=self.settings.topic_replication,
        )
        await self.consumer.start()

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
        await self.upstream.close()
        if self.machine is not None:
            await self.machine.close()
        if self.pool is not None:
            await self.pool.close()

    async def database(self) -> None:
        await self.provide_pool().fetchval("SELECT 1")

    async def broker(self) -> None:
        if self.consumer is None or not self.consumer.running:
            raise ConnectionError("consumer is not connected to the broker")

    def asyncapi(self) -> dict[str, Any]:
        """Generated from the running consumer's own declarations."""
        assert self.consumer is not None
        return asyncapi_document(SERVICE, VERSION, self.consumer.broker)

    def provide_pool(self) -> asyncpg.Pool:
        assert self.pool is not None
        return self.pool

    def provide_machine(self) -> ProjectionMachine:
        assert self.machine is not None
        return self.machine


@get("/health/projection", include_in_schema=False, sync_to_thread=False)
def projection_health(machine: ProjectionMachine) -> dict[str, Any]:
    """Whether the read models keep up: a stuck projection shows here and in the metrics."""
    return machine.health()


def portal(settings: GatewaySettings) -> tuple[Pages, list[ControllerRouterHandler]]:
    """The portal's pages: the frame's and every wing's, their templates and static files."""
    pages = Pages(
        templates=template_config(
            [wing.package for wing in WINGS],
            [item for wing in WINGS for item in wing.menu],
            {"nonconformity_causes": settings.nonconformity_causes},
        ),
        csrf=CSRFConfig(
            secret=settings.session_secret.get_secret_value(),
            cookie_name="qms_csrf",
            cookie_samesite="lax",
            cookie_httponly=True,
            # The API authenticates with bearer tokens, never cookies: nothing to forge there.
            exclude=["^/api/", "^/auth/", "^/health/", "^/metrics"],
        ),
        error_page=error_page,
    )
    static = [
        create_static_files_router(
            "/static",
            directories=[Path(str(resources.files("qms_gateway.portal") / "static"))],
            include_in_schema=False,
        )
    ]
    if settings.assets_dir is not None:
        static.insert(
            0,
            create_static_files_router(
                "/static/vendor",
                directories=[settings.assets_dir / "htmx.org" / "dist"],
                include_in_schema=False,
            ),
        )
    router = Router(
        "/",
        route_handlers=[frame_pages(WINGS), *(page for wing in WINGS for page in wing.pages)],
        dependencies={"session": Provide(provide_session)},
        exception_handlers={SignInRequired: sign_in_first},
        include_in_schema=False,
    )
    return pages, [router, *static]


def build_app(settings: GatewaySettings | None = None) -> Litestar:
    settings = settings or GatewaySettings()
    gateway = Gateway(settings)
    verifier = TokenVerifier(settings.jwks_url, settings.jwt_issuer, settings.jwt_audience)
    pages, page_routes = portal(settings)
    return create_app(
        service=SERVICE,
        version=VERSION,
        route_handlers=[
            *(route for wing in WINGS for route in wing.routes),
            tasks_controller(WINGS),
            *page_routes,
            DirectoryController,
            AuthController,
            DocsController,
            projection_health,
        ],
        verifier=verifier,
        readiness=[gateway.database, gateway.broker],
        on_startup=[gateway.start],
        on_shutdown=[gateway.stop],
        dependencies={
            "upstream": gateway.upstream,
            "forwarder": gateway.forwarder,
            "dev_issuer": gateway.dev_issuer,
            "causes": settings.nonconformity_causes,
        },
        providers={
            "pool": gateway.provide_pool,
            "machine": gateway.provide_machine,
            "gateway_asyncapi": gateway.asyncapi,
        },
        pages=pages,
    )


async def _feed_pages(
    upstream: Upstream, service: str, progress: list[int]
) -> AsyncIterator[list[Message]]:
    position = 0
    while True:
        events, position_next = await upstream.all_events(service, position, REPLAY_PAGE)
        if events:
            yield events
            progress[0] += len(events)
            print(f"{service}: {progress[0]} sự kiện đã đọc", flush=True)
        if position_next == position:
            return
        position = position_next


@contextlib.asynccontextmanager
async def offline_projection(
    settings: GatewaySettings,
) -> AsyncIterator[tuple[Upstream, ProjectionMachine]]:
    """The projection machine and the upstream client, for a command run beside the server."""
    gateway = Gateway(settings)
    pool = await open_read_models(settings)
    machine = await projection_machine(pool, gateway.upstream)
    try:
        yield gateway.upstream, machine
    finally:
        await gateway.upstream.close()
        await machine.close()
        await pool.close()


async def rebuild(settings: GatewaySettings) -> dict[str, Any]:
    """Empty the read models and replay every service's full event feed into them."""
    async with offline_projection(settings) as (upstream, machine):
        started, read, applied = time.perf_counter(), [0], 0
        await machine.reset()
        for wing in WINGS:
            applied += await machine.replay(_feed_pages(upstream, wing.service, read))
        seconds = time.perf_counter() - started
    return {
        "events": applied,
        "seconds": seconds,
        "events_per_second": applied / seconds if seconds else 0,
    }


async def replay_dead_letters_now(settings: GatewaySettings) -> dict[str, int]:
    """Apply the dead letters again (after a fix); those still failing go back with their error."""
    async with offline_projection(settings) as (_, machine):
        return await replay_dead_letters(
            settings.kafka_bootstrap, dead_letter_topic(SERVICE), machine.apply
        )


async def load_units(settings: GatewaySettings, path: Path) -> int:
    pool = await open_read_models(settings)
    units = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    for unit in units:
        await directory.upsert_unit(pool, unit)
        for user in unit.get("users", []):
            await directory.upsert_user(pool, unit["unit_id"], user)
    await pool.close()
    return len(units)


def main() -> None:
    parser = argparse.ArgumentParser(prog="qms-gateway", description="e-ISO gateway")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve HTTP and consume events (default)")
    commands.add_parser("rebuild", help="rebuild the read models by replaying the event feeds")
    commands.add_parser("replay-dead-letters", help="apply the dead letters again, after a fix")
    units = commands.add_parser("load-units", help="load units and departments from a JSON file")
    units.add_argument("file", type=Path)
    arguments = parser.parse_args()
    settings = GatewaySettings()
    if arguments.command == "rebuild":
        print(json.dumps(asyncio.run(rebuild(settings))))
    elif arguments.command == "replay-dead-letters":
        print(json.dumps(asyncio.run(replay_dead_letters_now(settings))))
    elif arguments.command == "load-units":
        print(f"{asyncio.run(load_units(settings, arguments.file))} đơn vị đã nạp")
    else:
        serve(build_app(settings), settings)
