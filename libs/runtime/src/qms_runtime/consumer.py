"""Idempotent consumer over FastStream: effect and processed-event id in one transaction.

Messages of one partition are handled one at a time, in order. A message that cannot be
read, or still fails after retries, goes to the service's dead-letter topic with the
error, and consumption goes on. When the broker holds fewer records than were already
processed (it lost its log, or the topic was re-created), the subscriber restarts; with no
committed position on the new log, or one past its end, it reads from the earliest offset,
and the processed-event ids make the replay harmless.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from asyncpg.pool import PoolConnectionProxy
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from prometheus_client import Counter

from qms_contracts import Envelope, decode
from qms_contracts.envelope import MalformedEvent
from qms_runtime.errors import UpstreamUnavailable
from qms_runtime.kafka import REQUEST_TIMEOUT_MS, Landmark, LogProbe, ensure_topics, fingerprint

log = logging.getLogger("qms.consumer")

CONSUMED = Counter("qms_consumer_events_total", "Events consumed", ["topic", "outcome"])

#: A connection lent by the pool, inside the consumer's transaction.
if TYPE_CHECKING:
    Db = PoolConnectionProxy[asyncpg.Record]
else:
    Db = PoolConnectionProxy
Handler = Callable[[Db, Envelope, dict[str, Any]], Awaitable[None]]


#: Failures of what the handler depends on, not of the message: retried until they pass.
TRANSIENT = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    httpx.TransportError,
    UpstreamUnavailable,
)


class PoisonMessage(Exception):
    """A message that no retry can fix (unknown type, invalid payload): straight to the DLQ."""


async def _raw_body(message: StreamMessage[Any]) -> Any:
    return message.body


class IdempotentConsumer:
    RETRIES = 3
    WATCH_SECONDS = 1.0
    FETCH_MAX_WAIT_MS = 25

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: list[str],
        dead_letter_topic: str,
        pool: asyncpg.Pool,
        schema: str,
        handle: Handler,
        partitions: int,
        replication: int,
    ) -> None:
        self._bootstrap = bootstrap
        self._group_id = group_id
        self._topics = topics
        self._dead_letter_topic = dead_letter_topic
        self._pool = pool
        self._schema = schema
        self._handle = handle
        self._partitions = partitions
        self._replication = replication
        # The last record handled per partition, to notice a broker that lost its log.
        self._processed: dict[tuple[str, int], Landmark] = {}
        self._probe = LogProbe(bootstrap)
        self.broker = self.build_broker()
        self._watch_task: asyncio.Task[None] | None = None
        self.running = False

    def build_broker(self) -> KafkaBroker:
        broker = KafkaBroker(self._bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS)
        broker.subscriber(
            *self._topics,
            group_id=self._group_id,
            auto_offset_reset="earliest",
            # A failure before the offset is committed (say, the DLQ publish) seeks back.
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=_raw_body,
            # The development broker answers a fetch only when this wait ends, not when a
            # record arrives; Apache Kafka answers at once either way. Keep it short.
            fetch_max_wait_ms=self.FETCH_MAX_WAIT_MS,
            title=f"{self._group_id}",
        )(self._on_message)
        broker.publisher(self._dead_letter_topic, title="dead letters")
        return broker

    async def start(self) -> None:
        await self._pool.execute(
            f'CREATE TABLE IF NOT EXISTS "{self._schema}".processed_events ('
            "event_id text PRIMARY KEY, topic text NOT NULL, "
            "processed_at timestamptz NOT NULL DEFAULT now())"
        )
        self._watch_task = asyncio.create_task(self._supervise())

    async def stop(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch_task
        await self._stop_broker()
        await self._probe.close()

    async def _start_broker(self) -> None:
        await ensure_topics(
            self._bootstrap,
            [*self._topics, self._dead_letter_topic],
            self._partitions,
            self._replication,
        )
        await self.broker.start()
        self.running = True

    async def _stop_broker(self) -> None:
        self.running = False
        with contextlib.suppress(KafkaError, OSError, TimeoutError, RuntimeError):
            await asyncio.wait_for(self.broker.stop(), timeout=10)

    async def _supervise(self) -> None:
        """Start the subscriber when the broker answers; restart it if the broker lost its log.

        A broker that merely stops answering (paused, network) needs nothing: the clients
        recover by themselves once it answers again.
        """
        while True:
            try:
                if not self.running:
                    await self._start_broker()
                await asyncio.sleep(self.WATCH_SECONDS)
                if await self._log_lost():
                    log.warning("consumer %s: broker lost its log; restarting", self._group_id)
                    await self._restart()
            except (KafkaError, OSError, TimeoutError) as error:
                log.warning("consumer %s: broker unavailable (%s)", self._group_id, error)
                if not self.running:
                    await self._stop_broker()
                    self.broker = self.build_broker()
                await asyncio.sleep(1)

    async def _restart(self) -> None:
        await self._stop_broker()
        self._processed.clear()
        self.broker = self.build_broker()
        await self._start_broker()

    async def _log_lost(self) -> bool:
        for topic in self._topics:
            known = [mark for (t, _), mark in self._processed.items() if t == topic]
            if await self._probe.lost(topic, known):
                return True
        return False

    async def _on_message(self, body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        assert isinstance(record, ConsumerRecord)
        topic, partition, offset = record.topic, record.partition, record.offset
        headers = list(record.headers or [])
        outcome = await self._process(headers, body, topic)
        if outcome is not None:
            await self._dead_letter(record, headers, body, outcome)
            CONSUMED.labels(topic, "dead_letter").inc()
        self._processed[(topic, partition)] = Landmark(
            partition, offset, fingerprint(record.key, record.value)
        )

    async def _process(
        self, headers: list[tuple[str, bytes]], body: bytes, topic: str
    ) -> str | None:
        """Apply the message; returns the error text when it must go to the DLQ."""
        try:
            envelope, data = decode(headers, body)
        except MalformedEvent as error:
            return str(error)
        error_text, attempt = "", 0
        while attempt < self.RETRIES:
            try:
                async with self._pool.acquire() as connection, connection.transaction():
                    first_time = await connection.fetchval(
                        f'INSERT INTO "{self._schema}".processed_events (event_id, topic) '
                        "VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
                        envelope.id,
                        topic,
                    )
                    if first_time:
                        await self._handle(connection, envelope, data)
                CONSUMED.labels(topic, "applied" if first_time else "duplicate").inc()
                return None
            except PoisonMessage as error:
                return f"{envelope.type}: {error}"
            except TRANSIENT as error:
                # The database or an owning service is away: wait for it, never dead-letter.
                log.warning("consumer: %s unavailable (%s); waiting", envelope.type, error)
                await asyncio.sleep(1)
            except Exception as error:
                attempt += 1
                error_text = f"{envelope.type}: {type(error).__name__}: {error}"
                log.warning("consumer: attempt %d failed: %s", attempt, error_text)
                await asyncio.sleep(0.2 * attempt)
        return error_text

    async def _dead_letter(
        self, record: Any, headers: list[tuple[str, bytes]], body: bytes, error: str
    ) -> None:
        text_headers = {}
        for name, value in headers:
            with contextlib.suppress(UnicodeDecodeError):
                text_headers[name] = value.decode()
        text_headers.update(
            {
                "qms_dlq_error": error[:2000],
                "qms_dlq_topic": record.topic,
                "qms_dlq_partition": str(record.partition),
                "qms_dlq_offset": str(record.offset),
            }
        )
        log.error("consumer: dead-lettered %s@%s: %s", record.topic, record.offset, error)
        await self.broker.publish(
            body, topic=self._dead_letter_topic, key=record.key, headers=text_headers
        )
