"""Controlled procedures (ISO 9001 7.5, 8.1): a unit's register of codes and their versions.

Aggregates and their events only; no I/O. A procedure code belongs to one `Procedure` per unit
(its id derived from the unit and the code, so a code is unique per unit); each change is a
`ProcedureVersion` drafted and reviewed with the reviewed-record kit, then published, which
makes the version before it obsolete in the same save.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.record import UnitRecord
from qms_runtime.review.domain import ReviewedRecord, ReviewStatus, require_text

#: Namespace of procedure ids: uuid5(PROCEDURES, "<unit>/<code>").
PROCEDURES = uuid.UUID("6f1f3c4e-2b0a-5d51-9b1e-7c7f0c2f4a10")
#: Longest time limit of one step, in working days (a sanity bound, not a rule of law).
MAX_STEP_DAYS = 250
PUBLISHED = "published"
OBSOLETE = "obsolete"


def procedure_id(unit_id: str, code: str) -> uuid.UUID:
    return uuid.uuid5(PROCEDURES, f"{unit_id}/{code.strip().upper()}")


@dataclass(frozen=True)
class Step:
    """One step of a procedure: who does it (a department, or a role when `department_id` is
    empty) and in how many working days."""

    name: str
    department_id: str
    role: str
    working_days: int


@dataclass(frozen=True)
class Form:
    """A form the procedure uses; the file itself is kept by the service, named by its hash."""

    name: str
    code: str
    version: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ProcedureContent:
    name: str
    scope: str
    steps: tuple[Step, ...]
    forms: tuple[Form, ...]
    #: The periodic review: the version is looked at again by this date.
    review_on: date

    def check(self, today: date) -> None:
        require_text(self.name, "name")
        require_text(self.scope, "scope")
        if not self.steps:
            raise InvalidInput("Quy trình phải có ít nhất một bước", field="steps")
        for index, step in enumerate(self.steps):
            require_text(step.name, f"steps.{index}.name")
            if not (step.department_id.strip() or step.role.strip()):
                raise InvalidInput(
                    "Mỗi bước phải có phòng hoặc vai trò chịu trách nhiệm",
                    field=f"steps.{index}.department_id",
                )
            if not 1 <= step.working_days <= MAX_STEP_DAYS:
                raise InvalidInput(
                    f"Thời hạn mỗi bước từ 1 đến {MAX_STEP_DAYS} ngày làm việc",
                    field=f"steps.{index}.working_days",
                )
        codes = [form.code for form in self.forms]
        if len(set(codes)) != len(codes):
            raise InvalidInput("Mã biểu mẫu bị trùng", field="forms")
        for index, form in enumerate(self.forms):
            require_text(form.name, f"forms.{index}.name")
            require_text(form.code, f"forms.{index}.code")
        if self.review_on <= today:
            raise InvalidInput("Ngày rà soát định kỳ phải sau hôm nay", field="review_on")

    @property
    def working_days(self) -> int:
        return sum(step.working_days for step in self.steps)

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments the steps name, in order, once each: who must read a new version."""
        return tuple(dict.fromkeys(s.department_id for s in self.steps if s.department_id.strip()))


class Procedure(UnitRecord):
    """A procedure code of a unit: which version is in force and how many were drafted."""

    noun = "quy trình"

    if TYPE_CHECKING:
        Registered: type[Aggregate.Event]
        VersionAdded: type[Aggregate.Event]
        VersionPublished: type[Aggregate.Event]

    @classmethod
    def register(cls, *, code: str, stamp: Stamp) -> "Procedure":
        require_text(code, "code")
        return cls(code=code.strip().upper(), stamp=stamp)

    @staticmethod
    def create_id(code: str, stamp: Stamp, **_: object) -> uuid.UUID:
        """Derived from the unit and the code: a second registration of a code conflicts."""
        return procedure_id(stamp.unit_id, code)

    @event("Registered")
    def __init__(self, *, code: str, stamp: Stamp) -> None:
        self.unit_id = stamp.unit_id
        self.code = code
        self.status = "active"
        self.versions = 0
        self.in_force: str | None = None

    def add_version(self, stamp: Stamp) -> int:
        """The next version's number; saved with the version, so two drafts at once conflict."""
        self._version_added(number=self.versions + 1, stamp=stamp)
        return self.versions

    @event("VersionAdded")
    def _version_added(self, number: int, stamp: Stamp) -> None:
        self.versions = number

    def publish(self, version_id: str, stamp: Stamp) -> str | None:
        """Put `version_id` in force; returns the version it replaces, if any."""
        replaced = self.in_force
        self._version_published(version_id=version_id, replaced=replaced, stamp=stamp)
        return replaced

    @event("VersionPublished")
    def _version_published(self, version_id: str, replaced: str | None, stamp: Stamp) -> None:
        self.in_force = version_id


class ProcedureVersion(ReviewedRecord):
    """One version of a procedure: drafted, reviewed, published, then obsolete."""

    noun = "phiên bản quy trình"

    if TYPE_CHECKING:
        Drafted: type[Aggregate.Event]
        Revised: type[Aggregate.Event]
        Published: type[Aggregate.Event]
        Obsoleted: type[Aggregate.Event]
        ReadAcknowledged: type[Aggregate.Event]
        PeriodicReviewRecorded: type[Aggregate.Event]

    @classmethod
    def draft(
        cls,
        *,
        procedure: Procedure,
        number: int,
        content: ProcedureContent,
        today: date,
        stamp: Stamp,
    ) -> "ProcedureVersion":
        content.check(today)
        return cls(
            procedure_id=str(procedure.id),
            code=procedure.code,
            number=number,
            content=content,
            stamp=stamp,
        )

    @event("Drafted")
    def __init__(
        self, *, procedure_id: str, code: str, number: int, content: ProcedureContent, stamp: Stamp
    ) -> None:
        self._start_as_draft(stamp.unit_id)
        self.procedure_id = procedure_id
        self.code = code
        self.number = number
        self.content = content
        self.acknowledged: dict[str, str] = {}
        self.published_on: date | None = None

    def revise(self, *, content: ProcedureContent, today: date, stamp: Stamp) -> None:
        self.expect_editable()
        content.check(today)
        self._revised(content=content, stamp=stamp)

    @event("Revised")
    def _revised(self, content: ProcedureContent, stamp: Stamp) -> None:
        self.content = content
        self.status = ReviewStatus.DRAFT

    def publish(self, *, on: date, stamp: Stamp) -> None:
        self.expect(ReviewStatus.APPROVED, action="ban hành")
        self._published(on=on, departments=self.content.departments, stamp=stamp)

    @event("Published")
    def _published(self, on: date, departments: tuple[str, ...], stamp: Stamp) -> None:
        self.status = PUBLISHED
        self.published_on = on

    def make_obsolete(self, *, replaced_by: str, stamp: Stamp) -> None:
        self.expect(PUBLISHED, action="thay thế")
        self._obsoleted(replaced_by=replaced_by, stamp=stamp)

    @event("Obsoleted")
    def _obsoleted(self, replaced_by: str, stamp: Stamp) -> None:
        self.status = OBSOLETE

    @property
    def awaiting_acknowledgement(self) -> tuple[str, ...]:
        return tuple(d for d in self.content.departments if d not in self.acknowledged)

    def acknowledge(self, *, department_id: str | None, stamp: Stamp) -> None:
        """The leader of a concerned department says the department has read this version."""
        self.expect(PUBLISHED, action="xác nhận đã đọc")
        if department_id is None:
            raise Forbidden("Chỉ trưởng phòng xác nhận đã đọc cho phòng mình")
        if department_id not in self.content.departments:
            raise InvalidInput("Phòng không có bước nào trong quy trình này", field="department_id")
        if department_id in self.acknowledged:
            raise IllegalTransition(
                "Phòng đã xác nhận đọc phiên bản này", current_status=str(self.status)
            )
        self._read_acknowledged(department_id=department_id, stamp=stamp)

    @event("ReadAcknowledged")
    def _read_acknowledged(self, department_id: str, stamp: Stamp) -> None:
        self.acknowledged[department_id] = stamp.actor

    def record_periodic_review(
        self, *, note: str, next_review_on: date, today: date, stamp: Stamp
    ) -> None:
        """Looked at again and still right: the next review date moves on."""
        self.expect(PUBLISHED, action="ghi nhận rà soát định kỳ")
        require_text(note, "note")
        if next_review_on <= today:
            raise InvalidInput("Ngày rà soát tiếp theo phải sau hôm nay", field="next_review_on")
        self._periodic_review_recorded(note=note, next_review_on=next_review_on, stamp=stamp)

    @event("PeriodicReviewRecorded")
    def _periodic_review_recorded(self, note: str, next_review_on: date, stamp: Stamp) -> None:
        self.content = replace(self.content, review_on=next_review_on)
