"""Working days of Vietnam's public sector, the unit in which dossier time limits are set.

Pure domain logic: the statutory calendar comes from the ``holidays`` package (public holidays,
substitute days off and the Saturdays worked in exchange for a day off), and an admin-edited
exceptions table sits on top for what the package does not know yet (`CalendarExceptions`,
the one aggregate of them).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event
from holidays import HolidayBase, country_holidays

from qms_runtime.clock import TIMEZONE
from qms_runtime.commands import Stamp
from qms_runtime.errors import InvalidInput, NotFound

CUTOFF = time(15, 0)  # a dossier received after 15:00 counts from the next working day
EXTRA_DAY_OFF_NAME = "Ngày nghỉ bổ sung"
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=32)
def _vn_holidays(year: int) -> HolidayBase:
    """One populated calendar per year, so that checking a day is a set lookup, not a rebuild.

    The object also carries ``weekend_workdays``: the Saturdays worked in exchange for a day off
    (e.g. 22/08/2026 for 31/08/2026), which its ``is_working_day`` honours. It is only ever read
    for dates of its own year, so it never expands (and never mutates) after construction.
    """
    # Same object as `holidays.VN(...)`, but through a typed factory that mypy --strict accepts.
    return country_holidays("VN", years=year, language="vi")


@dataclass(frozen=True)
class WorkingCalendar:
    """The statutory calendar plus the exceptions table (extra days off, extra working days)."""

    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """An extra working day wins over weekend and holiday; an extra day off over a weekday."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return _vn_holidays(day.year).is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def first_counted_day(self, received_at: datetime) -> date:
        """The day a time limit starts counting: the receipt day itself when it is a working day
        and the time (in Vietnam, aware datetimes converted to TIMEZONE; naive ones refused with
        ValueError) is at or before 15:00, else the next working day.

        Receipt times are compared to the minute, as stamped on a receipt: 15:00:59 is still 15:00.
        A naive datetime is refused because guessing its zone could shift the receipt by a day.
        """
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("Thời điểm tiếp nhận phải có múi giờ (datetime có tzinfo).")
        local = received_at.astimezone(TIMEZONE)
        day = local.date()
        if self.is_working_day(day) and local.time().replace(second=0, microsecond=0) <= CUTOFF:
            return day
        return self.next_working_day(day)

    def due_date(self, first_day: date, working_days: int) -> date:
        """The last day of a limit of `working_days` working days, `first_day` (a working day,
        else the next working day is used) counting as day 1. working_days >= 1 (ValueError
        otherwise)."""
        if working_days < 1:
            raise ValueError("Thời hạn giải quyết phải từ 1 ngày làm việc trở lên.")
        day = first_day if self.is_working_day(first_day) else self.next_working_day(first_day)
        for _ in range(working_days - 1):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start <= d <= end (0 when end < start)."""
        count, day = 0, start
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name of the day off, for showing why a day was skipped.

        None for a working day (including a worked Saturday) and for an ordinary weekend day.
        """
        if day in self.extra_working_days:
            return None
        if day in self.extra_days_off:
            return EXTRA_DAY_OFF_NAME
        name: str | None = _vn_holidays(day.year).get(day)
        return name


#: The one calendar of exceptions (a swapped working Saturday, an extra day off): national.
CALENDAR_ID = uuid.UUID("3d8f0b6a-91c2-5e47-8a3b-5f2e1c7d9b04")


class CalendarExceptions(Aggregate):
    """The admin's table on top of the public holidays: extra days off, extra working days."""

    if TYPE_CHECKING:
        Opened: type[Aggregate.Event]
        DaySet: type[Aggregate.Event]
        DayCleared: type[Aggregate.Event]

    @staticmethod
    def create_id(**_: object) -> uuid.UUID:
        return CALENDAR_ID

    @event("Opened")
    def __init__(self, *, stamp: Stamp) -> None:
        self.days_off: dict[str, str] = {}
        self.working_days: dict[str, str] = {}

    def set_day(self, *, day: date, working: bool, reason: str, stamp: Stamp) -> None:
        if not reason.strip():
            raise InvalidInput("Nêu lý do của ngày ngoại lệ", field="reason")
        self._day_set(day=day, working=working, reason=reason, stamp=stamp)

    @event("DaySet")
    def _day_set(self, day: date, working: bool, reason: str, stamp: Stamp) -> None:
        self.days_off.pop(day.isoformat(), None)
        self.working_days.pop(day.isoformat(), None)
        (self.working_days if working else self.days_off)[day.isoformat()] = reason

    def clear_day(self, *, day: date, stamp: Stamp) -> None:
        if day.isoformat() not in self.days_off | self.working_days:
            raise NotFound(f"Không có ngày ngoại lệ {day:%d/%m/%Y}")
        self._day_cleared(day=day, stamp=stamp)

    @event("DayCleared")
    def _day_cleared(self, day: date, stamp: Stamp) -> None:
        self.days_off.pop(day.isoformat(), None)
        self.working_days.pop(day.isoformat(), None)

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            extra_days_off=frozenset(date.fromisoformat(d) for d in self.days_off),
            extra_working_days=frozenset(date.fromisoformat(d) for d in self.working_days),
        )
