""" "My tasks": each wing says what waits for a principal; the frame lists them all."""

from collections.abc import Awaitable, Callable
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


TaskQuery = Callable[[asyncpg.Pool, Principal], Awaitable[list[Task]]]


async def step_tasks(
    pool: asyncpg.Pool,
    principal: Principal,
    table: str,
    *,
    kind: str,
    action: str,
    label: str,
    where: str,
    arguments: tuple[Any, ...] = (),
) -> list[Task]:
    """One step's rows of `table` in the principal's units: those `where` holds for ($2… are
    `arguments`), the oldest TASKS_PER_STEP, each counting how many wait at the step."""
    records = await pool.fetch(
        "SELECT id, unit_id, title, status, version, count(*) OVER () AS waiting "
        f"FROM {table} WHERE (unit_id = ANY($1) OR '*' = ANY($1)) AND ({where}) "
        f"ORDER BY updated_at, id LIMIT {TASKS_PER_STEP}",
        sorted(principal.units),
        *arguments,
    )
    return [
        Task(action=action, label=label, kind=kind, **{**dict(r), "id": str(r["id"])})
        for r in records
    ]
