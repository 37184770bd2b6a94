"""The batching consumer: delivery rules alone, then end to end on the development broker."""

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from qms_contracts import Envelope, IntegrationEvent, KafkaRecord, encode, event_id
from qms_local.stack import Broker
from qms_runtime.consumer import (
    RETRIES,
    Db,
    Delivery,
    IdempotentConsumer,
    Message,
    PoisonMessage,
    PoisonMessages,
    ProcessedEvents,
    replay_dead_letters,
)
from qms_runtime.errors import TransientError
from qms_runtime.kafka import ensure_topics, new_producer


class Noted(IntegrationEvent):
    event_type: ClassVar[str] = "qms.test.consumer.Noted.v1"
    service: ClassVar[str] = "notes"
    text: str


class Refused(IntegrationEvent):
    """What the test handlers refuse, until 'fixed'."""

    event_type: ClassVar[str] = "qms.test.consumer.Refused.v1"
    service: ClassVar[str] = "notes"
    text: str


def kafka_record(payload: IntegrationEvent, aggregate: uuid.UUID | None = None) -> KafkaRecord:
    aggregate = aggregate or uuid.uuid4()
    envelope = Envelope(
        id=event_id(aggregate, 1),
        source="/qms/notes",
        type=payload.event_type,
        subject=str(aggregate),
        time=datetime.now(UTC),
        unitid="unit",
        actor="tester",
        aggregateversion=1,
        correlationid="c",
        causationid="c",
    )
    return encode(envelope, payload)


MALFORMED = KafkaRecord(key=b"k", value=b"not an event", headers=[("x", b"y")])


def consumer_record(record: KafkaRecord, offset: int) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        "notes", 0, offset, 0, 0, record.key, record.value, None, 0, 0, tuple(record.headers)
    )


class Recorder:
    """A batch handler: refuses Refused, fails transiently a given number of times."""

    def __init__(self, transient_failures: int = 0, refuse: bool = True, wanted: int = 0) -> None:
        self.batches: list[list[Message]] = []
        self.wanted = wanted
        self.got_all = asyncio.Event()
        self.transient_failures = transient_failures
        self.refuse = refuse
        self.broken_text: str | None = None

    @property
    def texts(self) -> list[str]:
        return [data["text"] for batch in self.batches for _, data in batch]

    async def __call__(self, batch: Sequence[Message]) -> None:
        if self.transient_failures:
            self.transient_failures -= 1
            raise TransientError("database away")
        if any(data["text"] == self.broken_text for _, data in batch):
            raise RuntimeError("handler bug")
        if self.refuse:
            rejected = {
                i: "refused" for i, (e, _) in enumerate(batch) if e.type == Refused.event_type
            }
            if rejected:
                raise PoisonMessages(rejected)
        self.batches.append(list(batch))
        if len(self.texts) >= self.wanted:
            self.got_all.set()


class DeadLetters:
    def __init__(self) -> None:
        self.records: list[tuple[ConsumerRecord[Any, Any], str]] = []

    async def __call__(self, record: ConsumerRecord[Any, Any], error: str) -> None:
        self.records.append((record, error))


async def test_delivery_dead_letters_only_the_poison() -> None:
    handler, dead = Recorder(), DeadLetters()
    records = [
        kafka_record(Noted(text="a")),
        MALFORMED,
        kafka_record(Refused(text="r")),
        kafka_record(Noted(text="b")),
    ]
    delivery = Delivery(name="unit", handle=handler, dead_letter=dead)
    assert await delivery([consumer_record(r, i) for i, r in enumerate(records)]) == 2
    assert handler.texts == ["a", "b"]
    assert [(record.offset, error) for record, error in dead.records] == [
        (1, "missing CloudEvents headers: ce_id, ce_source, ce_specversion, ce_time, ce_type"),
        (2, "refused"),
    ]


async def test_delivery_finds_a_failing_message_by_trying_each_alone() -> None:
    handler, dead = Recorder(), DeadLetters()
    handler.broken_text = "bad"
    records = [kafka_record(Noted(text=text)) for text in ("a", "bad", "b")]
    delivery = Delivery(name="unit", handle=handler, dead_letter=dead)
    assert await delivery([consumer_record(r, i) for i, r in enumerate(records)]) == 1
    assert handler.texts == ["a", "b"]
    assert dead.records[0][0].offset == 1
    assert "RuntimeError: handler bug" in dead.records[0][1]


async def test_delivery_retries_transient_failures_visibly_and_never_dead_letters(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, dead = Recorder(transient_failures=3), DeadLetters()
    delivery = Delivery(name="unit-transient", handle=handler, dead_letter=dead)
    before = RETRIES.labels("unit-transient", "transient")._value.get()
    with caplog.at_level(logging.WARNING, "qms.consumer"):
        await delivery([consumer_record(kafka_record(Noted(text="a")), 0)])
    assert handler.texts == ["a"]
    assert dead.records == []
    assert RETRIES.labels("unit-transient", "transient")._value.get() == before + 3
    assert [r.message.split(" (")[0] for r in caplog.records] == [
        f"consumer unit-transient: attempt {n} failed" for n in (1, 2, 3)
    ]
    assert delivery.failures == 0


async def test_processed_events_skip_duplicates_also_after_pruning(
    pool: asyncpg.Pool, schema: str
) -> None:
    await pool.execute(f"CREATE SCHEMA {schema}")
    seen: list[str] = []

    async def handle(connection: Db, envelope: Envelope, data: dict[str, Any]) -> None:
        if data["text"] == "poison":
            raise PoisonMessage("no")
        seen.append(data["text"])

    processed = ProcessedEvents(pool, schema, handle, keep_days=0)
    await processed.setup()
    aggregate = uuid.uuid4()
    first = Delivery(name="unit", handle=processed, dead_letter=DeadLetters())
    batch = [kafka_record(Noted(text="a"), aggregate), kafka_record(Noted(text="b"))]
    await first([consumer_record(r, i) for i, r in enumerate(batch)])
    await first([consumer_record(r, i) for i, r in enumerate(batch)])
    assert seen == ["a", "b"]
    await processed.prune()  # keep_days=0: every id goes, the versions stay
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.processed_events") == 0
    await first([consumer_record(batch[0], 0)])
    assert seen == ["a", "b"]
    dead = DeadLetters()
    poisoned = Delivery(name="unit", handle=processed, dead_letter=dead)
    await poisoned([consumer_record(kafka_record(Noted(text=t)), 0) for t in ("poison", "c")])
    assert seen == ["a", "b", "c"]
    assert len(dead.records) == 1


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[ConsumerRecord[Any, Any]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=25)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        found: list[ConsumerRecord[Any, Any]] = []
        deadline = time.monotonic() + 15
        while len(found) < expected and time.monotonic() < deadline:
            found += (await consumer.getmany(partition, timeout_ms=200)).get(partition, [])
        return found
    finally:
        await consumer.stop()


async def _produce(bootstrap: str, topic: str, records: list[KafkaRecord]) -> None:
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        sent = [
            await producer.send(topic, r.value, key=r.key, headers=r.headers, partition=0)
            for r in records
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def test_consumer_batches_end_to_end_with_dead_letters_and_retries(broker: Broker) -> None:
    run = uuid.uuid4().hex[:8]
    topic, dlq, group = f"notes.{run}", f"notes.{run}.dlq", f"group-{run}"
    await ensure_topics(broker.bootstrap, [topic, dlq], 1, 1)
    good = [kafka_record(Noted(text=f"n{i}")) for i in range(300)]
    # A header that is not UTF-8: dead-lettered, not dropped unseen with its whole batch.
    odd = kafka_record(Noted(text="odd"))
    odd = KafkaRecord(odd.key, odd.value, [*odd.headers, ("x-binary", b"\xff\xfe")])
    refused = kafka_record(Refused(text="r"))
    await _produce(broker.bootstrap, topic, [*good[:150], MALFORMED, refused, odd, *good[150:]])
    handler = Recorder(transient_failures=2, wanted=300)
    consumer = IdempotentConsumer(
        bootstrap=broker.bootstrap,
        group_id=group,
        topics=[topic],
        dead_letter_topic=dlq,
        partitions=1,
        replication=1,
        handle_batch=handler,
        max_records=100,
    )
    await consumer.start()
    try:
        await asyncio.wait_for(handler.got_all.wait(), 30)
        dead = await _read_all(broker.bootstrap, dlq, 3)
    finally:
        await consumer.stop()
    assert handler.texts == [f"n{i}" for i in range(300)]
    assert max(len(batch) for batch in handler.batches) > 1
    errors = sorted(dict(r.headers)["qms_dlq_error"].decode() for r in dead)
    assert len(errors) == 3
    assert errors[0].startswith("missing CloudEvents headers")
    assert errors[1].startswith("not a readable CloudEvent: 'utf-8' codec can't decode")
    assert errors[2] == "refused"
    assert {dict(r.headers)["qms_dlq_topic"] for r in dead} == {topic.encode()}
    assert consumer.delivery.failures == 0

    # Offsets were committed after the handler: a new consumer of the group has nothing left.
    check = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group)
    await check.start()
    try:
        assert await check.committed(TopicPartition(topic, 0)) == 303
    finally:
        await check.stop()


async def test_replay_dead_letters_after_a_fix(broker: Broker) -> None:
    dlq = f"notes.{uuid.uuid4().hex[:8]}.dlq"
    await ensure_topics(broker.bootstrap, [dlq], 1, 1)
    await _produce(broker.bootstrap, dlq, [kafka_record(Refused(text="r")), MALFORMED])
    fixed = Recorder(refuse=False)
    first = await replay_dead_letters(broker.bootstrap, dlq, fixed)
    assert first == {"replayed": 2, "dead_lettered_again": 1}
    assert fixed.texts == ["r"]
    # Only what was refused again is left to replay.
    second = await replay_dead_letters(broker.bootstrap, dlq, fixed)
    assert second == {"replayed": 1, "dead_lettered_again": 1}
    assert fixed.texts == ["r"]
