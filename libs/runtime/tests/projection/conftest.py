"""Fixtures of the projection and consumer tests: a scratch PostgreSQL database, a broker."""

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from qms_local.stack import Broker, free_port, scratch_database


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with scratch_database(Path(tempfile.mkdtemp(prefix="qms-projection-"))) as url:
        yield url


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created: asyncpg.Pool = await asyncpg.create_pool(database_url, min_size=2, max_size=8)
    yield created
    await created.close()


@pytest.fixture
def schema() -> str:
    """A schema of its own for each test, so tests share nothing but the server."""
    return f"t_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    started = Broker(free_port(), Path(tempfile.mkdtemp(prefix="qms-broker-")) / "broker.log")
    started.start()
    yield started
    started.kill()
