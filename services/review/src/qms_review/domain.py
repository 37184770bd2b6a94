"""Review domain: management review (ISO 9001 9.3). No I/O.

A review's notice takes its review steps (submit, approve, return) from the reviewed-record
kit; once approved, the review goes on: issued, the departments' reports, consolidation, the
meeting, the conclusion the unit leader approves, and each output's action done and verified.
Public methods check the rules and then record events, so a rejected command records nothing.
Every event carries a `Stamp`. Dates the rules need ("today") are given by the application.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.review.domain import ReviewedRecord, ReviewStatus, require_text

#: The inputs of a review (9.3.2), in the standard's order.
TOPICS = (
    "previous_actions",
    "changes_in_issues",
    "customer_feedback",
    "objective_achievement",
    "process_performance",
    "nonconformities",
    "monitoring_results",
    "audit_results",
    "external_providers",
    "resources",
    "risk_actions",
    "improvement_opportunities",
)
#: The outputs of a review (9.3.3).
OUTPUT_KINDS = ("improvement", "qms_change", "resource_need")


@dataclass(frozen=True)
class AgendaItem:
    topic: str
    department_ids: tuple[str, ...]
    guidance: str


@dataclass(frozen=True)
class ExpectedReport:
    """A report a department owes on one agenda item."""

    department_id: str
    topic: str


@dataclass(frozen=True)
class NoticeContent:
    """What the notice announces: the agenda, who reports on what, by when, the meeting."""

    title: str
    agenda: tuple[AgendaItem, ...]
    report_deadline: date
    meeting_date: date

    def check(self, year: int) -> None:
        require_text(self.title, "title")
        if not self.agenda:
            raise InvalidInput("Chương trình họp cần ít nhất một nội dung", field="agenda")
        topics = [item.topic for item in self.agenda]
        for index, item in enumerate(self.agenda):
            if item.topic not in TOPICS:
                raise InvalidInput(
                    f"Nội dung '{item.topic}' không thuộc danh mục 9.3.2",
                    field=f"agenda.{index}.topic",
                )
            if topics.index(item.topic) != index:
                raise InvalidInput(
                    "Mỗi nội dung chỉ có một lần trong chương trình họp",
                    field=f"agenda.{index}.topic",
                )
            if len(set(item.department_ids)) != len(item.department_ids):
                raise InvalidInput(
                    "Mỗi phòng chỉ được chọn một lần", field=f"agenda.{index}.department_ids"
                )
            for department_id in item.department_ids:
                require_text(department_id, f"agenda.{index}.department_ids")
        if self.meeting_date.year != year:
            raise InvalidInput("Ngày họp phải thuộc năm xem xét", field="meeting_date")
        if self.report_deadline > self.meeting_date:
            raise InvalidInput("Hạn gửi báo cáo phải trước ngày họp", field="report_deadline")

    def expected_reports(self) -> tuple[ExpectedReport, ...]:
        return tuple(
            ExpectedReport(department_id, item.topic)
            for item in self.agenda
            for department_id in item.department_ids
        )


@dataclass(frozen=True)
class Report:
    department_id: str
    topic: str
    content: str


@dataclass(frozen=True)
class Meeting:
    held_on: date
    chair: str
    participants: tuple[str, ...]
    minutes: str

    def check(self, today: date) -> None:
        if self.held_on > today:
            raise InvalidInput("Chỉ ghi biên bản cuộc họp đã diễn ra", field="held_on")
        require_text(self.chair, "chair")
        require_text(self.minutes, "minutes")
        if not self.participants:
            raise InvalidInput("Ghi thành phần tham dự", field="participants")
        for participant in self.participants:
            require_text(participant, "participants")


@dataclass(frozen=True)
class FollowUpAction:
    owner_department_id: str
    due_date: date


@dataclass(frozen=True)
class Output:
    """One output of 9.3.3; its id is given when the conclusion is drafted (o1, o2…)."""

    kind: str
    description: str
    action: FollowUpAction | None = None
    corrective_action_needed: bool = False
    department_id: str | None = None
    output_id: str = ""

    def check(self, where: str, held_on: date) -> None:
        if self.kind not in OUTPUT_KINDS:
            raise InvalidInput(
                f"Loại đầu ra phải là một trong {', '.join(OUTPUT_KINDS)}", field=f"{where}.kind"
            )
        require_text(self.description, f"{where}.description")
        if self.corrective_action_needed and not (self.department_id or "").strip():
            raise InvalidInput(
                "Cần hành động khắc phục thì phải ghi phòng liên quan",
                field=f"{where}.department_id",
            )
        if self.action is not None:
            require_text(self.action.owner_department_id, f"{where}.action.owner_department_id")
            if self.action.due_date < held_on:
                raise InvalidInput(
                    "Hạn hoàn thành không được trước ngày họp", field=f"{where}.action.due_date"
                )


class Stage(StrEnum):
    """A review's status after the kit's (draft, submitted, returned, approved)."""

    ISSUED = "issued"
    CONSOLIDATED = "consolidated"
    MEETING_HELD = "meeting_held"
    CONCLUSION_DRAFTED = "conclusion_drafted"
    CONCLUSION_RETURNED = "conclusion_returned"
    CONCLUDED = "concluded"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    VERIFIED = "verified"


@dataclass(frozen=True)
class ActionProgress:
    status: str = ActionStatus.OPEN
    evidence: str = ""
    completed_on: date | None = None
    completed_by: str | None = None
    verified_by: str | None = None
    note: str = ""
    #: Versions of the review's events that recorded it done and verified (for their ids).
    completed_version: int | None = None
    verified_version: int | None = None


class ManagementReview(ReviewedRecord):
    """A unit's management review of one year and round, from notice to verified actions."""

    noun = "cuộc xem xét của lãnh đạo"

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]
        Issued: type[Aggregate.Event]
        ReportSubmitted: type[Aggregate.Event]
        ReportRevised: type[Aggregate.Event]
        Consolidated: type[Aggregate.Event]
        MeetingHeld: type[Aggregate.Event]
        ConclusionDrafted: type[Aggregate.Event]
        ConclusionReturned: type[Aggregate.Event]
        Concluded: type[Aggregate.Event]
        ActionCompleted: type[Aggregate.Event]
        ActionVerified: type[Aggregate.Event]

    @classmethod
    def draft(
        cls, *, year: int, round: int, content: NoticeContent, stamp: Stamp
    ) -> "ManagementReview":
        content.check(year)
        return cls(year=year, round=round, content=content, stamp=stamp)

    @event("Drafted")
    def __init__(self, *, year: int, round: int, content: NoticeContent, stamp: Stamp):
        self._start_as_draft(stamp.unit_id)
        self.year = year
        self.round = round
        self.content = content
        self.reports: dict[ExpectedReport, Report] = {}
        self.consolidation_summary = ""
        self.missing_reports: tuple[ExpectedReport, ...] = ()
        self.meeting: Meeting | None = None
        self.conclusion_summary = ""
        self.outputs: tuple[Output, ...] = ()
        self.conclusion_drafted_by: str | None = None
        self.conclusion_return_reason: str | None = None
        self.actions: dict[str, ActionProgress] = {}
        #: Versions of the facts the yearly report cites (their event ids derive from them).
        self.meeting_version: int | None = None
        self.concluded_version: int | None = None

    # The notice (submit, approve and return come from the kit)

    def revise(self, *, content: NoticeContent, stamp: Stamp) -> None:
        self.expect_editable()
        content.check(self.year)
        self._revised(content=content, stamp=stamp)

    @event("Revised")
    def _revised(self, content: NoticeContent, stamp: Stamp) -> None:
        self.content = content
        self.status = ReviewStatus.DRAFT

    def issue(self, *, stamp: Stamp) -> None:
        """Send the approved notice: every report it asks for is now owed."""
        self.expect(ReviewStatus.APPROVED, action="gửi thông báo của")
        self._issued(
            expected=self.content.expected_reports(),
            report_deadline=self.content.report_deadline,
            stamp=stamp,
        )

    @event("Issued")
    def _issued(
        self, expected: tuple[ExpectedReport, ...], report_deadline: date, stamp: Stamp
    ) -> None:
        self.status = Stage.ISSUED

    # The departments' reports

    def _owed(self, department_id: str, topic: str) -> ExpectedReport:
        owed = ExpectedReport(department_id, topic)
        if owed not in self.content.expected_reports():
            raise InvalidInput(
                f"Phòng {department_id} không phải báo cáo nội dung '{topic}'", field="topic"
            )
        return owed

    def submit_report(self, *, report: Report, stamp: Stamp) -> None:
        """One report per department and agenda item assigned to it."""
        self.expect(Stage.ISSUED, action="gửi báo cáo cho")
        owed = self._owed(report.department_id, report.topic)
        if owed in self.reports:
            raise IllegalTransition(
                "Phòng đã gửi báo cáo nội dung này; hãy sửa báo cáo đã gửi",
                current_status=str(self.status),
            )
        require_text(report.content, "content")
        self._report_submitted(report=report, stamp=stamp)

    @event("ReportSubmitted")
    def _report_submitted(self, report: Report, stamp: Stamp) -> None:
        self.reports[ExpectedReport(report.department_id, report.topic)] = report

    def revise_report(self, *, report: Report, stamp: Stamp) -> None:
        """Until the secretary consolidates."""
        self.expect(Stage.ISSUED, action="sửa báo cáo của")
        if self._owed(report.department_id, report.topic) not in self.reports:
            raise IllegalTransition(
                "Phòng chưa gửi báo cáo nội dung này", current_status=str(self.status)
            )
        require_text(report.content, "content")
        self._report_revised(report=report, stamp=stamp)

    @event("ReportRevised")
    def _report_revised(self, report: Report, stamp: Stamp) -> None:
        self.reports[ExpectedReport(report.department_id, report.topic)] = report

    def consolidate(self, *, summary: str, today: date, stamp: Stamp) -> None:
        """When every report is in, or after the deadline: the missing ones are named."""
        self.expect(Stage.ISSUED, action="tổng hợp báo cáo của")
        missing = tuple(e for e in self.content.expected_reports() if e not in self.reports)
        if missing and today <= self.content.report_deadline:
            raise IllegalTransition(
                f"Còn {len(missing)} báo cáo chưa gửi; chỉ tổng hợp khi đủ báo cáo hoặc sau hạn "
                f"{self.content.report_deadline.strftime('%d/%m/%Y')}",
                current_status=str(self.status),
                missing_reports=[vars(e) for e in missing],
            )
        require_text(summary, "summary")
        self._consolidated(
            summary=summary,
            received=len(self.reports),
            missing=missing,
            consolidated_on=today,
            stamp=stamp,
        )

    @event("Consolidated")
    def _consolidated(
        self,
        summary: str,
        received: int,
        missing: tuple[ExpectedReport, ...],
        consolidated_on: date,
        stamp: Stamp,
    ) -> None:
        self.consolidation_summary = summary
        self.missing_reports = missing
        self.status = Stage.CONSOLIDATED

    # The meeting and its conclusion

    def hold_meeting(self, *, meeting: Meeting, today: date, stamp: Stamp) -> None:
        self.expect(Stage.CONSOLIDATED, action="ghi biên bản họp của")
        meeting.check(today)
        self._meeting_held(meeting=meeting, stamp=stamp)

    @event("MeetingHeld")
    def _meeting_held(self, meeting: Meeting, stamp: Stamp) -> None:
        self.meeting = meeting
        self.meeting_version = self.version + 1  # this event's version (applied before it)
        self.status = Stage.MEETING_HELD

    def draft_conclusion(self, *, summary: str, outputs: tuple[Output, ...], stamp: Stamp) -> None:
        """The secretary drafts (or drafts again) the outputs; each gets its id here."""
        self.expect(
            Stage.MEETING_HELD,
            Stage.CONCLUSION_DRAFTED,
            Stage.CONCLUSION_RETURNED,
            action="soạn kết luận của",
        )
        assert self.meeting is not None
        require_text(summary, "summary")
        if not outputs:
            raise InvalidInput("Kết luận cần ít nhất một đầu ra", field="outputs")
        for index, output in enumerate(outputs):
            output.check(f"outputs.{index}", self.meeting.held_on)
        numbered = tuple(
            replace(output, output_id=f"o{index}") for index, output in enumerate(outputs, 1)
        )
        self._conclusion_drafted(summary=summary, outputs=numbered, stamp=stamp)

    @event("ConclusionDrafted")
    def _conclusion_drafted(self, summary: str, outputs: tuple[Output, ...], stamp: Stamp) -> None:
        self.conclusion_summary = summary
        self.outputs = outputs
        self.conclusion_drafted_by = stamp.actor
        self.conclusion_return_reason = None
        self.status = Stage.CONCLUSION_DRAFTED

    def _check_conclusion_reviewer(self, stamp: Stamp) -> None:
        if stamp.actor == self.conclusion_drafted_by:
            raise Forbidden("Người soạn kết luận không được tự phê duyệt hoặc trả lại")

    def approve_conclusion(self, *, stamp: Stamp) -> None:
        """The unit leader concludes the review: the outputs' actions open."""
        self.expect(Stage.CONCLUSION_DRAFTED, action="phê duyệt kết luận của")
        self._check_conclusion_reviewer(stamp)
        self._concluded(summary=self.conclusion_summary, outputs=self.outputs, stamp=stamp)

    @event("Concluded")
    def _concluded(self, summary: str, outputs: tuple[Output, ...], stamp: Stamp) -> None:
        self.actions = {o.output_id: ActionProgress() for o in outputs if o.action is not None}
        self.concluded_version = self.version + 1  # this event's version (applied before it)
        self.status = Stage.CONCLUDED

    def return_conclusion(self, *, reason: str, stamp: Stamp) -> None:
        self.expect(Stage.CONCLUSION_DRAFTED, action="trả lại kết luận của")
        self._check_conclusion_reviewer(stamp)
        require_text(reason, "reason")
        self._conclusion_returned(reason=reason, stamp=stamp)

    @event("ConclusionReturned")
    def _conclusion_returned(self, reason: str, stamp: Stamp) -> None:
        self.conclusion_return_reason = reason
        self.status = Stage.CONCLUSION_RETURNED

    # The outputs' actions

    def output(self, output_id: str) -> Output:
        for output in self.outputs:
            if output.output_id == output_id:
                return output
        raise InvalidInput(f"Không có đầu ra {output_id}", field="output_id")

    def action_owner(self, output_id: str) -> str:
        """The department that carries out the output's action."""
        action = self.output(output_id).action
        if action is None:
            raise InvalidInput(f"Đầu ra {output_id} không có hành động", field="output_id")
        return action.owner_department_id

    def _action_in(self, output_id: str, status: str, action: str) -> ActionProgress:
        self.expect(Stage.CONCLUDED, action=action)
        self.action_owner(output_id)
        progress = self.actions[output_id]
        if progress.status != status:
            raise IllegalTransition(
                f"Không thể {action} hành động {output_id} đang ở trạng thái '{progress.status}'",
                current_status=str(progress.status),
            )
        return progress

    def complete_action(
        self, *, output_id: str, evidence: str, completed_on: date, today: date, stamp: Stamp
    ) -> None:
        self._action_in(output_id, ActionStatus.OPEN, "ghi nhận hoàn thành")
        assert self.meeting is not None
        require_text(evidence, "evidence")
        if completed_on < self.meeting.held_on:
            raise InvalidInput("Ngày hoàn thành không được trước ngày họp", field="completed_on")
        if completed_on > today:
            raise InvalidInput("Ngày hoàn thành chưa đến", field="completed_on")
        self._action_completed(
            output_id=output_id, evidence=evidence, completed_on=completed_on, stamp=stamp
        )

    @event("ActionCompleted")
    def _action_completed(
        self, output_id: str, evidence: str, completed_on: date, stamp: Stamp
    ) -> None:
        self.actions[output_id] = replace(
            self.actions[output_id],
            status=ActionStatus.DONE,
            evidence=evidence,
            completed_on=completed_on,
            completed_by=stamp.actor,
            completed_version=self.version + 1,
        )

    def verify_action(self, *, output_id: str, note: str, stamp: Stamp) -> None:
        """By someone other than who recorded it done (separation of duties)."""
        progress = self._action_in(output_id, ActionStatus.DONE, "xác nhận")
        if stamp.actor == progress.completed_by:
            raise Forbidden("Người ghi nhận hoàn thành không được tự xác nhận hành động")
        require_text(note, "note")
        self._action_verified(output_id=output_id, note=note, stamp=stamp)

    @event("ActionVerified")
    def _action_verified(self, output_id: str, note: str, stamp: Stamp) -> None:
        self.actions[output_id] = replace(
            self.actions[output_id],
            status=ActionStatus.VERIFIED,
            verified_by=stamp.actor,
            note=note,
            verified_version=self.version + 1,
        )


_REGISTER_NAMESPACE = uuid.UUID("0c9f6a53-51b4-4d43-8f7e-6c1c2d1b8e5a")


class ReviewRegister(Aggregate):
    """Numbers a unit's reviews of one year (their rounds) and lists them for the year's report.

    Saved with the review it adds, so two concurrent drafts cannot take the same round.
    """

    if TYPE_CHECKING:
        Opened: type[Aggregate.Event]
        ReviewAdded: type[Aggregate.Event]

    @staticmethod
    def create_id(unit_id: str, year: int) -> uuid.UUID:
        return uuid.uuid5(_REGISTER_NAMESPACE, f"{unit_id}:{year}")

    @event("Opened")
    def __init__(self, unit_id: str, year: int) -> None:
        self.unit_id = unit_id
        self.year = year
        self.reviews: list[uuid.UUID] = []

    @property
    def next_round(self) -> int:
        return len(self.reviews) + 1

    @event("ReviewAdded")
    def add_review(self, review_id: uuid.UUID) -> None:
        self.reviews.append(review_id)
