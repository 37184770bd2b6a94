"""Event-store application base: eventsourcing's PostgreSQL persistence, one schema per service."""

import datetime as dt
import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from psycopg import sql

from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.errors import NotFound, VersionConflict
from qms_runtime.principal import Principal
from qms_runtime.settings import postgres_params

A = TypeVar("A", bound=Aggregate)
App = TypeVar("App", bound=Application[UUID])


class DateAsISO(Transcoding):
    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        return dt.date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """Stores a frozen dataclass of plain fields (dates allowed) as a JSON object."""

    def __init__(self, kind: type[Any]) -> None:
        self.type = kind
        self.name = kind.__qualname__

    def encode(self, obj: Any) -> dict[str, Any]:
        # Its fields are plain values: a shallow copy, not dataclasses.asdict's deep one.
        return dict(vars(obj))

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class QmsApplication(Application[UUID]):
    """Base of every service's application: the event store, loading for a command, saving."""

    #: Value objects the service's events carry, stored as JSON objects.
    dataclass_types: ClassVar[tuple[type[Any], ...]] = ()

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        self.saved_listeners: list[Callable[[], None]] = []

    def _notify(self, recordings: list[Any]) -> None:
        # Wakes the outbox relay at once instead of waiting for its next poll.
        for listener in self.saved_listeners:
            listener()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        kinds: tuple[type[Any], ...] = (Stamp, *self.dataclass_types)
        for kind in kinds:
            transcoder.register(DataclassAsDict(kind))

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate, or None if none of that kind has the id."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        aggregate = self.find(kind, aggregate_id)
        if aggregate is None:
            raise NotFound(f"Không tìm thấy {aggregate_id}")
        return aggregate

    def load_for(
        self,
        context: CommandContext,
        kind: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        *roles: str,
    ) -> A:
        """Load for a command: 404 if absent, 403 for another unit or role, 409 if stale."""
        aggregate = self.load(kind, aggregate_id)
        context.principal.require(getattr(aggregate, "unit_id"), *roles)  # noqa: B009
        check_version(aggregate, expected_version)
        return aggregate

    def read(self, principal: Principal, kind: type[A], aggregate_id: UUID) -> A:
        """Load for a query by a member of the aggregate's unit."""
        aggregate = self.load(kind, aggregate_id)
        principal.require(getattr(aggregate, "unit_id"))  # noqa: B009
        return aggregate

    def save_result(self, *aggregates: Aggregate) -> CommandResult:
        """Save in one transaction; the result names the first aggregate, the command's subject."""
        self.save_or_conflict(*aggregates)
        return CommandResult(aggregates[0].id, aggregates[0].version)

    def events_after(
        self, aggregate_id: UUID, after_version: int, limit: int
    ) -> list[DomainEventProtocol[Any]]:
        return list(self.repository.event_store.get(aggregate_id, gt=after_version, limit=limit))

    def notifications_after(
        self, position: int, limit: int
    ) -> tuple[list[DomainEventProtocol[Any]], int]:
        """Domain events in notification-log order after `position`, and the new position."""
        notifications = self.recorder.select_notifications(position + 1, limit)
        events = [self.mapper.to_domain_event(notification) for notification in notifications]
        return events, notifications[-1].id if notifications else position

    def save_or_conflict(self, *aggregates: Aggregate) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise VersionConflict("Một thay đổi đồng thời đã được lưu trước; hãy tải lại") from None


def check_version(aggregate: Aggregate, expected_version: int | None) -> None:
    """Optimistic concurrency: the caller saw `expected_version`; anything else is stale."""
    if expected_version is not None and aggregate.version != expected_version:
        raise VersionConflict(
            f"Phiên bản mong đợi {expected_version}, phiên bản hiện tại {aggregate.version}",
            current_version=aggregate.version,
        )


def persistence_env(database_url: str, schema: str) -> dict[str, str]:
    """Environment for eventsourcing's PostgreSQL persistence in the given schema."""
    params = postgres_params(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": params["dbname"],
        "POSTGRES_HOST": params["host"],
        "POSTGRES_PORT": params["port"],
        "POSTGRES_USER": params["user"],
        "POSTGRES_PASSWORD": params["password"],
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "8",
        "POSTGRES_MAX_OVERFLOW": "8",
        "CREATE_TABLE": "y",
    }


def ensure_schema(database_url: str, schema: str) -> None:
    params = postgres_params(database_url)
    with psycopg.connect(**params, autocommit=True) as connection:  # type: ignore[arg-type]
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def open_application(kind: type[App], database_url: str, schema: str) -> App:
    """Create the schema and tables if missing, then the application on them."""
    ensure_schema(database_url, schema)
    env = dict(os.environ)
    env.update(persistence_env(database_url, schema))
    return kind(env=env)
