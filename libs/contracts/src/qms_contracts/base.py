"""Base class and registry of integration events."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_registry: dict[str, type["IntegrationEvent"]] = {}


class IntegrationEvent(BaseModel):
    """A fact one service tells the others. Subclasses name the fact in the past tense."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: CloudEvents `type`; a breaking change gets a new version suffix, never an edit.
    event_type: ClassVar[str]
    #: The service that owns (and alone publishes) this event.
    service: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            if cls.event_type in _registry:
                raise ValueError(f"duplicate event type {cls.event_type}")
            _registry[cls.event_type] = cls


def model_for_type(event_type: str) -> type[IntegrationEvent] | None:
    return _registry.get(event_type)


def event_types() -> dict[str, type[IntegrationEvent]]:
    """Every registered event model by type (`qms_contracts.CONTRACT_MODULES` registers them)."""
    return dict(sorted(_registry.items()))
