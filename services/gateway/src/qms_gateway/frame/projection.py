"""Projection of integration events into the wings' read models, handlers keyed by contract class.

Order-safe per aggregate: `aggregate_versions` holds the version the read models reflect; an
older event is dropped, and one that skips a version first fills the gap from the owning
service's event feed.
"""

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from qms_contracts import Envelope, IntegrationEvent, model_for_type
from qms_gateway.frame.store import SCHEMA, version_of
from qms_runtime.consumer import Db, PoisonMessage

Handler = Callable[[Db, Envelope, Any], Awaitable[None]]
FetchMissing = Callable[[str, uuid.UUID, int], Awaitable[list[tuple[Envelope, dict[str, Any]]]]]


@dataclass(frozen=True)
class Projection:
    """One wing's projection: what each contract class does to its read model."""

    name: str
    handlers: Mapping[type[IntegrationEvent], Handler]


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

    def __init__(self, projections: Sequence[Projection], fetch_missing: FetchMissing) -> None:
        self._handlers: dict[type[IntegrationEvent], Handler] = {}
        for projection in projections:
            self._handlers.update(projection.handlers)
        self._fetch_missing = fetch_missing

    @property
    def subscribed_types(self) -> frozenset[type[IntegrationEvent]]:
        return frozenset(self._handlers)

    async def _apply(self, connection: Db, envelope: Envelope, payload: IntegrationEvent) -> None:
        handler = self._handlers.get(type(payload))
        if handler is None:
            raise PoisonMessage(f"no projection for {envelope.type}")
        await handler(connection, envelope, payload)
        await connection.execute(
            f"INSERT INTO {SCHEMA}.aggregate_versions (aggregate_id, version) VALUES ($1, $2) "
            "ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version",
            uuid.UUID(envelope.subject),
            envelope.aggregateversion,
        )

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
                await self._apply(
                    connection, missing_envelope, parse(missing_envelope, missing_data)
                )
        await self._apply(connection, envelope, payload)
