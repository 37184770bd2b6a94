"""Fixtures of the runtime tests: a scratch database, the development broker, a toy service.

Each test gets its own schema and topic, so relays and metrics of one test never see another's.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from eventsourcing.domain import Aggregate, DomainEventProtocol, event

from qms_contracts import Envelope, IntegrationEvent, decode, event_id
from qms_local.stack import Broker, free_port, scratch_database
from qms_runtime.eventstore import QmsApplication, open_application
from qms_runtime.relay import EventMapper, OutboxRelay, Outgoing


class Thing(Aggregate):
    @event("Noted")
    def note(self, text: str) -> None:
        pass


class Things(QmsApplication):
    pass


class ThingChanged(IntegrationEvent):
    service: ClassVar[str] = "test"
    thing_id: str
    version: int


# Set after the class is made: that keeps this test-only type out of the contract registry,
# which the committed schemas must match.
ThingChanged.event_type = "qms.test.ThingChanged.v1"


def map_thing(domain_event: DomainEventProtocol[Any]) -> Outgoing:
    payload = ThingChanged(
        thing_id=str(domain_event.originator_id), version=domain_event.originator_version
    )
    return Outgoing(payload=payload, unit_id="u", actor="tester", correlation_id="c")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("pg")) as url:
        yield url


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created: asyncpg.Pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    async with created:
        yield created


@pytest.fixture(scope="session")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    broker = Broker(free_port(), tmp_path_factory.mktemp("broker") / "broker.log")
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.kill()


class Harness:
    """One toy service: its schema, its topic, its application instances and relays.

    Tests reach every helper through this fixture (test modules cannot import conftest).
    """

    mapper = staticmethod(map_thing)

    def __init__(self, database_url: str, bootstrap: str, pool: asyncpg.Pool) -> None:
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.pool = pool
        self.schema = f"t_{uuid.uuid4().hex[:8]}"
        self.topic = f"qms.test.{self.schema}.events"
        self._apps: list[Things] = []
        self._tasks: list[asyncio.Task[None]] = []

    def application(self) -> Things:
        """An application instance of its own, as another replica would have."""
        app = open_application(Things, self.database_url, self.schema)
        self._apps.append(app)
        return app

    def relay(self, app: Things, mapper: EventMapper = map_thing) -> OutboxRelay:
        """A relay as each replica runs one; IDLE_SECONDS can be set on it before start."""
        return OutboxRelay(
            service="test",
            application=app,
            mapper=mapper,
            topic=self.topic,
            bootstrap=self.bootstrap,
            schema=self.schema,
            partitions=1,
            replication=1,
        )

    def start(self, relay: OutboxRelay) -> asyncio.Task[None]:
        task = asyncio.create_task(relay.run())
        self._tasks.append(task)
        return task

    @staticmethod
    def save(app: Things, things: int = 2, notes: int = 3) -> None:
        for _ in range(things):
            thing = Thing()
            for n in range(notes):
                thing.note(f"note {n}")
            app.save(thing)

    @staticmethod
    def expected(app: Things) -> tuple[list[str], int]:
        """Ids of every saved event in notification-log order, and the last notification id."""
        events, last_id = app.notifications_after(0, 10_000)
        return [event_id(e.originator_id, e.originator_version) for e in events], last_id

    async def stored_position(self) -> int | None:
        position: int | None = await self.pool.fetchval(
            f'SELECT notification_id FROM "{self.schema}".outbox_relay WHERE topic = $1',
            self.topic,
        )
        return position

    async def read(self, at_least: int) -> list[Envelope]:
        """The envelopes in the topic (one partition), in order, once `at_least` arrived."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50
        )
        await consumer.start()
        try:
            partition = TopicPartition(self.topic, 0)
            consumer.assign([partition])
            await consumer.seek_to_beginning(partition)
            records = []
            deadline = time.monotonic() + 10
            while len(records) < at_least and time.monotonic() < deadline:
                records += (await consumer.getmany(partition, timeout_ms=200)).get(partition, [])
            # An extra (duplicate) record would come with the next fetch.
            records += (await consumer.getmany(partition, timeout_ms=200)).get(partition, [])
            return [decode(list(r.headers), r.value or b"")[0] for r in records]
        finally:
            await consumer.stop()

    @staticmethod
    async def eventually(condition: Callable[[], bool], within: float = 5.0) -> float:
        """Wait until `condition` holds; return how long that took."""
        started = time.monotonic()
        while not condition():
            if time.monotonic() - started > within:
                raise AssertionError(f"not true within {within} s")
            await asyncio.sleep(0.005)
        return time.monotonic() - started

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for app in self._apps:
            app.close()


@pytest.fixture
async def harness(database_url: str, bootstrap: str, pool: asyncpg.Pool) -> AsyncIterator[Harness]:
    running = Harness(database_url, bootstrap, pool)
    try:
        yield running
    finally:
        await running.close()
