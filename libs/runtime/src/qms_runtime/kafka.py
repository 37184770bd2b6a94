"""Small Kafka helpers over aiokafka: explicit topics, acks=all producers, end offsets.

No idempotent or transactional producer (DESIGN.md §3.7): delivery guarantees come from the
outbox, deterministic event ids and idempotent consumers, on any Kafka-protocol broker.
"""

import contextlib

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

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
) -> set[str]:
    """Create missing topics; returns the ones this call created."""
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
        return set(missing)
    finally:
        await admin.close()


class OffsetProbe:
    """A long-lived, group-less client that reads end offsets (cheap enough to ask every second)."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._consumer: AIOKafkaConsumer | None = None

    async def end_offsets(self, topic: str) -> dict[int, int]:
        """The next offset to be written, per partition (empty if the topic is missing)."""
        try:
            if self._consumer is None:
                self._consumer = AIOKafkaConsumer(
                    bootstrap_servers=self._bootstrap,
                    enable_auto_commit=False,
                    request_timeout_ms=REQUEST_TIMEOUT_MS,
                )
                await self._consumer.start()
            consumer = self._consumer
            cluster = await consumer._client.fetch_all_metadata()
            partitions = cluster.partitions_for_topic(topic)
            if not partitions:
                return {}
            offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
            return {tp.partition: offset for tp, offset in offsets.items()}
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()


def log_was_lost(known: dict[int, int], end: dict[int, int]) -> bool:
    """True when the broker holds fewer records than we know were written.

    That happens when it lost its log, or when the topic was deleted and created again.
    """
    return any(end.get(partition, 0) <= offset for partition, offset in known.items())
