"""Watching the gateway's read model from the side, with one dedicated connection each.

Every query the benchmark makes on the gateway's tables is in this module's first two
functions: if the gateway renames its read-model table or columns, change them here only.
"""

import asyncio
import contextlib
import time
import uuid

import asyncpg

#: The read-model tables of the records the load creates.
LOADED = (
    "gateway.objectives",
    "gateway.risk_entries",
    "gateway.nonconformities",
    "gateway.reviews",
    "gateway.procedure_versions",
)


async def visible_versions(
    connection: asyncpg.Connection, ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, float]]:
    """The read-model version of each record in `ids` that the gateway already shows,
    with the time its last event was saved by the owning service (epoch seconds).

    Reads the gateway's tables of the loaded records (`LOADED`: id uuid, version int,
    updated_at: the event's time) directly: the cheapest way to see a projection land, one
    indexed lookup per outstanding sample.
    """
    rows = await connection.fetch(
        " UNION ALL ".join(
            f"SELECT id, version, updated_at FROM {table} WHERE id = ANY($1::uuid[])"
            for table in LOADED
        ),
        ids,
    )
    return {row["id"]: (row["version"], row["updated_at"].timestamp()) for row in rows}


async def objective_count(connection: asyncpg.Connection) -> int:
    """How many objectives the gateway's read model holds (same table as above)."""
    count: int = await connection.fetchval("SELECT count(*) FROM gateway.objectives")
    return count


async def record_count(connection: asyncpg.Connection) -> int:
    """How many loaded records the read model holds."""
    count: int = await connection.fetchval(
        "SELECT " + " + ".join(f"(SELECT count(*) FROM {table})" for table in LOADED)
    )
    return count


class Watcher:
    """Polls the read model every `interval` s for all outstanding samples at once.

    A sample is (record id, version the command produced, time the command was due, service);
    its latency is the time of the first poll that shows that version, minus the due time.
    The id is known only once the command answered, so a sample can never look faster
    than its command: this is when the user who sent it could first read it back.
    """

    def __init__(self, connection: asyncpg.Connection, interval: float = 0.002) -> None:
        self._connection = connection
        self._interval = interval
        self._outstanding: dict[uuid.UUID, tuple[int, float, str]] = {}
        self.latencies: list[tuple[str, float]] = []
        self.pipeline: list[float] = []  # event saved → visible: relay, broker, consumer
        self.polls = 0
        self._task: asyncio.Task[None] | None = None

    def expect(self, aggregate_id: uuid.UUID, version: int, due: float, service: str) -> None:
        self._outstanding[aggregate_id] = (version, due, service)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            if self._outstanding:
                ids = list(self._outstanding)
                versions = await visible_versions(self._connection, ids)
                seen_at, seen_wall = time.perf_counter(), time.time()
                self.polls += 1
                for aggregate_id, (version, saved_at) in versions.items():
                    wanted = self._outstanding.get(aggregate_id)
                    if wanted is not None and version >= wanted[0]:
                        del self._outstanding[aggregate_id]
                        self.latencies.append((wanted[2], seen_at - wanted[1]))
                        self.pipeline.append(seen_wall - saved_at)
            await asyncio.sleep(self._interval)

    async def settle(self, within_s: float) -> int:
        """Wait until every sample was seen or `within_s` passed; returns and drops the unseen."""
        deadline = time.perf_counter() + within_s
        while self._outstanding and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        unseen = len(self._outstanding)
        self._outstanding.clear()
        return unseen

    def take(self) -> tuple[list[tuple[str, float]], list[float]]:
        """Command due → visible (with each sample's service), and event saved → visible, of
        the samples seen so far."""
        latencies, self.latencies = self.latencies, []
        pipeline, self.pipeline = self.pipeline, []
        return latencies, pipeline


async def drain(connection: asyncpg.Connection, expected: int, within_s: float) -> bool:
    """Wait until the read model holds `expected` records; False if it did not in time."""
    deadline = time.perf_counter() + within_s
    while await record_count(connection) < expected:
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
