"""One leader among replicas: the holder of a PostgreSQL advisory lock on a connection of its own.

A standby polls `pg_try_advisory_lock` on a dedicated connection: never a pooled one, which
a blocking `pg_advisory_lock` would hold hostage for as long as another replica leads. The
session-level lock lives exactly as long as that connection, so the leader watches it: asyncpg
reports a closed socket at once, and a periodic `SELECT 1` catches one that stopped answering.
On loss the leader's work is cancelled and the replica stands by again. Writes that must be
fenced go through the lock connection (`Tenure`): once it is gone they fail, so a former
leader can never record anything.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

import asyncpg

log = logging.getLogger("qms.leadership")

Role = Literal["leader", "standby"]
Connect = Callable[[], Awaitable[asyncpg.Connection]]

# What a lost or unreachable database raises: waited out, while anything else propagates.
UNAVAILABLE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class LockLost(Exception):
    """The connection holding the advisory lock closed or stopped answering."""


class Tenure:
    """The lock-holding connection while this replica leads.

    asyncpg runs one query at a time per connection, so the leader's queries and the liveness
    check take turns; every query has a timeout, so a dead peer cannot stall them.
    """

    def __init__(self, connection: asyncpg.Connection, timeout: float) -> None:
        self._connection = connection
        self._timeout = timeout
        self._turn = asyncio.Lock()

    async def execute(self, query: str, *args: object) -> None:
        async with asyncio.timeout(self._timeout), self._turn:
            await self._connection.execute(query, *args)

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        async with asyncio.timeout(self._timeout), self._turn:
            return await self._connection.fetchrow(query, *args)

    async def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """Call `wake` on every NOTIFY on `channel` (delivered on this connection)."""
        async with asyncio.timeout(self._timeout), self._turn:
            await self._connection.add_listener(channel, lambda *_: wake())


class Leadership:
    """Stands by until the lock is won, then runs the leader's work until the lock is lost."""

    def __init__(
        self,
        name: str,
        connect: Connect,
        key: int,
        *,
        poll_seconds: float = 1.0,
        check_seconds: float = 1.0,
        timeout: float = 3.0,
    ) -> None:
        self._name = name
        self._connect = connect
        self._key = key
        self._poll = poll_seconds
        self._check = check_seconds
        self._timeout = timeout
        self.role: Role = "standby"

    async def run(self, lead: Callable[[Tenure], Coroutine[Any, Any, None]]) -> None:
        while True:
            await self._hold(await self._win(), lead)
            # Standbys poll meanwhile: one that has been waiting takes over first, rather than
            # this replica, whose connection just failed.
            await asyncio.sleep(3 * self._poll)

    async def _hold(
        self, connection: asyncpg.Connection, lead: Callable[[Tenure], Coroutine[Any, Any, None]]
    ) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        tenure = Tenure(connection, self._timeout)
        self.role = "leader"
        log.info("%s: leading (lock %s)", self._name, self._key)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._watch(tenure, lost))
                group.create_task(lead(tenure))
        except* LockLost as loss:
            log.warning("%s: lost the lock (%s); standing by", self._name, loss.exceptions[0])
        except* Exception:
            log.exception("%s: the leader failed; standing by", self._name)
        finally:
            self.role = "standby"
            # Ends the session, so PostgreSQL frees the lock if it still held it.
            connection.terminate()

    async def _win(self) -> asyncpg.Connection:
        while True:
            try:
                return await self._try_to_win()
            except UNAVAILABLE as error:
                log.warning("%s: cannot reach PostgreSQL (%s); retrying", self._name, error)
                await asyncio.sleep(self._poll)

    async def _try_to_win(self) -> asyncpg.Connection:
        connection = await asyncio.wait_for(self._connect(), self._timeout)
        try:
            while True:
                if await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", self._key, timeout=self._timeout
                ):
                    return connection
                await asyncio.sleep(self._poll)
        except BaseException:
            connection.terminate()
            raise

    async def _watch(self, tenure: Tenure, lost: asyncio.Event) -> None:
        while True:
            try:
                await asyncio.wait_for(lost.wait(), self._check)
            except TimeoutError:
                try:
                    await tenure.fetchrow("SELECT 1")
                except UNAVAILABLE as error:
                    raise LockLost(f"lock connection does not answer: {error!r}") from error
            else:
                raise LockLost("lock connection closed")
