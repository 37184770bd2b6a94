"""A wing on PostgreSQL without Kafka: its tables, emptied, and a projection machine."""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from qms_gateway.frame import directory
from qms_gateway.frame.store import SCHEMA
from qms_gateway.frame.wing import Wing
from qms_local.stack import scratch_database
from qms_runtime.projection import Message, ProjectionMachine


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(Path(tmp_path_factory.mktemp("pg"))) as url:
        yield url


@dataclass
class RunningWing:
    machine: ProjectionMachine
    pool: asyncpg.Pool


RunWing = Callable[[Wing], AbstractAsyncContextManager[RunningWing]]


@pytest.fixture
def run_wing(database_url: str) -> RunWing:
    """`async with run_wing(WING) as wing`: a projection machine that applies what it is given."""

    @asynccontextmanager
    async def running(wing: Wing) -> AsyncIterator[RunningWing]:
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
        async with pool.acquire() as connection:
            await connection.execute(directory.DDL)
            await connection.execute(wing.ddl)

        async def no_feed(service: str, aggregate_id: uuid.UUID, after: int) -> list[Message]:
            return []

        machine = ProjectionMachine(
            pool=pool, schema=SCHEMA, projections=[wing.projection], fetch_missing=no_feed
        )
        await machine.setup()
        await machine.reset()
        try:
            yield RunningWing(machine, pool)
        finally:
            await machine.close()
            await pool.close()

    return running
