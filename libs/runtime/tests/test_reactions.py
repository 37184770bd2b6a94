"""A service that reacts to another service's events declares reactions; the runtime consumes."""

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import asyncpg
from aiokafka import AIOKafkaProducer
from litestar import get
from litestar.testing import AsyncTestClient

from qms_contracts import Envelope, IntegrationEvent, encode, event_id, events_topic
from qms_runtime.consumer import Db
from qms_runtime.eventstore import QmsApplication
from qms_runtime.kafka import ensure_topics
from qms_runtime.publishing import ContractMapper
from qms_runtime.service import ServiceDefinition
from qms_runtime.settings import ServiceSettings


class AuditHeld(IntegrationEvent):
    """A test-only fact of another service, the kind a review service would react to."""

    event_type: ClassVar[str] = "qms.reacted.AuditHeld.v1"
    service: ClassVar[str] = "reacted"
    audit_id: str


class Watchers(QmsApplication):
    pass


async def remember(connection: Db, envelope: Envelope, payload: AuditHeld) -> None:
    await connection.execute(
        "INSERT INTO watcher.seen (audit_id, version) VALUES ($1, $2)",
        payload.audit_id,
        envelope.aggregateversion,
    )


@get("/seen", sync_to_thread=False)
async def seen_count(pool: asyncpg.Pool) -> int:
    """A route reads the service's own tables through the `pool` dependency."""
    count: int = await pool.fetchval("SELECT count(*) FROM watcher.seen")
    return count


#: What the event command saw: its application's class and the event's version.
COMMANDED: list[tuple[str, int]] = []


def note(application: QmsApplication, envelope: Envelope, payload: AuditHeld) -> None:
    """An event command: runs with the service's own application (in a worker thread)."""
    COMMANDED.append((type(application).__name__, envelope.aggregateversion))


def record(audit_id: uuid.UUID, version: int) -> Any:
    envelope = Envelope(
        id=event_id(audit_id, version),
        source="/qms/reacted",
        type=AuditHeld.event_type,
        subject=str(audit_id),
        time=datetime.now(UTC),
        unitid="so-khcn",
        actor="danhgiavien",
        aggregateversion=version,
        correlationid="c",
        causationid="c",
    )
    return encode(envelope, AuditHeld(audit_id=str(audit_id)))


async def test_declared_reactions_and_event_commands_run_once_per_event(
    database_url: str, bootstrap: str, pool: asyncpg.Pool
) -> None:
    service = ServiceDefinition(
        name="watcher",
        version="0",
        application=Watchers,
        mapper=ContractMapper({}),
        routes=[seen_count],
        reactions={AuditHeld: remember},
        event_commands={AuditHeld: note},
        # Made at start, in the service's schema, before the first reaction needs it.
        ddl="CREATE TABLE IF NOT EXISTS watcher.seen (audit_id text, version int NOT NULL)",
    )
    settings = ServiceSettings(
        database_url=database_url, kafka_bootstrap=bootstrap, topic_partitions=1
    )
    topic = events_topic("reacted")
    await ensure_topics(bootstrap, [topic], partitions=1, replication=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    audit = uuid.uuid4()
    async with AsyncTestClient(service.build_app(settings)) as client:
        for version in (1, 2, 1, 2):  # each delivered twice
            message = record(audit, version)
            await producer.send_and_wait(
                topic, message.value, key=message.key, headers=message.headers
            )
        deadline = time.monotonic() + 30
        seen: list[Any] = []
        while time.monotonic() < deadline:
            seen = await pool.fetch("SELECT version FROM watcher.seen ORDER BY version")
            if len(seen) >= 2:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # time for a duplicate to show up, if it would
        seen = await pool.fetch("SELECT version FROM watcher.seen ORDER BY version")
        answer = await client.get("/seen")
    await producer.stop()
    assert [row["version"] for row in seen] == [1, 2]
    assert answer.json() == 2
    assert COMMANDED == [("Watchers", 1), ("Watchers", 2)]
