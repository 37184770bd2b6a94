"""What the audit service publishes: each domain event class and its contract."""

from typing import Any

from qms_audit.domain import AuditPlan, AuditProgramme, Nonconformity, PlanContent, Visit
from qms_contracts import audit as contract
from qms_runtime.publishing import Builder, ContractMapper


def _programme(event: Any) -> dict[str, Any]:
    return {"programme_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _plan(event: Any) -> dict[str, Any]:
    return {"plan_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _nc(event: Any) -> dict[str, Any]:
    return {"nonconformity_id": str(event.originator_id), "unit_id": event.stamp.unit_id}


def _visit(visit: Visit) -> contract.Visit:
    return contract.Visit(
        department_id=visit.department_id,
        day=visit.day,
        slot=visit.slot,
        lead=contract.Auditor.model_validate(vars(visit.lead)),
        team=[contract.Auditor.model_validate(vars(a)) for a in visit.team],
        auditees=list(visit.auditees),
        criteria=visit.criteria,
        checklist=[contract.ChecklistItem.model_validate(vars(i)) for i in visit.checklist],
    )


def _plan_content(content: PlanContent) -> dict[str, Any]:
    return {"round": content.round, "visits": [_visit(v) for v in content.visits]}


PROGRAMME: dict[type[Any], Builder | None] = {
    AuditProgramme.Drafted: lambda e: contract.AuditProgrammeDrafted(
        **_programme(e), **vars(e.content)
    ),
    AuditProgramme.Revised: lambda e: contract.AuditProgrammeRevised(
        **_programme(e), **vars(e.content)
    ),
    AuditProgramme.Submitted: lambda e: contract.AuditProgrammeSubmitted(
        **_programme(e), submitted_by=e.stamp.actor
    ),
    AuditProgramme.Returned: lambda e: contract.AuditProgrammeReturned(
        **_programme(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    AuditProgramme.Approved: lambda e: contract.AuditProgrammeApproved(
        **_programme(e), approved_by=e.stamp.actor
    ),
}

PLAN: dict[type[Any], Builder | None] = {
    AuditPlan.Drafted: lambda e: contract.AuditPlanDrafted(
        **_plan(e), programme_id=e.programme_id, **_plan_content(e.content)
    ),
    AuditPlan.Revised: lambda e: contract.AuditPlanRevised(**_plan(e), **_plan_content(e.content)),
    AuditPlan.Submitted: lambda e: contract.AuditPlanSubmitted(
        **_plan(e), submitted_by=e.stamp.actor
    ),
    AuditPlan.Returned: lambda e: contract.AuditPlanReturned(
        **_plan(e), reason=e.reason, returned_by=e.stamp.actor
    ),
    AuditPlan.Approved: lambda e: contract.AuditPlanApproved(**_plan(e), approved_by=e.stamp.actor),
    AuditPlan.FindingRecorded: lambda e: contract.FindingRecorded(
        **_plan(e),
        finding_id=e.finding.finding_id,
        department_id=e.finding.department_id,
        kind=e.finding.kind,
        clause=e.finding.clause,
        evidence=e.finding.evidence,
        recorded_by=e.stamp.actor,
    ),
    AuditPlan.FindingAcknowledged: lambda e: contract.FindingAcknowledged(
        **_plan(e), finding_id=e.finding_id, note=e.note, acknowledged_by=e.stamp.actor
    ),
    AuditPlan.Concluded: lambda e: contract.AuditConcluded(
        **_plan(e),
        outcome=e.outcome,
        note=e.note,
        follow_up_plan_id=e.follow_up_plan_id,
        concluded_by=e.stamp.actor,
    ),
}

NONCONFORMITY: dict[type[Any], Builder | None] = {
    Nonconformity.Opened: lambda e: contract.NonconformityOpened(
        **_nc(e),
        source=e.facts.source,
        department_id=e.facts.department_id,
        description=e.facts.description,
        clause=e.facts.clause,
        plan_id=e.facts.plan_id or None,
        finding_id=e.facts.finding_id or None,
        review_id=e.facts.review_id or None,
        output_id=e.facts.output_id or None,
        feedback_id=e.facts.feedback_id or None,
        cause_raise_id=e.facts.cause_raise_id or None,
        opened_by=e.stamp.actor,
    ),
    Nonconformity.ActionPlanned: lambda e: contract.CorrectiveActionPlanned(
        **_nc(e), **vars(e.action), attempt=e.attempt, planned_by=e.stamp.actor
    ),
    Nonconformity.Implemented: lambda e: contract.CorrectiveActionImplemented(
        **_nc(e),
        evidence=e.evidence,
        implemented_on=e.implemented_on,
        implemented_by=e.stamp.actor,
    ),
    Nonconformity.Verified: lambda e: contract.EffectivenessVerified(
        **_nc(e),
        effective=e.effective,
        note=e.note,
        verified_on=e.verified_on,
        verified_by=e.stamp.actor,
    ),
    Nonconformity.Reopened: lambda e: contract.NonconformityReopened(
        **_nc(e), reopened_by=e.stamp.actor
    ),
    Nonconformity.Closed: lambda e: contract.NonconformityClosed(
        **_nc(e), note=e.note, closed_by=e.stamp.actor
    ),
}

#: The aggregates whose events this service stores.
AGGREGATES = (AuditProgramme, AuditPlan, Nonconformity)
MAPPER = ContractMapper({**PROGRAMME, **PLAN, **NONCONFORMITY})
