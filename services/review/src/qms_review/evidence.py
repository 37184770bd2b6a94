"""The evidence pack: what the objectives and audit services tell, kept per unit and year.

Reactions (run by the runtime's idempotent consumer, each in the transaction that records its
event as processed) keep two tables in the service's schema: `evidence_records`, the records
the facts are about (an objective, an audit programme or plan, a nonconformity, a version of
the policy or context) with the year they carry, and `evidence_facts`, one row per fact with
the event it came from. A fact's year is worked out when it is read (view `evidence_by_year`):
an objective's or a programme's own year, a plan's programme's year, or for nonconformities and
documents the date the fact happened in Vietnam. So the order in which events of different
records arrive changes nothing, a duplicate is dropped by its event id, and a replay from zero
gives the same pack.
"""

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

import asyncpg

from qms_contracts import Envelope, IntegrationEvent
from qms_contracts import audit as audit_events
from qms_contracts import objectives as objective_events
from qms_contracts.objectives import CONTEXT_EVENTS, POLICY_EVENTS, DocumentEvents
from qms_contracts.review import SERVICE
from qms_contracts.review_reads import (
    AuditEvidence,
    AuditsEvidence,
    DocumentEvidence,
    DocumentsEvidence,
    FindingEvidence,
    NonconformitiesEvidence,
    NonconformityEvidence,
    ObjectiveEvidence,
    ObjectivesEvidence,
    ProgrammeEvidence,
    YearEvidence,
)
from qms_runtime import clock
from qms_runtime.consumer import Db
from qms_runtime.service import Reaction

#: The service's own schema, beside its event store.
SCHEMA = SERVICE
TIMEZONE = clock.TIMEZONE.key

DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.evidence_records (
    record_id text PRIMARY KEY,
    unit_id text NOT NULL,
    kind text NOT NULL,
    year int,
    parent_id text,
    title text NOT NULL,
    version int NOT NULL,
    event_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.evidence_facts (
    event_id text PRIMARY KEY,
    unit_id text NOT NULL,
    record_id text NOT NULL,
    version int NOT NULL,
    fact text NOT NULL,
    dated_by text NOT NULL CHECK (dated_by IN ('record', 'time')),
    occurred_at timestamptz NOT NULL,
    detail jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_facts_unit ON {SCHEMA}.evidence_facts (unit_id);
-- Dropped and made again: a later version may change its columns, which REPLACE refuses.
DROP VIEW IF EXISTS {SCHEMA}.evidence_by_year;
CREATE VIEW {SCHEMA}.evidence_by_year AS
SELECT f.*,
       r.kind, r.title, r.event_id AS record_event_id, r.parent_id, p.event_id AS parent_event_id,
       CASE WHEN f.dated_by = 'time'
            THEN extract(year FROM f.occurred_at AT TIME ZONE '{TIMEZONE}')::int
            ELSE coalesce(r.year, p.year) END AS year,
       (f.occurred_at AT TIME ZONE '{TIMEZONE}')::date AS occurred_on
FROM {SCHEMA}.evidence_facts f
LEFT JOIN {SCHEMA}.evidence_records r ON r.record_id = f.record_id
LEFT JOIN {SCHEMA}.evidence_records p ON p.record_id = r.parent_id;
"""

RecordKind = Literal[
    "objective", "audit_programme", "audit_plan", "nonconformity", "policy", "context"
]


async def _record(
    db: Db,
    envelope: Envelope,
    *,
    record_id: str,
    kind: RecordKind,
    title: str,
    year: int | None = None,
    parent_id: str | None = None,
) -> None:
    """What a record is (its title, its year or parent), from its latest content event."""
    await db.execute(
        f"INSERT INTO {SCHEMA}.evidence_records AS r "
        "(record_id, unit_id, kind, year, parent_id, title, version, event_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (record_id) DO UPDATE SET "
        "year = coalesce(EXCLUDED.year, r.year), parent_id = coalesce(EXCLUDED.parent_id, "
        "r.parent_id), title = EXCLUDED.title, version = EXCLUDED.version, "
        "event_id = EXCLUDED.event_id WHERE r.version < EXCLUDED.version",
        record_id,
        envelope.unitid,
        kind,
        year,
        parent_id,
        title,
        envelope.aggregateversion,
        envelope.id,
    )


async def _fact(
    db: Db,
    envelope: Envelope,
    *,
    fact: str,
    record_id: str,
    dated_by: Literal["record", "time"],
    **detail: Any,
) -> None:
    await db.execute(
        f"INSERT INTO {SCHEMA}.evidence_facts "
        "(event_id, unit_id, record_id, version, fact, dated_by, occurred_at, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (event_id) DO NOTHING",
        envelope.id,
        envelope.unitid,
        record_id,
        envelope.aggregateversion,
        fact,
        dated_by,
        envelope.time,
        json.dumps(detail),
    )


# Objectives (6.2): dated by the objective's own year.


async def objective_drafted(
    db: Db, envelope: Envelope, e: objective_events.ObjectiveDrafted
) -> None:
    await _record(
        db, envelope, record_id=e.objective_id, kind="objective", title=e.title, year=e.year
    )


async def objective_revised(
    db: Db, envelope: Envelope, e: objective_events.ObjectiveRevised
) -> None:
    await _record(db, envelope, record_id=e.objective_id, kind="objective", title=e.title)


async def objective_approved(
    db: Db, envelope: Envelope, e: objective_events.ObjectiveApproved
) -> None:
    await _fact(
        db, envelope, fact="objective_approved", record_id=e.objective_id, dated_by="record"
    )


async def objective_evaluated(
    db: Db, envelope: Envelope, e: objective_events.ObjectiveEvaluated
) -> None:
    await _fact(
        db,
        envelope,
        fact="objective_evaluated",
        record_id=e.objective_id,
        dated_by="record",
        achieved=e.achieved,
    )


# Policy (5.2) and context (4): controlled documents, dated by when they were published.


def _document_reactions(events: DocumentEvents) -> dict[type[IntegrationEvent], Reaction]:
    kind: RecordKind = events.kind

    async def drafted(db: Db, envelope: Envelope, e: Any) -> None:
        await _record(db, envelope, record_id=e.document_id, kind=kind, title=e.title)

    async def published(db: Db, envelope: Envelope, e: Any) -> None:
        await _fact(
            db,
            envelope,
            fact="document_published",
            record_id=e.document_id,
            dated_by="time",
            kind=kind,
            version_number=e.version_number,
        )

    async def superseded(db: Db, envelope: Envelope, e: Any) -> None:
        await _fact(
            db,
            envelope,
            fact="document_superseded",
            record_id=e.document_id,
            dated_by="time",
            kind=kind,
            version_number=e.version_number,
        )

    return {
        events.drafted: drafted,
        events.revised: drafted,
        events.published: published,
        events.superseded: superseded,
    }


# Internal audit (9.2): dated by the programme's year (a plan's through its programme).


async def programme_content(db: Db, envelope: Envelope, e: Any) -> None:
    """AuditProgrammeDrafted and AuditProgrammeRevised: both carry the whole programme."""
    await _record(
        db, envelope, record_id=e.programme_id, kind="audit_programme", title=e.scope, year=e.year
    )


async def programme_approved(
    db: Db, envelope: Envelope, e: audit_events.AuditProgrammeApproved
) -> None:
    await _fact(
        db, envelope, fact="programme_approved", record_id=e.programme_id, dated_by="record"
    )


async def plan_drafted(db: Db, envelope: Envelope, e: audit_events.AuditPlanDrafted) -> None:
    await _record(
        db,
        envelope,
        record_id=e.plan_id,
        kind="audit_plan",
        title=f"Đợt {e.round}",
        parent_id=e.programme_id,
    )


async def plan_revised(db: Db, envelope: Envelope, e: audit_events.AuditPlanRevised) -> None:
    await _record(db, envelope, record_id=e.plan_id, kind="audit_plan", title=f"Đợt {e.round}")


async def finding_recorded(db: Db, envelope: Envelope, e: audit_events.FindingRecorded) -> None:
    await _fact(
        db,
        envelope,
        fact="finding_recorded",
        record_id=e.plan_id,
        dated_by="record",
        finding_id=e.finding_id,
        kind=e.kind,
        department_id=e.department_id,
        clause=e.clause,
    )


async def audit_concluded(db: Db, envelope: Envelope, e: audit_events.AuditConcluded) -> None:
    await _fact(
        db,
        envelope,
        fact="audit_concluded",
        record_id=e.plan_id,
        dated_by="record",
        outcome=e.outcome,
    )


# Nonconformity (10.2): dated by when it was opened, and when closed.


async def nonconformity_opened(
    db: Db, envelope: Envelope, e: audit_events.NonconformityOpened
) -> None:
    await _record(
        db, envelope, record_id=e.nonconformity_id, kind="nonconformity", title=e.description
    )
    await _fact(
        db,
        envelope,
        fact="nonconformity_opened",
        record_id=e.nonconformity_id,
        dated_by="time",
        source=e.source,
        department_id=e.department_id,
    )


async def nonconformity_closed(
    db: Db, envelope: Envelope, e: audit_events.NonconformityClosed
) -> None:
    await _fact(
        db, envelope, fact="nonconformity_closed", record_id=e.nonconformity_id, dated_by="time"
    )


REACTIONS: Mapping[type[IntegrationEvent], Reaction] = {
    objective_events.ObjectiveDrafted: objective_drafted,
    objective_events.ObjectiveRevised: objective_revised,
    objective_events.ObjectiveApproved: objective_approved,
    objective_events.ObjectiveEvaluated: objective_evaluated,
    **_document_reactions(POLICY_EVENTS),
    **_document_reactions(CONTEXT_EVENTS),
    audit_events.AuditProgrammeDrafted: programme_content,
    audit_events.AuditProgrammeRevised: programme_content,
    audit_events.AuditProgrammeApproved: programme_approved,
    audit_events.AuditPlanDrafted: plan_drafted,
    audit_events.AuditPlanRevised: plan_revised,
    audit_events.FindingRecorded: finding_recorded,
    audit_events.AuditConcluded: audit_concluded,
    audit_events.NonconformityOpened: nonconformity_opened,
    audit_events.NonconformityClosed: nonconformity_closed,
}


# The pack, as the API shows it (its models are shared with the gateway)


def _ids(*ids: str | None) -> list[str]:
    """Event ids in order, each once, none missing."""
    return list(dict.fromkeys(i for i in ids if i))


async def year_evidence(pool: asyncpg.Pool, unit_id: str, year: int) -> YearEvidence:
    rows = await pool.fetch(
        f"SELECT * FROM {SCHEMA}.evidence_by_year WHERE unit_id = $1 "
        "ORDER BY occurred_at, event_id",
        unit_id,
    )
    facts = [{**row, "detail": json.loads(row["detail"])} for row in rows]
    of_year = [f for f in facts if f["year"] == year]
    return YearEvidence(
        unit_id=unit_id,
        year=year,
        objectives=_objectives(of_year),
        audits=_audits(of_year),
        nonconformities=_nonconformities(facts, year),
        documents=_documents(facts, year),
    )


def _objectives(facts: list[dict[str, Any]]) -> ObjectivesEvidence:
    found: dict[str, dict[str, Any]] = {}
    for fact in facts:
        if not fact["fact"].startswith("objective_"):
            continue
        entry = found.setdefault(
            fact["record_id"],
            {"title": fact["title"] or "", "approved": None, "evaluated": None},
        )
        if fact["fact"] == "objective_approved":
            entry["approved"] = fact
        elif entry["evaluated"] is None or entry["evaluated"]["version"] < fact["version"]:
            entry["evaluated"] = fact
    objectives = [
        ObjectiveEvidence(
            objective_id=objective_id,
            title=entry["title"],
            approved=entry["approved"] is not None,
            achieved=entry["evaluated"]["detail"]["achieved"] if entry["evaluated"] else None,
            event_ids=_ids(
                *(
                    entry[step]["record_event_id"]
                    for step in ("approved", "evaluated")
                    if entry[step]
                ),
                *(entry[step]["event_id"] for step in ("approved", "evaluated") if entry[step]),
            ),
        )
        for objective_id, entry in found.items()
    ]
    return ObjectivesEvidence(
        set=sum(o.approved for o in objectives),
        achieved=sum(o.achieved is True for o in objectives),
        not_achieved=sum(o.achieved is False for o in objectives),
        not_evaluated=sum(o.achieved is None for o in objectives),
        objectives=objectives,
    )


def _audits(facts: list[dict[str, Any]]) -> AuditsEvidence:
    programmes = [
        ProgrammeEvidence(
            programme_id=f["record_id"],
            scope=f["title"] or "",
            event_ids=_ids(f["record_event_id"], f["event_id"]),
        )
        for f in facts
        if f["fact"] == "programme_approved"
    ]
    audits = [
        AuditEvidence(
            plan_id=f["record_id"],
            programme_id=f["parent_id"],
            title=f["title"] or "",
            outcome=f["detail"]["outcome"],
            event_ids=_ids(f["parent_event_id"], f["record_event_id"], f["event_id"]),
        )
        for f in facts
        if f["fact"] == "audit_concluded"
    ]
    findings = [
        FindingEvidence(
            plan_id=f["record_id"],
            finding_id=f["detail"]["finding_id"],
            kind=f["detail"]["kind"],
            department_id=f["detail"]["department_id"],
            clause=f["detail"]["clause"],
            event_ids=_ids(f["parent_event_id"], f["record_event_id"], f["event_id"]),
        )
        for f in facts
        if f["fact"] == "finding_recorded"
    ]
    return AuditsEvidence(
        programmes_approved=programmes,
        audits_concluded=audits,
        findings_by_kind=dict(sorted(Counter(f.kind for f in findings).items())),
        findings=findings,
    )


def _nonconformities(facts: list[dict[str, Any]], year: int) -> NonconformitiesEvidence:
    """Those opened or closed in the year, each with where it stands now."""
    opened = {f["record_id"]: f for f in facts if f["fact"] == "nonconformity_opened"}
    closed = {f["record_id"]: f for f in facts if f["fact"] == "nonconformity_closed"}
    opened_in_year = {nc_id for nc_id, f in opened.items() if f["year"] == year}
    closed_in_year = {nc_id for nc_id, f in closed.items() if f["year"] == year}
    items = []
    for nc_id in dict.fromkeys([*opened, *closed]):
        if nc_id not in opened_in_year | closed_in_year:
            continue
        opening, closing = opened.get(nc_id), closed.get(nc_id)
        items.append(
            NonconformityEvidence(
                nonconformity_id=nc_id,
                description=(opening or closing or {}).get("title") or "",
                department_id=opening["detail"]["department_id"] if opening else "",
                source=opening["detail"]["source"] if opening else "",
                opened_on=opening["occurred_on"] if opening else None,
                closed_on=closing["occurred_on"] if closing else None,
                status="closed" if closing else "open",
                event_ids=_ids(
                    opening["event_id"] if opening else None,
                    closing["event_id"] if closing else None,
                ),
            )
        )
    return NonconformitiesEvidence(
        opened=len(opened_in_year),
        closed=len(closed_in_year),
        still_open=len(opened_in_year - set(closed)),
        nonconformities=items,
    )


def _documents(facts: list[dict[str, Any]], year: int) -> DocumentsEvidence:
    superseded = {f["record_id"]: f for f in facts if f["fact"] == "document_superseded"}
    versions = []
    for f in facts:
        if f["fact"] != "document_published":
            continue
        ending = superseded.get(f["record_id"])
        versions.append(
            (
                f,
                ending,
                DocumentEvidence(
                    document_id=f["record_id"],
                    kind=f["detail"]["kind"],
                    version_number=f["detail"]["version_number"],
                    title=f["title"] or "",
                    published_on=f["occurred_on"],
                    superseded_on=ending["occurred_on"] if ending else None,
                    event_ids=_ids(
                        f["record_event_id"], f["event_id"], ending["event_id"] if ending else None
                    ),
                ),
            )
        )
    return DocumentsEvidence(
        policy_in_force=[
            document
            for published, ending, document in versions
            if document.kind == "policy"
            and published["year"] <= year
            and (ending is None or ending["year"] >= year)
        ],
        published=[d for published, _, d in versions if published["year"] == year],
        superseded=[
            d for _, ending, d in versions if ending is not None and ending["year"] == year
        ],
    )
