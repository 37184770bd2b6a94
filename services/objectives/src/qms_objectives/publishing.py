"""What the objectives service publishes: each domain event class and its contract."""

from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import objectives as contract
from qms_objectives.domain import (
    DocumentRegister,
    IndicatorSource,
    Objective,
    OrganizationContext,
    QualityDocument,
    QualityPolicy,
)
from qms_objectives.indicator import Indicator
from qms_runtime.publishing import Builder, ContractMapper


def _source(source: IndicatorSource | None) -> contract.IndicatorSource | None:
    return contract.IndicatorSource.model_validate(vars(source)) if source else None


def _targets(targets: Any) -> list[contract.Target]:
    return [
        contract.Target(**{**vars(target), "source": _source(target.source)}) for target in targets
    ]


def _objective(event: Any) -> dict[str, Any]:
    return {"objective_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


OBJECTIVE: dict[type[Any], Builder | None] = {
    Objective.Drafted: lambda e: contract.ObjectiveDrafted(
        **_objective(e), year=e.year, title=e.title, targets=_targets(e.targets)
    ),
    Objective.Revised: lambda e: contract.ObjectiveRevised(
        **_objective(e), title=e.title, targets=_targets(e.targets)
    ),
    Objective.Submitted: lambda e: contract.ObjectiveSubmitted(
        **_objective(e), submitted_by=e.stamp.actor
    ),
    Objective.Returned: lambda e: contract.ObjectiveReturned(
        **_objective(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    Objective.Approved: lambda e: contract.ObjectiveApproved(
        **_objective(e), approved_by=e.stamp.actor
    ),
    Objective.Disseminated: lambda e: contract.ObjectiveDisseminated(
        **_objective(e), department_ids=list(e.department_ids)
    ),
    Objective.ProgressRecorded: lambda e: contract.TargetProgressRecorded(
        **_objective(e),
        target_id=e.target_id,
        value=e.value,
        as_of=e.as_of,
        note=e.note,
        recorded_by=e.stamp.actor,
        # Events stored before targets had sources lack both.
        source=_source(getattr(e, "source", None)),
        source_event_id=getattr(e, "source_event_id", None),
    ),
    Objective.Evaluated: lambda e: contract.ObjectiveEvaluated(
        **_objective(e),
        achieved=e.achieved,
        note=e.note,
        evaluated_by=e.stamp.actor,
        results=[contract.TargetResult(**vars(result)) for result in e.results],
    ),
}


def _document_table(
    kind: type[QualityDocument], events: contract.DocumentEvents
) -> dict[type[Any], Builder | None]:
    """One document kind's events and the contracts of that kind."""

    def build(model: type[IntegrationEvent], fields: Any) -> Builder:
        def builder(e: Any) -> IntegrationEvent:
            return model.model_validate(
                {
                    "document_id": str(e.originator_id),
                    "unit_id": e.stamp.unit_id,
                    "version_number": e.stamp.version_number,
                    **fields(e),
                }
            )

        return builder

    return {
        kind.Drafted: build(events.drafted, lambda e: {"title": e.title, "content": e.content}),
        kind.Revised: build(events.revised, lambda e: {"title": e.title, "content": e.content}),
        kind.Submitted: build(events.submitted, lambda e: {"submitted_by": e.stamp.actor}),
        kind.Returned: build(
            events.returned, lambda e: {"reason": e.reason, "returned_by": e.stamp.actor}
        ),
        kind.Approved: build(events.approved, lambda e: {"approved_by": e.stamp.actor}),
        kind.Published: build(
            events.published, lambda e: {"supersedes": str(e.supersedes) if e.supersedes else None}
        ),
        kind.Superseded: build(
            events.superseded, lambda e: {"superseded_by": str(e.superseded_by)}
        ),
    }


POLICY = _document_table(QualityPolicy, contract.POLICY_EVENTS)
CONTEXT = _document_table(OrganizationContext, contract.CONTEXT_EVENTS)
#: The register only numbers versions inside the service.
REGISTER: dict[type[Any], Builder | None] = {
    DocumentRegister.Opened: None,
    DocumentRegister.VersionAdded: None,
    DocumentRegister.VersionPutInForce: None,
}

#: An indicator counts inside the service; what the world sees is each objective's
#: TargetProgressRecorded, with the statistic and the event that changed it.
INDICATOR: dict[type[Any], Builder | None] = {
    Indicator.Opened: None,
    Indicator.Counted: None,
    Indicator.Subscribed: None,
}

#: The aggregates whose events this service stores.
AGGREGATES = (Objective, QualityPolicy, OrganizationContext, DocumentRegister, Indicator)
MAPPER = ContractMapper({**OBJECTIVE, **POLICY, **CONTEXT, **REGISTER, **INDICATOR})
