"""Corrective action asked for one cause of a procedure's nonconforming outputs (ISO 9001 8.7,
10.2). No I/O.

The Pareto of a procedure's nonconforming outputs over a period shows where corrective action
is needed; the secretary raises a nonconformity for one cause of it, once per procedure, cause
and period (its id derived from them), and the audit service opens it in the department named
(source: process monitoring).
"""

import uuid
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_runtime.commands import Stamp
from qms_runtime.errors import InvalidInput
from qms_runtime.review.domain import require_text

#: Namespace of the raises: uuid5(CAUSE_RAISES, "<unit>/<procedure>/<cause>/<start>/<end>").
CAUSE_RAISES = uuid.UUID("9d3b6e21-4f0a-5c87-b1e6-7a2c5d8f0e94")
MAX_DESCRIPTION = 5000


def cause_raise_id(
    unit_id: str, procedure_id: str, cause: str, start: date, end: date
) -> uuid.UUID:
    return uuid.uuid5(CAUSE_RAISES, f"{unit_id}/{procedure_id}/{cause}/{start}/{end}")


class CauseNonconformity(Aggregate):
    """A nonconformity asked of internal audit for a cause of nonconforming outputs."""

    if TYPE_CHECKING:
        Raised: type[Aggregate.Event]

    @staticmethod
    def create_id(
        procedure_id: str, cause: str, start: date, end: date, stamp: Stamp, **_: object
    ) -> uuid.UUID:
        return cause_raise_id(stamp.unit_id, procedure_id, cause, start, end)

    @classmethod
    def raise_for(
        cls,
        *,
        procedure_id: str,
        cause: str,
        causes: Collection[str],
        start: date,
        end: date,
        today: date,
        department_id: str,
        description: str,
        stamp: Stamp,
    ) -> "CauseNonconformity":
        if cause not in causes:
            raise InvalidInput("Chọn nguyên nhân trong danh mục", field="cause")
        if start > end:
            raise InvalidInput("Từ ngày phải trước đến ngày", field="start")
        if end > today:
            raise InvalidInput("Kỳ xem xét không được quá hôm nay", field="end")
        require_text(department_id, "department_id")
        require_text(description, "description")
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput(f"Mô tả dài quá {MAX_DESCRIPTION} ký tự", field="description")
        return cls(
            procedure_id=procedure_id,
            cause=cause,
            start=start,
            end=end,
            department_id=department_id.strip(),
            description=description.strip(),
            stamp=stamp,
        )

    @event("Raised")
    def __init__(
        self,
        *,
        procedure_id: str,
        cause: str,
        start: date,
        end: date,
        department_id: str,
        description: str,
        stamp: Stamp,
    ) -> None:
        self.unit_id = stamp.unit_id
        self.procedure_id = procedure_id
        self.cause = cause
        self.start = start
        self.end = end
        self.department_id = department_id
