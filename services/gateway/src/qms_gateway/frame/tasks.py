""" "My tasks": each wing says what waits for a principal; the frame lists them all."""

from collections.abc import Awaitable, Callable

import asyncpg
from pydantic import BaseModel

from qms_runtime.principal import Principal


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
