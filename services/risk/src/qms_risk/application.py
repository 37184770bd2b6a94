"""The risk application: commands (with authorisation) over the event store."""

import uuid
from collections.abc import Callable
from datetime import date

from qms_risk.domain import (
    Action,
    ActionPlan,
    Completion,
    EntryFacts,
    Method,
    PlanContent,
    Rating,
    RegisterEntry,
    RiskPlan,
)
from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.errors import InvalidInput
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY
from qms_runtime.review.application import ReviewSteps


class RiskApplication(ReviewSteps):
    dataclass_types = (Method, PlanContent, EntryFacts, Rating, Action, Completion)

    # Assessment plans (submit, approve and return come from the kit)

    def draft_plan(
        self, context: CommandContext, unit_id: str, content: PlanContent
    ) -> CommandResult:
        context.principal.require(unit_id, *RiskPlan.drafter_roles)
        return self.save_result(RiskPlan.draft(content=content, stamp=context.stamp(unit_id)))

    def revise_plan(
        self,
        context: CommandContext,
        plan_id: uuid.UUID,
        expected: int | None,
        content: PlanContent,
    ) -> CommandResult:
        plan = self.load_for(context, RiskPlan, plan_id, expected, *RiskPlan.drafter_roles)
        plan.revise(content=content, stamp=plan.stamp(context))
        return self.save_result(plan)

    # The register

    def identify(
        self, context: CommandContext, unit_id: str, plan_id: uuid.UUID, facts: EntryFacts
    ) -> CommandResult:
        """A department leader registers a risk or an opportunity of their department."""
        principal = context.principal
        principal.require(unit_id, DEPARTMENT_LEADER)
        principal.require_own_department(facts.department_id, "nhận diện rủi ro, cơ hội của phòng")
        plan = self.load(RiskPlan, plan_id)
        if plan.unit_id != unit_id:
            raise InvalidInput("Kế hoạch thuộc đơn vị khác", field="plan_id")
        entry = RegisterEntry.identify(
            plan_id=str(plan.id),
            facts=facts,
            method=plan.method_for_entries(),
            stamp=context.stamp(unit_id),
        )
        return self.save_result(entry)

    def _entry(
        self,
        context: CommandContext,
        entry_id: uuid.UUID,
        expected: int | None,
        what: str,
        department: Callable[[RegisterEntry], str] = lambda entry: entry.facts.department_id,
    ) -> RegisterEntry:
        """The entry, for the secretary or the leader of the department concerned."""
        entry = self.load_for(
            context, RegisterEntry, entry_id, expected, ISO_SECRETARY, DEPARTMENT_LEADER
        )
        context.principal.require_department(department(entry), what)
        return entry

    def assess(
        self,
        context: CommandContext,
        entry_id: uuid.UUID,
        expected: int | None,
        *,
        likelihood: int,
        severity: int,
    ) -> CommandResult:
        entry = self._entry(context, entry_id, expected, "đánh giá")
        entry.assess(likelihood=likelihood, severity=severity, stamp=entry.stamp(context))
        return self.save_result(entry)

    def plan_treatment(
        self,
        context: CommandContext,
        entry_id: uuid.UUID,
        expected: int | None,
        *,
        option: str,
        actions: tuple[ActionPlan, ...],
        monitor_on: date,
    ) -> CommandResult:
        entry = self._entry(context, entry_id, expected, "lập kế hoạch xử lý")
        entry.plan_treatment(
            option=option, actions=actions, monitor_on=monitor_on, stamp=entry.stamp(context)
        )
        return self.save_result(entry)

    def complete_action(
        self,
        context: CommandContext,
        entry_id: uuid.UUID,
        expected: int | None,
        *,
        action_id: str,
        evidence: str,
        completed_on: date,
    ) -> CommandResult:
        """The leader of the department that owns the action, or the secretary."""
        entry = self._entry(
            context,
            entry_id,
            expected,
            "ghi nhận hành động này",
            lambda entry: entry.action(action_id).owner_department_id,
        )
        entry.complete_action(
            action_id=action_id,
            evidence=evidence,
            completed_on=completed_on,
            stamp=entry.stamp(context),
        )
        return self.save_result(entry)

    def reassess(
        self,
        context: CommandContext,
        entry_id: uuid.UUID,
        expected: int | None,
        *,
        likelihood: int,
        severity: int,
    ) -> CommandResult:
        entry = self._entry(context, entry_id, expected, "đánh giá lại")
        entry.reassess(likelihood=likelihood, severity=severity, stamp=entry.stamp(context))
        return self.save_result(entry)

    def close_entry(
        self, context: CommandContext, entry_id: uuid.UUID, expected: int | None, note: str
    ) -> CommandResult:
        """(Not `close`: the Application's own method closes the event store.)"""
        entry = self.load_for(context, RegisterEntry, entry_id, expected, ISO_SECRETARY)
        entry.close(note=note, stamp=entry.stamp(context))
        return self.save_result(entry)
