"""Objectives domain: quality objectives (ISO 9001 6.2), quality policy (5.2), context (4).

Aggregates and their events only; no I/O. Public methods check the rules and then record one
event, so a rejected command records nothing. Every event carries a `Stamp`; the review steps
(submit, approve, return) come from the reviewed-record kit. A target may follow a statistic
(`IndicatorSource`): its progress is then recorded by the unit's `Indicator` (indicator.py),
never by hand.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import CommandContext, Stamp
from qms_runtime.errors import InvalidInput
from qms_runtime.review.domain import ReviewedRecord, ReviewStatus, require_text


class Status(StrEnum):
    DRAFT = ReviewStatus.DRAFT.value
    SUBMITTED = ReviewStatus.SUBMITTED.value
    RETURNED = ReviewStatus.RETURNED.value
    APPROVED = ReviewStatus.APPROVED.value
    DISSEMINATED = "disseminated"
    EVALUATED = "evaluated"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


#: The statistics a target can follow (qms_contracts.objectives.IndicatorKind).
INDICATOR_KINDS = ("dossiers_on_time", "satisfaction")
#: Who records a statistic's progress: no person, the service itself.
INDICATOR_ACTOR = "he-thong"


@dataclass(frozen=True)
class IndicatorSource:
    """A statistic of the objective's unit over its year: `procedure_id` None is every
    procedure of the unit."""

    kind: str
    procedure_id: str | None = None


@dataclass(frozen=True)
class TargetSpec:
    target_id: str
    statement: str
    indicator: str
    target_value: float
    unit_of_measure: str
    direction: str
    deadline: date
    department_id: str
    action_plan: str
    source: IndicatorSource | None = None

    def achieved_by(self, value: float) -> bool:
        if self.direction == "at_most":
            return value <= self.target_value
        return value >= self.target_value


@dataclass(frozen=True)
class ProgressEntry:
    value: float
    as_of: date
    note: str
    by: str
    #: The event that changed the target's statistic; None when a person recorded it.
    source_event_id: str | None = None


@dataclass(frozen=True)
class TargetResult:
    target_id: str
    achieved: bool
    last_value: float | None


def _check_targets(year: int, targets: tuple[TargetSpec, ...]) -> None:
    if not targets:
        raise InvalidInput("Mục tiêu phải có ít nhất một chỉ tiêu", field="targets")
    ids = [target.target_id for target in targets]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Mã chỉ tiêu bị trùng", field="targets")
    for target in targets:
        for field in ("statement", "indicator", "unit_of_measure", "department_id", "action_plan"):
            require_text(getattr(target, field), f"targets.{field}")
        if target.direction not in ("at_least", "at_most"):
            raise InvalidInput("Chiều đánh giá phải là at_least hoặc at_most", field="direction")
        if not math.isfinite(target.target_value):
            raise InvalidInput("Giá trị chỉ tiêu không hợp lệ", field="targets.target_value")
        if target.source is not None and target.source.kind not in INDICATOR_KINDS:
            raise InvalidInput("Nguồn số liệu không hợp lệ", field="targets.source")
        if target.deadline.year < year:
            raise InvalidInput(
                f"Thời hạn {target.deadline} của chỉ tiêu nằm trước năm {year}",
                field="targets.deadline",
            )


class Objective(ReviewedRecord):
    """A unit's quality objective for one year, with measurable targets."""

    noun = "mục tiêu"

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]
        Disseminated: type[Aggregate.Event]
        ProgressRecorded: type[Aggregate.Event]
        Evaluated: type[Aggregate.Event]

    @classmethod
    def draft(
        cls, *, year: int, title: str, targets: tuple[TargetSpec, ...], stamp: Stamp
    ) -> "Objective":
        if not 2000 <= year <= 2100:
            raise InvalidInput("Năm không hợp lệ", field="year")
        require_text(title, "title")
        _check_targets(year, targets)
        return cls(year=year, title=title, targets=targets, stamp=stamp)

    @event("Drafted")
    def __init__(self, *, year: int, title: str, targets: tuple[TargetSpec, ...], stamp: Stamp):
        self._start_as_draft(stamp.unit_id)
        self.year = year
        self.title = title
        self.targets = tuple(targets)
        self.drafted_by = stamp.actor
        self.department_ids: tuple[str, ...] = ()
        self.progress: dict[str, list[ProgressEntry]] = {t.target_id: [] for t in targets}
        self.results: tuple[TargetResult, ...] = ()
        self.achieved: bool | None = None

    def target(self, target_id: str) -> TargetSpec:
        for target in self.targets:
            if target.target_id == target_id:
                return target
        raise InvalidInput(f"Không có chỉ tiêu {target_id}", field="target_id")

    def revise(self, *, title: str, targets: tuple[TargetSpec, ...], stamp: Stamp) -> None:
        self.expect_editable()
        require_text(title, "title")
        _check_targets(self.year, targets)
        self._revised(title=title, targets=targets, stamp=stamp)

    @event("Revised")
    def _revised(self, title: str, targets: tuple[TargetSpec, ...], stamp: Stamp) -> None:
        self.title = title
        self.targets = tuple(targets)
        self.progress = {t.target_id: [] for t in targets}
        self.status = Status.DRAFT

    def disseminate(self, *, department_ids: tuple[str, ...], stamp: Stamp) -> None:
        self.expect(Status.APPROVED, action="phổ biến")
        missing = sorted({t.department_id for t in self.targets} - set(department_ids))
        if missing:
            raise InvalidInput(
                "Phải phổ biến tới mọi phòng chịu trách nhiệm chỉ tiêu",
                field="department_ids",
                missing=missing,
            )
        self._disseminated(department_ids=tuple(dict.fromkeys(department_ids)), stamp=stamp)

    @event("Disseminated")
    def _disseminated(self, department_ids: tuple[str, ...], stamp: Stamp) -> None:
        self.status = Status.DISSEMINATED
        self.department_ids = tuple(department_ids)

    def record_progress(
        self, *, target_id: str, value: float, as_of: date, note: str, stamp: Stamp
    ) -> None:
        self.expect(Status.DISSEMINATED, action="cập nhật tiến độ cho")
        if self.target(target_id).source is not None:
            raise InvalidInput(
                "Chỉ tiêu này lấy số liệu tự động từ thống kê của đơn vị; "
                "không cập nhật tiến độ bằng tay",
                field="target_id",
            )
        if not math.isfinite(value):
            raise InvalidInput("Giá trị không hợp lệ", field="value")
        if as_of.year < self.year:
            raise InvalidInput(f"Ngày số liệu phải thuộc năm {self.year} trở đi", field="as_of")
        self._progress_recorded(
            target_id=target_id, value=value, as_of=as_of, note=note, stamp=stamp
        )

    def record_indicator(
        self, *, target_id: str, value: float, as_of: date, source_event_id: str, stamp: Stamp
    ) -> bool:
        """The value of a target's statistic after `source_event_id` was counted (once: the
        indicator counts an event once, in the same save), while the objective is
        disseminated; not again if the target already shows that value as of that day, so a
        busy year adds entries only as its figure moves. False: nothing to record."""
        source = self.target(target_id).source
        if source is None:
            raise InvalidInput(f"Chỉ tiêu {target_id} không có nguồn số liệu", field="target_id")
        if self.status != Status.DISSEMINATED or self.shows(target_id, value, as_of):
            return False
        self._progress_recorded(
            target_id=target_id,
            value=value,
            as_of=as_of,
            note="",
            stamp=stamp,
            source=source,
            source_event_id=source_event_id,
        )
        return True

    def shows(self, target_id: str, value: float, as_of: date) -> bool:
        """The target's latest entry is this value as of this day."""
        entries = self.progress.get(target_id, [])
        return bool(entries) and (entries[-1].value, entries[-1].as_of) == (value, as_of)

    @event("ProgressRecorded")
    def _progress_recorded(
        self,
        target_id: str,
        value: float,
        as_of: date,
        note: str,
        stamp: Stamp,
        source: IndicatorSource | None = None,
        source_event_id: str | None = None,
    ) -> None:
        self.progress[target_id].append(
            ProgressEntry(
                value=value,
                as_of=as_of,
                note=note,
                by=stamp.actor,
                source_event_id=source_event_id,
            )
        )

    def latest_value(self, target_id: str) -> float | None:
        entries = self.progress.get(target_id, [])
        if not entries:
            return None
        # The latest measurement wins; among equal dates, the last one recorded.
        return max(enumerate(entries), key=lambda item: (item[1].as_of, item[0]))[1].value

    def evaluate(self, *, overrides: dict[str, bool], note: str, stamp: Stamp) -> None:
        self.expect(Status.DISSEMINATED, action="đánh giá")
        for target_id in overrides:
            self.target(target_id)
        results = []
        for target in self.targets:
            last = self.latest_value(target.target_id)
            measured = last is not None and target.achieved_by(last)
            achieved = overrides.get(target.target_id, measured)
            results.append(TargetResult(target.target_id, achieved, last))
        self._evaluated(
            achieved=all(result.achieved for result in results),
            results=tuple(results),
            note=note,
            stamp=stamp,
        )

    @event("Evaluated")
    def _evaluated(
        self, achieved: bool, results: tuple[TargetResult, ...], note: str, stamp: Stamp
    ) -> None:
        self.status = Status.EVALUATED
        self.achieved = achieved
        self.results = tuple(results)


@dataclass(frozen=True)
class DocumentStamp(Stamp):
    """A document version's events also say which version of the unit's document they are."""

    version_number: int


class QualityDocument(ReviewedRecord):
    """One version of a unit's document: the subclasses are the policy and the context."""

    noun = "văn bản"
    #: Names the unit's register of this kind of document.
    register_key: ClassVar[str]

    if TYPE_CHECKING:  # each kind defines its creation event and `__init__` (see below)
        Drafted: type[Aggregate.Event]

        def __init__(
            self, *, version_number: int, title: str, content: str, stamp: Stamp
        ) -> None: ...

    @classmethod
    def draft(
        cls, *, version_number: int, title: str, content: str, stamp: Stamp
    ) -> "QualityDocument":
        require_text(title, "title")
        require_text(content, "content")
        return cls(version_number=version_number, title=title, content=content, stamp=stamp)

    def _start_version(self, version_number: int, title: str, content: str, stamp: Stamp) -> None:
        self._start_as_draft(stamp.unit_id)
        self.version_number = version_number
        self.title = title
        self.content = content
        self.supersedes: uuid.UUID | None = None
        self.superseded_by: uuid.UUID | None = None

    def stamp(self, context: CommandContext) -> Stamp:
        base = context.stamp(self.unit_id)
        return DocumentStamp(
            actor=base.actor,
            correlation_id=base.correlation_id,
            unit_id=base.unit_id,
            version_number=self.version_number,
        )

    def revise(self, *, title: str, content: str, stamp: Stamp) -> None:
        self.expect_editable()
        require_text(title, "title")
        require_text(content, "content")
        self.trigger_event(self.Revised, title=title, content=content, stamp=stamp)

    def publish(self, *, supersedes: uuid.UUID | None, stamp: Stamp) -> None:
        self.expect(Status.APPROVED, action="ban hành")
        self.trigger_event(self.Published, supersedes=supersedes, stamp=stamp)

    def supersede(self, *, superseded_by: uuid.UUID, stamp: Stamp) -> None:
        self.expect(Status.PUBLISHED, action="thay thế")
        self.trigger_event(self.Superseded, superseded_by=superseded_by, stamp=stamp)

    # Explicit event classes (not decorated methods), so that each kind gets its own.
    class Revised(Aggregate.Event):
        title: str
        content: str
        stamp: Stamp

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, QualityDocument)
            aggregate.title = self.title
            aggregate.content = self.content
            aggregate.status = Status.DRAFT

    class Published(Aggregate.Event):
        supersedes: uuid.UUID | None
        stamp: Stamp

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, QualityDocument)
            aggregate.status = Status.PUBLISHED
            aggregate.supersedes = self.supersedes

    class Superseded(Aggregate.Event):
        superseded_by: uuid.UUID
        stamp: Stamp

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, QualityDocument)
            aggregate.status = Status.SUPERSEDED
            aggregate.superseded_by = self.superseded_by


# Each kind declares its own creation event: eventsourcing gives an aggregate class without an
# `__init__` of its own a generated one, which would not take these fields.
class QualityPolicy(QualityDocument):
    noun = "chính sách chất lượng"
    register_key = "policy"

    @event("Drafted")
    def __init__(self, *, version_number: int, title: str, content: str, stamp: Stamp) -> None:
        self._start_version(version_number, title, content, stamp)


class OrganizationContext(QualityDocument):
    noun = "bối cảnh tổ chức"
    register_key = "context"

    @event("Drafted")
    def __init__(self, *, version_number: int, title: str, content: str, stamp: Stamp) -> None:
        self._start_version(version_number, title, content, stamp)


_REGISTER_NAMESPACE = uuid.UUID("0b6a3d0e-55c2-4b8e-9f3e-7d1f3c2b9a40")


class DocumentRegister(Aggregate):
    """Numbers a unit's versions of one document kind and knows which one is in force.

    Saved together with the versions it touches, so two concurrent publications conflict.
    """

    if TYPE_CHECKING:  # the event classes the @event decorators below define
        Opened: type[Aggregate.Event]
        VersionAdded: type[Aggregate.Event]
        VersionPutInForce: type[Aggregate.Event]

    @staticmethod
    def create_id(unit_id: str, kind: str) -> uuid.UUID:
        return uuid.uuid5(_REGISTER_NAMESPACE, f"{unit_id}:{kind}")

    @event("Opened")
    def __init__(self, unit_id: str, kind: str) -> None:
        self.unit_id = unit_id
        self.kind = kind
        self.versions: list[uuid.UUID] = []
        self.in_force: uuid.UUID | None = None

    @property
    def next_version_number(self) -> int:
        return len(self.versions) + 1

    @event("VersionAdded")
    def add_version(self, document_id: uuid.UUID) -> None:
        self.versions.append(document_id)

    @event("VersionPutInForce")
    def put_in_force(self, document_id: uuid.UUID) -> None:
        self.in_force = document_id
