"""Every record's history, from its events: who did what, when, and why (a return's reason).

One table for every wing, filled by a projection over every event type of the wings' services;
pages show it on a record and use it to say what changed since a form was opened.
"""

import json
import uuid
from collections.abc import Iterable, Mapping
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

#: What a history line says of a payload's fields, when the event carries them.
DETAIL_LABELS = {
    "reason": "Lý do",
    "note": "Ghi chú",
    "title": "Tiêu đề",
    "target_id": "Chỉ tiêu",
    "value": "Giá trị",
    "as_of": "Ngày số liệu",
    "department_ids": "Các phòng",
    "achieved": "Đạt",
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
            (label, entry["payload"][key])
            for key, label in DETAIL_LABELS.items()
            if entry["payload"].get(key) not in (None, "", [])
        ]
    return found
