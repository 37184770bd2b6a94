"""The gateway's read-model database: one schema, rows as JSON-ready dicts.

Every wing's rows live in schema `gateway`; which version of each aggregate the read models
reflect is kept once, in `gateway.aggregate_versions`, by the runtime's projection machine.
"""

import json
import uuid
from typing import Any

import asyncpg

SCHEMA = "gateway"
#: Reads go through the pool.
Db = asyncpg.Pool


def row(record: asyncpg.Record | None, json_columns: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """A record as a JSON-ready dict: ids and times as text, the named jsonb columns decoded."""
    if record is None:
        return None
    result = dict(record)
    for key, value in result.items():
        if key in json_columns and value is not None:
            result[key] = json.loads(value)
        elif isinstance(value, uuid.UUID):
            result[key] = str(value)
        elif hasattr(value, "isoformat"):
            result[key] = value.isoformat()
    return result


def rows(records: list[asyncpg.Record], json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [r for r in (row(record, json_columns) for record in records) if r is not None]
