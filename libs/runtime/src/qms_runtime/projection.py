"""Projection machine: applies integration events to read models at the write side's pace.

Each aggregate's events are applied once and in version order (docs/architecture.md, "How an
event travels"). The versions live in one table, `aggregate_versions`: an event at or below the
version there is a duplicate and is skipped; one that skips versions first has the gap filled
from the owning service's feed, outside any transaction, and is never applied over a gap. What
is handed over together is applied in one transaction, its handlers' writes sent in bulk.
"""

import asyncio
import contextlib
import logging
import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import AsyncIterable, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from prometheus_client import Counter, Gauge
from pydantic import ValidationError

from qms_contracts import Envelope, IntegrationEvent, model_for_type
from qms_runtime.consumer import Db, PoisonMessage, PoisonMessages
from qms_runtime.errors import TransientError

log = logging.getLogger("qms.projection")

EVENTS = Counter(
    "qms_projection_events_total", "Events handed to projections", ["schema", "outcome"]
)
GAPS_FILLED = Counter(
    "qms_projection_gaps_filled_total",
    "Missing versions fetched from the owning service's feed to fill gaps",
    ["schema"],
)
FAILURES = Gauge(
    "qms_projection_consecutive_failures",
    "Applies that failed in a row (a projection that stays above 0 is stuck)",
    ["schema"],
)

Message = tuple[Envelope, dict[str, Any]]


class ProjectionDb(Protocol):
    """What a handler may do in the projection's transaction (an asyncpg connection fits).

    `execute` may be deferred and sent in bulk with the other events' writes, so its errors
    surface later and it returns nothing useful; reads see every write queued before them.
    """

    async def execute(self, query: str, *args: Any) -> object: ...
    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


#: The payload is an instance of the class the handler is registered for; `Any` lets each
#: handler declare that class instead of the base.
Handler = Callable[[ProjectionDb, Envelope, Any], Awaitable[None]]

#: (service, aggregate id, after_version) -> every later event, from the owning service's feed.
FetchMissing = Callable[[str, uuid.UUID, int], Awaitable[list[Message]]]


@dataclass(frozen=True)
class Projection:
    """One wing's projection: its handlers by contract class, and the tables it owns."""

    name: str
    handlers: Mapping[type[IntegrationEvent], Handler]
    #: Emptied by `ProjectionMachine.reset` before a rebuild.
    tables: Sequence[str] = ()


class GapNotClosed(TransientError):
    """Versions are missing and the owning service's feed did not deliver them (yet)."""


def parse(envelope: Envelope, data: dict[str, Any]) -> IntegrationEvent:
    model = model_for_type(envelope.type)
    if model is None:
        raise PoisonMessage(f"unknown event type {envelope.type}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PoisonMessage(f"payload does not match {envelope.type}: {error}") from None


@dataclass(slots=True)
class _Event:
    #: Position in the batch handed to `apply`; None for an event fetched to fill a gap.
    index: int | None
    envelope: Envelope
    payload: IntegrationEvent

    @property
    def version(self) -> int:
        return self.envelope.aggregateversion


#: Events to apply by aggregate, then by version.
_Pending = dict[uuid.UUID, dict[int, _Event]]


class _Rejected(Exception):
    """A handler refused an event: that event and its aggregate's later ones are poison."""

    def __init__(self, aggregate_id: uuid.UUID, version: int, reason: str) -> None:
        super().__init__(reason)
        self.aggregate_id = aggregate_id
        self.version = version
        self.reason = reason


class _BulkWrites:
    """Handler writes queued and sent with executemany, one call per statement text.

    Handlers run wave by wave, each wave holding at most one event per aggregate. Events of
    different aggregates are independent (the broker orders only one aggregate's events, so no
    projection may rely on more), hence the n-th statement of every handler call in a wave can
    go together; a call's own statements keep their order. A read sends the queue first.
    """

    def __init__(self, connection: Db) -> None:
        self._connection = connection
        self._queue: list[tuple[int, str, tuple[Any, ...]]] = []
        #: Which event the statements being queued belong to.
        self.call = 0

    async def execute(self, query: str, *args: Any) -> None:
        self._queue.append((self.call, query, args))

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        await self.flush()
        return await self._connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        await self.flush()
        return await self._connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        await self.flush()
        return await self._connection.fetchval(query, *args)

    async def flush(self) -> None:
        queue, self._queue = self._queue, []
        groups: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
        ordinals: dict[int, int] = defaultdict(int)
        for call, query, args in queue:
            groups.setdefault((ordinals[call], query), []).append(args)
            ordinals[call] += 1
        # Stable: within one ordinal, statements go in the order they were first queued.
        for (_, query), rows in sorted(groups.items(), key=lambda group: group[0][0]):
            await self._connection.executemany(query, rows)


class ProjectionMachine:
    """Applies batches of events to projections, once per aggregate version, gaps filled."""

    #: Advisory-lock buckets: few enough that a big batch cannot exhaust the lock table;
    #: two aggregates sharing a bucket only wait for each other.
    LOCK_BUCKETS = 256
    #: Failures in a row after which `health()` calls the projection stuck.
    STUCK_AFTER = 5

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        projections: Sequence[Projection],
        fetch_missing: FetchMissing,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._table = f'"{schema}".aggregate_versions'
        self._projections = projections
        self._fetch_missing = fetch_missing
        self._handlers: dict[type[IntegrationEvent], list[Handler]] = defaultdict(list)
        for projection in projections:
            for event_type, handler in projection.handlers.items():
                self._handlers[event_type].append(handler)
        self._lock_space = _int32(zlib.crc32(f"projection:{schema}".encode()))
        self._channel = f"{schema}.aggregate_versions"
        self._waiters: dict[uuid.UUID, list[tuple[int, asyncio.Future[None]]]] = defaultdict(list)
        self._listener: Db | None = None
        self._listen_lock = asyncio.Lock()
        self._checking: asyncio.Task[None] | None = None
        self._check_again = False
        self._failures = 0
        self._last_error: str | None = None
        self._last_applied: float | None = None

    async def setup(self) -> None:
        await self._pool.execute(
            f'CREATE SCHEMA IF NOT EXISTS "{self._schema}"; '
            f"CREATE TABLE IF NOT EXISTS {self._table} ("
            "aggregate_id uuid PRIMARY KEY, version int NOT NULL, "
            "updated_at timestamptz NOT NULL DEFAULT now())"
        )

    async def close(self) -> None:
        """Release the connection that listens for applied versions (before closing the pool)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(asyncpg.InterfaceError, OSError):
                await listener.remove_listener(self._channel, self._notified)
            await self._pool.release(listener)

    def subscribed_types(self) -> frozenset[type[IntegrationEvent]]:
        return frozenset(self._handlers)

    async def reset(self) -> None:
        """Empty every projection's tables and the versions, together, before a rebuild."""
        tables = [self._table, *(table for p in self._projections for table in p.tables)]
        await self._pool.execute(f"TRUNCATE {', '.join(tables)}")

    async def version_of(self, aggregate_id: uuid.UUID) -> int:
        value = await self._pool.fetchval(
            f"SELECT version FROM {self._table} WHERE aggregate_id=$1", aggregate_id
        )
        return int(value or 0)

    def health(self) -> dict[str, Any]:
        return {
            "stuck": self._failures >= self.STUCK_AFTER,
            "consecutive_failures": self._failures,
            "last_error": self._last_error,
            "seconds_since_last_apply": (
                None if self._last_applied is None else time.monotonic() - self._last_applied
            ),
        }

    async def apply(self, batch: Sequence[Message]) -> None:
        """Apply a batch; whatever took effect before an exception is skipped when handed again.

        Raises PoisonMessages for events that can never be applied (unknown type, invalid
        payload, refused by a handler, or waiting on such an event), and GapNotClosed (a
        TransientError) while missing versions cannot be fetched.
        """
        with self._metered():
            await self._apply(self._prepare(batch))

    async def replay(self, pages: AsyncIterable[Sequence[Message]]) -> int:
        """Apply pages of a service's log (a rebuild); returns how many events were handed.

        The next page is fetched and parsed while the database works on the current one. A
        poison event stops the replay.
        """
        iterator = aiter(pages)

        async def upcoming_page() -> tuple[int, _Pending] | None:
            page = await anext(iterator, None)
            return None if page is None else (len(page), self._prepare(page))

        handed = 0
        upcoming = asyncio.ensure_future(upcoming_page())
        try:
            while (page := await upcoming) is not None:
                upcoming = asyncio.ensure_future(upcoming_page())
                with self._metered():
                    await self._apply(page[1])
                handed += page[0]
        finally:
            upcoming.cancel()
        return handed

    @contextlib.contextmanager
    def _metered(self) -> Iterator[None]:
        try:
            yield
        except PoisonMessages:
            self._succeeded()  # the machine works; those messages do not
            raise
        except Exception as error:
            self._failures += 1
            self._last_error = f"{type(error).__name__}: {error}"
            FAILURES.labels(self._schema).set(self._failures)
            raise
        self._succeeded()

    def _succeeded(self) -> None:
        self._failures = 0
        self._last_applied = time.monotonic()
        FAILURES.labels(self._schema).set(0)

    async def wait_for(
        self,
        aggregate_id: uuid.UUID,
        version: int,
        timeout: float,  # noqa: ASYNC109
    ) -> bool:
        """Whether the read models reached `version` of the aggregate within `timeout` seconds.

        Woken by the NOTIFY each apply commits with, so an apply in another process counts.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (version, future)
        self._waiters[aggregate_id].append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await self._listen()
                if await self.version_of(aggregate_id) >= version:
                    return True
                await future
                return True
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters[aggregate_id]
            waiters.remove(waiter)
            if not waiters:
                del self._waiters[aggregate_id]

    # Applying -------------------------------------------------------------------------------

    def _prepare(self, batch: Sequence[Message]) -> _Pending:
        """The batch parsed and grouped by aggregate; raises PoisonMessages before any effect,
        so the consumer dead-letters those and hands the rest again."""
        pending: _Pending = defaultdict(dict)
        poison: dict[int, str] = {}
        for index, (envelope, data) in enumerate(batch):
            try:
                event = _Event(index, envelope, parse(envelope, data))
                aggregate_id = uuid.UUID(envelope.subject)
            except PoisonMessage as error:
                poison[index] = str(error)
                continue
            except ValueError:
                poison[index] = f"{envelope.type}: subject {envelope.subject!r} is not a uuid"
                continue
            pending[aggregate_id].setdefault(event.version, event)
        if poison:
            EVENTS.labels(self._schema, "poison").inc(len(poison))
            raise PoisonMessages(poison)
        return pending

    async def _apply(self, pending: _Pending) -> None:
        poison: dict[int, str] = {}
        blocked = await self._transaction(pending)
        if not blocked:
            return
        results = await asyncio.gather(
            *(self._fill(a, current, pending[a]) for a, current in blocked.items()),
            return_exceptions=True,
        )
        errors: dict[uuid.UUID, str] = {}
        for aggregate_id, result in zip(blocked, results, strict=True):
            if isinstance(result, PoisonMessages):
                poison.update(result.rejected)
            elif isinstance(result, BaseException):
                errors[aggregate_id] = f"{type(result).__name__}: {result}"
        filled = {
            a: pending[a] for a, result in zip(blocked, results, strict=True) if result is None
        }
        try:
            still_blocked = await self._transaction(filled) if filled else {}
        except PoisonMessages as error:
            poison.update(error.rejected)
            still_blocked = {}
        if poison:
            EVENTS.labels(self._schema, "poison").inc(len(poison))
            raise PoisonMessages(poison)
        for aggregate_id, current in still_blocked.items():
            errors[aggregate_id] = f"the feed has no version {current + 1}"
        if errors:
            detail = "; ".join(f"{a}: {reason}" for a, reason in errors.items())
            raise GapNotClosed(f"{len(errors)} aggregate(s) wait for missing versions: {detail}")

    async def _fill(self, aggregate_id: uuid.UUID, current: int, events: dict[int, _Event]) -> None:
        """Add the aggregate's missing versions, from its owning service's feed."""
        service = type(next(iter(events.values())).payload).service
        last = max(events)
        for envelope, data in await self._fetch_missing(service, aggregate_id, current):
            if envelope.aggregateversion >= last:
                break
            try:
                event = _Event(None, envelope, parse(envelope, data))
            except PoisonMessage as error:
                reason = f"waits for v{envelope.aggregateversion}, which is poison: {error}"
                raise PoisonMessages(_from(events, envelope.aggregateversion, reason)) from None
            if event.version not in events:
                events[event.version] = event
                GAPS_FILLED.labels(self._schema).inc()

    async def _transaction(
        self, pending: Mapping[uuid.UUID, dict[int, _Event]]
    ) -> dict[uuid.UUID, int]:
        """Apply what follows each aggregate's current version; returns those left at a gap."""
        ids = list(pending)
        # Sorted, so that two transactions never wait for each other's buckets in a cycle.
        buckets = sorted({zlib.crc32(a.bytes) % self.LOCK_BUCKETS for a in ids})
        async with self._pool.acquire() as connection, connection.transaction():
            # Its own statement: under READ COMMITTED the next one then reads what the
            # previous holder of these locks committed.
            await connection.execute(
                "SELECT pg_advisory_xact_lock($1, bucket) FROM unnest($2::int[]) AS bucket",
                self._lock_space,
                buckets,
            )
            rows = await connection.fetch(
                f"SELECT aggregate_id, version FROM {self._table} WHERE aggregate_id = ANY($1)",
                ids,
            )
            current = {a: 0 for a in ids} | {row[0]: row[1] for row in rows}
            chains: dict[uuid.UUID, list[_Event]] = {}
            blocked: dict[uuid.UUID, int] = {}
            duplicates = 0
            for aggregate_id, events in pending.items():
                version = current[aggregate_id]
                chain = []
                while version + 1 in events:
                    version += 1
                    chain.append(events[version])
                ahead = 0
                if max(events) > version:
                    blocked[aggregate_id] = version
                    ahead = sum(1 for v in events if v > version)
                duplicates += len(events) - len(chain) - ahead
                if chain:
                    chains[aggregate_id] = chain
            try:
                await self._run_handlers(connection, chains)
            except _Rejected as refused:
                events = pending[refused.aggregate_id]
                raise PoisonMessages(_from(events, refused.version, refused.reason)) from None
            if chains:
                await connection.execute(
                    f"WITH saved AS (INSERT INTO {self._table} (aggregate_id, version) "
                    "SELECT * FROM unnest($1::uuid[], $2::int[]) "
                    "ON CONFLICT (aggregate_id) DO UPDATE "
                    "SET version = EXCLUDED.version, updated_at = now() RETURNING 1) "
                    "SELECT pg_notify($3, '')",
                    list(chains),
                    [chain[-1].version for chain in chains.values()],
                    self._channel,
                )
        EVENTS.labels(self._schema, "applied").inc(sum(map(len, chains.values())))
        EVENTS.labels(self._schema, "duplicate").inc(duplicates)
        return blocked

    async def _run_handlers(self, connection: Db, chains: Mapping[uuid.UUID, list[_Event]]) -> None:
        writes = _BulkWrites(connection)
        for wave in range(max(map(len, chains.values()), default=0)):
            for aggregate_id, chain in chains.items():
                if wave >= len(chain):
                    continue
                event = chain[wave]
                writes.call += 1
                for handler in self._handlers.get(type(event.payload), ()):
                    try:
                        await handler(writes, event.envelope, event.payload)
                    except PoisonMessage as error:
                        reason = f"{event.envelope.type} v{event.version}: {error}"
                        raise _Rejected(aggregate_id, event.version, reason) from None
            await writes.flush()

    # Waiting --------------------------------------------------------------------------------

    async def _listen(self) -> None:
        async with self._listen_lock:
            if self._listener is not None:
                if not self._listener.is_closed():
                    return
                await self._pool.release(self._listener)  # lost with its server: take another
            self._listener = await self._pool.acquire()
            await self._listener.add_listener(self._channel, self._notified)

    def _notified(self, *_: object) -> None:
        if not self._waiters:
            return
        if self._checking is not None and not self._checking.done():
            self._check_again = True
            return
        self._checking = asyncio.create_task(self._check())

    async def _check(self) -> None:
        """Wake the waiters whose version was reached (one query for all of them)."""
        self._check_again = True
        while self._check_again and self._waiters:
            self._check_again = False
            rows = await self._pool.fetch(
                f"SELECT aggregate_id, version FROM {self._table} WHERE aggregate_id = ANY($1)",
                list(self._waiters),
            )
            for aggregate_id, version in rows:
                for wanted, future in self._waiters.get(aggregate_id, ()):
                    if wanted <= version and not future.done():
                        future.set_result(None)


def _from(events: Mapping[int, _Event], version: int, reason: str) -> dict[int, str]:
    """Batch positions of the events from `version` on: none can be applied before it is."""
    return {e.index: reason for v, e in events.items() if v >= version and e.index is not None}


def _int32(value: int) -> int:
    return value - 2**32 if value >= 2**31 else value
