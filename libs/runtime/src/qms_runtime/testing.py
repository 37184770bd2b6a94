"""Helpers for every service's tests (no test framework needed)."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from eventsourcing.domain import Aggregate

from qms_contracts import Envelope, IntegrationEvent, event_id
from qms_runtime.commands import CommandContext, Stamp
from qms_runtime.principal import Principal
from qms_runtime.projection import Message


def stamp(actor: str, unit_id: str = "unit-1", correlation_id: str = "corr-1") -> Stamp:
    return Stamp(actor=actor, correlation_id=correlation_id, unit_id=unit_id)


def context(sub: str, *roles: str, unit: str, department: str | None = None) -> CommandContext:
    """A command sent by `sub` holding `roles` in `unit`."""
    principal = Principal(sub, sub, frozenset({unit}), frozenset(roles), department)
    return CommandContext(principal, f"corr-{sub}")


def assert_rejected(
    aggregate: Aggregate, command: Callable[[], object], error: type[Exception]
) -> Exception:
    """The command raises `error` and records nothing (version and pending events unchanged)."""
    version, pending = aggregate.version, len(aggregate.pending_events)
    try:
        command()
    except error as raised:
        assert aggregate.version == version, "a rejected command changed the version"
        assert len(aggregate.pending_events) == pending, "a rejected command recorded events"
        return raised
    raise AssertionError(f"{error.__name__} not raised")


def delivered(
    aggregate_id: uuid.UUID,
    version: int,
    payload: IntegrationEvent,
    *,
    unit_id: str,
    actor: str = "thuky",
) -> Message:
    """An event as the consumer hands it to a projection: its envelope and its payload."""
    envelope = Envelope(
        id=event_id(aggregate_id, version),
        source=f"/qms/{payload.service}",
        type=payload.event_type,
        subject=str(aggregate_id),
        time=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=version),
        unitid=unit_id,
        actor=actor,
        aggregateversion=version,
        correlationid="c",
        causationid="c",
    )
    return envelope, payload.model_dump(mode="json")
