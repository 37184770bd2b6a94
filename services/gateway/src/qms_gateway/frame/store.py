"""The gateway's read-model database: one schema, rows as JSON-ready dicts, versions in one table.

Every wing's rows live in schema `gateway`; which version of each aggregate the read models
reflect is kept once, in `aggregate_versions`, by the projection.
"""

import json
import uuid
from typing import Any

import asyncpg

from qms_runtime.consumer import Db as Connection

SCHEMA = "gateway"
#: A pooled connection (in a projection's transaction) or the pool itself (for reads).
Db = Connection | asyncpg.Pool

AGGREGATE_VERSIONS_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.aggregate_versions (
    aggregate_id uuid PRIMARY KEY,
    version int NOT NULL
);
"""


def row(record: asyncpg.Record | None, json_columns: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """A record as a JSON-ready dict: ids and times as text, the named jsonb columns decoded."""
    if record is None:
        return None
    result = dict(record)
    for key, value in result.items():
        if key in json_columns:
            result[key] = json.loads(value)
        elif isinstance(value, uuid.UUID):
            result[key] = str(value)
        elif hasattr(value, "isoformat"):
            result[key] = value.isoformat()
    return result


def rows(records: list[asyncpg.Record], json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [r for r in (row(record, json_columns) for record in records) if r is not None]


async def version_of(db: Db, aggregate_id: uuid.UUID) -> int:
    """The version the read models hold for an aggregate, 0 if they never saw it."""
    value = await db.fetchval(
        f"SELECT version FROM {SCHEMA}.aggregate_versions WHERE aggregate_id=$1", aggregate_id
    )
    return int(value or 0)
