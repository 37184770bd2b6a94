"""Fixtures of the review tests that run on the real parts: a scratch database, the broker."""

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from qms_local.stack import Broker, free_port, scratch_database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("pg")) as url:
        yield url


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created: asyncpg.Pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    async with created:
        yield created


@pytest.fixture(scope="session")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    broker = Broker(free_port(), tmp_path_factory.mktemp("broker") / "broker.log")
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.kill()
