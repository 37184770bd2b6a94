"""The audit application: commands (with authorisation) over the event store."""

import logging
import uuid
from datetime import date

from qms_audit.domain import (
    NONCONFORMING,
    Auditor,
    AuditPlan,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    NcFacts,
    Nonconformity,
    PlanContent,
    ProgrammeContent,
    Visit,
)
from qms_runtime.clock import today
from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.errors import InvalidInput, VersionConflict
from qms_runtime.principal import AUDITOR, DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER
from qms_runtime.review.application import ReviewSteps

log = logging.getLogger("qms.audit")


def _not_after_today(day: date, field: str) -> None:
    """What was done is dated today at the latest (a later date would also pass the check of
    effectiveness on the action's due date before it has come)."""
    if day > today():
        raise InvalidInput("Ngày này chưa đến", field=field)


class AuditApplication(ReviewSteps):
    dataclass_types = (
        ProgrammeContent,
        Auditor,
        ChecklistItem,
        Visit,
        PlanContent,
        Finding,
        NcFacts,
        CorrectiveAction,
    )

    # Programmes (submit, approve and return come from the kit)

    def draft_programme(
        self, context: CommandContext, unit_id: str, content: ProgrammeContent
    ) -> CommandResult:
        context.principal.require(unit_id, *AuditProgramme.drafter_roles)
        programme = AuditProgramme.draft(content=content, stamp=context.stamp(unit_id))
        return self.save_result(programme)

    def revise_programme(
        self,
        context: CommandContext,
        programme_id: uuid.UUID,
        expected: int | None,
        content: ProgrammeContent,
    ) -> CommandResult:
        programme = self.load_for(
            context, AuditProgramme, programme_id, expected, *AuditProgramme.drafter_roles
        )
        programme.revise(content=content, stamp=programme.stamp(context))
        return self.save_result(programme)

    # Plans, one per round

    def draft_plan(
        self, context: CommandContext, programme_id: uuid.UUID, content: PlanContent
    ) -> CommandResult:
        programme = self.load_for(
            context, AuditProgramme, programme_id, None, *AuditPlan.drafter_roles
        )
        plan = AuditPlan.draft(
            programme_id=str(programme.id),
            departments=programme.departments_for_plans(),
            content=content,
            stamp=programme.stamp(context),
        )
        return self.save_result(plan)

    def revise_plan(
        self,
        context: CommandContext,
        plan_id: uuid.UUID,
        expected: int | None,
        content: PlanContent,
    ) -> CommandResult:
        plan = self.load_for(context, AuditPlan, plan_id, expected, *AuditPlan.drafter_roles)
        plan.revise(content=content, stamp=plan.stamp(context))
        return self.save_result(plan)

    def record_finding(
        self,
        context: CommandContext,
        plan_id: uuid.UUID,
        expected: int | None,
        *,
        department_id: str,
        kind: str,
        clause: str,
        evidence: str,
    ) -> CommandResult:
        """A planned auditor's finding; a major or minor one opens a nonconformity with it."""
        plan = self.load_for(context, AuditPlan, plan_id, expected, AUDITOR)
        stamp = plan.stamp(context)
        finding = plan.record_finding(
            department_id=department_id, kind=kind, clause=clause, evidence=evidence, stamp=stamp
        )
        if kind not in NONCONFORMING:
            return self.save_result(plan)
        facts = NcFacts("audit", department_id, evidence, clause, str(plan.id), finding.finding_id)
        return self.save_result(plan, Nonconformity.open(facts=facts, stamp=stamp))

    def acknowledge_finding(
        self,
        context: CommandContext,
        plan_id: uuid.UUID,
        expected: int | None,
        *,
        finding_id: str,
        note: str,
    ) -> CommandResult:
        """The leader of the audited department."""
        plan = self.load_for(context, AuditPlan, plan_id, expected, DEPARTMENT_LEADER)
        context.principal.require_own_department(
            plan.finding(finding_id).department_id, "xác nhận phát hiện này"
        )
        plan.acknowledge_finding(finding_id=finding_id, note=note, stamp=plan.stamp(context))
        return self.save_result(plan)

    def conclude(
        self,
        context: CommandContext,
        plan_id: uuid.UUID,
        expected: int | None,
        *,
        outcome: str,
        note: str,
    ) -> CommandResult:
        """The unit leader; a follow-up audit drafts the next round's plan in the same save."""
        plan = self.load_for(context, AuditPlan, plan_id, expected, UNIT_LEADER)
        stamp = plan.stamp(context)
        follow_up = (
            AuditPlan.draft(
                programme_id=plan.programme_id,
                departments=plan.departments,
                content=plan.follow_up_content(),
                stamp=stamp,
            )
            if outcome == "follow_up"
            else None
        )
        plan.conclude(
            outcome=outcome,
            note=note,
            follow_up_plan_id=str(follow_up.id) if follow_up else None,
            stamp=stamp,
        )
        return self.save_result(plan, *([follow_up] if follow_up else []))

    # Nonconformities

    def open_nonconformity(
        self, context: CommandContext, unit_id: str, facts: NcFacts
    ) -> CommandResult:
        """By hand (a complaint, a review output, process monitoring): the secretary."""
        context.principal.require(unit_id, ISO_SECRETARY)
        if facts.source == "audit":
            raise InvalidInput(
                "Sự không phù hợp từ đánh giá được mở từ phát hiện của đánh giá viên",
                field="source",
            )
        return self.save_result(Nonconformity.open(facts=facts, stamp=context.stamp(unit_id)))

    def open_from_review(
        self, stamp: Stamp, *, review_id: str, output_id: str, department_id: str, description: str
    ) -> None:
        """A management review's output that needs corrective action, once: an output already
        opened (its event delivered again) is left as it is."""
        facts = NcFacts(
            "review", department_id, description, "", review_id=review_id, output_id=output_id
        )
        try:
            self.save_or_conflict(Nonconformity.open(facts=facts, stamp=stamp))
        except VersionConflict:
            log.info("nonconformity of review %s output %s already opened", review_id, output_id)

    def open_from_complaint(
        self, stamp: Stamp, *, feedback_id: str, department_id: str, description: str
    ) -> None:
        """A citizen's complaint the unit found to be a nonconformity, once (source:
        complaint), in the department it was assigned to."""
        facts = NcFacts("complaint", department_id, description, "", feedback_id=feedback_id)
        try:
            self.save_or_conflict(Nonconformity.open(facts=facts, stamp=stamp))
        except VersionConflict:
            log.info("nonconformity of complaint %s already opened", feedback_id)

    def open_for_outputs_cause(
        self, stamp: Stamp, *, raise_id: str, department_id: str, description: str
    ) -> None:
        """A cause of a procedure's nonconforming outputs the secretary raised, once (source:
        process monitoring), in the department that is to act."""
        facts = NcFacts(
            "process_monitoring", department_id, description, "8.7", cause_raise_id=raise_id
        )
        try:
            self.save_or_conflict(Nonconformity.open(facts=facts, stamp=stamp))
        except VersionConflict:
            log.info("nonconformity of outputs cause %s already opened", raise_id)

    def plan_corrective_action(
        self,
        context: CommandContext,
        nonconformity_id: uuid.UUID,
        expected: int | None,
        action: CorrectiveAction,
    ) -> CommandResult:
        """The secretary, or the leader of the department where it was found."""
        nc = self.load_for(
            context, Nonconformity, nonconformity_id, expected, ISO_SECRETARY, DEPARTMENT_LEADER
        )
        context.principal.require_department(nc.facts.department_id, "lập hành động khắc phục")
        nc.plan_action(action=action, stamp=nc.stamp(context))
        return self.save_result(nc)

    def implement(
        self,
        context: CommandContext,
        nonconformity_id: uuid.UUID,
        expected: int | None,
        *,
        evidence: str,
        implemented_on: date,
    ) -> CommandResult:
        """The secretary, or the leader of the department that owns the action."""
        nc = self.load_for(
            context, Nonconformity, nonconformity_id, expected, ISO_SECRETARY, DEPARTMENT_LEADER
        )
        _not_after_today(implemented_on, "implemented_on")
        owner = nc.action.owner_department_id if nc.action else nc.facts.department_id
        context.principal.require_department(owner, "ghi nhận thực hiện hành động này")
        nc.implement(evidence=evidence, implemented_on=implemented_on, stamp=nc.stamp(context))
        return self.save_result(nc)

    def verify(
        self,
        context: CommandContext,
        nonconformity_id: uuid.UUID,
        expected: int | None,
        *,
        effective: bool,
        note: str,
        verified_on: date,
    ) -> CommandResult:
        """The secretary or an auditor checks the action worked."""
        nc = self.load_for(
            context, Nonconformity, nonconformity_id, expected, ISO_SECRETARY, AUDITOR
        )
        _not_after_today(verified_on, "verified_on")
        nc.verify(effective=effective, note=note, verified_on=verified_on, stamp=nc.stamp(context))
        return self.save_result(nc)

    def close_nonconformity(
        self, context: CommandContext, nonconformity_id: uuid.UUID, expected: int | None, note: str
    ) -> CommandResult:
        nc = self.load_for(context, Nonconformity, nonconformity_id, expected, ISO_SECRETARY)
        nc.close(note=note, stamp=nc.stamp(context))
        return self.save_result(nc)
