"""Idempotent consumer over FastStream: batches handed over whole, offsets committed after.

A batch of records goes to one handler call (a projection machine's `apply`, or
`ProcessedEvents` around a per-message handler); its offsets are committed once the handler
returned, so its transaction is committed first. A message that cannot be read, that the
handler reports as poison, or that still fails alone after retries goes to the service's
dead-letter topic with the error, and consumption goes on. Transient failures (the database
or an owning service away) are retried with backoff for as long as they last, counted and
logged, and never dead-lettered. When the broker holds fewer records than were already
processed (it lost its log, or the topic was re-created), the subscriber restarts; with no
committed position on the new log, or one past its end, it reads from the earliest offset,
and idempotent handlers make the replay harmless.
"""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from asyncpg.pool import PoolConnectionProxy
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from prometheus_client import Counter, Gauge

from qms_contracts import Envelope, decode
from qms_contracts.envelope import MalformedEvent
from qms_runtime.errors import TransientError
from qms_runtime.kafka import (
    REQUEST_TIMEOUT_MS,
    Landmark,
    LogProbe,
    ensure_topics,
    fingerprint,
    new_producer,
)

log = logging.getLogger("qms.consumer")

#: Outcomes: received (every record), dead_letter (those of them sent to the DLQ).
CONSUMED = Counter("qms_consumer_events_total", "Events consumed", ["topic", "outcome"])
RETRIES = Counter(
    "qms_consumer_retries_total", "Batches handed again after a failure", ["group", "kind"]
)
FAILING = Gauge(
    "qms_consumer_consecutive_failures",
    "Handler calls that failed in a row (a consumer that stays above 0 is stuck)",
    ["group"],
)

#: A connection lent by the pool, inside the consumer's transaction.
if TYPE_CHECKING:
    Db = PoolConnectionProxy[asyncpg.Record]
else:
    Db = PoolConnectionProxy

Message = tuple[Envelope, dict[str, Any]]
#: Handles a batch, idempotently: a batch may be handed again, whole or in part.
BatchHandler = Callable[[Sequence[Message]], Awaitable[None]]
#: Handles one message in the transaction that records its event id (see ProcessedEvents).
Handler = Callable[[Db, Envelope, dict[str, Any]], Awaitable[None]]

#: Failures of what a handler depends on, not of the messages: retried until they pass.
TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.exceptions.InterfaceError,
)


class PoisonMessage(Exception):
    """A message that no retry can fix (unknown type, invalid payload): straight to the DLQ."""


class PoisonMessages(Exception):
    """These messages of a batch (by position) can never be handled; the others can.

    The consumer dead-letters them and hands the others over again.
    """

    def __init__(self, rejected: Mapping[int, str]) -> None:
        super().__init__("; ".join(f"#{index}: {reason}" for index, reason in rejected.items()))
        self.rejected = dict(rejected)


class ProcessedEvents:
    """Idempotency for consumers that are not projections: each event id is handled once.

    The ids are pruned after `keep_days`, keeping per aggregate the highest version pruned:
    an event at or below it is a duplicate too. That is safe because an id comes back only
    as a redelivery (minutes) or when a relay republishes its whole log after the broker lost
    it; an event older than the horizon that was never handled would have to be missing
    while its aggregate's later events were handled, which the aggregates' version order
    (docs/architecture.md, "The guarantees") rules out.
    """

    def __init__(
        self, pool: asyncpg.Pool, schema: str, handle: Handler, keep_days: int = 30
    ) -> None:
        self._pool = pool
        self._events = f'"{schema}".processed_events'
        self._pruned = f'"{schema}".pruned_versions'
        self._handle = handle
        self.keep_days = keep_days

    async def setup(self) -> None:
        await self._pool.execute(
            f"CREATE TABLE IF NOT EXISTS {self._events} (event_id text PRIMARY KEY, "
            "aggregate_id text NOT NULL, version int NOT NULL, "
            "processed_at timestamptz NOT NULL DEFAULT now()); "
            # Tables made before versions were kept.
            f"ALTER TABLE {self._events} DROP COLUMN IF EXISTS topic, "
            "ADD COLUMN IF NOT EXISTS aggregate_id text NOT NULL DEFAULT '', "
            "ADD COLUMN IF NOT EXISTS version int NOT NULL DEFAULT 0; "
            f"CREATE INDEX IF NOT EXISTS processed_events_at ON {self._events} (processed_at); "
            f"CREATE TABLE IF NOT EXISTS {self._pruned} "
            "(aggregate_id text PRIMARY KEY, version int NOT NULL)"
        )

    async def __call__(self, batch: Sequence[Message]) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(
                f"INSERT INTO {self._events} (event_id, aggregate_id, version) "
                "SELECT e.* FROM unnest($1::text[], $2::text[], $3::int[]) "
                "AS e(event_id, aggregate_id, version) "
                f"LEFT JOIN {self._pruned} p USING (aggregate_id) "
                "WHERE p.version IS NULL OR e.version > p.version "
                "ON CONFLICT DO NOTHING RETURNING event_id",
                [envelope.id for envelope, _ in batch],
                [envelope.subject for envelope, _ in batch],
                [envelope.aggregateversion for envelope, _ in batch],
            )
            fresh = {row[0] for row in rows}
            for index, (envelope, data) in enumerate(batch):
                if envelope.id not in fresh:
                    continue
                fresh.discard(envelope.id)  # the same event twice in one batch
                try:
                    await self._handle(connection, envelope, data)
                except PoisonMessage as error:
                    raise PoisonMessages({index: f"{envelope.type}: {error}"}) from None

    async def prune(self) -> None:
        await self._pool.execute(
            f"WITH gone AS (DELETE FROM {self._events} "
            "WHERE processed_at < now() - make_interval(days => $1) "
            "RETURNING aggregate_id, version) "
            f"INSERT INTO {self._pruned} SELECT aggregate_id, max(version) FROM gone "
            "GROUP BY aggregate_id ON CONFLICT (aggregate_id) DO UPDATE "
            f"SET version = GREATEST({self._pruned}.version, EXCLUDED.version)",
            self.keep_days,
        )


DeadLetter = Callable[[ConsumerRecord[Any, Any], str], Awaitable[None]]


class Delivery:
    """Hands records to a batch handler: poison to the DLQ, transient failures retried."""

    #: Attempts at a batch that fails for an unknown reason before each message is tried
    #: alone, and at a message alone before it is dead-lettered.
    ATTEMPTS = 3
    MAX_BACKOFF = 30.0

    def __init__(
        self,
        *,
        name: str,
        handle: BatchHandler,
        dead_letter: DeadLetter,
        transient: tuple[type[BaseException], ...] = (),
        give_up_after: int | None = None,
    ) -> None:
        self._name = name
        self._handle = handle
        self._dead_letter = dead_letter
        self._transient = TRANSIENT + transient
        #: Transient failures in a row after which to raise; None: retry while they last.
        self._give_up_after = give_up_after
        self.failures = 0

    async def __call__(self, records: Sequence[ConsumerRecord[Any, Any]]) -> int:
        """Handle the records; returns how many were dead-lettered."""
        readable: list[tuple[ConsumerRecord[Any, Any], Envelope, dict[str, Any]]] = []
        dead = 0
        for record in records:
            try:
                envelope, data = decode(list(record.headers or ()), record.value or b"")
            except MalformedEvent as error:
                await self._dead_letter(record, str(error))
                dead += 1
                continue
            readable.append((record, envelope, data))
        return dead + await self._deliver(readable)

    async def _deliver(
        self, items: list[tuple[ConsumerRecord[Any, Any], Envelope, dict[str, Any]]]
    ) -> int:
        dead = attempts = transient_failures = 0
        while items:
            try:
                await self._handle([(envelope, data) for _, envelope, data in items])
            except PoisonMessages as error:
                if not error.rejected:
                    raise TypeError("PoisonMessages names no message") from error
                for index, reason in sorted(error.rejected.items()):
                    await self._dead_letter(items[index][0], reason)
                dead += len(error.rejected)
                items = [item for i, item in enumerate(items) if i not in error.rejected]
            except PoisonMessage as error:
                if len(items) > 1:  # the handler did not say which one: try each alone
                    return dead + await self._one_by_one(items)
                await self._dead_letter(items[0][0], f"{items[0][1].type}: {error}")
                return dead + 1
            except self._transient as error:
                transient_failures += 1
                self._failed("transient", error, transient_failures)
                if self._give_up_after is not None and transient_failures >= self._give_up_after:
                    raise
                await asyncio.sleep(min(self.MAX_BACKOFF, 0.1 * 2**transient_failures))
            except Exception as error:
                attempts += 1
                self._failed("error", error, attempts)
                if attempts < self.ATTEMPTS:
                    await asyncio.sleep(0.2 * attempts)
                elif len(items) > 1:
                    return dead + await self._one_by_one(items)
                else:
                    text = f"{items[0][1].type}: {type(error).__name__}: {error}"
                    await self._dead_letter(items[0][0], text)
                    return dead + 1
            else:
                self.failures = 0
                FAILING.labels(self._name).set(0)
                return dead
        return dead

    async def _one_by_one(
        self, items: list[tuple[ConsumerRecord[Any, Any], Envelope, dict[str, Any]]]
    ) -> int:
        dead = 0
        for item in items:
            dead += await self._deliver([item])
        return dead

    def _failed(self, kind: str, error: BaseException, attempt: int) -> None:
        self.failures += 1
        FAILING.labels(self._name).set(self.failures)
        RETRIES.labels(self._name, kind).inc()
        log.warning(
            "consumer %s: attempt %d failed (%s: %s: %s); retrying",
            self._name,
            attempt,
            kind,
            type(error).__name__,
            error,
        )


def dead_letter_headers(record: ConsumerRecord[Any, Any], error: str) -> dict[str, str]:
    """The record's headers as text, with the error and where the record was first read."""
    headers = {}
    for name, value in record.headers or ():
        with contextlib.suppress(UnicodeDecodeError):
            headers[name] = value.decode()
    headers["qms_dlq_error"] = error[:2000]
    # A record replayed from the DLQ and refused again keeps its first origin.
    headers.setdefault("qms_dlq_topic", record.topic)
    headers.setdefault("qms_dlq_partition", str(record.partition))
    headers.setdefault("qms_dlq_offset", str(record.offset))
    return headers


async def _raw_body(message: StreamMessage[Any]) -> Any:
    return message.body


async def _text_headers(
    records: tuple[ConsumerRecord[Any, Any], ...],
    original: Callable[[Any], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    """FastStream reads every header as UTF-8; one that is not would drop the whole batch unseen.

    It gets readable copies; the handler reads the records as they were sent.
    """
    readable = tuple(
        record
        if all(_is_utf8(value) for _, value in record.headers or ())
        else dataclasses.replace(
            record,
            headers=[(n, v.decode(errors="replace").encode()) for n, v in record.headers],
        )
        for record in records
    )
    message = await original(readable)
    message.raw_message = records
    return message


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


class IdempotentConsumer:
    WATCH_SECONDS = 1.0
    FETCH_MAX_WAIT_MS = 25
    PRUNE_SECONDS = 3600.0

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: list[str],
        dead_letter_topic: str,
        partitions: int,
        replication: int,
        handle_batch: BatchHandler | None = None,
        pool: asyncpg.Pool | None = None,
        schema: str = "",
        handle: Handler | None = None,
        transient: tuple[type[BaseException], ...] = (),
        max_records: int = 500,
    ) -> None:
        """`handle_batch` (a projection machine's apply), or `pool`, `schema` and `handle`,
        a per-message handler made idempotent by ProcessedEvents."""
        if handle_batch is None:
            assert pool is not None and handle is not None, "handle_batch, or pool and handle"
            handle_batch = ProcessedEvents(pool, schema, handle)
        self._processed_events = handle_batch if isinstance(handle_batch, ProcessedEvents) else None
        self._bootstrap = bootstrap
        self._group_id = group_id
        self._topics = topics
        self._dead_letter_topic = dead_letter_topic
        self._partitions = partitions
        self._replication = replication
        self._max_records = max_records
        self.delivery = Delivery(
            name=group_id, handle=handle_batch, dead_letter=self._dead_letter, transient=transient
        )
        # The last record handled per partition, to notice a broker that lost its log.
        self._processed: dict[tuple[str, int], Landmark] = {}
        self._probe = LogProbe(bootstrap)
        self.broker = self.build_broker()
        self._tasks: list[asyncio.Task[None]] = []
        self.running = False

    def build_broker(self) -> KafkaBroker:
        # Each batch logged at DEBUG: at INFO, two lines a batch cost more than the batch.
        broker = KafkaBroker(
            self._bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS, log_level=logging.DEBUG
        )
        broker.subscriber(
            *self._topics,
            batch=True,
            max_records=self._max_records,
            group_id=self._group_id,
            auto_offset_reset="earliest",
            # A failure before the offsets are committed (say, the DLQ publish) seeks back.
            ack_policy=AckPolicy.NACK_ON_ERROR,
            parser=_text_headers,
            decoder=_raw_body,
            # The development broker answers a fetch only when this wait ends, not when a
            # record arrives; Apache Kafka answers at once either way. Keep it short.
            fetch_max_wait_ms=self.FETCH_MAX_WAIT_MS,
            batch_timeout_ms=self.FETCH_MAX_WAIT_MS,
            title=f"{self._group_id}",
        )(self._on_batch)
        broker.publisher(self._dead_letter_topic, title="dead letters")
        return broker

    async def start(self) -> None:
        if self._processed_events is not None:
            await self._processed_events.setup()
            self._tasks.append(asyncio.create_task(self._prune()))
        self._tasks.append(asyncio.create_task(self._supervise()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._stop_broker()
        await self._probe.close()

    async def _prune(self) -> None:
        assert self._processed_events is not None
        while True:
            try:
                await self._processed_events.prune()
            except TRANSIENT as error:
                log.warning("consumer %s: pruning failed (%s)", self._group_id, error)
            await asyncio.sleep(self.PRUNE_SECONDS)

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

    async def _on_batch(self, body: Any, message: KafkaMessage) -> None:
        records = message.raw_message
        assert isinstance(records, tuple)
        await self.delivery(records)
        last: dict[tuple[str, int], ConsumerRecord[Any, Any]] = {}
        for record in records:
            last[(record.topic, record.partition)] = record
            CONSUMED.labels(record.topic, "received").inc()
        for (topic, partition), record in last.items():
            self._processed[(topic, partition)] = Landmark(
                partition, record.offset, fingerprint(record.key, record.value)
            )

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: str) -> None:
        log.error("consumer: dead-lettered %s@%s: %s", record.topic, record.offset, error)
        await self.broker.publish(
            record.value,
            topic=self._dead_letter_topic,
            key=record.key,
            headers=dead_letter_headers(record, error),
        )
        CONSUMED.labels(record.topic, "dead_letter").inc()


async def replay_dead_letters(
    bootstrap: str,
    dead_letter_topic: str,
    handle: BatchHandler,
    *,
    batch: int = 500,
    give_up_after: int = 5,
) -> dict[str, int]:
    """Hand what the DLQ holds to `handle` again (after a fix); returns what became of it.

    Progress is committed under the group `<dead_letter_topic>.replay`, so a record is
    replayed once: it is handled, or dead-lettered again with its new error (and replayed by
    the next run). A transient failure that lasts stops the replay, nothing past it committed.
    """
    producer = new_producer(bootstrap)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"{dead_letter_topic}.replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=IdempotentConsumer.FETCH_MAX_WAIT_MS,
        request_timeout_ms=REQUEST_TIMEOUT_MS,
    )
    # Partition -> offset of the first record this run dead-lettered again: where it stops.
    refused_from: dict[int, int] = {}

    async def dead_letter(record: ConsumerRecord[Any, Any], error: str) -> None:
        headers = [(n, v.encode()) for n, v in dead_letter_headers(record, error).items()]
        sent = await producer.send_and_wait(
            dead_letter_topic, record.value, key=record.key, headers=headers
        )
        refused_from.setdefault(sent.partition, sent.offset)

    delivery = Delivery(
        name=f"{dead_letter_topic}.replay",
        handle=handle,
        dead_letter=dead_letter,
        give_up_after=give_up_after,
    )
    replayed = refused = 0
    await producer.start()
    await consumer.start()
    try:
        partitions = [
            TopicPartition(dead_letter_topic, p)
            for p in sorted(consumer.partitions_for_topic(dead_letter_topic) or ())
        ]
        # No need to join the group (slow): its committed offsets are all this needs.
        consumer.assign(partitions)
        for partition in partitions:
            while True:
                fetched = await consumer.getmany(partition, timeout_ms=2000, max_records=batch)
                limit = refused_from.get(partition.partition)
                records = [
                    r for r in fetched.get(partition, []) if limit is None or r.offset < limit
                ]
                if not records:
                    break
                refused += await delivery(records)
                replayed += len(records)
                await consumer.commit({partition: records[-1].offset + 1})
    finally:
        await consumer.stop()
        await producer.stop()
    return {"replayed": replayed, "dead_lettered_again": refused}
