"""Read model of the objectives wing: objectives and the policy and context versions."""

import uuid
from typing import Any

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS
from qms_gateway.frame.store import SCHEMA, Db, row, rows

OBJECTIVES = f"{SCHEMA}.objectives"
DOCUMENTS = f"{SCHEMA}.documents"
JSON_COLUMNS = ("targets", "department_ids", "results")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {OBJECTIVES} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    year int NOT NULL,
    title text NOT NULL,
    targets jsonb NOT NULL,
    department_ids jsonb NOT NULL DEFAULT '[]',
    achieved boolean,
    results jsonb NOT NULL DEFAULT '[]',
    evaluation_note text NOT NULL DEFAULT '',{REVIEWED_COLUMNS}
);
CREATE INDEX IF NOT EXISTS objectives_unit_year ON {OBJECTIVES} (unit_id, year, status);
CREATE TABLE IF NOT EXISTS {DOCUMENTS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    kind text NOT NULL,
    version_number int NOT NULL,
    title text NOT NULL,
    content text NOT NULL,{REVIEWED_COLUMNS}
);
CREATE INDEX IF NOT EXISTS documents_unit_kind ON {DOCUMENTS} (unit_id, kind, status);
"""
TABLES = (OBJECTIVES, DOCUMENTS)


async def objective(db: Db, objective_id: uuid.UUID) -> dict[str, Any] | None:
    record = await db.fetchrow(f"SELECT * FROM {OBJECTIVES} WHERE id=$1", objective_id)
    return row(record, JSON_COLUMNS)


async def objectives(
    db: Db, unit_id: str, year: int | None, statuses: list[str] | None
) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT * FROM {OBJECTIVES} WHERE unit_id=$1 "
        "AND ($2::int IS NULL OR year=$2) AND ($3::text[] IS NULL OR status = ANY($3)) "
        "ORDER BY year DESC, title",
        unit_id,
        year,
        statuses,
    )
    return rows(records, JSON_COLUMNS)


async def document(db: Db, document_id: uuid.UUID, kind: str) -> dict[str, Any] | None:
    return row(
        await db.fetchrow(f"SELECT * FROM {DOCUMENTS} WHERE id=$1 AND kind=$2", document_id, kind)
    )


async def documents(
    db: Db, unit_id: str, kind: str, statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT * FROM {DOCUMENTS} WHERE unit_id=$1 AND kind=$2 "
        "AND ($3::text[] IS NULL OR status = ANY($3)) ORDER BY version_number DESC",
        unit_id,
        kind,
        statuses,
    )
    return rows(records)
