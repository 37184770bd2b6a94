"""Read model of the review wing: one row per management review, from notice to its actions."""

from datetime import date
from typing import Any
from uuid import UUID

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS, step_index
from qms_gateway.frame.store import SCHEMA, Db, row, rows

REVIEWS = f"{SCHEMA}.reviews"
JSON_COLUMNS = ("agenda", "expected_reports", "reports", "missing_reports", "meeting", "outputs")
#: The statuses of a review whose meeting took place.
HELD = ("meeting_held", "conclusion_drafted", "conclusion_returned", "concluded")
#: An issued review with every report it asks for in (reports are one per department and item,
#: and only those asked for are accepted: counting them is enough).
ALL_REPORTS_IN = "jsonb_array_length(reports) >= jsonb_array_length(expected_reports)"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {REVIEWS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    year int NOT NULL,
    round int NOT NULL,
    title text NOT NULL,
    -- The notice: each item {{topic, department_ids, guidance}}.
    agenda jsonb NOT NULL,
    report_deadline date NOT NULL,
    meeting_date date NOT NULL,{REVIEWED_COLUMNS},
    -- Once issued: each {{department_id, topic}} owed.
    expected_reports jsonb NOT NULL DEFAULT '[]',
    issued_by text,
    -- Each {{department_id, topic, content, submitted_by, submitted_at}}, and once revised
    -- {{revised_by, revised_at}}.
    reports jsonb NOT NULL DEFAULT '[]',
    consolidation_summary text NOT NULL DEFAULT '',
    consolidated_on date,
    consolidated_by text,
    -- The reports still owed when the secretary consolidated (after the deadline).
    missing_reports jsonb NOT NULL DEFAULT '[]',
    -- {{held_on, chair, participants, minutes, recorded_by}}.
    meeting jsonb,
    conclusion_summary text NOT NULL DEFAULT '',
    -- Each output of 9.3.3; its action, once concluded, with {{status, evidence, completed_on,
    -- completed_by, verified_by, note}} (status open, done, verified).
    outputs jsonb NOT NULL DEFAULT '[]',
    conclusion_drafted_by text,
    conclusion_return_reason text,
    concluded_by text,
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS reviews_unit ON {REVIEWS} (unit_id, year, status);
{step_index(REVIEWS)}
"""
TABLES = (REVIEWS,)


async def review(db: Db, review_id: UUID) -> dict[str, Any] | None:
    record = await db.fetchrow(f"SELECT * FROM {REVIEWS} WHERE id=$1", review_id)
    return row(record, JSON_COLUMNS)


async def reviews(
    db: Db,
    unit_id: str,
    year: int | None = None,
    statuses: list[str] | None = None,
    patterns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """A unit's reviews, the latest year and round first."""
    records = await db.fetch(
        f"SELECT * FROM {REVIEWS} WHERE unit_id=$1 AND ($2::int IS NULL OR year=$2) "
        "AND ($3::text[] IS NULL OR status = ANY($3)) "
        "AND ($4::text[] IS NULL OR search LIKE ALL($4)) ORDER BY year DESC, round DESC",
        unit_id,
        year,
        statuses,
        patterns,
    )
    return rows(records, JSON_COLUMNS)


def missing(found: dict[str, Any]) -> list[dict[str, str]]:
    """The reports an issued review still waits for."""
    received = {(r["department_id"], r["topic"]) for r in found["reports"]}
    return [
        owed
        for owed in found["expected_reports"]
        if (owed["department_id"], owed["topic"]) not in received
    ]


def past_deadline(found: dict[str, Any], today: date) -> bool:
    return date.fromisoformat(found["report_deadline"]) < today


async def reviews_held(db: Db, unit_ids: list[str], year: int) -> dict[str, int]:
    """Per unit, the reviews of the year whose meeting took place."""
    records = await db.fetch(
        "SELECT u.unit_id, "
        f"(SELECT count(*) FROM {REVIEWS} r WHERE r.unit_id=u.unit_id AND r.year=$2 "
        "AND r.status = ANY($3)) AS held FROM unnest($1::text[]) AS u(unit_id)",
        unit_ids,
        year,
        list(HELD),
    )
    return {r["unit_id"]: r["held"] for r in records}
