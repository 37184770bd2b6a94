""" "My tasks": each wing says what waits for a principal; the frame lists them all."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from pydantic import BaseModel

from qms_runtime.principal import Principal

#: A home page to act on: the oldest few of each step, and a link to all of them.
TASKS_PER_STEP = 20


class Task(BaseModel):
    """One thing waiting for the user's action."""

    action: str
    label: str
    kind: str
    id: str
    unit_id: str
    title: str
    status: str
    version: int
    #: How many wait at this task's step (the list shows the oldest few of them).
    waiting: int = 1
    #: The portal page where the action is done.
    page: str = ""
    #: The portal list of every record waiting at this step.
    step_page: str = ""


class Tasks(BaseModel):
    sub: str
    name: str
    tasks: list[Task]


#: The `steps` key of a query whose rows, whatever their status, wait at one step.
EVERY_STATUS = ""


@dataclass(frozen=True)
class TaskQuery:
    """One SELECT of waiting rows in the principal's units ($1), with `arguments` as $2…;
    `steps` names the action and label by status (or for EVERY_STATUS)."""

    sql: str
    arguments: tuple[Any, ...]
    steps: Mapping[str, tuple[str, str]]

    def action_and_label(self, status: str) -> tuple[str, str]:
        return self.steps.get(status) or self.steps[EVERY_STATUS]


#: Which principal's tasks a wing declares; the frame reads every wing's in one round trip.
TaskQueries = Callable[[Principal], list[TaskQuery]]

_COLUMNS = "id, unit_id, title, status, version, updated_at"


def step_tasks(
    table: str,
    *,
    kind: str,
    action: str,
    label: str,
    where: str,
    arguments: tuple[Any, ...] = (),
) -> TaskQuery:
    """One step's rows of `table`: those `where` holds for ($2… are `arguments`), the oldest
    TASKS_PER_STEP, each counting how many wait at the step."""
    return TaskQuery(
        f"SELECT {_COLUMNS}, '' AS step, '{kind}' AS kind, count(*) OVER () AS waiting "
        f"FROM {table} WHERE (unit_id = ANY($1) OR '*' = ANY($1)) AND ({where}) "
        f"ORDER BY updated_at, id LIMIT {TASKS_PER_STEP}",
        arguments,
        {EVERY_STATUS: (action, label)},
    )


_PARAMETER = re.compile(r"\$(\d+)")


async def fetch_tasks(
    pool: asyncpg.Pool, principal: Principal, *declared: TaskQueries
) -> list[Task]:
    """The principal's tasks of every declaration, in one round trip and in their order: the
    queries joined by UNION ALL, each query's parameters renumbered after the ones before it."""
    queries = [query for queries_of in declared for query in queries_of(principal)]
    if not queries:
        return []
    selects: list[str] = []
    arguments: list[Any] = [sorted(principal.units)]
    for index, query in enumerate(queries):
        offset = len(arguments) - 1

        def renumbered(match: re.Match[str], offset: int = offset) -> str:
            number = int(match.group(1))
            return "$1" if number == 1 else f"${number + offset}"

        selects.append(
            f"(SELECT {index} AS query, q.* FROM ({_PARAMETER.sub(renumbered, query.sql)}) q)"
        )
        arguments += query.arguments
    # The joined query's custom plan costs more than running it (about 3 ms a page under
    # load): plan it once per connection.
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        records = await connection.fetch(
            " UNION ALL ".join(selects) + " ORDER BY query, step, kind, updated_at, id", *arguments
        )
    found: list[Task] = []
    for r in records:
        action, label = queries[r["query"]].action_and_label(r["status"])
        found.append(
            Task(
                action=action,
                label=label,
                kind=r["kind"],
                id=str(r["id"]),
                unit_id=r["unit_id"],
                title=r["title"],
                status=r["status"],
                version=r["version"],
                waiting=r["waiting"],
            )
        )
    return found
