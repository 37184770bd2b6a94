"""`make bench`: start the stack and print, in one run, the figures of DESIGN.md's guarantees.

- sustained commands/s and command latency p50/p99 at a fixed offered load (open loop);
- end-to-end latency from command to the gateway's read model, p50/p99;
- read-model replay rate (rebuild from the services' event feeds), events/s;
- for comparison, on the same machine and servers: raw PostgreSQL single-row commits/s and
  raw aiokafka produce rates to the same broker.
"""

import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from qms_local.stack import Stack, isolated_stack
from qms_runtime.kafka import ensure_topics

UNIT = "so-khcn"
OFFERED_RATE = float(os.environ.get("QMS_BENCH_RATE", "60"))
DURATION = float(os.environ.get("QMS_BENCH_SECONDS", "20"))
E2E_SAMPLES = int(os.environ.get("QMS_BENCH_E2E", "300"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def body(index: int) -> dict[str, Any]:
    return {
        "year": 2026,
        "title": f"Mục tiêu đo hiệu năng {index}",
        "targets": [
            {
                "statement": "100% hồ sơ đúng hạn",
                "indicator": "Tỷ lệ đúng hạn",
                "target_value": 100,
                "unit_of_measure": "%",
                "deadline": "2026-12-31",
                "department_id": "van-phong",
                "action_plan": "Theo dõi hằng tuần",
            }
        ],
    }


async def token(client: httpx.AsyncClient) -> dict[str, str]:
    reply = await client.post(
        "/auth/dev-token",
        json={
            "sub": "bench",
            "name": "bench",
            "unit_id": UNIT,
            "roles": ["iso_secretary"],
        },
    )
    return {"authorization": f"Bearer {reply.json()['access_token']}"}


async def draft(client: httpx.AsyncClient, headers: dict[str, str], index: int) -> httpx.Response:
    """One command, answered as soon as the service saved it (no read-model wait)."""
    return await client.post(
        f"/api/v1/units/{UNIT}/objectives",
        params={"wait": "false"},
        json=body(index),
        headers=headers,
    )


async def offered_load(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, float]:
    """Open loop: one command every 1/rate seconds, whatever the previous ones are doing."""
    latencies: list[float] = []
    failures = 0

    async def one(index: int) -> None:
        nonlocal failures
        started = time.perf_counter()
        reply = await draft(client, headers, index)
        if reply.status_code == 201:
            latencies.append(time.perf_counter() - started)
        else:
            failures += 1

    tasks = []
    began = time.perf_counter()
    total = int(OFFERED_RATE * DURATION)
    for index in range(total):
        await asyncio.sleep(max(0.0, began + index / OFFERED_RATE - time.perf_counter()))
        tasks.append(asyncio.create_task(one(index)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    return {
        "offered_per_s": OFFERED_RATE,
        "completed_per_s": len(latencies) / elapsed,
        "failures": failures,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
    }


async def end_to_end(
    client: httpx.AsyncClient, headers: dict[str, str], dsn: str
) -> dict[str, float]:
    """Command sent → its version visible in the gateway's read model (polled every 0.5 ms)."""
    connection = await asyncpg.connect(dsn)
    latencies = []
    for index in range(E2E_SAMPLES):
        started = time.perf_counter()
        reply = await draft(client, headers, index)
        aggregate = uuid.UUID(reply.json()["id"])
        while not await connection.fetchval(
            "SELECT 1 FROM gateway.objectives WHERE id=$1", aggregate
        ):
            await asyncio.sleep(0.0005)
        latencies.append(time.perf_counter() - started)
    await connection.close()
    return {
        "samples": E2E_SAMPLES,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "mean_ms": 1000 * statistics.fmean(latencies),
    }


async def raw_postgres(dsn: str, seconds: float = 5) -> dict[str, float]:
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


async def raw_kafka(bootstrap: str, seconds: float = 5) -> dict[str, float]:
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


async def measure(stack: Stack) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as client:
        headers = await token(client)
        for index in range(20):  # warm-up: connections, caches, JIT of the JSON paths
            await client.post(f"/api/v1/units/{UNIT}/objectives", json=body(index), headers=headers)
        figures["commands"] = await offered_load(client, headers)
        figures["end_to_end"] = await end_to_end(client, headers, stack.database_url)
    started = time.perf_counter()
    rebuild = json.loads(stack.run_gateway_command("rebuild").strip().splitlines()[-1])
    figures["replay"] = {
        "events": rebuild["events"],
        "events_per_s": rebuild["events_per_second"],
        "command_seconds": time.perf_counter() - started,
    }
    figures["raw_postgres"] = await raw_postgres(stack.database_url)
    figures["raw_kafka"] = await raw_kafka(stack.kafka_bootstrap)
    return figures


def main() -> None:
    print("Khởi động hệ thống để đo…", flush=True)
    with isolated_stack("qms-bench-") as stack:
        figures = asyncio.run(measure(stack))
    c, e, r = figures["commands"], figures["end_to_end"], figures["replay"]
    pg, kafka = figures["raw_postgres"], figures["raw_kafka"]
    print(f"""
Commands (draft objective via gateway, open loop at {c["offered_per_s"]:.0f}/s, {DURATION:.0f} s):
  sustained {c["completed_per_s"]:.1f} commands/s, failures {c["failures"]}, \
latency p50 {c["p50_ms"]:.1f} ms, p99 {c["p99_ms"]:.1f} ms
Command → gateway read model ({e["samples"]} sequential commands):
  p50 {e["p50_ms"]:.1f} ms, p99 {e["p99_ms"]:.1f} ms, mean {e["mean_ms"]:.1f} ms
Read-model replay (rebuild from the event feeds): {r["events"]} events, \
{r["events_per_s"]:.0f} events/s ({r["command_seconds"]:.1f} s with process start)
Raw PostgreSQL single-row commits: {pg["single_row_commits_per_s"]:.0f}/s
Raw aiokafka produce, 500-byte messages, 1 partition: send_and_wait \
{kafka["send_and_wait_per_s"]:.0f}/s; batched {kafka["batched_per_s"]:.0f}/s
""")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
