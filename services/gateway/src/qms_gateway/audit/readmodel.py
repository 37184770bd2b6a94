"""Read model of the audit wing: programmes, round plans with their findings, nonconformities."""

from typing import Any
from uuid import UUID

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS, step_index
from qms_gateway.frame.store import SCHEMA, Db, row, rows

PROGRAMMES = f"{SCHEMA}.audit_programmes"
PLANS = f"{SCHEMA}.audit_plans"
NONCONFORMITIES = f"{SCHEMA}.nonconformities"
PROGRAMME_JSON = ("department_ids",)
PLAN_JSON = ("visits", "findings")
NC_JSON = ("action",)
#: A nonconformity still to be dealt with.
OPEN_NC = "status <> 'closed'"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {PROGRAMMES} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    year int NOT NULL,
    title text NOT NULL,
    objectives text NOT NULL,
    scope text NOT NULL,
    criteria text NOT NULL,
    department_ids jsonb NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    planned_rounds int NOT NULL,{REVIEWED_COLUMNS}
);
CREATE INDEX IF NOT EXISTS audit_programmes_unit ON {PROGRAMMES} (unit_id, year, status);
{step_index(PROGRAMMES)}
CREATE TABLE IF NOT EXISTS {PLANS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    programme_id uuid NOT NULL,
    round int NOT NULL,
    title text NOT NULL,
    -- Each visit: {{department_id, day, slot, lead, team, auditees, criteria, checklist}}.
    visits jsonb NOT NULL,
    -- Each finding: its facts, then {{acknowledged, acknowledged_by, note}} once acknowledged.
    findings jsonb NOT NULL DEFAULT '[]',
    outcome text,
    conclusion_note text NOT NULL DEFAULT '',
    follow_up_plan_id uuid,
    concluded_by text,{REVIEWED_COLUMNS}
);
CREATE INDEX IF NOT EXISTS audit_plans_programme ON {PLANS} (programme_id, round);
CREATE INDEX IF NOT EXISTS audit_plans_unit ON {PLANS} (unit_id, status);
{step_index(PLANS)}
CREATE TABLE IF NOT EXISTS {NONCONFORMITIES} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    title text NOT NULL,
    source text NOT NULL,
    department_id text NOT NULL,
    description text NOT NULL,
    clause text NOT NULL,
    plan_id uuid,
    finding_id text,
    review_id uuid,
    output_id text,
    feedback_id uuid,
    cause_raise_id uuid,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL,
    status text NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL,
    -- The corrective action in force: {{correction, root_cause, action, owner_department_id,
    -- due_date, attempt}}, and once implemented {{evidence, implemented_on}} (the steps
    -- themselves are the record's history).
    action jsonb,
    closed_at timestamptz,
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS nonconformities_unit ON {NONCONFORMITIES} (unit_id, status);
CREATE INDEX IF NOT EXISTS nonconformities_plan ON {NONCONFORMITIES} (plan_id);
CREATE INDEX IF NOT EXISTS nonconformities_review ON {NONCONFORMITIES} (review_id);
ALTER TABLE {NONCONFORMITIES} ADD COLUMN IF NOT EXISTS feedback_id uuid;
ALTER TABLE {NONCONFORMITIES} ADD COLUMN IF NOT EXISTS cause_raise_id uuid;
{step_index(NONCONFORMITIES)}
"""
TABLES = (PROGRAMMES, PLANS, NONCONFORMITIES)


def programme_title(year: int) -> str:
    return f"Chương trình đánh giá nội bộ năm {year}"


def plan_title(round_number: int) -> str:
    return f"Kế hoạch đánh giá nội bộ đợt {round_number}"


async def programme(db: Db, programme_id: UUID) -> dict[str, Any] | None:
    record = await db.fetchrow(f"SELECT * FROM {PROGRAMMES} WHERE id=$1", programme_id)
    return row(record, PROGRAMME_JSON)


async def programmes(
    db: Db, unit_id: str, year: int | None, statuses: list[str] | None
) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT * FROM {PROGRAMMES} WHERE unit_id=$1 AND ($2::int IS NULL OR year=$2) "
        "AND ($3::text[] IS NULL OR status = ANY($3)) ORDER BY year DESC, updated_at DESC",
        unit_id,
        year,
        statuses,
    )
    return rows(records, PROGRAMME_JSON)


async def plan(db: Db, plan_id: UUID) -> dict[str, Any] | None:
    record = await db.fetchrow(
        f"SELECT p.*, g.year FROM {PLANS} p LEFT JOIN {PROGRAMMES} g ON g.id = p.programme_id "
        "WHERE p.id=$1",
        plan_id,
    )
    return row(record, PLAN_JSON)


async def plans(db: Db, programme_id: UUID) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT * FROM {PLANS} WHERE programme_id=$1 ORDER BY round, updated_at", programme_id
    )
    return rows(records, PLAN_JSON)


async def unit_plans(db: Db, unit_id: str, status: str | None) -> list[dict[str, Any]]:
    """A unit's rounds, the latest year first, with their programme's year."""
    records = await db.fetch(
        f"SELECT p.*, g.year FROM {PLANS} p JOIN {PROGRAMMES} g ON g.id = p.programme_id "
        "WHERE p.unit_id=$1 AND ($2::text IS NULL OR p.status=$2) "
        "ORDER BY g.year DESC, p.round, p.updated_at",
        unit_id,
        status,
    )
    return rows(records, PLAN_JSON)


async def nonconformity(db: Db, nonconformity_id: UUID) -> dict[str, Any] | None:
    record = await db.fetchrow(f"SELECT * FROM {NONCONFORMITIES} WHERE id=$1", nonconformity_id)
    return row(record, NC_JSON)


async def nonconformities(
    db: Db,
    unit_id: str,
    *,
    status: str | None = None,
    department_id: str | None = None,
    source: str | None = None,
    plan_id: UUID | None = None,
    patterns: list[str] | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a unit's nonconformities (those not closed first, the oldest first), and how
    many match in all."""
    records = await db.fetch(
        f"SELECT *, count(*) OVER () AS total FROM {NONCONFORMITIES} WHERE unit_id=$1 "
        "AND ($2::text IS NULL OR status=$2) "
        "AND ($3::text IS NULL OR department_id=$3) AND ($4::text IS NULL OR source=$4) "
        "AND ($5::uuid IS NULL OR plan_id=$5) AND ($6::text[] IS NULL OR search LIKE ALL($6)) "
        "ORDER BY status = 'closed', opened_at, id LIMIT $7 OFFSET $8",
        unit_id,
        status,
        department_id,
        source,
        plan_id,
        patterns,
        limit,
        offset,
    )
    found = rows(records, NC_JSON)
    return found, found[0]["total"] if found else 0


async def review_nonconformities(db: Db, review_id: UUID) -> dict[str, str]:
    """The nonconformities a management review's outputs opened, by output id."""
    records = await db.fetch(
        f"SELECT id, output_id FROM {NONCONFORMITIES} WHERE review_id=$1", review_id
    )
    return {r["output_id"]: str(r["id"]) for r in records}


async def units_without_programme(db: Db, unit_ids: list[str], year: int) -> list[str]:
    """Those of `unit_ids` with no approved programme for `year`."""
    records = await db.fetch(
        "SELECT u.unit_id FROM unnest($1::text[]) AS u(unit_id) WHERE NOT EXISTS ("
        f"SELECT 1 FROM {PROGRAMMES} g WHERE g.unit_id=u.unit_id AND g.year=$2 "
        "AND g.status='approved') ORDER BY 1",
        unit_ids,
        year,
    )
    return [r["unit_id"] for r in records]


async def audit_status(db: Db, unit_ids: list[str], year: int) -> dict[str, dict[str, Any]]:
    """Per unit: a programme approved for the year, rounds concluded under it, open
    nonconformities (today's, whatever the year)."""
    records = await db.fetch(
        "SELECT u.unit_id, "
        f"EXISTS (SELECT 1 FROM {PROGRAMMES} g WHERE g.unit_id=u.unit_id AND g.year=$2 "
        "AND g.status='approved') AS programme_approved, "
        f"(SELECT count(*) FROM {PLANS} p JOIN {PROGRAMMES} g ON g.id=p.programme_id "
        "WHERE g.unit_id=u.unit_id AND g.year=$2 AND p.status='concluded') AS audits_held, "
        f"(SELECT count(*) FROM {NONCONFORMITIES} n WHERE n.unit_id=u.unit_id AND n.{OPEN_NC}) "
        "AS open_nonconformities FROM unnest($1::text[]) AS u(unit_id)",
        unit_ids,
        year,
    )
    return {r["unit_id"]: dict(r) for r in records}
