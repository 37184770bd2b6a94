"""Read model of the objectives wing: objectives and the policy and context versions."""

import uuid
from typing import Any

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS, step_index
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
-- Folded title and targets (frame.search.fold), written by the projection, for list searches.
ALTER TABLE {OBJECTIVES} ADD COLUMN IF NOT EXISTS search text NOT NULL DEFAULT '';
{step_index(OBJECTIVES)}
CREATE TABLE IF NOT EXISTS {DOCUMENTS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    kind text NOT NULL,
    version_number int NOT NULL,
    title text NOT NULL,
    content text NOT NULL,{REVIEWED_COLUMNS}
);
CREATE INDEX IF NOT EXISTS documents_unit_kind ON {DOCUMENTS} (unit_id, kind, status);
ALTER TABLE {DOCUMENTS} ADD COLUMN IF NOT EXISTS search text NOT NULL DEFAULT '';
{step_index(DOCUMENTS)}
"""
TABLES = (OBJECTIVES, DOCUMENTS)
#: What anyone may see of a unit's objectives.
PUBLIC_OBJECTIVE_STATUSES = ["approved", "disseminated", "evaluated"]


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


async def in_force(db: Db, unit_id: str, kind: str) -> dict[str, Any] | None:
    """The unit's published version of a policy or context, if any."""
    found = await documents(db, unit_id, kind, ["published"])
    return found[0] if found else None


async def search_objectives(
    db: Db,
    unit_id: str,
    *,
    year: int | None,
    status: str | None,
    department_id: str | None,
    patterns: list[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a unit's objectives matching the filters, and how many match in all."""
    records = await db.fetch(
        f"SELECT *, count(*) OVER () AS total FROM {OBJECTIVES} WHERE unit_id=$1 "
        "AND ($2::int IS NULL OR year=$2) AND ($3::text IS NULL OR status=$3) "
        "AND ($4::text IS NULL OR targets @> jsonb_build_array(jsonb_build_object("
        "'department_id', $4::text))) "
        "AND ($5::text[] IS NULL OR search LIKE ALL($5)) "
        "ORDER BY year DESC, updated_at DESC LIMIT $6 OFFSET $7",
        unit_id,
        year,
        status,
        department_id,
        patterns,
        limit,
        offset,
    )
    found = rows(records, JSON_COLUMNS)
    return found, found[0]["total"] if found else 0


async def search_documents(
    db: Db,
    unit_id: str,
    kind: str,
    *,
    status: str | None,
    patterns: list[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    records = await db.fetch(
        f"SELECT *, count(*) OVER () AS total FROM {DOCUMENTS} WHERE unit_id=$1 AND kind=$2 "
        "AND ($3::text IS NULL OR status=$3) "
        "AND ($4::text[] IS NULL OR search LIKE ALL($4)) "
        "ORDER BY version_number DESC LIMIT $5 OFFSET $6",
        unit_id,
        kind,
        status,
        patterns,
        limit,
        offset,
    )
    found = rows(records)
    return found, found[0]["total"] if found else 0


async def yearly_status(db: Db, unit_ids: list[str], year: int) -> dict[str, dict[str, Any]]:
    """Per unit: objectives approved, disseminated, evaluated in the year; policy in force."""
    records = await db.fetch(
        f"SELECT u.unit_id, "
        f"(SELECT count(*) FROM {OBJECTIVES} o WHERE o.unit_id=u.unit_id AND o.year=$2 "
        "AND o.status IN ('approved', 'disseminated', 'evaluated')) AS approved, "
        f"(SELECT count(*) FROM {OBJECTIVES} o WHERE o.unit_id=u.unit_id AND o.year=$2 "
        "AND o.status IN ('disseminated', 'evaluated')) AS disseminated, "
        f"(SELECT count(*) FROM {OBJECTIVES} o WHERE o.unit_id=u.unit_id AND o.year=$2 "
        "AND o.status = 'evaluated') AS evaluated, "
        f"(SELECT max(version_number) FROM {DOCUMENTS} d WHERE d.unit_id=u.unit_id "
        "AND d.kind='policy' AND d.status='published') AS policy_version "
        "FROM unnest($1::text[]) AS u(unit_id)",
        unit_ids,
        year,
    )
    return {record["unit_id"]: dict(record) for record in records}
