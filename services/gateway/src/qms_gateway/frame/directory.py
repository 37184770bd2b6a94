"""The unit directory (units, departments, users) until the SSO bridge keeps it as events."""

import json
from typing import Any

from qms_gateway.frame.store import SCHEMA, Db, row, rows

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.units (
    unit_id text PRIMARY KEY,
    name text NOT NULL,
    code_prefix text NOT NULL DEFAULT '',
    departments jsonb NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.users (
    sub text PRIMARY KEY,
    unit_id text NOT NULL REFERENCES {SCHEMA}.units,
    name text NOT NULL,
    roles jsonb NOT NULL,
    department_id text
);
"""


async def units(db: Db) -> list[dict[str, Any]]:
    return rows(await db.fetch(f"SELECT * FROM {SCHEMA}.units ORDER BY name"), ("departments",))


async def unit(db: Db, unit_id: str) -> dict[str, Any] | None:
    record = await db.fetchrow(f"SELECT * FROM {SCHEMA}.units WHERE unit_id=$1", unit_id)
    return row(record, ("departments",))


async def unit_exists(db: Db, unit_id: str) -> bool:
    found = await db.fetchval(f"SELECT true FROM {SCHEMA}.units WHERE unit_id=$1", unit_id)
    return bool(found)


async def upsert_unit(db: Db, data: dict[str, Any]) -> None:
    await db.execute(
        f"INSERT INTO {SCHEMA}.units (unit_id, name, code_prefix, departments) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (unit_id) DO UPDATE SET name=EXCLUDED.name, "
        "code_prefix=EXCLUDED.code_prefix, departments=EXCLUDED.departments",
        data["unit_id"],
        data["name"],
        data.get("code_prefix", ""),
        json.dumps(data.get("departments", []), ensure_ascii=False),
    )


async def upsert_user(db: Db, unit_id: str, data: dict[str, Any]) -> None:
    await db.execute(
        f"INSERT INTO {SCHEMA}.users (sub, unit_id, name, roles, department_id) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sub) DO UPDATE SET unit_id=EXCLUDED.unit_id, "
        "name=EXCLUDED.name, roles=EXCLUDED.roles, department_id=EXCLUDED.department_id",
        data["sub"],
        unit_id,
        data["name"],
        json.dumps(data["roles"]),
        data.get("department_id"),
    )


async def user(db: Db, sub: str) -> dict[str, Any] | None:
    return row(await db.fetchrow(f"SELECT * FROM {SCHEMA}.users WHERE sub=$1", sub), ("roles",))
