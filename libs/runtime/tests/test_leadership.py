"""Leadership by advisory lock: one leader, fast notice of a lost lock, fenced writes."""

import asyncio
import contextlib
import random

import asyncpg
import pytest

from qms_runtime.leadership import Leadership, Tenure

FAST = {"poll_seconds": 0.05, "check_seconds": 0.05}


@pytest.fixture
def lock_key() -> int:
    return random.randrange(1, 2**31)


@pytest.fixture
async def contenders(database_url, lock_key):
    """Start Leadership.run(lead) tasks on one lock key; cancel them afterwards."""
    tasks: list[asyncio.Task[None]] = []

    def start(lead, connect=None) -> Leadership:
        leadership = Leadership(
            "test", connect or (lambda: asyncpg.connect(database_url)), lock_key, **FAST
        )
        tasks.append(asyncio.create_task(leadership.run(lead)))
        return leadership

    yield start
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def leading_into(tenures: dict[str, Tenure], name: str):
    async def lead(tenure: Tenure) -> None:
        tenures[name] = tenure
        await asyncio.Event().wait()

    return lead


async def test_one_leader_and_a_lost_lock_connection_fences_its_writes(
    contenders, lock_key, harness
) -> None:
    tenures: dict[str, Tenure] = {}
    first = contenders(leading_into(tenures, "first"))
    await harness.eventually(lambda: first.role == "leader")
    second = contenders(leading_into(tenures, "second"))
    await asyncio.sleep(0.3)
    assert second.role == "standby"

    killed = await harness.pool.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
        "WHERE locktype = 'advisory' AND granted AND objid = $1::bigint::oid AND objsubid = 1",
        lock_key,
    )
    assert killed == 1
    assert await harness.eventually(lambda: first.role == "standby") < 0.5
    with pytest.raises(asyncpg.InterfaceError):
        await tenures["first"].execute("SELECT 1")
    await harness.eventually(lambda: second.role == "leader")
    await tenures["second"].execute("SELECT 1")
    await asyncio.sleep(0.3)
    assert first.role == "standby"


async def test_a_failing_leader_releases_the_lock(contenders, harness) -> None:
    async def fail(tenure: Tenure) -> None:
        raise RuntimeError("the leader's work failed")

    first = contenders(fail)
    await asyncio.sleep(0.1)
    second = contenders(leading_into({}, "second"))
    await harness.eventually(lambda: second.role == "leader")
    assert first.role == "standby"


async def test_a_standby_waits_out_an_unreachable_database(
    contenders, database_url, harness
) -> None:
    refusals = 2

    async def connect() -> asyncpg.Connection:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise ConnectionRefusedError("database down")
        return await asyncpg.connect(database_url)

    leadership = contenders(leading_into({}, "only"), connect)
    await harness.eventually(lambda: leadership.role == "leader")
    assert refusals == 0
