"""Helpers for every service's tests of its domain and application (no test framework needed)."""

from collections.abc import Callable

from eventsourcing.domain import Aggregate

from qms_runtime.commands import CommandContext, Stamp
from qms_runtime.principal import Principal


def stamp(actor: str, unit_id: str = "unit-1", correlation_id: str = "corr-1") -> Stamp:
    return Stamp(actor=actor, correlation_id=correlation_id, unit_id=unit_id)


def context(sub: str, *roles: str, unit: str, department: str | None = None) -> CommandContext:
    """A command sent by `sub` holding `roles` in `unit`."""
    principal = Principal(sub, sub, frozenset({unit}), frozenset(roles), department)
    return CommandContext(principal, f"corr-{sub}")


def assert_rejected(
    aggregate: Aggregate, command: Callable[[], None], error: type[Exception]
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
