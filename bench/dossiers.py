"""Dossier filing and step completion under concurrency, through the gateway: how fast a
unit's codes are allocated when 50 desks file at once, and whether they stay gap-free."""

import asyncio
import time
from datetime import datetime
from typing import Any

import httpx

from bench.load import UNIT, dev_token, percentile
from qms_local.demo import demo_procedures
from qms_runtime.clock import TIMEZONE

#: Desks filing at once, and filings in all.
CONCURRENCY = 50
FILINGS = 300


async def _published_version(client: httpx.AsyncClient) -> str:
    secretary = {"authorization": await dev_token(str(client.base_url))}
    leader = {"authorization": await dev_token(str(client.base_url), role="unit_leader")}
    body = {**demo_procedures("quan-ly-khoa-hoc")[0], "code": f"QT-BENCH-{time.time_ns()}"}
    drafted = await client.post(f"/api/v1/units/{UNIT}/procedures", json=body, headers=secretary)
    drafted.raise_for_status()
    version: str = drafted.json()["id"]
    for step, who in (("submit", secretary), ("approve", leader), ("publish", secretary)):
        (
            await client.post(f"/api/v1/procedure-versions/{version}/{step}", headers=who)
        ).raise_for_status()
    return version


async def _timed(
    client: httpx.AsyncClient, requests: list[tuple[str, dict[str, Any]]], headers: dict[str, str]
) -> tuple[float, list[float], list[httpx.Response]]:
    """Send every request, CONCURRENCY at once: seconds in all, each one's latency, replies."""
    gate = asyncio.Semaphore(CONCURRENCY)
    latencies: list[float] = []

    async def send(path: str, body: dict[str, Any]) -> httpx.Response:
        async with gate:
            began = time.perf_counter()
            reply = await client.post(path, json=body, headers=headers)
            latencies.append(time.perf_counter() - began)
            return reply

    began = time.perf_counter()
    replies = await asyncio.gather(*(send(path, body) for path, body in requests))
    return time.perf_counter() - began, latencies, list(replies)


async def measure(gateway_url: str) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60, limits=limits) as client:
        version = await _published_version(client)
        desk = {"authorization": await dev_token(gateway_url)}
        received = datetime.now(TIMEZONE).replace(microsecond=0).isoformat()
        filing = {
            "version_id": version,
            "subject": "Hồ sơ đo tải",
            "applicant_name": "Đo tải",
            "applicant_contact": "0900000000",
            "received_at": received,
        }
        seconds, latencies, replies = await _timed(
            client, [(f"/api/v1/units/{UNIT}/dossiers", filing)] * FILINGS, desk
        )
        filed = [r.json() for r in replies if r.status_code == 201]
        numbers = sorted(int(d["code"].rsplit("-", 1)[1]) for d in filed)
        gap_free = (
            numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False
        )
        done = {"note": "Đủ", "done_on": received[:10]}
        step_seconds, step_latencies, steps = await _timed(
            client, [(f"/api/v1/dossiers/{d['id']}/complete-step", done) for d in filed], desk
        )
    return {
        "concurrency": CONCURRENCY,
        "filed": len(filed),
        "filing_failures": FILINGS - len(filed),
        "codes_per_s": len(filed) / seconds,
        "codes_gap_free": gap_free and len(set(numbers)) == len(numbers),
        "filing_p50_ms": 1000 * percentile(latencies, 0.50),
        "filing_p99_ms": 1000 * percentile(latencies, 0.99),
        "steps_completed": sum(r.status_code == 200 for r in steps),
        "steps_per_s": len(steps) / step_seconds if steps else 0.0,
        "step_p99_ms": 1000 * percentile(step_latencies, 0.99),
    }
