"""Every record's history, from its events: who did what, when, and why (a return's reason).

One table for every wing, filled by a projection over every event type of the wings' services;
pages show it on a record and use it to say what changed since a form was opened.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from qms_contracts import Envelope, IntegrationEvent
from qms_gateway.frame.store import SCHEMA, Db, rows
from qms_runtime.projection import Projection, ProjectionDb

HISTORY = f"{SCHEMA}.history"
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {HISTORY} (
    aggregate_id uuid NOT NULL,
    version int NOT NULL,
    event_type text NOT NULL,
    actor text NOT NULL,
    at timestamptz NOT NULL,
    payload jsonb NOT NULL,
    PRIMARY KEY (aggregate_id, version)
);
"""

#: What a history line says of a payload's fields, when the event carries them: the label,
#: and how the stored JSON value becomes the one shown (a date stays a date, for its format).
DETAIL_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "reason": ("Lý do", str),
    "note": ("Ghi chú", str),
    "title": ("Tiêu đề", str),
    "target_id": ("Chỉ tiêu", str),
    "value": ("Giá trị", float),
    "as_of": ("Ngày số liệu", date.fromisoformat),
    "department_ids": ("Các phòng", list),
    "achieved": ("Đạt", bool),
}


async def _record(db: ProjectionDb, envelope: Envelope, payload: IntegrationEvent) -> None:
    await db.execute(
        f"INSERT INTO {HISTORY} (aggregate_id, version, event_type, actor, at, payload) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        uuid.UUID(envelope.subject),
        envelope.aggregateversion,
        envelope.type,
        envelope.actor,
        envelope.time,
        json.dumps(payload.model_dump(mode="json"), ensure_ascii=False),
    )


def history_projection(event_types: Iterable[type[IntegrationEvent]]) -> Projection:
    return Projection(
        name="history", handlers=dict.fromkeys(event_types, _record), tables=(HISTORY,)
    )


async def history(
    db: Db, aggregate_id: uuid.UUID, labels: Mapping[str, str], after_version: int = 0
) -> list[dict[str, Any]]:
    """The record's events after `after_version`, oldest first, each with its actor's name."""
    records = await db.fetch(
        f"SELECT h.version, h.event_type, h.actor, coalesce(u.name, h.actor) AS actor_name, "
        f"h.at, h.payload FROM {HISTORY} h LEFT JOIN {SCHEMA}.users u ON u.sub = h.actor "
        "WHERE h.aggregate_id=$1 AND h.version > $2 ORDER BY h.version",
        aggregate_id,
        after_version,
    )
    found = rows(records, ("payload",))
    for entry in found:
        entry["label"] = labels.get(entry["event_type"], entry["event_type"])
        entry["details"] = [
            (label, shown(entry["payload"][key]))
            for key, (label, shown) in DETAIL_FIELDS.items()
            if entry["payload"].get(key) not in (None, "", [])
        ]
    return found


async def approvals(
    db: Db, record_ids: list[str], approved_types: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Who approved each record and when (its latest approval), in one query."""
    records = await db.fetch(
        f"SELECT DISTINCT ON (h.aggregate_id) h.aggregate_id, coalesce(u.name, h.actor) "
        f"AS actor_name, h.at FROM {HISTORY} h LEFT JOIN {SCHEMA}.users u ON u.sub = h.actor "
        "WHERE h.aggregate_id = ANY($1::uuid[]) AND h.event_type = ANY($2) "
        "ORDER BY h.aggregate_id, h.version DESC",
        record_ids,
        sorted(approved_types),
    )
    return {found["aggregate_id"]: found for found in rows(records)}
