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
    """Every published event model by type: those of `qms_contracts.CONTRACT_MODULES`.

    Models defined elsewhere (a test's own) resolve through `model_for_type` but are never
    part of the published contracts and their committed schemas.
    """
    from qms_contracts import CONTRACT_MODULES

    published = {module.__name__ for module in CONTRACT_MODULES}
    return {
        name: model for name, model in sorted(_registry.items()) if model.__module__ in published
    }
