"""Portal pages under load: 50 people at once, each asking for the next page when one arrives.

Pages: a unit's public page, my tasks (the ISO secretary's), the objectives list and the risk
register with a search, over a unit that holds at least 1,000 objectives by then (the load
steps drafted them, and as many risks).
"""

import asyncio
import os
import statistics
import time
from typing import Any
from urllib.parse import quote

import asyncpg

from bench.http import HttpPool
from bench.load import DRAFT_PATH, UNIT, body, dev_token
from bench.readmodel import drain
from qms_local.stack import Stack, isolated_stack

PEOPLE = 50
AIM_P95_MS = 100.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def _page_load(
    pool: HttpPool, target: str, headers: dict[str, str], seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    stop = time.perf_counter() + seconds

    async def person() -> None:
        nonlocal failures
        while time.perf_counter() < stop:
            began = time.perf_counter()
            reply = await pool.request("GET", target, b"", headers)
            if reply.status != 200:
                failures += 1
                continue
            latencies.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(person() for _ in range(PEOPLE)))
    return {
        "page": target,
        "requests": len(latencies),
        "failures": failures,
        "pages_per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": _percentile(latencies, 0.95),
    }


async def portal_pages(
    gateway_url: str, token: str, unit: str, query: str, seconds: float
) -> list[dict[str, Any]]:
    """p50 and p95 per page, the pages asked for by PEOPLE people at once for `seconds` each."""
    pool = HttpPool(gateway_url)
    signed_in = {"cookie": f"qms_session={token}", "accept": "text/html"}
    targets = [
        (f"/don-vi/{unit}", {"accept": "text/html"}),
        ("/viec-cua-toi", signed_in),
        (f"/muc-tieu?q={quote(query)}", signed_in),
        (f"/rui-ro?q={quote(query)}", signed_in),
    ]
    try:
        return [await _page_load(pool, target, headers, seconds) for target, headers in targets]
    finally:
        await pool.close()


async def _seed(gateway_url: str, authorization: str, objectives: int) -> None:
    """Draft `objectives` objectives in the unit (32 in flight) and wait until the gateway
    shows them all."""
    pool = HttpPool(gateway_url)
    headers = {"authorization": authorization, "content-type": "application/json"}
    indexes = iter(range(objectives))

    async def drafter() -> None:
        for index in indexes:
            reply = await pool.request("POST", DRAFT_PATH, body(index), headers)
            if reply.status != 201:
                raise RuntimeError(f"seeding: {reply.status} {reply.body[:200]!r}")

    try:
        await asyncio.gather(*(drafter() for _ in range(32)))
    finally:
        await pool.close()


async def _measure(stack: Stack, objectives: int, seconds: float) -> list[dict[str, Any]]:
    authorization = await dev_token(stack.gateway_url)
    counter = await asyncpg.connect(stack.database_url)
    try:
        await _seed(stack.gateway_url, authorization, objectives)
        if not await drain(counter, objectives, 60):
            raise RuntimeError("the read model did not show the seeded objectives in 60 s")
    finally:
        await counter.close()
    token = (await dev_token(stack.gateway_url, "thuky")).removeprefix("Bearer ")
    return await portal_pages(stack.gateway_url, token, UNIT, "hiệu năng 12", seconds)


def main() -> None:
    """`python -m bench.portal`: the portal pages alone, over 1,000 objectives."""
    objectives = int(os.environ.get("QMS_BENCH_PORTAL_OBJECTIVES", "1000"))
    seconds = float(os.environ.get("QMS_BENCH_PORTAL_SECONDS", "8"))
    print(f"Portal pages, {PEOPLE} people at once, {objectives} objectives in the unit…")
    with isolated_stack("qms-bench-portal-") as stack:
        pages = asyncio.run(_measure(stack, objectives, seconds))
    for page in pages:
        verdict = "PASS" if page["p95_ms"] < AIM_P95_MS and not page["failures"] else "FAIL"
        print(
            f"{verdict}  {page['page']}: p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms "
            f"< {AIM_P95_MS:.0f} ms, {page['pages_per_s']:.0f} pages/s, {page['failures']} failures"
        )


if __name__ == "__main__":
    main()
