"""One service lifecycle for every event-sourced service: pool, relay, readiness, documents."""

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import uvicorn
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from litestar import Litestar, MediaType, get
from litestar.types import ControllerRouterHandler

from qms_contracts import (
    Envelope,
    IntegrationEvent,
    dead_letter_topic,
    event_types,
    events_topic,
)
from qms_runtime.auth import TokenVerifier
from qms_runtime.consumer import Db, IdempotentConsumer
from qms_runtime.eventstore import QmsApplication, open_application
from qms_runtime.feed import feed_controller
from qms_runtime.projection import parse
from qms_runtime.relay import EventMapper, OutboxRelay
from qms_runtime.settings import ServiceSettings
from qms_runtime.web import create_app


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pooled connections never take session state (LISTEN, session advisory locks, SET: the
    leader's lock has a connection of its own), so the pool's default reset query, one more
    round trip at every release, has nothing to undo. An open transaction is still rolled back.
    """


async def create_pool(settings: ServiceSettings, size: int = 8) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        settings.database_url, min_size=1, max_size=size, reset=_keep_session
    )
    return pool


#: What a service does with another service's event: runs in the transaction that records the
#: event as processed, so its effect happens once however often the event is delivered.
Reaction = Callable[[Db, Envelope, Any], Awaitable[None]]
#: What a service does with another service's event on its own event store: a command, run in
#: a worker thread before the event is recorded as processed. A crash between the two runs it
#: again, so it must be idempotent by itself (its aggregate's id derived from the event).
EventCommand = Callable[[Any, Envelope, Any], None]


class EventSourcedService:
    """Runs a service's outbox relay, and its consumer if it reacts to others' events."""

    def __init__(
        self,
        *,
        name: str,
        settings: ServiceSettings,
        application: QmsApplication,
        mapper: EventMapper,
        reactions: Mapping[type[IntegrationEvent], Reaction],
        event_commands: Mapping[type[IntegrationEvent], EventCommand],
        ddl: str = "",
    ) -> None:
        self.name = name
        self.settings = settings
        self.application = application
        self.mapper = mapper
        self.reactions = dict(reactions)
        self.event_commands = dict(event_commands)
        self.ddl = ddl
        self.pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: IdempotentConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def _react(self, connection: Db, envelope: Envelope, data: dict[str, Any]) -> None:
        payload = parse(envelope, data)
        # The topic carries other events of that service too: those are only recorded.
        command = self.event_commands.get(type(payload))
        if command is not None:
            await asyncio.to_thread(command, self.application, envelope, payload)
        reaction = self.reactions.get(type(payload))
        if reaction is not None:
            await reaction(connection, envelope, payload)

    async def start(self) -> None:
        # The relay holds a connection of its own; the pool serves readiness and reactions.
        consumed = [*self.reactions, *self.event_commands]
        self.pool = await create_pool(self.settings, size=4 if consumed or self.ddl else 1)
        if self.ddl:
            await self._create_tables()
        if consumed:
            self.consumer = IdempotentConsumer(
                bootstrap=self.settings.kafka_bootstrap,
                group_id=f"qms-{self.name}",
                topics=sorted({events_topic(model.service) for model in consumed}),
                dead_letter_topic=dead_letter_topic(self.name),
                partitions=self.settings.topic_partitions,
                replication=self.settings.topic_replication,
                pool=self.pool,
                schema=self.name,
                handle=self._react,
            )
            await self.consumer.start()
        self.relay = OutboxRelay(
            service=self.name,
            application=self.application,
            mapper=self.mapper,
            topic=events_topic(self.name),
            bootstrap=self.settings.kafka_bootstrap,
            schema=self.name,
            partitions=self.settings.topic_partitions,
            replication=self.settings.topic_replication,
        )
        self.application.saved_listeners.append(self.relay.notify)
        self._task = asyncio.create_task(self.relay.run(), name=f"{self.name}-relay")

    async def _create_tables(self) -> None:
        """The service's own tables, before anything uses them; replicas starting together
        take turns (concurrent CREATE ... IF NOT EXISTS can still collide in the catalog)."""
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.name)
            await connection.execute(self.ddl)

    def provide_pool(self) -> asyncpg.Pool:
        """The `pool` dependency of a service's routes: its tables, read asynchronously."""
        assert self.pool is not None, "the pool is created at startup"
        return self.pool

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.pool is not None:
            await self.pool.close()
        self.application.close()

    async def database(self) -> None:
        assert self.pool is not None
        await self.pool.fetchval("SELECT 1")

    async def broker(self) -> None:
        # A standby relay is ready: requiring the broker of it would deadlock rolling updates.
        if self.relay is None or (self.relay.role == "leader" and not self.relay.connected):
            raise ConnectionError("relay is not connected to the broker")


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes one event-sourced service; `build_app` composes the rest the same way for all.

    A service's `app.py` declares one of these: its name, its application class, the table
    that maps its domain events to contracts, its routes, and what it does with other
    services' events (a consumer is started for them, nothing more to wire). Tables of its
    own beside the event store (what its reactions keep) are created by `ddl` at start, in
    its schema; a route reads them through the `pool` dependency.
    """

    name: str
    version: str
    application: type[QmsApplication]
    mapper: EventMapper
    routes: Sequence[ControllerRouterHandler]
    reactions: Mapping[type[IntegrationEvent], Reaction] = field(default_factory=dict)
    #: Commands on its own event store that other services' events cause (see EventCommand).
    event_commands: Mapping[type[IntegrationEvent], EventCommand] = field(default_factory=dict)
    #: SQL run once at start, before the consumer: CREATE ... IF NOT EXISTS statements.
    ddl: str = ""

    def published(self) -> list[type[IntegrationEvent]]:
        return [model for model in event_types().values() if model.service == self.name]

    def build_app(self, settings: ServiceSettings | None = None) -> Litestar:
        settings = settings or ServiceSettings()
        application = open_application(self.application, settings.database_url, self.name)
        runtime = EventSourcedService(
            name=self.name,
            settings=settings,
            application=application,
            mapper=self.mapper,
            reactions=self.reactions,
            event_commands=self.event_commands,
            ddl=self.ddl,
        )
        document = asyncapi_document(
            self.name,
            self.version,
            relay_broker(self.name, settings.kafka_bootstrap, self.published()),
        )
        return create_app(
            service=self.name,
            version=self.version,
            route_handlers=[*self.routes, feed_controller(self.name), asyncapi_route(document)],
            verifier=TokenVerifier(settings.jwks_url, settings.jwt_issuer, settings.jwt_audience),
            readiness=[runtime.database, runtime.broker],
            on_startup=[runtime.start],
            on_shutdown=[runtime.stop],
            dependencies={"application": application, "mapper": self.mapper},
            providers={"pool": runtime.provide_pool},
        )

    def serve(self) -> None:
        settings = ServiceSettings()
        serve(self.build_app(settings), settings)


def relay_broker(
    service: str, bootstrap: str, publishes: list[type[IntegrationEvent]]
) -> KafkaBroker:
    """What the outbox relay publishes, declared for the AsyncAPI document.

    The relay itself produces with aiokafka (it needs the acknowledged offsets); this
    broker is never started.
    """
    broker = KafkaBroker(bootstrap, description=f"e-ISO {service}")
    for model in publishes:
        broker.publisher(
            events_topic(service),
            title=f"{events_topic(service)}:{model.__name__}",
            schema=model,
            description=model.__doc__ or model.event_type,
        )
    return broker


def asyncapi_document(service: str, version: str, broker: KafkaBroker) -> dict[str, Any]:
    """The AsyncAPI 3 document FastStream generates from a broker's declarations."""
    specification = AsyncAPI(broker, title=f"e-ISO {service}", version=version)
    document: dict[str, Any] = json.loads(specification.to_specification().to_json())
    return document


def asyncapi_route(document: dict[str, Any]) -> ControllerRouterHandler:
    @get("/asyncapi.json", media_type=MediaType.JSON, include_in_schema=False, sync_to_thread=False)
    def asyncapi() -> dict[str, Any]:
        return document

    return asyncapi


def _settle_garbage_collector() -> None:
    """What start-up built (modules, routes, templates) lives as long as the process: frozen,
    full collections no longer walk it; and young collections run every 20,000 allocations
    instead of 700, since a request allocates thousands of short-lived objects. Under load this
    took about a sixth off a portal page's cost (bench.portal)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def serve(app: Litestar, settings: ServiceSettings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per upstream call would cost more than the call under load.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    _settle_garbage_collector()
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning")
