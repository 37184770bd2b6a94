"""The review application: commands (with authorisation) and queries over the event store."""

import uuid
from collections.abc import Callable
from datetime import date

from eventsourcing.application import AggregateNotFoundError

from qms_review.domain import (
    AgendaItem,
    ExpectedReport,
    FollowUpAction,
    ManagementReview,
    Meeting,
    NoticeContent,
    Output,
    Report,
    ReviewRegister,
)
from qms_runtime.clock import today
from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal
from qms_runtime.review.application import ReviewSteps


class ReviewApplication(ReviewSteps):
    dataclass_types = (
        AgendaItem,
        NoticeContent,
        ExpectedReport,
        Report,
        Meeting,
        FollowUpAction,
        Output,
    )

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        #: Today's date for the rules that depend on it (deadlines, meetings held); tests set it.
        self.today: Callable[[], date] = today

    def _register(self, unit_id: str, year: int) -> ReviewRegister:
        try:
            register: ReviewRegister = self.repository.get(ReviewRegister.create_id(unit_id, year))
        except AggregateNotFoundError:
            return ReviewRegister(unit_id=unit_id, year=year)
        return register

    # The notice (submit, approve and return come from the kit)

    def draft_notice(
        self, context: CommandContext, unit_id: str, year: int, content: NoticeContent
    ) -> CommandResult:
        """The secretary; the review takes the year's next round."""
        context.principal.require(unit_id, *ManagementReview.drafter_roles)
        register = self._register(unit_id, year)
        review = ManagementReview.draft(
            year=year, round=register.next_round, content=content, stamp=context.stamp(unit_id)
        )
        register.add_review(review.id)
        return self.save_result(review, register)

    def revise_notice(
        self,
        context: CommandContext,
        review_id: uuid.UUID,
        expected: int | None,
        content: NoticeContent,
    ) -> CommandResult:
        review = self.load_for(
            context, ManagementReview, review_id, expected, *ManagementReview.drafter_roles
        )
        review.revise(content=content, stamp=review.stamp(context))
        return self.save_result(review)

    def issue_notice(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, ISO_SECRETARY)
        review.issue(stamp=review.stamp(context))
        return self.save_result(review)

    # The departments' reports: a department leader, for their own department only

    def _report_step(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, report: Report
    ) -> ManagementReview:
        review = self.load_for(context, ManagementReview, review_id, expected, DEPARTMENT_LEADER)
        context.principal.require_own_department(report.department_id, "gửi báo cáo của phòng này")
        return review

    def submit_report(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, report: Report
    ) -> CommandResult:
        review = self._report_step(context, review_id, expected, report)
        review.submit_report(report=report, stamp=review.stamp(context))
        return self.save_result(review)

    def revise_report(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, report: Report
    ) -> CommandResult:
        review = self._report_step(context, review_id, expected, report)
        review.revise_report(report=report, stamp=review.stamp(context))
        return self.save_result(review)

    # Consolidation, meeting and conclusion

    def consolidate(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, summary: str
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, ISO_SECRETARY)
        review.consolidate(summary=summary, today=self.today(), stamp=review.stamp(context))
        return self.save_result(review)

    def hold_meeting(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, meeting: Meeting
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, ISO_SECRETARY)
        review.hold_meeting(meeting=meeting, today=self.today(), stamp=review.stamp(context))
        return self.save_result(review)

    def draft_conclusion(
        self,
        context: CommandContext,
        review_id: uuid.UUID,
        expected: int | None,
        *,
        summary: str,
        outputs: tuple[Output, ...],
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, ISO_SECRETARY)
        review.draft_conclusion(summary=summary, outputs=outputs, stamp=review.stamp(context))
        return self.save_result(review)

    def approve_conclusion(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, UNIT_LEADER)
        review.approve_conclusion(stamp=review.stamp(context))
        return self.save_result(review)

    def return_conclusion(
        self, context: CommandContext, review_id: uuid.UUID, expected: int | None, reason: str
    ) -> CommandResult:
        review = self.load_for(context, ManagementReview, review_id, expected, UNIT_LEADER)
        review.return_conclusion(reason=reason, stamp=review.stamp(context))
        return self.save_result(review)

    # The outputs' actions

    def complete_action(
        self,
        context: CommandContext,
        review_id: uuid.UUID,
        expected: int | None,
        *,
        output_id: str,
        evidence: str,
        completed_on: date,
    ) -> CommandResult:
        """The secretary, or the leader of the department that owns the action."""
        review = self.load_for(
            context, ManagementReview, review_id, expected, ISO_SECRETARY, DEPARTMENT_LEADER
        )
        context.principal.require_department(
            review.action_owner(output_id), "ghi nhận hoàn thành hành động này"
        )
        review.complete_action(
            output_id=output_id,
            evidence=evidence,
            completed_on=completed_on,
            today=self.today(),
            stamp=review.stamp(context),
        )
        return self.save_result(review)

    def verify_action(
        self,
        context: CommandContext,
        review_id: uuid.UUID,
        expected: int | None,
        *,
        output_id: str,
        note: str,
    ) -> CommandResult:
        # The secretary or the unit leader: a unit with one secretary still verifies what
        # that secretary recorded done.
        review = self.load_for(
            context, ManagementReview, review_id, expected, ISO_SECRETARY, UNIT_LEADER
        )
        review.verify_action(output_id=output_id, note=note, stamp=review.stamp(context))
        return self.save_result(review)

    # Queries

    def reviews_of_year(
        self, principal: Principal, unit_id: str, year: int
    ) -> list[ManagementReview]:
        """The unit's reviews of the year, by round."""
        principal.require(unit_id)
        register = self._register(unit_id, year)
        return [self.load(ManagementReview, review_id) for review_id in register.reviews]

    def earlier_reviews(self, review: ManagementReview) -> list[ManagementReview]:
        """The unit's concluded reviews before this one: the previous year's, then this year's
        earlier rounds (whose actions this one reviews, 9.3.2 a)."""
        # A register lists its reviews by round: this year's before this one are its first.
        before = [
            *self._register(review.unit_id, review.year - 1).reviews,
            *self._register(review.unit_id, review.year).reviews[: review.round - 1],
        ]
        earlier = [self.load(ManagementReview, review_id) for review_id in before]
        return [other for other in earlier if other.concluded_version is not None]
