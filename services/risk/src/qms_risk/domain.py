"""Risk domain: assessment plans and the register of risks and opportunities (ISO 9001 6.1).

Aggregates and their events only; no I/O. Public methods check the rules and then record one
event, so a rejected command records nothing. Every event carries a `Stamp`; a plan's review
steps (submit, approve, return) come from the reviewed-record kit.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import Stamp
from qms_runtime.errors import IllegalTransition, InvalidInput
from qms_runtime.record import UnitRecord
from qms_runtime.review.domain import ReviewedRecord, ReviewStatus, require_text

#: Levels from lowest to highest.
LEVELS = ("low", "medium", "high", "critical")
LEVEL_NAMES = {"low": "thấp", "medium": "trung bình", "high": "cao", "critical": "nghiêm trọng"}
#: The order in which entries are treated: 1 first.
PRIORITY = {"critical": 1, "high": 2, "medium": 3, "low": 4}
RISK_OPTIONS = ("avoid", "reduce", "transfer", "accept")
OPPORTUNITY_OPTIONS = ("exploit", "enhance", "share", "accept")


def _check_rating(value: int, field: str) -> None:
    if not 1 <= value <= 5:
        raise InvalidInput("Giá trị phải từ 1 đến 5", field=field)


@dataclass(frozen=True)
class Method:
    """The 5×5 matrix's reading: score = likelihood × severity, and where each level starts."""

    medium_from: int
    high_from: int
    critical_from: int
    acceptance_level: str

    def check(self) -> None:
        if not 2 <= self.medium_from < self.high_from < self.critical_from <= 25:
            raise InvalidInput(
                "Ngưỡng mức phải tăng dần: 2 ≤ trung bình < cao < nghiêm trọng ≤ 25",
                field="method",
            )
        if self.acceptance_level not in LEVELS[:-1]:
            raise InvalidInput(
                "Mức chấp nhận phải là thấp, trung bình hoặc cao", field="method.acceptance_level"
            )

    def level(self, score: int) -> str:
        if score >= self.critical_from:
            return "critical"
        if score >= self.high_from:
            return "high"
        if score >= self.medium_from:
            return "medium"
        return "low"

    def acceptable(self, level: str) -> bool:
        return LEVELS.index(level) <= LEVELS.index(self.acceptance_level)


@dataclass(frozen=True)
class PlanContent:
    title: str
    scope: str
    objectives: str
    resources: str
    period_start: date
    period_end: date
    method: Method

    def check(self) -> None:
        for field in ("title", "scope", "objectives", "resources"):
            require_text(getattr(self, field), field)
        if self.period_end < self.period_start:
            raise InvalidInput("Ngày kết thúc nằm trước ngày bắt đầu", field="period_end")
        self.method.check()


class RiskPlan(ReviewedRecord):
    """A unit's risk assessment plan for a period: scope, objectives, resources, method."""

    noun = "kế hoạch đánh giá rủi ro"

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]

    @classmethod
    def draft(cls, *, content: PlanContent, stamp: Stamp) -> "RiskPlan":
        content.check()
        return cls(content=content, stamp=stamp)

    @event("Drafted")
    def __init__(self, *, content: PlanContent, stamp: Stamp):
        self._start_as_draft(stamp.unit_id)
        self.content = content

    def revise(self, *, content: PlanContent, stamp: Stamp) -> None:
        self.expect_editable()
        content.check()
        self._revised(content=content, stamp=stamp)

    @event("Revised")
    def _revised(self, content: PlanContent, stamp: Stamp) -> None:
        self.content = content
        self.status = ReviewStatus.DRAFT

    def method_for_entries(self) -> Method:
        """The method entries are scored by: only an approved plan takes entries."""
        if self.status != ReviewStatus.APPROVED:
            raise IllegalTransition(
                "Chỉ đăng ký rủi ro theo kế hoạch đã phê duyệt", current_status=str(self.status)
            )
        return self.content.method


class EntryStatus(StrEnum):
    IDENTIFIED = "identified"
    ASSESSED = "assessed"
    TREATMENT = "treatment"
    REASSESSED = "reassessed"
    CLOSED = "closed"


@dataclass(frozen=True)
class EntryFacts:
    """What a department leader identifies."""

    kind: str
    title: str
    process: str
    cause: str
    consequence: str
    department_id: str

    def check(self) -> None:
        if self.kind not in ("risk", "opportunity"):
            raise InvalidInput("Loại phải là rủi ro hoặc cơ hội", field="kind")
        for field in ("title", "process", "cause", "consequence", "department_id"):
            require_text(getattr(self, field), field)


@dataclass(frozen=True)
class Rating:
    likelihood: int
    severity: int
    score: int
    level: str


@dataclass(frozen=True)
class ActionPlan:
    """An action as planned; the entry gives it its id."""

    description: str
    owner_department_id: str
    due_date: date


@dataclass(frozen=True)
class Action:
    action_id: str
    description: str
    owner_department_id: str
    due_date: date


@dataclass(frozen=True)
class Completion:
    evidence: str
    completed_on: date
    by: str


class RegisterEntry(UnitRecord):
    """A risk or an opportunity of a unit, from identification to closure."""

    noun = "rủi ro, cơ hội"

    if TYPE_CHECKING:
        Identified: type[Aggregate.Event]
        Assessed: type[Aggregate.Event]
        TreatmentPlanned: type[Aggregate.Event]
        ActionCompleted: type[Aggregate.Event]
        Reassessed: type[Aggregate.Event]
        Closed: type[Aggregate.Event]

    @classmethod
    def identify(
        cls, *, plan_id: str, facts: EntryFacts, method: Method, stamp: Stamp
    ) -> "RegisterEntry":
        facts.check()
        return cls(plan_id=plan_id, facts=facts, method=method, stamp=stamp)

    @event("Identified")
    def __init__(self, *, plan_id: str, facts: EntryFacts, method: Method, stamp: Stamp):
        self.unit_id = stamp.unit_id
        self.plan_id = plan_id
        self.facts = facts
        self.method = method
        self.status: str = EntryStatus.IDENTIFIED
        self.inherent: Rating | None = None
        self.residual: Rating | None = None
        self.option: str | None = None
        self.actions: tuple[Action, ...] = ()
        self.completed: dict[str, Completion] = {}
        self.monitor_on: date | None = None
        #: Action ids are a1, a2…, never reused, whatever a later plan drops.
        self.actions_numbered = 0

    def rate(self, likelihood: int, severity: int) -> Rating:
        _check_rating(likelihood, "likelihood")
        _check_rating(severity, "severity")
        score = likelihood * severity
        return Rating(likelihood, severity, score, self.method.level(score))

    def assess(self, *, likelihood: int, severity: int, stamp: Stamp) -> None:
        """The inherent rating; may be corrected until a treatment is planned."""
        self.expect(EntryStatus.IDENTIFIED, EntryStatus.ASSESSED, action="đánh giá")
        self._assessed(rating=self.rate(likelihood, severity), stamp=stamp)

    @event("Assessed")
    def _assessed(self, rating: Rating, stamp: Stamp) -> None:
        self.inherent = rating
        self.status = EntryStatus.ASSESSED

    def plan_treatment(
        self, *, option: str, actions: tuple[ActionPlan, ...], monitor_on: date, stamp: Stamp
    ) -> None:
        """After the assessment, or again when a re-assessment found the level too high."""
        self.expect(EntryStatus.ASSESSED, EntryStatus.TREATMENT, action="lập kế hoạch xử lý")
        options = RISK_OPTIONS if self.facts.kind == "risk" else OPPORTUNITY_OPTIONS
        if option not in options:
            raise InvalidInput(f"Cách xử lý phải là một trong {', '.join(options)}", field="option")
        if option != "accept" and not actions:
            raise InvalidInput("Cần ít nhất một hành động xử lý", field="actions")
        for action in actions:
            require_text(action.description, "actions.description")
            require_text(action.owner_department_id, "actions.owner_department_id")
        numbered = tuple(
            Action(f"a{number}", a.description, a.owner_department_id, a.due_date)
            for number, a in enumerate(actions, start=self.actions_numbered + 1)
        )
        self._treatment_planned(option=option, actions=numbered, monitor_on=monitor_on, stamp=stamp)

    @event("TreatmentPlanned")
    def _treatment_planned(
        self, option: str, actions: tuple[Action, ...], monitor_on: date, stamp: Stamp
    ) -> None:
        self.option = option
        self.actions = self.done_actions() + tuple(actions)
        self.actions_numbered += len(actions)
        self.monitor_on = monitor_on
        self.status = EntryStatus.TREATMENT

    def action(self, action_id: str) -> Action:
        for action in self.actions:
            if action.action_id == action_id:
                return action
        raise InvalidInput(f"Không có hành động {action_id}", field="action_id")

    def done_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.action_id in self.completed)

    def open_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.action_id not in self.completed)

    def complete_action(
        self, *, action_id: str, evidence: str, completed_on: date, stamp: Stamp
    ) -> None:
        self.expect(EntryStatus.TREATMENT, action="ghi nhận hành động")
        self.action(action_id)
        if action_id in self.completed:
            raise IllegalTransition(
                f"Hành động {action_id} đã hoàn thành", current_status=str(self.status)
            )
        require_text(evidence, "evidence")
        self._action_completed(
            action_id=action_id, evidence=evidence, completed_on=completed_on, stamp=stamp
        )

    @event("ActionCompleted")
    def _action_completed(
        self, action_id: str, evidence: str, completed_on: date, stamp: Stamp
    ) -> None:
        self.completed[action_id] = Completion(evidence, completed_on, stamp.actor)

    def reassess(self, *, likelihood: int, severity: int, stamp: Stamp) -> None:
        """The residual rating, once every action is done: acceptable, or back to treatment."""
        self.expect(EntryStatus.TREATMENT, action="đánh giá lại")
        if self.open_actions():
            raise IllegalTransition(
                "Còn hành động xử lý chưa hoàn thành", current_status=str(self.status)
            )
        rating = self.rate(likelihood, severity)
        self._reassessed(
            rating=rating, acceptable=self.method.acceptable(rating.level), stamp=stamp
        )

    @event("Reassessed")
    def _reassessed(self, rating: Rating, acceptable: bool, stamp: Stamp) -> None:
        self.residual = rating
        # Above the plan's acceptance level: back to treatment, for more actions.
        self.status = EntryStatus.REASSESSED if acceptable else EntryStatus.TREATMENT

    def close(self, *, note: str, stamp: Stamp) -> None:
        self.expect(EntryStatus.REASSESSED, action="đóng")
        self._closed(note=note, stamp=stamp)

    @event("Closed")
    def _closed(self, note: str, stamp: Stamp) -> None:
        self.closing_note = note
        self.status = EntryStatus.CLOSED
