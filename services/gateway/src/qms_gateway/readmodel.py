"""Read models of the gateway (PostgreSQL via asyncpg): tables, queries and the projections.

Every row carries the aggregate version it reflects; an event is applied only when it is
the next version, so replays and duplicates change nothing.
"""

import json
import uuid
from typing import Any

import asyncpg

from qms_runtime.consumer import Db

SCHEMA = "gateway"

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
CREATE TABLE IF NOT EXISTS {SCHEMA}.objectives (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    year int NOT NULL,
    title text NOT NULL,
    status text NOT NULL,
    version int NOT NULL,
    submitted_by text,
    return_reason text,
    targets jsonb NOT NULL,
    department_ids jsonb NOT NULL DEFAULT '[]',
    achieved boolean,
    results jsonb NOT NULL DEFAULT '[]',
    evaluation_note text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS objectives_unit_year ON {SCHEMA}.objectives (unit_id, year, status);
CREATE TABLE IF NOT EXISTS {SCHEMA}.documents (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    kind text NOT NULL,
    version_number int NOT NULL,
    title text NOT NULL,
    content text NOT NULL,
    status text NOT NULL,
    version int NOT NULL,
    submitted_by text,
    return_reason text,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_unit_kind ON {SCHEMA}.documents (unit_id, kind, status);
"""

READ_MODEL_TABLES = ("objectives", "documents")


async def create_tables(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await connection.execute(DDL)


def _row(record: asyncpg.Record | None) -> dict[str, Any] | None:
    if record is None:
        return None
    row = dict(record)
    for key, value in row.items():
        if key in ("targets", "department_ids", "results", "departments"):
            row[key] = json.loads(value)
        elif isinstance(value, uuid.UUID):
            row[key] = str(value)
        elif hasattr(value, "isoformat"):
            row[key] = value.isoformat()
    return row


async def objective(
    connection: Db | asyncpg.Pool, objective_id: uuid.UUID
) -> dict[str, Any] | None:
    return _row(
        await connection.fetchrow(f"SELECT * FROM {SCHEMA}.objectives WHERE id=$1", objective_id)
    )


async def objectives(
    pool: asyncpg.Pool, unit_id: str, year: int | None, statuses: list[str] | None
) -> list[dict[str, Any]]:
    records = await pool.fetch(
        f"SELECT * FROM {SCHEMA}.objectives WHERE unit_id=$1 "
        "AND ($2::int IS NULL OR year=$2) AND ($3::text[] IS NULL OR status = ANY($3)) "
        "ORDER BY year DESC, title",
        unit_id,
        year,
        statuses,
    )
    return [row for row in map(_row, records) if row is not None]


async def document(connection: Db | asyncpg.Pool, document_id: uuid.UUID) -> dict[str, Any] | None:
    return _row(
        await connection.fetchrow(f"SELECT * FROM {SCHEMA}.documents WHERE id=$1", document_id)
    )


async def documents(
    pool: asyncpg.Pool, unit_id: str, kind: str, statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    records = await pool.fetch(
        f"SELECT * FROM {SCHEMA}.documents WHERE unit_id=$1 AND kind=$2 "
        "AND ($3::text[] IS NULL OR status = ANY($3)) ORDER BY version_number DESC",
        unit_id,
        kind,
        statuses,
    )
    return [row for row in map(_row, records) if row is not None]


async def version_of(connection: Db | asyncpg.Pool, aggregate_id: uuid.UUID) -> int:
    """The version the read model holds for an aggregate, 0 if it never saw it."""
    value = await connection.fetchval(
        f"SELECT version FROM {SCHEMA}.objectives WHERE id=$1 "
        f"UNION ALL SELECT version FROM {SCHEMA}.documents WHERE id=$1",
        aggregate_id,
    )
    return int(value or 0)


async def units(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    records = await pool.fetch(f"SELECT * FROM {SCHEMA}.units ORDER BY name")
    return [row for row in map(_row, records) if row is not None]


async def unit(pool: asyncpg.Pool, unit_id: str) -> dict[str, Any] | None:
    return _row(await pool.fetchrow(f"SELECT * FROM {SCHEMA}.units WHERE unit_id=$1", unit_id))


async def upsert_unit(pool: asyncpg.Pool, data: dict[str, Any]) -> None:
    await pool.execute(
        f"INSERT INTO {SCHEMA}.units (unit_id, name, code_prefix, departments) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (unit_id) DO UPDATE SET name=EXCLUDED.name, "
        "code_prefix=EXCLUDED.code_prefix, departments=EXCLUDED.departments",
        data["unit_id"],
        data["name"],
        data.get("code_prefix", ""),
        json.dumps(data.get("departments", []), ensure_ascii=False),
    )


async def upsert_user(pool: asyncpg.Pool, unit_id: str, data: dict[str, Any]) -> None:
    await pool.execute(
        f"INSERT INTO {SCHEMA}.users (sub, unit_id, name, roles, department_id) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sub) DO UPDATE SET unit_id=EXCLUDED.unit_id, "
        "name=EXCLUDED.name, roles=EXCLUDED.roles, department_id=EXCLUDED.department_id",
        data["sub"],
        unit_id,
        data["name"],
        json.dumps(data["roles"]),
        data.get("department_id"),
    )


async def user(pool: asyncpg.Pool, sub: str) -> dict[str, Any] | None:
    record = await pool.fetchrow(f"SELECT * FROM {SCHEMA}.users WHERE sub=$1", sub)
    if record is None:
        return None
    return {**dict(record), "roles": json.loads(record["roles"])}


async def tasks_for(
    pool: asyncpg.Pool, units_in: list[str], roles: set[str], sub: str, department_id: str | None
) -> list[dict[str, Any]]:
    """What waits for this user's action, by role (DESIGN.md §5)."""
    wanted: list[tuple[str, str, str, str]] = []  # (table, status, action, label)
    if "iso_secretary" in roles:
        wanted += [
            ("objectives", "draft", "submit", "Trình duyệt mục tiêu chất lượng"),
            ("objectives", "returned", "revise", "Sửa mục tiêu bị trả lại"),
            ("objectives", "approved", "disseminate", "Phổ biến mục tiêu đã duyệt"),
            ("objectives", "disseminated", "evaluate", "Theo dõi và đánh giá mục tiêu"),
            ("documents", "draft", "submit", "Trình duyệt văn bản"),
            ("documents", "returned", "revise", "Sửa văn bản bị trả lại"),
            ("documents", "approved", "publish", "Ban hành văn bản đã duyệt"),
        ]
    if "unit_leader" in roles:
        wanted += [
            ("objectives", "submitted", "approve", "Phê duyệt mục tiêu chất lượng"),
            ("documents", "submitted", "approve", "Phê duyệt văn bản"),
        ]
    tasks: list[dict[str, Any]] = []
    for table, status, action, label in wanted:
        kind = "'objective'" if table == "objectives" else "kind"
        records = await pool.fetch(
            f"SELECT id, unit_id, title, status, version, {kind} AS kind, submitted_by "
            f"FROM {SCHEMA}.{table} WHERE status=$1 AND (unit_id = ANY($2) OR '*' = ANY($2)) "
            "ORDER BY updated_at",
            status,
            units_in,
        )
        for record in records:
            if action == "approve" and record["submitted_by"] == sub:
                continue  # separation of duties: never ask the submitter to approve
            tasks.append(
                {
                    "action": action,
                    "label": label,
                    "kind": record["kind"],
                    "id": str(record["id"]),
                    "unit_id": record["unit_id"],
                    "title": record["title"],
                    "status": record["status"],
                    "version": record["version"],
                }
            )
    if "department_leader" in roles and department_id:
        records = await pool.fetch(
            f"SELECT id, unit_id, title, status, version FROM {SCHEMA}.objectives "
            "WHERE status='disseminated' AND (unit_id = ANY($1) OR '*' = ANY($1)) "
            "AND targets @> $2::jsonb ORDER BY updated_at",
            units_in,
            json.dumps([{"department_id": department_id}]),
        )
        tasks += [
            {
                "action": "record_progress",
                "label": "Cập nhật tiến độ chỉ tiêu của phòng",
                "kind": "objective",
                "id": str(r["id"]),
                "unit_id": r["unit_id"],
                "title": r["title"],
                "status": r["status"],
                "version": r["version"],
            }
            for r in records
        ]
    return tasks
