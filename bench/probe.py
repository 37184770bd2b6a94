"""A witness of the shared PostgreSQL server: one single-row commit every 100 ms.

Every service stands on the same PostgreSQL server, which other work on the machine shares.
When it stalls, every command and every projection stalls with it; this probe tells such a
step apart from a slow system. Ten small commits a second disturb nothing.
"""

import asyncio
import contextlib
import time

import asyncpg


class CommitProbe:
    def __init__(self, connection: asyncpg.Connection, interval: float = 0.1) -> None:
        self._connection = connection
        self._interval = interval
        self._latencies: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_probe (id bigserial PRIMARY KEY, at timestamptz "
            "NOT NULL DEFAULT now())"
        )
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            began = time.perf_counter()
            await self._connection.execute("INSERT INTO bench_probe DEFAULT VALUES")
            self._latencies.append(time.perf_counter() - began)
            await asyncio.sleep(self._interval)

    def take(self) -> list[float]:
        latencies, self._latencies = self._latencies, []
        return latencies

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._connection.execute("DROP TABLE IF EXISTS bench_probe")
        await self._connection.close()
