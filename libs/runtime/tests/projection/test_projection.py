"""The projection machine on real PostgreSQL, with a toy projection and a fake feed."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import ClassVar

import asyncpg
import pytest

from qms_contracts import Envelope, IntegrationEvent, event_id
from qms_runtime.consumer import PoisonMessage, PoisonMessages
from qms_runtime.errors import TransientError
from qms_runtime.projection import (
    GapNotClosed,
    Message,
    Projection,
    ProjectionDb,
    ProjectionMachine,
)


class ThingCreated(IntegrationEvent):
    event_type: ClassVar[str] = "qms.test.ThingCreated.v1"
    service: ClassVar[str] = "things"
    thing_id: str
    name: str


class ThingRenamed(IntegrationEvent):
    event_type: ClassVar[str] = "qms.test.ThingRenamed.v1"
    service: ClassVar[str] = "things"
    thing_id: str
    name: str


class ThingNoted(IntegrationEvent):
    """A fact the toy projection does not handle: it still moves the version on."""

    event_type: ClassVar[str] = "qms.test.ThingNoted.v1"
    service: ClassVar[str] = "things"
    thing_id: str


def message(thing: uuid.UUID, version: int, payload: IntegrationEvent | None = None) -> Message:
    payload = payload or (
        ThingCreated(thing_id=str(thing), name="v1")
        if version == 1
        else ThingRenamed(thing_id=str(thing), name=f"v{version}")
    )
    envelope = Envelope(
        id=event_id(thing, version),
        source="/qms/things",
        type=payload.event_type,
        subject=str(thing),
        time=datetime.now(UTC),
        unitid="unit",
        actor="tester",
        aggregateversion=version,
        correlationid="c",
        causationid="c",
    )
    return envelope, payload.model_dump(mode="json")


def history(thing: uuid.UUID, upto: int) -> list[Message]:
    return [message(thing, version) for version in range(1, upto + 1)]


class Feed:
    """The owning service's feed: every event it was given, or unreachable."""

    def __init__(self) -> None:
        self.events: list[Message] = []
        self.calls: list[tuple[str, uuid.UUID, int]] = []
        self.down = False
        self.check: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, service: str, aggregate_id: uuid.UUID, after: int) -> list[Message]:
        self.calls.append((service, aggregate_id, after))
        if self.check is not None:
            await self.check()
        if self.down:
            raise ConnectionRefusedError("things is down")
        return [
            (envelope, data)
            for envelope, data in self.events
            if envelope.subject == str(aggregate_id) and envelope.aggregateversion > after
        ]


def toy(schema: str, *, blind: bool = False) -> Projection:
    """Things by id with a count of renames: applying an event twice would show."""
    table = f"{schema}.things"

    async def created(c: ProjectionDb, e: Envelope, p: ThingCreated) -> None:
        await c.execute(
            f"INSERT INTO {table} (id, name, renames) VALUES ($1, $2, 0)",
            uuid.UUID(p.thing_id),
            p.name,
        )

    async def renamed(c: ProjectionDb, e: Envelope, p: ThingRenamed) -> None:
        thing = uuid.UUID(p.thing_id)
        if blind:
            await c.execute(
                f"UPDATE {table} SET name=$2, renames=renames+1 WHERE id=$1", thing, p.name
            )
            return
        # Read-modify-write: the read must see the writes queued before it.
        renames = await c.fetchval(f"SELECT renames FROM {table} WHERE id=$1", thing)
        await c.execute(
            f"UPDATE {table} SET name=$2, renames=$3 WHERE id=$1", thing, p.name, renames + 1
        )

    return Projection(
        name="things", handlers={ThingCreated: created, ThingRenamed: renamed}, tables=[table]
    )


def make_machine(
    pool: asyncpg.Pool, schema: str, feed: Feed, projection: Projection
) -> ProjectionMachine:
    return ProjectionMachine(pool=pool, schema=schema, projections=[projection], fetch_missing=feed)


@pytest.fixture
async def things(pool: asyncpg.Pool, schema: str) -> AsyncIterator[tuple[Feed, ProjectionMachine]]:
    await pool.execute(
        f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.things "
        "(id uuid PRIMARY KEY, name text NOT NULL, renames int NOT NULL)"
    )
    feed = Feed()
    machine = make_machine(pool, schema, feed, toy(schema))
    await machine.setup()
    yield feed, machine
    await machine.close()


async def state(pool: asyncpg.Pool, schema: str, thing: uuid.UUID) -> tuple[str, int] | None:
    row = await pool.fetchrow(f"SELECT name, renames FROM {schema}.things WHERE id=$1", thing)
    return None if row is None else (row["name"], row["renames"])


async def test_duplicates_are_skipped(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    _, machine = things
    thing = uuid.uuid4()
    await machine.apply(history(thing, 3))
    await machine.apply([*history(thing, 3), message(thing, 2), message(thing, 4)])
    assert await state(pool, schema, thing) == ("v4", 3)
    assert await machine.version_of(thing) == 4


async def test_out_of_order_within_a_batch_is_applied_in_order(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    feed, machine = things
    a, b = uuid.uuid4(), uuid.uuid4()
    batch = [message(a, 3), message(b, 2), message(a, 1), message(b, 1), message(a, 2)]
    await machine.apply(batch)
    assert await state(pool, schema, a) == ("v3", 2)
    assert await state(pool, schema, b) == ("v2", 1)
    assert feed.calls == []


async def test_unhandled_type_moves_the_version_on(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    _, machine = things
    thing = uuid.uuid4()
    await machine.apply([message(thing, 1), message(thing, 2, ThingNoted(thing_id=str(thing)))])
    await machine.apply([message(thing, 3)])
    assert await state(pool, schema, thing) == ("v3", 1)
    assert ThingNoted not in machine.subscribed_types()


async def test_gap_is_filled_from_the_feed_outside_the_transaction(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    feed, machine = things
    thing = uuid.uuid4()
    feed.events = history(thing, 5)
    await machine.apply([message(thing, 1)])

    async def no_transaction_holds_locks() -> None:
        held = await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND database="
            "(SELECT oid FROM pg_database WHERE datname=current_database())"
        )
        assert held == 0

    feed.check = no_transaction_holds_locks
    await machine.apply([message(thing, 4), message(thing, 5)])
    assert feed.calls == [("things", thing, 1)]
    assert await state(pool, schema, thing) == ("v5", 4)


async def test_unclosable_gap_waits_and_is_not_applied(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    feed, machine = things
    stuck, other = uuid.uuid4(), uuid.uuid4()
    await machine.apply([message(stuck, 1)])
    feed.down = True
    for _ in range(2):
        with pytest.raises(GapNotClosed) as raised:
            await machine.apply([message(stuck, 3), message(other, 1)])
        assert isinstance(raised.value, TransientError)
        assert await state(pool, schema, stuck) == ("v1", 0)
        assert await state(pool, schema, other) == ("v1", 0)  # the rest went on
    assert machine.health()["consecutive_failures"] == 2

    feed.down = False  # up, but it does not hold version 2 (yet)
    with pytest.raises(GapNotClosed, match="no version 2"):
        await machine.apply([message(stuck, 3)])
    assert await machine.version_of(stuck) == 1

    feed.events = history(stuck, 3)
    await machine.apply([message(stuck, 3)])
    assert await state(pool, schema, stuck) == ("v3", 2)
    assert machine.health()["consecutive_failures"] == 0


async def test_poison_is_reported_per_message_without_blocking_the_rest(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    _, machine = things
    a, b = uuid.uuid4(), uuid.uuid4()
    unknown = (message(a, 1)[0].model_copy(update={"type": "qms.test.Nothing.v1"}), {})
    invalid = (message(b, 1)[0], {"thing_id": str(b)})
    batch = [message(a, 1), unknown, invalid, message(a, 2)]
    with pytest.raises(PoisonMessages) as raised:
        await machine.apply(batch)
    assert sorted(raised.value.rejected) == [1, 2]
    assert "unknown event type" in raised.value.rejected[1]
    assert "does not match" in raised.value.rejected[2]
    # The consumer hands the others over again.
    await machine.apply([m for i, m in enumerate(batch) if i not in raised.value.rejected])
    assert await state(pool, schema, a) == ("v2", 1)


async def test_event_refused_by_a_handler_is_poison_with_its_later_versions(
    pool: asyncpg.Pool, schema: str, things: tuple[Feed, ProjectionMachine]
) -> None:
    feed, _ = things

    projection = toy(schema)
    rename = projection.handlers[ThingRenamed]

    async def refuse_v3(c: ProjectionDb, e: Envelope, p: ThingRenamed) -> None:
        if e.aggregateversion == 3:
            raise PoisonMessage("cannot rename to v3")
        await rename(c, e, p)

    machine = make_machine(
        pool, schema, feed, Projection("things", {**projection.handlers, ThingRenamed: refuse_v3})
    )
    a, b = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(PoisonMessages) as raised:
        await machine.apply([*history(a, 4), message(b, 1)])
    assert sorted(raised.value.rejected) == [2, 3]
    assert await machine.version_of(b) == 0  # rolled back with the rest, handed again
    await machine.apply([*history(a, 2), message(b, 1)])
    assert await state(pool, schema, a) == ("v2", 1)
    assert await state(pool, schema, b) == ("v1", 0)


async def test_wait_for_is_woken_by_apply(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    _, machine = things
    thing = uuid.uuid4()
    assert not await machine.wait_for(thing, 1, timeout=0.2)
    waiting = asyncio.create_task(machine.wait_for(thing, 2, timeout=10))
    await asyncio.sleep(0.2)
    await machine.apply([message(thing, 1)])
    await asyncio.sleep(0.1)
    assert not waiting.done()
    started = time.perf_counter()
    # Another machine on the same tables: as another gateway process would be.
    other = make_machine(pool, schema, Feed(), toy(schema))
    await other.apply([message(thing, 2)])
    assert await waiting
    assert time.perf_counter() - started < 1
    assert await machine.wait_for(thing, 2, timeout=0.2)  # already there


async def test_concurrent_overlapping_batches_end_consistent(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    feed, first = things
    second = make_machine(pool, schema, feed, toy(schema, blind=True))
    ids = [uuid.uuid4() for _ in range(20)]
    feed.events = [m for thing in ids for m in history(thing, 12)]

    def batch(low: int, high: int) -> list[Message]:
        return [message(thing, v) for thing in ids for v in range(low, high + 1)]

    await asyncio.gather(
        first.apply(batch(1, 6)),
        second.apply(batch(3, 9)),  # a gap (1–2) until the first commits or the feed fills it
        first.apply(batch(5, 12)),
        second.apply(batch(1, 12)),
    )
    for thing in ids:
        assert await state(pool, schema, thing) == ("v12", 11)
        assert await first.version_of(thing) == 12


async def test_replay_applies_pages_and_reset_empties(
    things: tuple[Feed, ProjectionMachine], pool: asyncpg.Pool, schema: str
) -> None:
    _, machine = things
    ids = [uuid.uuid4() for _ in range(50)]
    log = [message(thing, v) for v in range(1, 21) for thing in ids]

    async def pages() -> AsyncIterator[list[Message]]:
        for start in range(0, len(log), 300):
            yield log[start : start + 300]

    assert await machine.replay(pages()) == 1000
    assert await state(pool, schema, ids[0]) == ("v20", 19)
    await machine.reset()
    assert await state(pool, schema, ids[0]) is None
    assert await machine.version_of(ids[0]) == 0
