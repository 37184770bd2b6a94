"""Small Kafka helpers over aiokafka: explicit topics, acks=all producers, lost-log checks.

No idempotent or transactional producer (docs/architecture.md, "The guarantees"): delivery
guarantees come from the outbox, deterministic event ids and idempotent consumers, on any
Kafka-protocol broker.
"""

import contextlib
import hashlib
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import OffsetOutOfRangeError, TopicAlreadyExistsError

REQUEST_TIMEOUT_MS = 10_000


def new_producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=False,
        linger_ms=0,
        request_timeout_ms=REQUEST_TIMEOUT_MS,
    )


async def ensure_topics(
    bootstrap: str, topics: list[str], partitions: int, replication: int
) -> None:
    """Create the topics that are missing, explicitly (auto-created ones get the broker's count)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in topics if topic not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(topic, partitions, replication) for topic in missing]
                )
    finally:
        await admin.close()


@dataclass(frozen=True)
class Landmark:
    """A record known to be in the log: where it is, and a fingerprint of what it holds."""

    partition: int
    offset: int
    fingerprint: str


def fingerprint(key: bytes | None, value: bytes | None) -> str:
    digest = hashlib.sha256()
    for part in (key or b"", value or b""):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:32]


class LogProbe:
    """Tells whether the broker still holds records we know it held (it may lose its log).

    It reads the remembered records back rather than comparing end offsets: the development
    broker reports the end of a partition as the start of its last batch, so end offsets
    alone would cry wolf after every batched send.
    """

    FETCH_TIMEOUT_MS = 1500
    #: Reads in a row that bring nothing before a remembered record counts as gone: the
    #: development broker answers a fetch beyond the end of its log with nothing, but so does
    #: any broker too busy to answer in time.
    EMPTY_READS_FOR_LOSS = 3

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._consumer: AIOKafkaConsumer | None = None
        self._empty_reads: dict[tuple[str, Landmark], int] = {}

    async def lost(self, topic: str, landmarks: list[Landmark]) -> bool:
        if not landmarks:
            return False
        self._empty_reads = {
            key: count for key, count in self._empty_reads.items() if key[1] in landmarks
        }
        try:
            if self._consumer is None:
                self._consumer = AIOKafkaConsumer(
                    bootstrap_servers=self._bootstrap,
                    enable_auto_commit=False,
                    auto_offset_reset="none",
                    request_timeout_ms=REQUEST_TIMEOUT_MS,
                )
                await self._consumer.start()
            consumer = self._consumer
            # A broker that does not answer raises here: unavailable, which is not lost.
            cluster = await consumer._client.fetch_all_metadata()
            partitions = cluster.partitions_for_topic(topic) or set()
            for landmark in landmarks:
                if landmark.partition not in partitions:
                    return True
                if not await self._still_there(consumer, topic, landmark):
                    return True
            return False
        except Exception:
            await self.close()
            raise

    async def _still_there(
        self, consumer: AIOKafkaConsumer, topic: str, landmark: Landmark
    ) -> bool:
        partition = TopicPartition(topic, landmark.partition)
        consumer.assign([partition])
        consumer.seek(partition, landmark.offset)
        try:
            batch = await consumer.getmany(
                partition, timeout_ms=self.FETCH_TIMEOUT_MS, max_records=1
            )
        except OffsetOutOfRangeError:
            return False
        records = batch.get(partition, [])
        key = (topic, landmark)
        if not records:
            self._empty_reads[key] = self._empty_reads.get(key, 0) + 1
            return self._empty_reads[key] < self.EMPTY_READS_FOR_LOSS
        self._empty_reads.pop(key, None)
        record = records[0]
        return record.offset == landmark.offset and (
            fingerprint(record.key, record.value) == landmark.fingerprint
        )

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()
