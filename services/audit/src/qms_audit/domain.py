"""Audit domain: internal audit (ISO 9001 9.2) and nonconformity with corrective action (10.2).

Aggregates and their events only; no I/O. Public methods check the rules and then record
events, so a rejected command records nothing. Every event carries a `Stamp`; programmes and
plans take their review steps (submit, approve, return) from the reviewed-record kit.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.record import UnitRecord
from qms_runtime.review.domain import ReviewedRecord, ReviewStatus, require_text

FINDING_KINDS = ("conformity", "major", "minor", "observation", "improvement")
#: Findings that open a nonconformity.
NONCONFORMING = ("major", "minor")
OUTCOMES = ("results_confirmed", "improvement_actions", "follow_up")
SOURCES = ("audit", "complaint", "review", "process_monitoring")
#: The namespace of the ids of nonconformities opened from management review outputs.
REVIEW_OUTPUTS = UUID("6f1d3c0e-9f49-4c51-8a57-2b0c1d9e7a31")
#: The namespace of the ids of nonconformities opened from citizens' complaints.
COMPLAINTS = UUID("0b8e4f52-7c1a-5d93-a6e0-3f2d9b7c4e18")
#: The namespace of the ids of nonconformities opened for a cause of nonconforming outputs.
OUTPUT_CAUSES = UUID("5c1e9a7d-2b84-5f36-8e0d-4a9f3c6b1d72")


@dataclass(frozen=True)
class ProgrammeContent:
    """A unit's audit programme for a year."""

    year: int
    objectives: str
    scope: str
    criteria: str
    department_ids: tuple[str, ...]
    period_start: date
    period_end: date
    planned_rounds: int

    def check(self) -> None:
        for field in ("objectives", "scope", "criteria"):
            require_text(getattr(self, field), field)
        if not self.department_ids:
            raise InvalidInput("Chọn ít nhất một phòng được đánh giá", field="department_ids")
        if len(set(self.department_ids)) != len(self.department_ids):
            raise InvalidInput("Mỗi phòng chỉ được chọn một lần", field="department_ids")
        if self.period_end < self.period_start:
            raise InvalidInput("Ngày kết thúc nằm trước ngày bắt đầu", field="period_end")
        if self.year not in (self.period_start.year, self.period_end.year):
            raise InvalidInput("Thời gian đánh giá phải thuộc năm của chương trình", field="year")
        if not 1 <= self.planned_rounds <= 12:
            raise InvalidInput("Số đợt đánh giá từ 1 đến 12", field="planned_rounds")


@dataclass(frozen=True)
class Auditor:
    sub: str
    name: str
    department_id: str


@dataclass(frozen=True)
class ChecklistItem:
    clause: str
    question: str


@dataclass(frozen=True)
class Visit:
    """One department's audit in a round: when, by whom, against what."""

    department_id: str
    day: date
    slot: str
    lead: Auditor
    team: tuple[Auditor, ...]
    auditees: tuple[str, ...]
    criteria: str
    checklist: tuple[ChecklistItem, ...]

    def auditors(self) -> tuple[Auditor, ...]:
        return (self.lead, *self.team)


@dataclass(frozen=True)
class PlanContent:
    """The detailed plan of one audit round."""

    round: int
    visits: tuple[Visit, ...]

    def check(self, departments: tuple[str, ...]) -> None:
        """The rules of a plan under a programme covering `departments`."""
        if self.round < 1:
            raise InvalidInput("Đợt đánh giá bắt đầu từ 1", field="round")
        if not self.visits:
            raise InvalidInput("Kế hoạch cần ít nhất một phòng được đánh giá", field="visits")
        seen: set[str] = set()
        for index, visit in enumerate(self.visits):
            where = f"visits.{index}"
            if visit.department_id not in departments:
                raise InvalidInput(
                    f"Phòng {visit.department_id} không thuộc chương trình đánh giá",
                    field=f"{where}.department_id",
                )
            if visit.department_id in seen:
                raise InvalidInput(
                    f"Phòng {visit.department_id} có hai lịch đánh giá trong một đợt",
                    field=f"{where}.department_id",
                )
            seen.add(visit.department_id)
            require_text(visit.slot, f"{where}.slot")
            require_text(visit.criteria, f"{where}.criteria")
            for auditor in visit.auditors():
                # Auditors never audit their own department (ISO 19011 independence).
                if auditor.department_id == visit.department_id:
                    raise InvalidInput(
                        f"Đánh giá viên {auditor.name} không được đánh giá phòng của mình "
                        f"({visit.department_id})",
                        field=f"{where}.lead" if auditor == visit.lead else f"{where}.team",
                    )
            subs = [auditor.sub for auditor in visit.auditors()]
            if len(set(subs)) != len(subs):
                raise InvalidInput("Một đánh giá viên có tên hai lần", field=f"{where}.team")

    def visit(self, department_id: str) -> Visit:
        for visit in self.visits:
            if visit.department_id == department_id:
                return visit
        raise InvalidInput(
            f"Phòng {department_id} không có trong kế hoạch đợt này", field="department_id"
        )


class AuditProgramme(ReviewedRecord):
    """A unit's yearly internal audit programme."""

    noun = "chương trình đánh giá nội bộ"

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]

    @classmethod
    def draft(cls, *, content: ProgrammeContent, stamp: Stamp) -> "AuditProgramme":
        content.check()
        return cls(content=content, stamp=stamp)

    @event("Drafted")
    def __init__(self, *, content: ProgrammeContent, stamp: Stamp):
        self._start_as_draft(stamp.unit_id)
        self.content = content

    def revise(self, *, content: ProgrammeContent, stamp: Stamp) -> None:
        self.expect_editable()
        content.check()
        self._revised(content=content, stamp=stamp)

    @event("Revised")
    def _revised(self, content: ProgrammeContent, stamp: Stamp) -> None:
        self.content = content
        self.status = ReviewStatus.DRAFT

    def departments_for_plans(self) -> tuple[str, ...]:
        """The departments plans may cover: only an approved programme takes plans."""
        if self.status != ReviewStatus.APPROVED:
            raise IllegalTransition(
                "Chỉ lập kế hoạch theo chương trình đã phê duyệt", current_status=str(self.status)
            )
        return self.content.department_ids


#: A plan's status after the reviewed-record kit's: the round is over.
CONCLUDED = "concluded"


@dataclass(frozen=True)
class Finding:
    finding_id: str
    department_id: str
    kind: str
    clause: str
    evidence: str
    auditor: str


class AuditPlan(ReviewedRecord):
    """One round's plan; once approved, its findings per department, then its conclusion."""

    noun = "kế hoạch đánh giá"

    if TYPE_CHECKING:
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]
        FindingRecorded: type[Aggregate.Event]
        FindingAcknowledged: type[Aggregate.Event]
        Concluded: type[Aggregate.Event]

    @classmethod
    def draft(
        cls,
        *,
        programme_id: str,
        departments: tuple[str, ...],
        content: PlanContent,
        stamp: Stamp,
    ) -> "AuditPlan":
        content.check(departments)
        return cls(programme_id=programme_id, departments=departments, content=content, stamp=stamp)

    @event("Drafted")
    def __init__(
        self, *, programme_id: str, departments: tuple[str, ...], content: PlanContent, stamp: Stamp
    ):
        self._start_as_draft(stamp.unit_id)
        self.programme_id = programme_id
        #: The programme's departments, which every version of the plan is checked against.
        self.departments = departments
        self.content = content
        self.findings: dict[str, Finding] = {}
        self.acknowledged: set[str] = set()
        self.outcome: str | None = None

    def revise(self, *, content: PlanContent, stamp: Stamp) -> None:
        self.expect_editable()
        content.check(self.departments)
        self._revised(content=content, stamp=stamp)

    @event("Revised")
    def _revised(self, content: PlanContent, stamp: Stamp) -> None:
        self.content = content
        self.status = ReviewStatus.DRAFT

    def record_finding(
        self, *, department_id: str, kind: str, clause: str, evidence: str, stamp: Stamp
    ) -> Finding:
        """By an auditor planned on that department's visit, while the round is open."""
        self.expect(ReviewStatus.APPROVED, action="ghi nhận phát hiện cho")
        visit = self.content.visit(department_id)
        if stamp.actor not in {auditor.sub for auditor in visit.auditors()}:
            raise Forbidden(f"Chỉ đánh giá viên được phân công đánh giá phòng {department_id}")
        if kind not in FINDING_KINDS:
            raise InvalidInput(
                f"Loại phát hiện phải là một trong {', '.join(FINDING_KINDS)}", field="kind"
            )
        require_text(evidence, "evidence")
        if kind in NONCONFORMING:
            require_text(clause, "clause")
        finding = Finding(
            f"f{len(self.findings) + 1}", department_id, kind, clause, evidence, stamp.actor
        )
        self._finding_recorded(finding=finding, stamp=stamp)
        return finding

    @event("FindingRecorded")
    def _finding_recorded(self, finding: Finding, stamp: Stamp) -> None:
        self.findings[finding.finding_id] = finding

    def finding(self, finding_id: str) -> Finding:
        if finding_id not in self.findings:
            raise InvalidInput(f"Không có phát hiện {finding_id}", field="finding_id")
        return self.findings[finding_id]

    def acknowledge_finding(self, *, finding_id: str, note: str, stamp: Stamp) -> None:
        """The auditee department's leader has read the finding (the application checks who)."""
        self.expect(ReviewStatus.APPROVED, action="xác nhận phát hiện của")
        self.finding(finding_id)
        if finding_id in self.acknowledged:
            raise IllegalTransition(
                f"Phát hiện {finding_id} đã được xác nhận", current_status=str(self.status)
            )
        self._finding_acknowledged(finding_id=finding_id, note=note, stamp=stamp)

    @event("FindingAcknowledged")
    def _finding_acknowledged(self, finding_id: str, note: str, stamp: Stamp) -> None:
        self.acknowledged.add(finding_id)

    def conclude(
        self, *, outcome: str, note: str, follow_up_plan_id: str | None, stamp: Stamp
    ) -> None:
        """The unit leader closes the round once every finding is acknowledged; a follow-up
        audit names the next round's plan."""
        self.expect(ReviewStatus.APPROVED, action="kết luận")
        if (outcome == "follow_up") != (follow_up_plan_id is not None):
            raise InvalidInput("Đánh giá bổ sung cần kế hoạch đợt sau", field="outcome")
        if outcome not in OUTCOMES:
            raise InvalidInput(f"Kết luận phải là một trong {', '.join(OUTCOMES)}", field="outcome")
        if not self.findings:
            raise IllegalTransition(
                "Chưa có phát hiện nào để kết luận", current_status=str(self.status)
            )
        waiting = sorted(set(self.findings) - self.acknowledged)
        if waiting:
            raise IllegalTransition(
                f"Các phát hiện chưa được phòng xác nhận: {', '.join(waiting)}",
                current_status=str(self.status),
            )
        self._concluded(
            outcome=outcome, note=note, follow_up_plan_id=follow_up_plan_id, stamp=stamp
        )

    @event("Concluded")
    def _concluded(
        self, outcome: str, note: str, follow_up_plan_id: str | None, stamp: Stamp
    ) -> None:
        self.outcome = outcome
        self.status = CONCLUDED

    def follow_up_content(self) -> PlanContent:
        """The next round's plan: the visits of the departments with nonconformities."""
        failing = {f.department_id for f in self.findings.values() if f.kind in NONCONFORMING}
        visits = tuple(v for v in self.content.visits if v.department_id in failing)
        return PlanContent(self.content.round + 1, visits or self.content.visits)


class NcStatus(StrEnum):
    OPEN = "open"
    ACTION_PLANNED = "action_planned"
    IMPLEMENTED = "implemented"
    VERIFIED = "verified"
    REOPENED = "reopened"
    CLOSED = "closed"


@dataclass(frozen=True)
class NcFacts:
    source: str
    department_id: str
    description: str
    clause: str
    #: (plan id, finding id) when opened from an audit finding.
    plan_id: str = ""
    finding_id: str = ""
    #: (review id, output id) when opened from a management review's output.
    review_id: str = ""
    output_id: str = ""
    #: The citizen's feedback when opened from a complaint.
    feedback_id: str = ""
    #: The procedures service's raise when opened for a cause of nonconforming outputs.
    cause_raise_id: str = ""

    def check(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInput(f"Nguồn phải là một trong {', '.join(SOURCES)}", field="source")
        require_text(self.department_id, "department_id")
        require_text(self.description, "description")


@dataclass(frozen=True)
class CorrectiveAction:
    correction: str
    root_cause: str
    action: str
    owner_department_id: str
    due_date: date


class Nonconformity(UnitRecord):
    """A nonconformity and its corrective action, until verified effective and closed."""

    noun = "sự không phù hợp"

    if TYPE_CHECKING:
        Opened: type[Aggregate.Event]
        ActionPlanned: type[Aggregate.Event]
        Implemented: type[Aggregate.Event]
        Verified: type[Aggregate.Event]
        Reopened: type[Aggregate.Event]
        Closed: type[Aggregate.Event]

    @classmethod
    def open(cls, *, facts: NcFacts, stamp: Stamp) -> "Nonconformity":
        facts.check()
        return cls(facts=facts, stamp=stamp)

    @staticmethod
    def create_id(facts: NcFacts, **_: object) -> UUID:
        """A review output's or a complaint's nonconformity has an id derived from it: opened
        once, however often the event that asks for it comes."""
        if facts.review_id:
            return uuid5(REVIEW_OUTPUTS, f"{facts.review_id}/{facts.output_id}")
        if facts.feedback_id:
            return uuid5(COMPLAINTS, facts.feedback_id)
        if facts.cause_raise_id:
            return uuid5(OUTPUT_CAUSES, facts.cause_raise_id)
        return uuid4()

    @event("Opened")
    def __init__(self, *, facts: NcFacts, stamp: Stamp):
        self.unit_id = stamp.unit_id
        self.facts = facts
        self.status: str = NcStatus.OPEN
        self.action: CorrectiveAction | None = None
        #: How many corrective actions were planned (a reopening asks for a new one).
        self.attempts = 0

    def plan_action(self, *, action: CorrectiveAction, stamp: Stamp) -> None:
        """Correction, root cause and action; may be corrected until implemented."""
        self.expect(
            NcStatus.OPEN,
            NcStatus.REOPENED,
            NcStatus.ACTION_PLANNED,
            action="lập hành động khắc phục cho",
        )
        for field in ("correction", "root_cause", "action", "owner_department_id"):
            require_text(getattr(action, field), field)
        # Correcting a planned action keeps its number; after a reopening comes a new one.
        attempt = self.attempts + (self.status != NcStatus.ACTION_PLANNED)
        self._action_planned(action=action, attempt=attempt, stamp=stamp)

    @event("ActionPlanned")
    def _action_planned(self, action: CorrectiveAction, attempt: int, stamp: Stamp) -> None:
        self.attempts = attempt
        self.action = action
        self.status = NcStatus.ACTION_PLANNED

    def implement(self, *, evidence: str, implemented_on: date, stamp: Stamp) -> None:
        self.expect(NcStatus.ACTION_PLANNED, action="ghi nhận thực hiện")
        require_text(evidence, "evidence")
        self._implemented(evidence=evidence, implemented_on=implemented_on, stamp=stamp)

    @event("Implemented")
    def _implemented(self, evidence: str, implemented_on: date, stamp: Stamp) -> None:
        self.status = NcStatus.IMPLEMENTED

    def verify(self, *, effective: bool, note: str, verified_on: date, stamp: Stamp) -> None:
        """Effectiveness, once the action's due date has come: effective, or reopened."""
        self.expect(NcStatus.IMPLEMENTED, action="kiểm tra hiệu lực")
        assert self.action is not None
        if verified_on < self.action.due_date:
            raise InvalidInput(
                "Chỉ kiểm tra hiệu lực từ hạn hoàn thành của hành động khắc phục",
                field="verified_on",
            )
        require_text(note, "note")
        self._verified(effective=effective, note=note, verified_on=verified_on, stamp=stamp)
        if not effective:
            self._reopened(stamp=stamp)

    @event("Verified")
    def _verified(self, effective: bool, note: str, verified_on: date, stamp: Stamp) -> None:
        self.status = NcStatus.VERIFIED

    @event("Reopened")
    def _reopened(self, stamp: Stamp) -> None:
        self.status = NcStatus.REOPENED

    def close(self, *, note: str, stamp: Stamp) -> None:
        """Only once verified effective: never without a verification."""
        self.expect(NcStatus.VERIFIED, action="đóng")
        self._closed(note=note, stamp=stamp)

    @event("Closed")
    def _closed(self, note: str, stamp: Stamp) -> None:
        self.status = NcStatus.CLOSED
