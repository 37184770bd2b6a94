"""Portal pages under load: 50 people at once, each asking for the next page when one arrives.

Pages: a unit's public page, my tasks (the ISO secretary's), and the objectives list with a
search, over a unit that holds at least 1,000 objectives by then (the load steps drafted them).
"""

import asyncio
import statistics
import time
from typing import Any
from urllib.parse import quote

from bench.http import HttpPool

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
    ]
    try:
        return [await _page_load(pool, target, headers, seconds) for target, headers in targets]
    finally:
        await pool.close()
