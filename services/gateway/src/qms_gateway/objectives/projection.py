"""How each objectives contract changes the wing's read model (the version guard is the frame's)."""

import json
import uuid
from typing import Any

from qms_contracts import Envelope, IntegrationEvent
from qms_contracts import objectives as contract
from qms_gateway.frame.reviewed import insert_row, review_handlers, set_status, update_row
from qms_gateway.frame.search import fold
from qms_gateway.objectives.readmodel import DOCUMENTS, OBJECTIVES, TABLES
from qms_runtime.projection import Handler, Projection, ProjectionDb


def _objective_search(title: str, targets: list[contract.Target]) -> str:
    return fold(" ".join([title, *(f"{t.statement} {t.indicator}" for t in targets)]))


def _targets_json(targets: list[contract.Target]) -> str:
    return json.dumps(
        [{**t.model_dump(mode="json"), "progress": []} for t in targets], ensure_ascii=False
    )


async def objective_drafted(c: ProjectionDb, e: Envelope, p: contract.ObjectiveDrafted) -> None:
    await insert_row(
        c,
        OBJECTIVES,
        e,
        unit_id=p.unit_id,
        year=p.year,
        title=p.title,
        status="draft",
        targets=_targets_json(p.targets),
        search=_objective_search(p.title, p.targets),
    )


async def objective_revised(c: ProjectionDb, e: Envelope, p: contract.ObjectiveRevised) -> None:
    await update_row(
        c,
        OBJECTIVES,
        e,
        title=p.title,
        status="draft",
        targets=_targets_json(p.targets),
        search=_objective_search(p.title, p.targets),
    )


async def objective_disseminated(
    c: ProjectionDb, e: Envelope, p: contract.ObjectiveDisseminated
) -> None:
    await update_row(
        c, OBJECTIVES, e, status="disseminated", department_ids=json.dumps(p.department_ids)
    )


async def progress_recorded(
    c: ProjectionDb, e: Envelope, p: contract.TargetProgressRecorded
) -> None:
    entry = {
        "value": p.value,
        "as_of": p.as_of.isoformat(),
        "note": p.note,
        "recorded_by": p.recorded_by,
        "source_event_id": p.source_event_id,
    }
    # Appended in SQL, not read and written back: a projection write needs no round trip.
    await c.execute(
        f"UPDATE {OBJECTIVES} SET version=$2, updated_at=$3, targets=(SELECT jsonb_agg(CASE "
        "WHEN t->>'target_id' = $4 THEN jsonb_set(t, '{progress}', (t->'progress') || $5::jsonb) "
        "ELSE t END ORDER BY n) FROM jsonb_array_elements(targets) WITH ORDINALITY AS x(t, n)) "
        "WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.target_id,
        json.dumps([entry], ensure_ascii=False),
    )


async def objective_evaluated(c: ProjectionDb, e: Envelope, p: contract.ObjectiveEvaluated) -> None:
    await update_row(
        c,
        OBJECTIVES,
        e,
        status="evaluated",
        achieved=p.achieved,
        evaluation_note=p.note,
        results=json.dumps([r.model_dump() for r in p.results]),
    )


def _document_handlers(events: contract.DocumentEvents) -> dict[type[IntegrationEvent], Handler]:
    async def on_drafted(c: ProjectionDb, e: Envelope, p: Any) -> None:
        await c.execute(
            f"INSERT INTO {DOCUMENTS} (id, unit_id, kind, version_number, title, content, "
            "status, version, updated_at, search) "
            "VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9)",
            uuid.UUID(p.document_id),
            p.unit_id,
            events.kind,
            p.version_number,
            p.title,
            p.content,
            e.aggregateversion,
            e.time,
            fold(f"{p.title} {p.content}"),
        )

    async def on_revised(c: ProjectionDb, e: Envelope, p: Any) -> None:
        await update_row(
            c,
            DOCUMENTS,
            e,
            title=p.title,
            content=p.content,
            status="draft",
            search=fold(f"{p.title} {p.content}"),
        )

    return {
        events.drafted: on_drafted,
        events.revised: on_revised,
        **review_handlers(DOCUMENTS, events.submitted, events.returned, events.approved),
        events.published: set_status(DOCUMENTS, "published"),
        events.superseded: set_status(DOCUMENTS, "superseded"),
    }


PROJECTION = Projection(
    name="objectives",
    tables=TABLES,
    handlers={
        contract.ObjectiveDrafted: objective_drafted,
        contract.ObjectiveRevised: objective_revised,
        **review_handlers(
            OBJECTIVES,
            contract.ObjectiveSubmitted,
            contract.ObjectiveReturned,
            contract.ObjectiveApproved,
        ),
        contract.ObjectiveDisseminated: objective_disseminated,
        contract.TargetProgressRecorded: progress_recorded,
        contract.ObjectiveEvaluated: objective_evaluated,
        **_document_handlers(contract.POLICY_EVENTS),
        **_document_handlers(contract.CONTEXT_EVENTS),
    },
)
