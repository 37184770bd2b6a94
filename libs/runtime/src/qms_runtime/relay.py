"""Outbox relay: follows the notification log and publishes integration events to Kafka.

The event store is the outbox: events and notifications commit in one transaction, and the
relay records the last published position only after the broker acknowledged (acks=all).
Publication is at-least-once with deterministic event ids. When the broker holds fewer
records than we know we wrote (it lost its log, or the topic was re-created), the relay
republishes from the start and consumers drop the duplicates.

One relay per service publishes at a time, however many replicas run (qms_runtime.leadership):
the others stand by, ready, and one takes over when the leader stops or loses its lock
connection. The position is written through that connection, so only the leader records it.
eventsourcing's PostgreSQL recorder NOTIFYs its channel in every transaction that saves
events; the leader LISTENs there, so a save on any replica wakes it at once.
"""

import asyncio
import contextlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresApplicationRecorder
from prometheus_client import Counter, Gauge

from qms_contracts import Envelope, IntegrationEvent, KafkaRecord, encode, event_id
from qms_runtime.eventstore import QmsApplication
from qms_runtime.kafka import Landmark, LogProbe, ensure_topics, fingerprint, new_producer
from qms_runtime.leadership import Leadership, Role, Tenure

log = logging.getLogger("qms.relay")

PUBLISHED = Counter("qms_relay_published_total", "Integration events published", ["topic"])
REPUBLISHES = Counter("qms_relay_republish_total", "Times the relay republished from the start")
POSITION = Gauge("qms_relay_position", "Last published notification id", ["topic"])
FAILURES = Counter(
    "qms_relay_failures_total",
    "Attempts to publish that failed and will be retried from the same position",
    ["topic", "kind"],
)


class LostLog(Exception):
    """The broker holds fewer records than this relay knows it published."""


@dataclass(frozen=True)
class Outgoing:
    """What a service's mapping makes of one domain event."""

    payload: IntegrationEvent
    unit_id: str
    actor: str
    correlation_id: str


EventMapper = Callable[[DomainEventProtocol[Any]], Outgoing | None]


def envelope_for(service: str, event: DomainEventProtocol[Any], outgoing: Outgoing) -> Envelope:
    aggregate_id = str(event.originator_id)
    return Envelope(
        id=event_id(aggregate_id, event.originator_version),
        source=f"/qms/{service}",
        type=outgoing.payload.event_type,
        subject=aggregate_id,
        time=event.timestamp,  # type: ignore[attr-defined]  # every domain event has one
        unitid=outgoing.unit_id,
        actor=outgoing.actor,
        aggregateversion=event.originator_version,
        correlationid=outgoing.correlation_id,
        causationid=outgoing.correlation_id,
    )


class OutboxRelay:
    BATCH = 200
    IDLE_SECONDS = 1.0
    LOSS_CHECK_SECONDS = 2.0
    MAX_BACKOFF_SECONDS = 5.0

    def __init__(
        self,
        *,
        service: str,
        application: QmsApplication,
        mapper: EventMapper,
        topic: str,
        bootstrap: str,
        schema: str,
        partitions: int,
        replication: int,
    ) -> None:
        recorder = application.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            raise TypeError("the outbox relay follows eventsourcing's PostgreSQL recorder")
        self.service = service
        self.topic = topic
        self._app = application
        self._recorder = recorder
        self._mapper = mapper
        self._bootstrap = bootstrap
        self._schema = schema
        self._partitions = partitions
        self._replication = replication
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.position = 0
        # The last record acknowledged per partition: if the broker no longer holds it, the
        # broker lost its log and everything is published again.
        self._landmarks: dict[int, Landmark] = {}
        self._probe = LogProbe(bootstrap)
        self.connected = False
        self.failures = 0
        self._failures_in_a_row = 0
        self._tenure: Tenure | None = None
        self._leadership = Leadership(
            f"relay {topic}",
            self._connect_to_event_store,
            zlib.crc32(f"relay:{schema}:{topic}".encode()),
        )

    @property
    def role(self) -> Role:
        """`leader` publishes; a `standby` waits for the lock and is ready meanwhile."""
        return self._leadership.role

    def notify(self) -> None:
        """Wake the relay after a command saved events (callable from any thread).

        LISTEN already wakes the leader for saves on every replica; this in-process call
        only spares that round trip through PostgreSQL, for next to nothing.
        """
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._leadership.run(self._lead)

    async def _connect_to_event_store(self) -> asyncpg.Connection:
        """A connection of its own to the event store's database.

        Not from the pool: it holds the lock for as long as this replica leads, and NOTIFY
        only reaches listeners of the database the events were saved in.
        """
        params = self._recorder.datastore.pool.kwargs
        assert isinstance(params, dict)
        connection: asyncpg.Connection = await asyncpg.connect(
            host=params["host"],
            port=int(params["port"]),
            user=params["user"],
            password=params["password"],
            database=params["dbname"],
            server_settings={"application_name": f"qms-relay {self.topic}"},
        )
        return connection

    async def _lead(self, tenure: Tenure) -> None:
        self._tenure = tenure
        try:
            await self._create_table()
            await self._load_position()
            # The recorder NOTIFYs this channel (named after its table) in the transaction that
            # saves, so no trigger of ours is needed. An application of the same name in
            # another schema shares it: that costs a spare read, nothing more.
            await tenure.listen(self._recorder.channel_name, self._wake.set)
            await self._publish_forever()
        finally:
            self._tenure = None
            await self._disconnect()

    async def _publish_forever(self) -> None:
        while True:
            try:
                await self._connect()
                await self._follow()
            except LostLog:
                # Reconnect in the order a broker that lost its log needs:
                # topics first, then a new producer, then publish from the start.
                await self._disconnect()
                continue
            except (KafkaError, OSError, TimeoutError) as error:
                log.warning("relay %s: broker unavailable (%s); retrying", self.topic, error)
                self._failed("broker")
            except (asyncpg.PostgresError, asyncpg.InterfaceError, PersistenceError) as error:
                log.warning("relay %s: database unavailable (%s); retrying", self.topic, error)
                self._failed("database")
            except Exception:
                # Never skip an event: stay at this position, say why, try again.
                log.exception("relay %s: cannot publish; retrying", self.topic)
                self._failed("other")
            await self._disconnect()
            await asyncio.sleep(min(0.1 * 2**self._failures_in_a_row, self.MAX_BACKOFF_SECONDS))

    def _failed(self, kind: str) -> None:
        self.failures += 1
        self._failures_in_a_row += 1
        FAILURES.labels(self.topic, kind).inc()

    async def _connect(self) -> None:
        # Order matters on a broker that lost its log: topics first, then the producer.
        await ensure_topics(self._bootstrap, [self.topic], self._partitions, self._replication)
        if await self._probe.lost(self.topic, list(self._landmarks.values())):
            await self._restart_from_beginning()
        producer = new_producer(self._bootstrap)
        await producer.start()
        self._producer = producer
        self.connected = True

    async def _disconnect(self) -> None:
        self.connected = False
        await self._probe.close()
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), timeout=5)
            except (KafkaError, OSError, TimeoutError):
                log.debug("relay %s: producer did not stop cleanly", self.topic)

    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        last_check = loop.time()
        while True:
            # Cleared before reading, so a save that lands meanwhile still wakes us.
            self._wake.clear()
            if not await self._publish_batch():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.IDLE_SECONDS)
            if loop.time() - last_check > self.LOSS_CHECK_SECONDS:
                await self._check_for_lost_log()
                last_check = loop.time()

    def _next_records(self) -> tuple[int, list[KafkaRecord]]:
        """Read and encode the next batch (blocking I/O: runs in a worker thread)."""
        events, last_id = self._app.notifications_after(self.position, self.BATCH)
        records = []
        for domain_event in events:
            outgoing = self._mapper(domain_event)
            if outgoing is not None:
                envelope = envelope_for(self.service, domain_event, outgoing)
                records.append(encode(envelope, outgoing.payload))
        return last_id, records

    async def _publish_batch(self) -> bool:
        last_id, records = await asyncio.to_thread(self._next_records)
        if last_id == self.position:
            return False
        assert self._producer is not None
        pending = [
            await self._producer.send(
                self.topic, value=record.value, key=record.key, headers=record.headers
            )
            for record in records
        ]
        prints = [fingerprint(record.key, record.value) for record in records]
        for metadata, print_ in zip(await asyncio.gather(*pending), prints, strict=True):
            known = self._landmarks.get(metadata.partition)
            if known is None or metadata.offset > known.offset:
                self._landmarks[metadata.partition] = Landmark(
                    metadata.partition, metadata.offset, print_
                )
        await self._save_position(last_id)
        self._failures_in_a_row = 0
        PUBLISHED.labels(self.topic).inc(len(pending))
        return True

    async def _check_for_lost_log(self) -> None:
        if await self._probe.lost(self.topic, list(self._landmarks.values())):
            raise LostLog

    async def _restart_from_beginning(self) -> None:
        log.warning("relay %s: broker lost the log; republishing from the start", self.topic)
        REPUBLISHES.inc()
        self._landmarks = {}
        await self._save_position(0)

    async def _create_table(self) -> None:
        assert self._tenure is not None
        await self._tenure.execute(
            f'CREATE TABLE IF NOT EXISTS "{self._schema}".outbox_relay ('
            "topic text PRIMARY KEY, notification_id bigint NOT NULL, landmarks jsonb NOT NULL)"
        )

    async def _load_position(self) -> None:
        assert self._tenure is not None
        row = await self._tenure.fetchrow(
            f'SELECT notification_id, landmarks FROM "{self._schema}".outbox_relay WHERE topic=$1',
            self.topic,
        )
        if row is not None:
            self.position = row["notification_id"]
            self._landmarks = {
                int(p): Landmark(int(p), offset, print_)
                for p, (offset, print_) in json.loads(row["landmarks"]).items()
            }
        POSITION.labels(self.topic).set(self.position)

    async def _save_position(self, notification_id: int) -> None:
        """Through the lock connection: a relay that lost it can never record a position."""
        assert self._tenure is not None
        await self._tenure.execute(
            f'INSERT INTO "{self._schema}".outbox_relay (topic, notification_id, landmarks) '
            "VALUES ($1, $2, $3) ON CONFLICT (topic) DO UPDATE "
            "SET notification_id = EXCLUDED.notification_id, landmarks = EXCLUDED.landmarks",
            self.topic,
            notification_id,
            json.dumps({p: [m.offset, m.fingerprint] for p, m in self._landmarks.items()}),
        )
        self.position = notification_id
        POSITION.labels(self.topic).set(notification_id)
