"""Objectives domain: quality objectives (ISO 9001 6.2), quality policy (5.2), context (4).

Aggregates and their events only; no I/O. Public methods check the rules and then trigger
one private, event-decorated method, so a rejected command records nothing.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    DISSEMINATED = "disseminated"
    EVALUATED = "evaluated"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


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


@dataclass(frozen=True)
class TargetResult:
    target_id: str
    achieved: bool
    last_value: float | None


def _require_text(value: str, field: str) -> None:
    if not value.strip():
        raise InvalidInput(f"Trường '{field}' không được để trống", field=field)


def _check_targets(year: int, targets: tuple[TargetSpec, ...]) -> None:
    if not targets:
        raise InvalidInput("Mục tiêu phải có ít nhất một chỉ tiêu", field="targets")
    ids = [target.target_id for target in targets]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Mã chỉ tiêu bị trùng", field="targets")
    for target in targets:
        for field in ("statement", "indicator", "unit_of_measure", "department_id", "action_plan"):
            _require_text(getattr(target, field), f"targets.{field}")
        if target.direction not in ("at_least", "at_most"):
            raise InvalidInput("Chiều đánh giá phải là at_least hoặc at_most", field="direction")
        if not math.isfinite(target.target_value):
            raise InvalidInput("Giá trị chỉ tiêu không hợp lệ", field="targets.target_value")
        if target.deadline.year < year:
            raise InvalidInput(
                f"Thời hạn {target.deadline} của chỉ tiêu nằm trước năm {year}",
                field="targets.deadline",
            )


class ReviewedDraft(Aggregate):
    """What every drafted record shares: submit, then approve or return with a reason.

    Whoever submitted may not approve or return (separation of duties).
    """

    noun = "bản ghi"

    def _start_as_draft(self) -> None:
        self.status = Status.DRAFT
        self.submitted_by: str | None = None
        self.return_reason: str | None = None

    def _expect(self, *allowed: Status, action: str) -> None:
        if self.status not in allowed:
            raise IllegalTransition(
                f"Không thể {action} {self.noun} đang ở trạng thái '{self.status}'",
                current_status=str(self.status),
            )

    def submit(self, *, by: str, correlation_id: str) -> None:
        self._expect(Status.DRAFT, action="trình")
        self._submitted(by=by, correlation_id=correlation_id)

    @event("Submitted")
    def _submitted(self, by: str, correlation_id: str) -> None:
        self.status = Status.SUBMITTED
        self.submitted_by = by
        self.return_reason = None

    def _check_reviewer(self, by: str) -> None:
        if by == self.submitted_by:
            raise Forbidden("Người trình không được tự phê duyệt hoặc trả lại (phân tách nhiệm vụ)")

    def approve(self, *, by: str, correlation_id: str) -> None:
        self._expect(Status.SUBMITTED, action="phê duyệt")
        self._check_reviewer(by)
        self._approved(by=by, correlation_id=correlation_id)

    @event("Approved")
    def _approved(self, by: str, correlation_id: str) -> None:
        self.status = Status.APPROVED

    def return_for_revision(self, *, reason: str, by: str, correlation_id: str) -> None:
        self._expect(Status.SUBMITTED, action="trả lại")
        self._check_reviewer(by)
        _require_text(reason, "reason")
        self._returned(reason=reason, by=by, correlation_id=correlation_id)

    @event("Returned")
    def _returned(self, reason: str, by: str, correlation_id: str) -> None:
        self.status = Status.RETURNED
        self.return_reason = reason


class Objective(ReviewedDraft):
    """A unit's quality objective for one year, with measurable targets."""

    noun = "mục tiêu"

    @classmethod
    def draft(
        cls,
        *,
        unit_id: str,
        year: int,
        title: str,
        targets: tuple[TargetSpec, ...],
        by: str,
        correlation_id: str,
    ) -> "Objective":
        if not 2000 <= year <= 2100:
            raise InvalidInput("Năm không hợp lệ", field="year")
        _require_text(title, "title")
        _check_targets(year, targets)
        return cls(
            unit_id=unit_id,
            year=year,
            title=title,
            targets=targets,
            by=by,
            correlation_id=correlation_id,
        )

    @event("Drafted")
    def __init__(
        self,
        *,
        unit_id: str,
        year: int,
        title: str,
        targets: tuple[TargetSpec, ...],
        by: str,
        correlation_id: str,
    ) -> None:
        self.unit_id = unit_id
        self.year = year
        self.title = title
        self.targets = tuple(targets)
        self._start_as_draft()
        self.drafted_by = by
        self.department_ids: tuple[str, ...] = ()
        self.progress: dict[str, list[ProgressEntry]] = {t.target_id: [] for t in targets}
        self.results: tuple[TargetResult, ...] = ()
        self.achieved: bool | None = None

    def target(self, target_id: str) -> TargetSpec:
        for target in self.targets:
            if target.target_id == target_id:
                return target
        raise InvalidInput(f"Không có chỉ tiêu {target_id}", field="target_id")

    def revise(
        self, *, title: str, targets: tuple[TargetSpec, ...], by: str, correlation_id: str
    ) -> None:
        self._expect(Status.DRAFT, Status.RETURNED, action="sửa")
        _require_text(title, "title")
        _check_targets(self.year, targets)
        self._revised(title=title, targets=targets, by=by, correlation_id=correlation_id)

    @event("Revised")
    def _revised(
        self, title: str, targets: tuple[TargetSpec, ...], by: str, correlation_id: str
    ) -> None:
        self.title = title
        self.targets = tuple(targets)
        self.progress = {t.target_id: [] for t in targets}
        self.status = Status.DRAFT

    def disseminate(self, *, department_ids: tuple[str, ...], by: str, correlation_id: str) -> None:
        self._expect(Status.APPROVED, action="phổ biến")
        missing = sorted({t.department_id for t in self.targets} - set(department_ids))
        if missing:
            raise InvalidInput(
                "Phải phổ biến tới mọi phòng chịu trách nhiệm chỉ tiêu",
                field="department_ids",
                missing=missing,
            )
        self._disseminated(
            department_ids=tuple(dict.fromkeys(department_ids)),
            by=by,
            correlation_id=correlation_id,
        )

    @event("Disseminated")
    def _disseminated(self, department_ids: tuple[str, ...], by: str, correlation_id: str) -> None:
        self.status = Status.DISSEMINATED
        self.department_ids = tuple(department_ids)

    def record_progress(
        self, *, target_id: str, value: float, as_of: date, note: str, by: str, correlation_id: str
    ) -> None:
        self._expect(Status.DISSEMINATED, action="cập nhật tiến độ cho")
        self.target(target_id)
        if not math.isfinite(value):
            raise InvalidInput("Giá trị không hợp lệ", field="value")
        if as_of.year < self.year:
            raise InvalidInput(f"Ngày số liệu phải thuộc năm {self.year} trở đi", field="as_of")
        self._progress_recorded(
            target_id=target_id,
            value=value,
            as_of=as_of,
            note=note,
            by=by,
            correlation_id=correlation_id,
        )

    @event("ProgressRecorded")
    def _progress_recorded(
        self, target_id: str, value: float, as_of: date, note: str, by: str, correlation_id: str
    ) -> None:
        self.progress[target_id].append(ProgressEntry(value=value, as_of=as_of, note=note, by=by))

    def latest_value(self, target_id: str) -> float | None:
        entries = self.progress.get(target_id, [])
        if not entries:
            return None
        # The latest measurement wins; among equal dates, the last one recorded.
        return max(enumerate(entries), key=lambda item: (item[1].as_of, item[0]))[1].value

    def evaluate(
        self, *, overrides: dict[str, bool], note: str, by: str, correlation_id: str
    ) -> None:
        self._expect(Status.DISSEMINATED, action="đánh giá")
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
            by=by,
            correlation_id=correlation_id,
        )

    @event("Evaluated")
    def _evaluated(
        self,
        achieved: bool,
        results: tuple[TargetResult, ...],
        note: str,
        by: str,
        correlation_id: str,
    ) -> None:
        self.status = Status.EVALUATED
        self.achieved = achieved
        self.results = tuple(results)


class DocumentKind(StrEnum):
    POLICY = "policy"
    CONTEXT = "context"


class QualityDocument(ReviewedDraft):
    """One version of a unit's quality policy or organisational context."""

    noun = "văn bản"

    @classmethod
    def draft(
        cls,
        *,
        unit_id: str,
        kind: DocumentKind,
        version_number: int,
        title: str,
        content: str,
        by: str,
        correlation_id: str,
    ) -> "QualityDocument":
        _require_text(title, "title")
        _require_text(content, "content")
        return cls(
            unit_id=unit_id,
            kind=kind,
            version_number=version_number,
            title=title,
            content=content,
            by=by,
            correlation_id=correlation_id,
        )

    @event("Drafted")
    def __init__(
        self,
        *,
        unit_id: str,
        kind: DocumentKind,
        version_number: int,
        title: str,
        content: str,
        by: str,
        correlation_id: str,
    ) -> None:
        self.unit_id = unit_id
        self.kind = DocumentKind(kind)
        self.version_number = version_number
        self.title = title
        self.content = content
        self._start_as_draft()
        self.supersedes: uuid.UUID | None = None
        self.superseded_by: uuid.UUID | None = None

    def revise(self, *, title: str, content: str, by: str, correlation_id: str) -> None:
        self._expect(Status.DRAFT, Status.RETURNED, action="sửa")
        _require_text(title, "title")
        _require_text(content, "content")
        self._revised(title=title, content=content, by=by, correlation_id=correlation_id)

    @event("Revised")
    def _revised(self, title: str, content: str, by: str, correlation_id: str) -> None:
        self.title = title
        self.content = content
        self.status = Status.DRAFT

    def publish(self, *, supersedes: uuid.UUID | None, by: str, correlation_id: str) -> None:
        self._expect(Status.APPROVED, action="ban hành")
        self._published(supersedes=supersedes, by=by, correlation_id=correlation_id)

    @event("Published")
    def _published(self, supersedes: uuid.UUID | None, by: str, correlation_id: str) -> None:
        self.status = Status.PUBLISHED
        self.supersedes = supersedes

    def supersede(self, *, superseded_by: uuid.UUID, by: str, correlation_id: str) -> None:
        self._expect(Status.PUBLISHED, action="thay thế")
        self._superseded(superseded_by=superseded_by, by=by, correlation_id=correlation_id)

    @event("Superseded")
    def _superseded(self, superseded_by: uuid.UUID, by: str, correlation_id: str) -> None:
        self.status = Status.SUPERSEDED
        self.superseded_by = superseded_by


_REGISTER_NAMESPACE = uuid.UUID("0b6a3d0e-55c2-4b8e-9f3e-7d1f3c2b9a40")


class DocumentRegister(Aggregate):
    """Numbers a unit's versions of one document kind and knows which one is in force.

    Saved together with the versions it touches, so two concurrent publications conflict.
    """

    @staticmethod
    def create_id(unit_id: str, kind: DocumentKind) -> uuid.UUID:
        return uuid.uuid5(_REGISTER_NAMESPACE, f"{unit_id}:{kind}")

    @event("Opened")
    def __init__(self, unit_id: str, kind: DocumentKind) -> None:
        self.unit_id = unit_id
        self.kind = DocumentKind(kind)
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
