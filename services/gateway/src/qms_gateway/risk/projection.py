"""How each risk contract changes the wing's read model (the version guard is the frame's)."""

import json
import uuid
from typing import Any

from qms_contracts import Envelope
from qms_contracts import risk as contract
from qms_gateway.frame.reviewed import insert_row, review_handlers, update_row
from qms_gateway.frame.search import fold
from qms_gateway.risk.readmodel import ENTRIES, PLANS, TABLES
from qms_runtime.projection import Projection, ProjectionDb

_PLAN_COLUMNS = ("title", "scope", "objectives", "resources", "period_start", "period_end")


def _plan_columns(p: contract.RiskPlanDrafted | contract.RiskPlanRevised) -> dict[str, Any]:
    return {
        **{name: getattr(p, name) for name in _PLAN_COLUMNS},
        "method": p.method.model_dump_json(),
        "search": fold(f"{p.title} {p.scope} {p.objectives}"),
    }


async def plan_drafted(c: ProjectionDb, e: Envelope, p: contract.RiskPlanDrafted) -> None:
    await insert_row(c, PLANS, e, unit_id=p.unit_id, status="draft", **_plan_columns(p))


async def plan_revised(c: ProjectionDb, e: Envelope, p: contract.RiskPlanRevised) -> None:
    await update_row(c, PLANS, e, status="draft", **_plan_columns(p))


async def identified(c: ProjectionDb, e: Envelope, p: contract.RiskIdentified) -> None:
    await insert_row(
        c,
        ENTRIES,
        e,
        unit_id=p.unit_id,
        plan_id=uuid.UUID(p.plan_id),
        kind=p.kind,
        title=p.title,
        process=p.process,
        cause=p.cause,
        consequence=p.consequence,
        department_id=p.department_id,
        method=p.method.model_dump_json(),
        identified_by=p.identified_by,
        status="identified",
        search=fold(f"{p.title} {p.process} {p.cause} {p.consequence}"),
    )


def _rating(p: contract.RiskAssessed | contract.RiskReassessed) -> str:
    return json.dumps(
        {"likelihood": p.likelihood, "severity": p.severity, "score": p.score, "level": p.level}
    )


async def assessed(c: ProjectionDb, e: Envelope, p: contract.RiskAssessed) -> None:
    await update_row(
        c, ENTRIES, e, status="assessed", inherent=_rating(p), level=p.level, priority=p.priority
    )


async def treatment_planned(c: ProjectionDb, e: Envelope, p: contract.TreatmentPlanned) -> None:
    # Done actions stay; the event lists the open ones from now on.
    planned = [a.model_dump(mode="json") for a in p.actions]
    await c.execute(
        f"UPDATE {ENTRIES} SET version=$2, updated_at=$3, status='treatment', option=$4, "
        "monitor_on=$5, "
        "actions=jsonb_path_query_array(actions, '$[*] ? (exists(@.done))') || $6::jsonb "
        "WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.option,
        p.monitor_on,
        json.dumps(planned, ensure_ascii=False),
    )


async def action_completed(
    c: ProjectionDb, e: Envelope, p: contract.TreatmentActionCompleted
) -> None:
    completion = {
        "done": True,
        "evidence": p.evidence,
        "completed_on": p.completed_on.isoformat(),
        "completed_by": p.completed_by,
    }
    await c.execute(
        f"UPDATE {ENTRIES} SET version=$2, updated_at=$3, actions=(SELECT jsonb_agg(CASE "
        "WHEN a->>'action_id' = $4 THEN a || $5::jsonb ELSE a END ORDER BY n) "
        "FROM jsonb_array_elements(actions) WITH ORDINALITY AS x(a, n)) WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.action_id,
        json.dumps(completion, ensure_ascii=False),
    )


async def reassessed(c: ProjectionDb, e: Envelope, p: contract.RiskReassessed) -> None:
    await update_row(
        c,
        ENTRIES,
        e,
        status="reassessed" if p.acceptable else "treatment",
        residual=_rating(p),
        level=p.level,
        acceptable=p.acceptable,
    )


async def closed(c: ProjectionDb, e: Envelope, p: contract.RiskClosed) -> None:
    await update_row(c, ENTRIES, e, status="closed", closing_note=p.note)


PROJECTION = Projection(
    name="risk",
    tables=TABLES,
    handlers={
        contract.RiskPlanDrafted: plan_drafted,
        contract.RiskPlanRevised: plan_revised,
        **review_handlers(
            PLANS, contract.RiskPlanSubmitted, contract.RiskPlanReturned, contract.RiskPlanApproved
        ),
        contract.RiskIdentified: identified,
        contract.RiskAssessed: assessed,
        contract.TreatmentPlanned: treatment_planned,
        contract.TreatmentActionCompleted: action_completed,
        contract.RiskReassessed: reassessed,
        contract.RiskClosed: closed,
    },
)
