"""What the risk service publishes: each domain event class and its contract."""

from typing import Any

from qms_contracts import risk as contract
from qms_risk.domain import PRIORITY, Method, PlanContent, RegisterEntry, RiskPlan
from qms_runtime.publishing import Builder, ContractMapper


def _plan(event: Any) -> dict[str, Any]:
    return {"plan_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _method(method: Method) -> contract.Method:
    return contract.Method.model_validate(vars(method))


def _content(content: PlanContent) -> dict[str, Any]:
    return {**vars(content), "method": _method(content.method)}


def _entry(event: Any) -> dict[str, Any]:
    return {"entry_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _rating(event: Any) -> dict[str, Any]:
    return {
        "likelihood": event.rating.likelihood,
        "severity": event.rating.severity,
        "score": event.rating.score,
        "level": event.rating.level,
    }


PLAN: dict[type[Any], Builder | None] = {
    RiskPlan.Drafted: lambda e: contract.RiskPlanDrafted(**_plan(e), **_content(e.content)),
    RiskPlan.Revised: lambda e: contract.RiskPlanRevised(**_plan(e), **_content(e.content)),
    RiskPlan.Submitted: lambda e: contract.RiskPlanSubmitted(
        **_plan(e), submitted_by=e.stamp.actor
    ),
    RiskPlan.Returned: lambda e: contract.RiskPlanReturned(
        **_plan(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    RiskPlan.Approved: lambda e: contract.RiskPlanApproved(**_plan(e), approved_by=e.stamp.actor),
}

ENTRY: dict[type[Any], Builder | None] = {
    RegisterEntry.Identified: lambda e: contract.RiskIdentified(
        **_entry(e),
        plan_id=e.plan_id,
        **vars(e.facts),
        method=_method(e.method),
        identified_by=e.stamp.actor,
    ),
    RegisterEntry.Assessed: lambda e: contract.RiskAssessed(
        **_entry(e),
        **_rating(e),
        priority=PRIORITY[e.rating.level],
        assessed_by=e.stamp.actor,
    ),
    RegisterEntry.TreatmentPlanned: lambda e: contract.TreatmentPlanned(
        **_entry(e),
        option=e.option,
        actions=[contract.TreatmentAction.model_validate(vars(a)) for a in e.actions],
        monitor_on=e.monitor_on,
        planned_by=e.stamp.actor,
    ),
    RegisterEntry.ActionCompleted: lambda e: contract.TreatmentActionCompleted(
        **_entry(e),
        action_id=e.action_id,
        evidence=e.evidence,
        completed_on=e.completed_on,
        completed_by=e.stamp.actor,
    ),
    RegisterEntry.Reassessed: lambda e: contract.RiskReassessed(
        **_entry(e), **_rating(e), acceptable=e.acceptable, reassessed_by=e.stamp.actor
    ),
    RegisterEntry.Closed: lambda e: contract.RiskClosed(
        **_entry(e), note=e.note, closed_by=e.stamp.actor
    ),
}

#: The aggregates whose events this service stores.
AGGREGATES = (RiskPlan, RegisterEntry)
MAPPER = ContractMapper({**PLAN, **ENTRY})
