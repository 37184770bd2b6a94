"""The unit directory (units, departments, users) until the SSO bridge keeps it as events."""

import json
from collections.abc import Iterable
from typing import Any

from qms_gateway.frame.store import SCHEMA, Db, row, rows
from qms_runtime.principal import ALL_UNITS, SUPERVISOR, Principal

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.units (
    unit_id text PRIMARY KEY,
    name text NOT NULL,
    code_prefix text NOT NULL DEFAULT '',
    departments jsonb NOT NULL DEFAULT '[]'
);
-- The unit tree: a unit's parent is the unit that supervises it (a province over its communes).
ALTER TABLE {SCHEMA}.units ADD COLUMN IF NOT EXISTS parent_id text;
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


def department_names(unit: dict[str, Any] | None) -> dict[str, str]:
    """A unit's departments by id, with their names."""
    return {d["department_id"]: d["name"] for d in (unit or {}).get("departments", [])}


async def unit_exists(db: Db, unit_id: str) -> bool:
    found = await db.fetchval(f"SELECT true FROM {SCHEMA}.units WHERE unit_id=$1", unit_id)
    return bool(found)


async def code_prefix(db: Db, unit_id: str) -> str | None:
    """The unit's dossier-code prefix ('' if it has none); None if there is no such unit."""
    found: str | None = await db.fetchval(
        f"SELECT code_prefix FROM {SCHEMA}.units WHERE unit_id=$1", unit_id
    )
    return found


async def upsert_unit(db: Db, data: dict[str, Any]) -> None:
    await db.execute(
        f"INSERT INTO {SCHEMA}.units (unit_id, name, code_prefix, departments, parent_id) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO UPDATE SET name=EXCLUDED.name, "
        "code_prefix=EXCLUDED.code_prefix, departments=EXCLUDED.departments, "
        "parent_id=EXCLUDED.parent_id",
        data["unit_id"],
        data["name"],
        data.get("code_prefix", ""),
        json.dumps(data.get("departments", []), ensure_ascii=False),
        data.get("parent_id"),
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


async def users_with_role(db: Db, unit_id: str, role: str) -> list[dict[str, Any]]:
    """The unit's people holding `role`, by name."""
    records = await db.fetch(
        f"SELECT * FROM {SCHEMA}.users WHERE unit_id=$1 AND roles ? $2 ORDER BY name, sub",
        unit_id,
        role,
    )
    return rows(records, ("roles",))


async def supervised(db: Db, unit_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Every unit below the given ones in the unit tree (not the given ones), by name."""
    records = await db.fetch(
        f"WITH RECURSIVE below AS (SELECT * FROM {SCHEMA}.units WHERE parent_id = ANY($1) "
        f"UNION SELECT u.* FROM {SCHEMA}.units u JOIN below b ON u.parent_id = b.unit_id) "
        "SELECT * FROM below ORDER BY name",
        sorted(unit_ids),
    )
    return rows(records, ("departments",))


async def readable_units(db: Db, principal: Principal) -> frozenset[str]:
    """The units whose records a person may read: their own, and for a supervisor those below."""
    if ALL_UNITS in principal.units:
        return frozenset(unit["unit_id"] for unit in await units(db))
    if SUPERVISOR not in principal.roles:
        return principal.units
    below = await supervised(db, principal.units)
    return principal.units | {unit["unit_id"] for unit in below}


async def users_by_unit(db: Db) -> list[dict[str, Any]]:
    """Every unit with its users, for the development sign-in page."""
    records = await db.fetch(
        f"SELECT u.unit_id, u.name, coalesce(jsonb_agg(jsonb_build_object('sub', p.sub, "
        "'name', p.name, 'roles', p.roles) ORDER BY p.sub) FILTER (WHERE p.sub IS NOT NULL), "
        f"'[]') AS users FROM {SCHEMA}.units u LEFT JOIN {SCHEMA}.users p USING (unit_id) "
        "GROUP BY u.unit_id, u.name ORDER BY u.name"
    )
    return rows(records, ("users",))
