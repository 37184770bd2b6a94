"""Read model of the procedures wing: procedure versions, dossiers and their nonconforming
outputs, the working-calendar exceptions, and the statistics computed from them."""

import uuid
from datetime import date
from typing import Any

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS, step_index
from qms_gateway.frame.store import SCHEMA, Db, row, rows

VERSIONS = f"{SCHEMA}.procedure_versions"
DOSSIERS = f"{SCHEMA}.dossiers"
OUTPUTS = f"{SCHEMA}.nonconforming_outputs"
CALENDAR = f"{SCHEMA}.working_calendar"
FEEDBACK = f"{SCHEMA}.feedback"
RATINGS = f"{SCHEMA}.satisfaction_ratings"
CAUSE_RAISES = f"{SCHEMA}.cause_nonconformities"
VERSION_JSON = ("steps", "forms", "acknowledged")
DOSSIER_JSON = ("steps",)
OPEN = ("processing", "supplement_requested")
DONE = ("completed", "archived")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {VERSIONS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    procedure_id uuid NOT NULL,
    code text NOT NULL,
    number int NOT NULL,
    name text NOT NULL,
    title text NOT NULL,
    scope text NOT NULL,
    steps jsonb NOT NULL,
    forms jsonb NOT NULL,
    review_on date NOT NULL,
    published_on date,
    replaced_by uuid,
    -- The departments asked to read the version once published, and who did: {{dept: by}}.
    departments text[] NOT NULL DEFAULT '{{}}',
    acknowledged jsonb NOT NULL DEFAULT '{{}}',{REVIEWED_COLUMNS},
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS procedure_versions_unit ON {VERSIONS} (unit_id, status, code);
{step_index(VERSIONS)}
CREATE TABLE IF NOT EXISTS {DOSSIERS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    code text NOT NULL,
    procedure_id uuid NOT NULL,
    version_id uuid NOT NULL,
    version_number int NOT NULL,
    subject text NOT NULL,
    title text NOT NULL,
    applicant_name text NOT NULL,
    received_at timestamptz NOT NULL,
    -- Vietnam's date of receipt: what periods and months count by.
    received_on date NOT NULL,
    -- Each step as filed, its due date, and once done {{done_on, outcome}}.
    steps jsonb NOT NULL,
    current_step int NOT NULL DEFAULT 0,
    step_department text NOT NULL,
    step_role text NOT NULL,
    step_due_on date NOT NULL,
    due_on date NOT NULL,
    extended boolean NOT NULL DEFAULT false,
    supplement_requests int NOT NULL DEFAULT 0,
    status text NOT NULL,
    outcome text,
    done_on date,
    filed_by text NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL,
    search text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS dossiers_code ON {DOSSIERS} (unit_id, code);
CREATE INDEX IF NOT EXISTS dossiers_unit ON {DOSSIERS} (unit_id, status, step_due_on);
CREATE INDEX IF NOT EXISTS dossiers_steps ON {DOSSIERS} (status, step_department, updated_at, id);
CREATE TABLE IF NOT EXISTS {OUTPUTS} (
    dossier_id uuid NOT NULL,
    version int NOT NULL,
    unit_id text NOT NULL,
    procedure_id uuid NOT NULL,
    step int NOT NULL,
    kind text NOT NULL,
    cause text NOT NULL,
    note text NOT NULL,
    recorded_on date NOT NULL,
    PRIMARY KEY (dossier_id, version)
);
CREATE INDEX IF NOT EXISTS nonconforming_outputs_unit ON {OUTPUTS} (unit_id, recorded_on);
CREATE TABLE IF NOT EXISTS {FEEDBACK} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    kind text NOT NULL,
    subject_kind text NOT NULL,
    subject_ref text NOT NULL,
    title text NOT NULL,
    content text NOT NULL,
    sender_name text NOT NULL,
    received_at timestamptz NOT NULL,
    received_on date NOT NULL,
    answer_due_on date NOT NULL,
    department_id text,
    answer text,
    answered_on date,
    outcome text,
    published boolean NOT NULL DEFAULT false,
    nonconformity_raised boolean NOT NULL DEFAULT false,
    status text NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL,
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_unit ON {FEEDBACK} (unit_id, status, received_on);
CREATE INDEX IF NOT EXISTS feedback_steps ON {FEEDBACK} (status, updated_at, id);
CREATE TABLE IF NOT EXISTS {RATINGS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    dossier_id uuid NOT NULL UNIQUE,
    procedure_id uuid NOT NULL,
    level text NOT NULL,
    comment text NOT NULL,
    rated_on date NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS satisfaction_ratings_unit ON {RATINGS} (unit_id, rated_on);
CREATE TABLE IF NOT EXISTS {CALENDAR} (
    day date PRIMARY KEY,
    working boolean NOT NULL,
    reason text NOT NULL
);
CREATE TABLE IF NOT EXISTS {CAUSE_RAISES} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    procedure_id uuid NOT NULL,
    cause text NOT NULL,
    start_on date NOT NULL,
    end_on date NOT NULL,
    department_id text NOT NULL,
    description text NOT NULL,
    raised_by text NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS cause_nonconformities_procedure
    ON {CAUSE_RAISES} (procedure_id, start_on, end_on);
"""
TABLES = (VERSIONS, DOSSIERS, OUTPUTS, CALENDAR, FEEDBACK, RATINGS, CAUSE_RAISES)


async def version(db: Db, version_id: uuid.UUID) -> dict[str, Any] | None:
    found = await db.fetchrow(f"SELECT * FROM {VERSIONS} WHERE id=$1", version_id)
    return row(found, VERSION_JSON)


async def versions(
    db: Db,
    unit_id: str,
    *,
    statuses: list[str] | None = None,
    procedure_id: uuid.UUID | None = None,
    patterns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """A unit's procedure versions, by code and newest version first."""
    records = await db.fetch(
        f"SELECT * FROM {VERSIONS} WHERE unit_id=$1 AND ($2::text[] IS NULL OR status = ANY($2)) "
        "AND ($3::uuid IS NULL OR procedure_id=$3) AND ($4::text[] IS NULL OR search LIKE ALL($4)) "
        "ORDER BY code, number DESC",
        unit_id,
        statuses,
        procedure_id,
        patterns,
    )
    return rows(records, VERSION_JSON)


async def dossier(db: Db, dossier_id: uuid.UUID) -> dict[str, Any] | None:
    found = await db.fetchrow(f"SELECT * FROM {DOSSIERS} WHERE id=$1", dossier_id)
    return row(found, DOSSIER_JSON)


async def dossier_by_code(db: Db, unit_id: str, code: str) -> dict[str, Any] | None:
    found = await db.fetchrow(
        f"SELECT * FROM {DOSSIERS} WHERE unit_id=$1 AND code=$2", unit_id, code
    )
    return row(found, DOSSIER_JSON)


async def dossiers(
    db: Db,
    unit_id: str,
    *,
    statuses: list[str] | None = None,
    procedure_id: uuid.UUID | None = None,
    department_id: str | None = None,
    overdue_on: date | None = None,
    patterns: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a unit's dossiers, the nearest step due date first, and how many match.
    `overdue_on` keeps the open ones whose current step is due before that day."""
    records = await db.fetch(
        f"SELECT *, count(*) OVER () AS total FROM {DOSSIERS} WHERE unit_id=$1 "
        "AND ($2::text[] IS NULL OR status = ANY($2)) AND ($3::uuid IS NULL OR procedure_id=$3) "
        "AND ($4::text IS NULL OR step_department=$4) "
        "AND ($5::date IS NULL OR (status = ANY($6) AND step_due_on < $5)) "
        "AND ($7::text[] IS NULL OR search LIKE ALL($7)) "
        "ORDER BY status = ANY($6) DESC, step_due_on, code LIMIT $8 OFFSET $9",
        unit_id,
        statuses,
        procedure_id,
        department_id,
        overdue_on,
        list(OPEN),
        patterns,
        limit,
        offset,
    )
    found = rows(records, DOSSIER_JSON)
    return found, found[0]["total"] if found else 0


async def calendar(db: Db) -> list[dict[str, Any]]:
    return rows(await db.fetch(f"SELECT * FROM {CALENDAR} ORDER BY day"))


_PERIOD = "received_on BETWEEN $2 AND $3"


async def statistics(
    db: Db, unit_id: str, start: date, end: date, today: date
) -> list[dict[str, Any]]:
    """Per procedure, dossiers received in the period: done early, on time, late; open, of
    them overdue; supplement requests."""
    records = await db.fetch(
        "SELECT d.procedure_id, v.code, v.name, count(*) AS received, "
        f"count(*) FILTER (WHERE d.status = ANY($4) AND d.outcome='early') AS early, "
        f"count(*) FILTER (WHERE d.status = ANY($4) AND d.outcome='on_time') AS on_time, "
        f"count(*) FILTER (WHERE d.status = ANY($4) AND d.outcome='late') AS late, "
        "count(*) FILTER (WHERE d.status = ANY($5)) AS open, "
        "count(*) FILTER (WHERE d.status = ANY($5) AND d.due_on < $6) AS overdue, "
        "coalesce(sum(d.supplement_requests), 0) AS supplement_requests "
        f"FROM {DOSSIERS} d JOIN LATERAL (SELECT code, name FROM {VERSIONS} "
        "  WHERE procedure_id=d.procedure_id ORDER BY number DESC LIMIT 1) v ON true "
        f"WHERE d.unit_id=$1 AND d.{_PERIOD} GROUP BY 1, 2, 3 ORDER BY v.code",
        unit_id,
        start,
        end,
        list(DONE),
        list(OPEN),
        today,
    )
    return rows(records)


async def department_statistics(
    db: Db, unit_id: str, start: date, end: date
) -> list[dict[str, Any]]:
    """Per department, the steps it finished of dossiers received in the period, by outcome."""
    records = await db.fetch(
        "SELECT s->>'department_id' AS department_id, count(*) AS steps, "
        "count(*) FILTER (WHERE s->>'outcome'='early') AS early, "
        "count(*) FILTER (WHERE s->>'outcome'='on_time') AS on_time, "
        "count(*) FILTER (WHERE s->>'outcome'='late') AS late "
        f"FROM {DOSSIERS} d CROSS JOIN LATERAL jsonb_array_elements(d.steps) s "
        f"WHERE d.unit_id=$1 AND d.{_PERIOD} AND s ? 'outcome' AND s->>'department_id' <> '' "
        "GROUP BY 1 ORDER BY 1",
        unit_id,
        start,
        end,
    )
    return rows(records)


async def pareto(
    db: Db, unit_id: str, start: date, end: date, procedure_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Nonconforming outputs recorded in the period by cause, the most frequent first, with
    the cumulative share (a Pareto of where corrective action is needed)."""
    records = await db.fetch(
        "SELECT cause, count(*) AS outputs, "
        "round(100.0 * sum(count(*)) OVER (ORDER BY count(*) DESC, cause) "
        "/ sum(count(*)) OVER (), 1)::float AS cumulative_percent "
        f"FROM {OUTPUTS} WHERE unit_id=$1 AND recorded_on BETWEEN $2 AND $3 "
        "AND ($4::uuid IS NULL OR procedure_id=$4) GROUP BY cause ORDER BY outputs DESC, cause",
        unit_id,
        start,
        end,
        procedure_id,
    )
    return rows(records)


async def feedback_statistics(db: Db, unit_id: str, start: date, end: date) -> dict[str, Any]:
    """Feedback received in the period and answered on time or late; the ratings given in the
    period by level, and the share satisfied."""
    received = await db.fetchrow(
        "SELECT count(*) AS received, count(*) FILTER (WHERE outcome='on_time') AS on_time, "
        "count(*) FILTER (WHERE outcome='late') AS late, "
        "count(*) FILTER (WHERE answered_on IS NULL) AS unanswered "
        f"FROM {FEEDBACK} WHERE unit_id=$1 AND received_on BETWEEN $2 AND $3",
        unit_id,
        start,
        end,
    )
    levels = await db.fetch(
        f"SELECT level, count(*) AS ratings FROM {RATINGS} "
        "WHERE unit_id=$1 AND rated_on BETWEEN $2 AND $3 GROUP BY level",
        unit_id,
        start,
        end,
    )
    counts = {level: 0 for level in ("satisfied", "acceptable", "not_satisfied")}
    counts |= {r["level"]: r["ratings"] for r in levels}
    rated = sum(counts.values())
    return {
        "feedback": dict(received or {}),
        "ratings": counts,
        "satisfaction_percent": round(100 * counts["satisfied"] / rated, 1) if rated else None,
    }


async def feedback(db: Db, feedback_id: uuid.UUID) -> dict[str, Any] | None:
    return row(await db.fetchrow(f"SELECT * FROM {FEEDBACK} WHERE id=$1", feedback_id))


async def feedback_inbox(
    db: Db, unit_id: str, *, statuses: list[str] | None = None, department_id: str | None = None
) -> list[dict[str, Any]]:
    """A unit's feedback, the nearest answer date first among the unanswered."""
    records = await db.fetch(
        f"SELECT * FROM {FEEDBACK} WHERE unit_id=$1 AND ($2::text[] IS NULL OR status = ANY($2)) "
        "AND ($3::text IS NULL OR department_id=$3) "
        "ORDER BY status = 'answered', answer_due_on, received_at LIMIT 500",
        unit_id,
        statuses,
        department_id,
    )
    return rows(records)


async def cause_raise(db: Db, raise_id: uuid.UUID) -> dict[str, Any] | None:
    return row(await db.fetchrow(f"SELECT * FROM {CAUSE_RAISES} WHERE id=$1", raise_id))


async def cause_raises(
    db: Db, procedure_id: uuid.UUID, start: date, end: date
) -> dict[str, dict[str, Any]]:
    """The causes of a procedure raised for corrective action over exactly this period."""
    records = await db.fetch(
        f"SELECT * FROM {CAUSE_RAISES} WHERE procedure_id=$1 AND start_on=$2 AND end_on=$3",
        procedure_id,
        start,
        end,
    )
    return {found["cause"]: found for found in rows(records)}


async def published_answers(db: Db, unit_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The answers a unit made public, the latest first (what the portal shows everyone)."""
    records = await db.fetch(
        f"SELECT * FROM {FEEDBACK} WHERE unit_id=$1 AND published "
        "ORDER BY answered_on DESC, received_at DESC LIMIT $2",
        unit_id,
        limit,
    )
    return rows(records)


async def monthly_between(db: Db, unit_id: str, start: date, end: date) -> list[dict[str, Any]]:
    """Per procedure and month of receipt ("YYYY-MM") in the period: received; done early, on
    time, late; still open."""
    records = await db.fetch(
        "SELECT procedure_id, to_char(received_on, 'YYYY-MM') AS month, count(*) AS received, "
        "count(*) FILTER (WHERE status = ANY($4) AND outcome='early') AS early, "
        "count(*) FILTER (WHERE status = ANY($4) AND outcome='on_time') AS on_time, "
        "count(*) FILTER (WHERE status = ANY($4) AND outcome='late') AS late, "
        "count(*) FILTER (WHERE status = ANY($5)) AS open "
        f"FROM {DOSSIERS} WHERE unit_id=$1 AND {_PERIOD} GROUP BY 1, 2 ORDER BY 1, 2",
        unit_id,
        start,
        end,
        list(DONE),
        list(OPEN),
    )
    return rows(records)
