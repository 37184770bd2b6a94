"""Projection of integration events into the gateway's read models.

Order-safe per aggregate: an event older than the row is dropped; an event that skips a
version first fills the gap from the owning service's event feed (DESIGN.md §3.6).
"""

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from qms_contracts import Envelope, IntegrationEvent, model_for_type
from qms_contracts import objectives as contract
from qms_gateway.readmodel import SCHEMA, version_of
from qms_runtime.consumer import Db, PoisonMessage

FetchMissing = Callable[[str, uuid.UUID, int], Awaitable[list[tuple[Envelope, dict[str, Any]]]]]

OBJECTIVES = f"{SCHEMA}.objectives"
DOCUMENTS = f"{SCHEMA}.documents"


async def _objective_drafted(c: Db, e: Envelope, p: Any) -> None:
    targets = [{**t.model_dump(mode="json"), "progress": []} for t in p.targets]
    await c.execute(
        f"INSERT INTO {OBJECTIVES} "
        "(id, unit_id, year, title, status, version, targets, updated_at) "
        "VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)",
        uuid.UUID(p.objective_id),
        p.unit_id,
        p.year,
        p.title,
        e.aggregateversion,
        json.dumps(targets, ensure_ascii=False),
        e.time,
    )


async def _update(c: Db, table: str, e: Envelope, **columns: Any) -> None:
    names = list(columns)
    assignments = ", ".join(f"{name}=${index}" for index, name in enumerate(names, start=4))
    await c.execute(
        f"UPDATE {table} SET version=$2, updated_at=$3{', ' if names else ''}{assignments} "
        "WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        *columns.values(),
    )


async def _targets(c: Db, objective_id: str) -> list[dict[str, Any]]:
    value = await c.fetchval(
        f"SELECT targets FROM {OBJECTIVES} WHERE id=$1", uuid.UUID(objective_id)
    )
    targets: list[dict[str, Any]] = json.loads(value)
    return targets


async def _apply(c: Db, e: Envelope, p: IntegrationEvent) -> None:
    if isinstance(p, contract.ObjectiveDrafted):
        await _objective_drafted(c, e, p)
    elif isinstance(p, contract.ObjectiveRevised):
        targets = [{**t.model_dump(mode="json"), "progress": []} for t in p.targets]
        await _update(
            c,
            OBJECTIVES,
            e,
            title=p.title,
            status="draft",
            targets=json.dumps(targets, ensure_ascii=False),
        )
    elif isinstance(p, contract.ObjectiveSubmitted):
        await _update(
            c, OBJECTIVES, e, status="submitted", submitted_by=p.submitted_by, return_reason=None
        )
    elif isinstance(p, contract.ObjectiveReturned):
        await _update(c, OBJECTIVES, e, status="returned", return_reason=p.reason)
    elif isinstance(p, contract.ObjectiveApproved):
        await _update(c, OBJECTIVES, e, status="approved")
    elif isinstance(p, contract.ObjectiveDisseminated):
        await _update(
            c, OBJECTIVES, e, status="disseminated", department_ids=json.dumps(p.department_ids)
        )
    elif isinstance(p, contract.TargetProgressRecorded):
        targets = await _targets(c, p.objective_id)
        for target in targets:
            if target["target_id"] == p.target_id:
                target["progress"].append(
                    {
                        "value": p.value,
                        "as_of": p.as_of.isoformat(),
                        "note": p.note,
                        "recorded_by": p.recorded_by,
                    }
                )
        await _update(c, OBJECTIVES, e, targets=json.dumps(targets, ensure_ascii=False))
    elif isinstance(p, contract.ObjectiveEvaluated):
        await _update(
            c,
            OBJECTIVES,
            e,
            status="evaluated",
            achieved=p.achieved,
            evaluation_note=p.note,
            results=json.dumps([r.model_dump() for r in p.results]),
        )
    else:
        await _apply_document(c, e, p)


_KINDS = {"QualityPolicy": "policy", "OrganizationContext": "context"}


async def _apply_document(c: Db, e: Envelope, p: IntegrationEvent) -> None:
    name = type(p).__name__
    prefix = next((prefix for prefix in _KINDS if name.startswith(prefix)), None)
    if prefix is None:
        raise PoisonMessage(f"no projection for {e.type}")
    step = name.removeprefix(prefix)
    fields: Any = p
    if step == "Drafted":
        await c.execute(
            f"INSERT INTO {DOCUMENTS} (id, unit_id, kind, version_number, title, content, status, "
            "version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8)",
            uuid.UUID(fields.document_id),
            fields.unit_id,
            _KINDS[prefix],
            fields.version_number,
            fields.title,
            fields.content,
            e.aggregateversion,
            e.time,
        )
    elif step == "Revised":
        await _update(c, DOCUMENTS, e, title=fields.title, content=fields.content, status="draft")
    elif step == "Submitted":
        await _update(
            c,
            DOCUMENTS,
            e,
            status="submitted",
            submitted_by=fields.submitted_by,
            return_reason=None,
        )
    elif step == "Returned":
        await _update(c, DOCUMENTS, e, status="returned", return_reason=fields.reason)
    elif step in ("Approved", "Published", "Superseded"):
        await _update(c, DOCUMENTS, e, status=step.lower())
    else:
        raise PoisonMessage(f"no projection for {e.type}")


def parse(envelope: Envelope, data: dict[str, Any]) -> IntegrationEvent:
    model = model_for_type(envelope.type)
    if model is None:
        raise PoisonMessage(f"unknown event type {envelope.type}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PoisonMessage(f"payload does not match {envelope.type}: {error}") from None


class Projector:
    """Applies one event in the consumer's transaction, filling version gaps first."""

    def __init__(self, fetch_missing: FetchMissing) -> None:
        self._fetch_missing = fetch_missing

    async def __call__(self, connection: Db, envelope: Envelope, data: dict[str, Any]) -> None:
        payload = parse(envelope, data)
        aggregate_id = uuid.UUID(envelope.subject)
        # Serialise concurrent appliers (consumer, rebuild) of the same aggregate.
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", envelope.subject)
        current = await version_of(connection, aggregate_id)
        if envelope.aggregateversion <= current:
            return
        if envelope.aggregateversion > current + 1:
            service = type(payload).service
            for missing_envelope, missing_data in await self._fetch_missing(
                service, aggregate_id, current
            ):
                if missing_envelope.aggregateversion >= envelope.aggregateversion:
                    break
                await _apply(connection, missing_envelope, parse(missing_envelope, missing_data))
        await _apply(connection, envelope, payload)
