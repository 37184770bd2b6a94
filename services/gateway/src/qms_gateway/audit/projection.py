"""How each audit contract changes the wing's read model (the version guard is the frame's)."""

import json
import uuid
from typing import Any

from qms_contracts import Envelope
from qms_contracts import audit as contract
from qms_gateway.audit.readmodel import (
    NONCONFORMITIES,
    PLANS,
    PROGRAMMES,
    TABLES,
    plan_title,
    programme_title,
)
from qms_gateway.frame.reviewed import insert_row, review_handlers, set_status, update_row
from qms_gateway.frame.search import fold
from qms_runtime.projection import Projection, ProjectionDb

#: How long a nonconformity's title (its description's start) may be in lists and tasks.
TITLE_LENGTH = 120


def _programme_columns(
    p: contract.AuditProgrammeDrafted | contract.AuditProgrammeRevised,
) -> dict[str, Any]:
    return {
        "year": p.year,
        "title": programme_title(p.year),
        "objectives": p.objectives,
        "scope": p.scope,
        "criteria": p.criteria,
        "department_ids": json.dumps(p.department_ids, ensure_ascii=False),
        "period_start": p.period_start,
        "period_end": p.period_end,
        "planned_rounds": p.planned_rounds,
    }


async def programme_drafted(
    c: ProjectionDb, e: Envelope, p: contract.AuditProgrammeDrafted
) -> None:
    await insert_row(c, PROGRAMMES, e, unit_id=p.unit_id, status="draft", **_programme_columns(p))


async def programme_revised(
    c: ProjectionDb, e: Envelope, p: contract.AuditProgrammeRevised
) -> None:
    await update_row(c, PROGRAMMES, e, status="draft", **_programme_columns(p))


def _plan_columns(p: contract.AuditPlanDrafted | contract.AuditPlanRevised) -> dict[str, Any]:
    visits = [visit.model_dump(mode="json") for visit in p.visits]
    return {
        "round": p.round,
        "title": plan_title(p.round),
        "visits": json.dumps(visits, ensure_ascii=False),
    }


async def plan_drafted(c: ProjectionDb, e: Envelope, p: contract.AuditPlanDrafted) -> None:
    await insert_row(
        c,
        PLANS,
        e,
        unit_id=p.unit_id,
        programme_id=uuid.UUID(p.programme_id),
        status="draft",
        **_plan_columns(p),
    )


async def plan_revised(c: ProjectionDb, e: Envelope, p: contract.AuditPlanRevised) -> None:
    await update_row(c, PLANS, e, status="draft", **_plan_columns(p))


async def finding_recorded(c: ProjectionDb, e: Envelope, p: contract.FindingRecorded) -> None:
    finding = {
        "finding_id": p.finding_id,
        "department_id": p.department_id,
        "kind": p.kind,
        "clause": p.clause,
        "evidence": p.evidence,
        "recorded_by": p.recorded_by,
        "recorded_at": e.time.isoformat(),
        "acknowledged": False,
    }
    await c.execute(
        f"UPDATE {PLANS} SET version=$2, updated_at=$3, findings=findings || $4::jsonb WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        json.dumps([finding], ensure_ascii=False),
    )


async def finding_acknowledged(
    c: ProjectionDb, e: Envelope, p: contract.FindingAcknowledged
) -> None:
    acknowledgement = {"acknowledged": True, "acknowledged_by": p.acknowledged_by, "note": p.note}
    await c.execute(
        f"UPDATE {PLANS} SET version=$2, updated_at=$3, findings=(SELECT jsonb_agg(CASE "
        "WHEN f->>'finding_id' = $4 THEN f || $5::jsonb ELSE f END ORDER BY n) "
        "FROM jsonb_array_elements(findings) WITH ORDINALITY AS x(f, n)) WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.finding_id,
        json.dumps(acknowledgement, ensure_ascii=False),
    )


async def concluded(c: ProjectionDb, e: Envelope, p: contract.AuditConcluded) -> None:
    await update_row(
        c,
        PLANS,
        e,
        status="concluded",
        outcome=p.outcome,
        conclusion_note=p.note,
        follow_up_plan_id=uuid.UUID(p.follow_up_plan_id) if p.follow_up_plan_id else None,
        concluded_by=p.concluded_by,
    )


async def nonconformity_opened(
    c: ProjectionDb, e: Envelope, p: contract.NonconformityOpened
) -> None:
    await insert_row(
        c,
        NONCONFORMITIES,
        e,
        unit_id=p.unit_id,
        title=p.description[:TITLE_LENGTH],
        source=p.source,
        department_id=p.department_id,
        description=p.description,
        clause=p.clause,
        plan_id=uuid.UUID(p.plan_id) if p.plan_id else None,
        finding_id=p.finding_id,
        review_id=uuid.UUID(p.review_id) if p.review_id else None,
        output_id=p.output_id,
        feedback_id=uuid.UUID(p.feedback_id) if p.feedback_id else None,
        cause_raise_id=uuid.UUID(p.cause_raise_id) if p.cause_raise_id else None,
        opened_by=p.opened_by,
        opened_at=e.time,
        status="open",
        search=fold(f"{p.description} {p.clause} {p.department_id}"),
    )


async def action_planned(c: ProjectionDb, e: Envelope, p: contract.CorrectiveActionPlanned) -> None:
    action = p.model_dump(
        mode="json",
        include={
            "correction",
            "root_cause",
            "action",
            "owner_department_id",
            "due_date",
            "attempt",
        },
    )
    await update_row(
        c,
        NONCONFORMITIES,
        e,
        status="action_planned",
        action=json.dumps(action, ensure_ascii=False),
    )


async def implemented(
    c: ProjectionDb, e: Envelope, p: contract.CorrectiveActionImplemented
) -> None:
    done = {"evidence": p.evidence, "implemented_on": p.implemented_on.isoformat()}
    await c.execute(
        f"UPDATE {NONCONFORMITIES} SET version=$2, updated_at=$3, status='implemented', "
        "action=action || $4::jsonb WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        json.dumps(done, ensure_ascii=False),
    )


async def verified(c: ProjectionDb, e: Envelope, p: contract.EffectivenessVerified) -> None:
    """Effective: verified; not effective, the reopening that follows says so."""
    await update_row(c, NONCONFORMITIES, e, status="verified" if p.effective else "implemented")


async def nonconformity_closed(
    c: ProjectionDb, e: Envelope, p: contract.NonconformityClosed
) -> None:
    await update_row(c, NONCONFORMITIES, e, status="closed", closed_at=e.time)


PROJECTION = Projection(
    name="audit",
    tables=TABLES,
    handlers={
        contract.AuditProgrammeDrafted: programme_drafted,
        contract.AuditProgrammeRevised: programme_revised,
        **review_handlers(
            PROGRAMMES,
            contract.AuditProgrammeSubmitted,
            contract.AuditProgrammeReturned,
            contract.AuditProgrammeApproved,
        ),
        contract.AuditPlanDrafted: plan_drafted,
        contract.AuditPlanRevised: plan_revised,
        **review_handlers(
            PLANS,
            contract.AuditPlanSubmitted,
            contract.AuditPlanReturned,
            contract.AuditPlanApproved,
        ),
        contract.FindingRecorded: finding_recorded,
        contract.FindingAcknowledged: finding_acknowledged,
        contract.AuditConcluded: concluded,
        contract.NonconformityOpened: nonconformity_opened,
        contract.CorrectiveActionPlanned: action_planned,
        contract.CorrectiveActionImplemented: implemented,
        contract.EffectivenessVerified: verified,
        contract.NonconformityReopened: set_status(NONCONFORMITIES, "reopened"),
        contract.NonconformityClosed: nonconformity_closed,
    },
)
