"""The same machine and servers without the system: raw PostgreSQL commits, raw Kafka produce."""

import asyncio
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaProducer

from qms_runtime.kafka import ensure_topics


async def raw_postgres(dsn: str, seconds: float = 5) -> dict[str, float]:
    """Single-row INSERTs, each its own commit, one connection: the floor under every command."""
    connection = await asyncpg.connect(dsn)
    await connection.execute("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial, body text)")
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        await connection.execute("INSERT INTO bench_rows (body) VALUES ($1)", "x" * 500)
        count += 1
    elapsed = time.perf_counter() - began
    await connection.execute("DROP TABLE bench_rows")
    await connection.close()
    return {"single_row_commits_per_s": count / elapsed}


async def raw_kafka(bootstrap: str, seconds: float = 3) -> dict[str, float]:
    """500-byte records to one partition: one at a time (acks=all), then 20,000 in flight."""
    topic = f"bench.raw.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, [topic], partitions=1, replication=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    value = b"x" * 500
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        await producer.send_and_wait(topic, value)
        count += 1
    one_at_a_time = count / (time.perf_counter() - began)
    began = time.perf_counter()
    batch = 20_000
    futures = [await producer.send(topic, value) for _ in range(batch)]
    await asyncio.gather(*futures)
    batched = batch / (time.perf_counter() - began)
    await producer.stop()
    return {"send_and_wait_per_s": one_at_a_time, "batched_per_s": batched}
