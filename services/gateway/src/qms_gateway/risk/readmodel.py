"""Read model of the risk wing: assessment plans and the register, its heat map and report."""

import json
import uuid
from datetime import date
from typing import Any

from qms_gateway.frame.reviewed import REVIEWED_COLUMNS, step_index
from qms_gateway.frame.store import SCHEMA, Db, row, rows

PLANS = f"{SCHEMA}.risk_plans"
ENTRIES = f"{SCHEMA}.risk_entries"
PLAN_JSON = ("method",)
ENTRY_JSON = ("method", "inherent", "residual", "actions")
LEVELS = ("low", "medium", "high", "critical")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {PLANS} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    title text NOT NULL,
    scope text NOT NULL,
    objectives text NOT NULL,
    resources text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    method jsonb NOT NULL,{REVIEWED_COLUMNS},
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS risk_plans_unit ON {PLANS} (unit_id, status);
{step_index(PLANS)}
CREATE TABLE IF NOT EXISTS {ENTRIES} (
    id uuid PRIMARY KEY,
    unit_id text NOT NULL,
    plan_id uuid NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    process text NOT NULL,
    cause text NOT NULL,
    consequence text NOT NULL,
    department_id text NOT NULL,
    method jsonb NOT NULL,
    identified_by text NOT NULL,
    status text NOT NULL,
    version int NOT NULL,
    updated_at timestamptz NOT NULL,
    -- The ratings as {{likelihood, severity, score, level}}; `level` is the current one
    -- (residual once re-assessed, else inherent), which the register filters on.
    inherent jsonb,
    residual jsonb,
    level text,
    priority int,
    acceptable boolean,
    option text,
    -- Each action: its plan, and once done {{done, evidence, completed_on, completed_by}}.
    actions jsonb NOT NULL DEFAULT '[]',
    monitor_on date,
    closing_note text NOT NULL DEFAULT '',
    search text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS risk_entries_unit ON {ENTRIES} (unit_id, plan_id, status);
CREATE INDEX IF NOT EXISTS risk_entries_steps ON {ENTRIES} (status, updated_at, id);
CREATE INDEX IF NOT EXISTS risk_entries_processes ON {ENTRIES} (unit_id, process);
"""
TABLES = (PLANS, ENTRIES)

#: Whether an entry's current level is above its plan's acceptance level.
ABOVE_ACCEPTANCE = (
    "array_position(ARRAY['low','medium','high','critical'], e.level) > "
    "array_position(ARRAY['low','medium','high','critical'], e.method->>'acceptance_level')"
)


def overdue_actions(today: str) -> str:
    """The entry's actions not done and due before the date in parameter `today` (ISO text)."""
    return (
        "jsonb_path_query_array(e.actions, '$[*] ? (!exists(@.done) && @.due_date < $today)', "
        f"jsonb_build_object('today', {today}::text))"
    )


async def plan(db: Db, plan_id: uuid.UUID) -> dict[str, Any] | None:
    return row(await db.fetchrow(f"SELECT * FROM {PLANS} WHERE id=$1", plan_id), PLAN_JSON)


async def plans(db: Db, unit_id: str, statuses: list[str] | None) -> list[dict[str, Any]]:
    records = await db.fetch(
        f"SELECT * FROM {PLANS} WHERE unit_id=$1 AND ($2::text[] IS NULL OR status = ANY($2)) "
        "ORDER BY period_start DESC, title",
        unit_id,
        statuses,
    )
    return rows(records, PLAN_JSON)


async def entry(db: Db, entry_id: uuid.UUID) -> dict[str, Any] | None:
    return row(await db.fetchrow(f"SELECT * FROM {ENTRIES} WHERE id=$1", entry_id), ENTRY_JSON)


async def entries(
    db: Db,
    unit_id: str,
    *,
    plan_id: uuid.UUID | None = None,
    level: str | None = None,
    department_id: str | None = None,
    status: str | None = None,
    process: str | None = None,
    kind: str | None = None,
    patterns: list[str] | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a unit's register matching the filters (highest priority first), and the
    number matching in all."""
    records = await db.fetch(
        f"SELECT *, count(*) OVER () AS total FROM {ENTRIES} WHERE unit_id=$1 "
        "AND ($2::uuid IS NULL OR plan_id=$2) AND ($3::text IS NULL OR level=$3) "
        "AND ($4::text IS NULL OR department_id=$4) AND ($5::text IS NULL OR status=$5) "
        "AND ($6::text IS NULL OR process=$6) AND ($7::text IS NULL OR kind=$7) "
        "AND ($8::text[] IS NULL OR search LIKE ALL($8)) "
        "ORDER BY status = 'closed', priority NULLS FIRST, updated_at DESC, id "
        "LIMIT $9 OFFSET $10",
        unit_id,
        plan_id,
        level,
        department_id,
        status,
        process,
        kind,
        patterns,
        limit,
        offset,
    )
    found = rows(records, ENTRY_JSON)
    return found, found[0]["total"] if found else 0


async def processes(db: Db, unit_id: str) -> list[str]:
    """The processes the unit's register names, for the register's filter."""
    records = await db.fetch(
        f"SELECT DISTINCT process FROM {ENTRIES} WHERE unit_id=$1 ORDER BY process", unit_id
    )
    return [r["process"] for r in records]


async def heat_map(
    db: Db, unit_id: str, plan_id: uuid.UUID | None
) -> dict[str, dict[tuple[int, int], int]]:
    """Entries per matrix cell (likelihood, severity), inherent and residual."""
    records = await db.fetch(
        "SELECT rating, (r->>'likelihood')::int AS likelihood, (r->>'severity')::int AS severity, "
        "count(*) AS entries FROM ("
        f"  SELECT 'inherent' AS rating, inherent AS r, unit_id, plan_id FROM {ENTRIES}"
        f"  UNION ALL SELECT 'residual', residual, unit_id, plan_id FROM {ENTRIES}"
        ") ratings WHERE r IS NOT NULL AND unit_id=$1 AND ($2::uuid IS NULL OR plan_id=$2) "
        "GROUP BY 1, 2, 3",
        unit_id,
        plan_id,
    )
    found: dict[str, dict[tuple[int, int], int]] = {"inherent": {}, "residual": {}}
    for r in records:
        found[r["rating"]][(r["likelihood"], r["severity"])] = r["entries"]
    return found


async def report(db: Db, plan_id: uuid.UUID, today: date) -> dict[str, Any]:
    """The secretary's report of a plan: levels before and after treatment, actions done and
    overdue, opportunities taken."""
    records = await db.fetch(
        "SELECT e.id, e.kind, e.title, e.status, e.department_id, e.option, "
        "e.inherent->>'level' AS inherent_level, e.residual->>'level' AS residual_level, "
        "jsonb_array_length(jsonb_path_query_array(e.actions, '$[*] ? (exists(@.done))')) "
        "AS actions_done, "
        "jsonb_array_length(e.actions) AS actions_planned, "
        f"{overdue_actions('$2')} AS overdue "
        f"FROM {ENTRIES} e WHERE e.plan_id=$1 ORDER BY e.priority NULLS FIRST, e.title",
        plan_id,
        today.isoformat(),
    )
    by_level: dict[str, dict[str, int]] = {
        "inherent": dict.fromkeys(LEVELS, 0),
        "residual": dict.fromkeys(LEVELS, 0),
    }
    overdue: list[dict[str, Any]] = []
    for r in records:
        for rating in ("inherent", "residual"):
            if r[f"{rating}_level"]:
                by_level[rating][r[f"{rating}_level"]] += 1
        overdue += [
            {**action, "entry_id": str(r["id"]), "entry_title": r["title"]}
            for action in json.loads(r["overdue"])
        ]
    return {
        "entries": len(records),
        "risks": sum(r["kind"] == "risk" for r in records),
        "opportunities": sum(r["kind"] == "opportunity" for r in records),
        "closed": sum(r["status"] == "closed" for r in records),
        "by_level": by_level,
        "actions_planned": sum(r["actions_planned"] for r in records),
        "actions_done": sum(r["actions_done"] for r in records),
        "overdue_actions": overdue,
        "opportunities_taken": [
            {
                "entry_id": str(r["id"]),
                "title": r["title"],
                "option": r["option"],
                "status": r["status"],
            }
            for r in records
            if r["kind"] == "opportunity" and r["option"] in ("exploit", "enhance", "share")
        ],
    }


async def risk_status(db: Db, unit_ids: list[str], today: date) -> dict[str, dict[str, int]]:
    """Per unit: open entries above their plan's acceptance level, and overdue actions."""
    records = await db.fetch(
        "SELECT u.unit_id, "
        f"(SELECT count(*) FROM {ENTRIES} e WHERE e.unit_id=u.unit_id AND e.status <> 'closed' "
        f"AND {ABOVE_ACCEPTANCE}) AS above_acceptance, "
        f"(SELECT coalesce(sum(jsonb_array_length({overdue_actions('$2')})), 0) "
        f"FROM {ENTRIES} e WHERE e.unit_id=u.unit_id AND e.status = 'treatment') "
        "AS overdue_actions FROM unnest($1::text[]) AS u(unit_id)",
        unit_ids,
        today.isoformat(),
    )
    return {r["unit_id"]: dict(r) for r in records}
