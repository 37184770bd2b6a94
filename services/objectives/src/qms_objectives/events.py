"""Mapping of the objectives domain events to their integration contracts."""

import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from qms_contracts import IntegrationEvent
from qms_contracts import objectives as contract
from qms_objectives.application import ObjectivesApplication
from qms_objectives.domain import DocumentKind, DocumentRegister, Objective
from qms_runtime.relay import Outgoing

_DOCUMENT_EVENTS: dict[DocumentKind, dict[str, type[IntegrationEvent]]] = {
    DocumentKind.POLICY: {
        "Drafted": contract.QualityPolicyDrafted,
        "Revised": contract.QualityPolicyRevised,
        "Submitted": contract.QualityPolicySubmitted,
        "Returned": contract.QualityPolicyReturned,
        "Approved": contract.QualityPolicyApproved,
        "Published": contract.QualityPolicyPublished,
        "Superseded": contract.QualityPolicySuperseded,
    },
    DocumentKind.CONTEXT: {
        "Drafted": contract.OrganizationContextDrafted,
        "Revised": contract.OrganizationContextRevised,
        "Submitted": contract.OrganizationContextSubmitted,
        "Returned": contract.OrganizationContextReturned,
        "Approved": contract.OrganizationContextApproved,
        "Published": contract.OrganizationContextPublished,
        "Superseded": contract.OrganizationContextSuperseded,
    },
}


def _targets(targets: Any) -> list[contract.Target]:
    return [contract.Target(**asdict(target)) for target in targets]


def _objective_payload(name: str, event: Any, ids: dict[str, Any]) -> IntegrationEvent:
    builders: dict[str, Callable[[], IntegrationEvent]] = {
        "Drafted": lambda: contract.ObjectiveDrafted(
            **ids, year=event.year, title=event.title, targets=_targets(event.targets)
        ),
        "Revised": lambda: contract.ObjectiveRevised(
            **ids, title=event.title, targets=_targets(event.targets)
        ),
        "Submitted": lambda: contract.ObjectiveSubmitted(**ids, submitted_by=event.by),
        "Returned": lambda: contract.ObjectiveReturned(
            **ids, reason=event.reason, returned_by=event.by
        ),
        "Approved": lambda: contract.ObjectiveApproved(**ids, approved_by=event.by),
        "Disseminated": lambda: contract.ObjectiveDisseminated(
            **ids, department_ids=list(event.department_ids)
        ),
        "ProgressRecorded": lambda: contract.TargetProgressRecorded(
            **ids,
            target_id=event.target_id,
            value=event.value,
            as_of=event.as_of,
            note=event.note,
            recorded_by=event.by,
        ),
        "Evaluated": lambda: contract.ObjectiveEvaluated(
            **ids,
            achieved=event.achieved,
            note=event.note,
            evaluated_by=event.by,
            results=[contract.TargetResult(**asdict(result)) for result in event.results],
        ),
    }
    return builders[name]()


def _document_payload(name: str, event: Any, origin: Any, ids: dict[str, Any]) -> IntegrationEvent:
    model = _DOCUMENT_EVENTS[DocumentKind(origin.kind)][name]
    fields: dict[str, Callable[[], dict[str, Any]]] = {
        "Drafted": lambda: {"title": event.title, "content": event.content},
        "Revised": lambda: {"title": event.title, "content": event.content},
        "Submitted": lambda: {"submitted_by": event.by},
        "Returned": lambda: {"reason": event.reason, "returned_by": event.by},
        "Approved": lambda: {"approved_by": event.by},
        "Published": lambda: {"supersedes": str(event.supersedes) if event.supersedes else None},
        "Superseded": lambda: {"superseded_by": str(event.superseded_by)},
    }
    return model.model_validate({**ids, "version_number": origin.version_number, **fields[name]()})


class ObjectivesEventMapper:
    """Turns a domain event into its integration event; register events stay internal."""

    def __init__(self, application: ObjectivesApplication, cache_size: int = 10_000) -> None:
        self._application = application
        self._origins: dict[uuid.UUID, Any] = {}
        self._cache_size = cache_size

    def _origin(self, event: DomainEventProtocol[Any]) -> Any:
        # Later events do not repeat the unit (or document version): read the creation event once.
        if event.originator_version == 1:
            return event
        origin = self._origins.get(event.originator_id)
        if origin is None:
            origin = next(iter(self._application.events_after(event.originator_id, 0, 1)))
            if len(self._origins) >= self._cache_size:
                self._origins.clear()
            self._origins[event.originator_id] = origin
        return origin

    def __call__(self, event: DomainEventProtocol[Any]) -> Outgoing | None:
        declared_on, _, name = type(event).__qualname__.rpartition(".")
        if declared_on == DocumentRegister.__name__:
            return None
        origin = self._origin(event)
        # Shared steps (Submitted, Approved, Returned) are declared on the base class:
        # the creation event tells which aggregate this is.
        aggregate = type(origin).__qualname__.rpartition(".")[0]
        event_data: Any = event
        if aggregate == Objective.__name__:
            ids = {"objective_id": str(event.originator_id), "unit_id": origin.unit_id}
            payload = _objective_payload(name, event_data, ids)
        else:
            ids = {"document_id": str(event.originator_id), "unit_id": origin.unit_id}
            payload = _document_payload(name, event_data, origin, ids)
        return Outgoing(
            payload=payload,
            unit_id=origin.unit_id,
            actor=event_data.by,
            correlation_id=event_data.correlation_id,
        )
