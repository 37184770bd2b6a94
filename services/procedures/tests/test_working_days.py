"""Working-day arithmetic against the statutory calendar as the `holidays` package knows it.

Dates were checked against `holidays.VN(years=..., language="vi")` (package 0.109) before
being asserted: Tết 2026 is 16-20/02, Hùng Kings 26/04 (Sunday) with 27/04 off in lieu,
31/08/2026 is off in exchange for Saturday 22/08/2026, 01-02/09 and 24/11/2026 are off.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from qms_procedures.working_days import CUTOFF, WorkingCalendar, _vn_holidays
from qms_runtime.clock import TIMEZONE

CAL = WorkingCalendar()


def _vn(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TIMEZONE)


def test_weekdays_work_weekends_do_not() -> None:
    monday = date(2026, 3, 2)
    week = [CAL.is_working_day(monday + timedelta(days=n)) for n in range(7)]
    assert week == [True, True, True, True, True, False, False]


def test_tet_2026_is_off() -> None:
    days_off = [d for d in range(13, 24) if not CAL.is_working_day(date(2026, 2, d))]
    assert days_off == [14, 15, 16, 17, 18, 19, 20, 21, 22]


def test_three_day_limit_from_friday_before_tet_2026_ends_tuesday_after() -> None:
    # 13/02 day 1; 14-15 weekend; 16-20 Tết; 21-22 weekend; 23/02 day 2; 24/02 day 3.
    assert CAL.due_date(date(2026, 2, 13), 3) == date(2026, 2, 24)
    assert CAL.due_date(date(2026, 2, 13), 1) == date(2026, 2, 13)
    assert CAL.due_date(date(2026, 2, 13), 2) == date(2026, 2, 23)


def test_hung_kings_and_30_4_1_5_in_2026() -> None:
    # Mon 27/04 (Hùng Kings in lieu of Sunday 26/04), Thu 30/04, Fri 01/05 are off.
    week = [date(2026, 4, 27) + timedelta(days=n) for n in range(5)]
    assert [CAL.is_working_day(d) for d in week] == [False, True, True, False, False]
    assert CAL.due_date(date(2026, 4, 24), 3) == date(2026, 4, 29)
    assert CAL.due_date(date(2026, 4, 24), 4) == date(2026, 5, 4)
    # April 2026: 22 weekdays, minus 27/04 and 30/04.
    assert CAL.working_days_between(date(2026, 4, 1), date(2026, 4, 30)) == 20


def test_national_day_2026_and_its_swapped_saturday() -> None:
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert not CAL.is_working_day(date(2026, 9, 1))
    assert not CAL.is_working_day(date(2026, 9, 2))
    assert CAL.is_working_day(date(2026, 9, 3))
    # The package carries Saturday 22/08/2026 as worked in exchange for Monday 31/08.
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 29))
    assert CAL.due_date(date(2026, 8, 28), 2) == date(2026, 9, 3)
    assert CAL.due_date(date(2026, 8, 21), 2) == date(2026, 8, 22)
    assert CAL.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)
    # August 2026: 21 weekdays, minus 31/08, plus Saturday 22/08.
    assert CAL.working_days_between(date(2026, 8, 1), date(2026, 8, 31)) == 21


def test_swapped_saturday_across_a_year_boundary() -> None:
    # 31/12/2018 was off in exchange for Saturday 05/01/2019, declared in 2018's data.
    assert not CAL.is_working_day(date(2018, 12, 31))
    assert CAL.is_working_day(date(2019, 1, 5))


def test_cutoff_at_15_00() -> None:
    assert CUTOFF.hour == 15 and CUTOFF.minute == 0
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    assert CAL.first_counted_day(_vn(2026, 3, 2, 8, 0)) == monday
    assert CAL.first_counted_day(_vn(2026, 3, 2, 14, 59)) == monday
    assert CAL.first_counted_day(_vn(2026, 3, 2, 15, 0)) == monday
    assert CAL.first_counted_day(_vn(2026, 3, 2, 15, 0, 59)) == monday
    assert CAL.first_counted_day(_vn(2026, 3, 2, 15, 1)) == tuesday


def test_received_on_a_saturday_counts_from_monday() -> None:
    assert CAL.first_counted_day(_vn(2026, 3, 7, 9, 0)) == date(2026, 3, 9)


def test_received_on_a_worked_saturday_counts_that_day() -> None:
    assert CAL.first_counted_day(_vn(2026, 8, 22, 9, 0)) == date(2026, 8, 22)


def test_received_the_evening_before_tet_counts_from_after_tet() -> None:
    assert CAL.first_counted_day(_vn(2026, 2, 13, 20, 0)) == date(2026, 2, 23)
    assert CAL.first_counted_day(_vn(2026, 2, 13, 10, 0)) == date(2026, 2, 13)


def test_aware_utc_datetimes_are_read_in_vietnam_time() -> None:
    # 08:30Z is 15:30 in Hà Nội: after the cut-off.
    assert CAL.first_counted_day(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) == date(2026, 3, 3)
    # 07:59Z is 14:59 in Hà Nội.
    assert CAL.first_counted_day(datetime(2026, 3, 2, 7, 59, tzinfo=UTC)) == date(2026, 3, 2)
    # Sunday evening in UTC is already Monday morning in Vietnam.
    assert CAL.first_counted_day(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_extra_day_off_on_a_wednesday_pushes_the_due_date() -> None:
    wednesday = date(2026, 3, 4)
    cal = WorkingCalendar(extra_days_off=frozenset({wednesday}))
    assert CAL.due_date(date(2026, 3, 2), 5) == date(2026, 3, 6)
    assert cal.due_date(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert not cal.is_working_day(wednesday)
    assert cal.holiday_name(wednesday) == "Ngày nghỉ bổ sung"


def test_extra_working_saturday_shortens_the_due_date() -> None:
    saturday = date(2026, 3, 7)
    cal = WorkingCalendar(extra_working_days=frozenset({saturday}))
    assert CAL.due_date(date(2026, 3, 2), 6) == date(2026, 3, 9)
    assert cal.due_date(date(2026, 3, 2), 6) == date(2026, 3, 7)
    assert cal.first_counted_day(_vn(2026, 3, 7, 9, 0)) == saturday


def test_extra_working_day_wins_over_a_holiday() -> None:
    tet = date(2026, 2, 17)
    cal = WorkingCalendar(extra_working_days=frozenset({tet}))
    assert cal.is_working_day(tet)
    assert cal.holiday_name(tet) is None


def test_year_boundary() -> None:
    # 29, 30, 31/12; 01/01/2027 off; 02-03 weekend; 04/01 and 05/01.
    assert not CAL.is_working_day(date(2027, 1, 1))
    assert CAL.due_date(date(2026, 12, 29), 5) == date(2027, 1, 5)
    assert CAL.next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert CAL.working_days_between(date(2026, 12, 28), date(2027, 1, 8)) == 9


def test_limit_spanning_new_year_and_tet_2027() -> None:
    # Tết 2027 is 04-10/02. From 31/12/2026: Jan has 20 working days after 01/01,
    # then 01-03/02 (days 22-24), and 11/02 is day 25.
    assert CAL.due_date(date(2026, 12, 31), 25) == date(2027, 2, 11)


def test_due_date_from_a_day_off_starts_at_the_next_working_day() -> None:
    assert CAL.due_date(date(2026, 2, 14), 1) == date(2026, 2, 23)


def test_working_days_between_edges() -> None:
    monday = date(2026, 3, 2)
    assert CAL.working_days_between(monday, monday) == 1
    assert CAL.working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == 0
    assert CAL.working_days_between(monday, monday - timedelta(days=1)) == 0


def test_holiday_names_are_vietnamese() -> None:
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.holiday_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert CAL.holiday_name(date(2026, 4, 30)) == "Ngày Chiến thắng"
    assert CAL.holiday_name(date(2026, 9, 2)) == "Quốc khánh"
    assert CAL.holiday_name(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert CAL.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert CAL.holiday_name(date(2026, 3, 2)) is None
    assert CAL.holiday_name(date(2026, 3, 7)) is None
    assert CAL.holiday_name(date(2026, 8, 22)) is None


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        CAL.first_counted_day(datetime(2026, 3, 2, 9, 0))


@pytest.mark.parametrize("working_days", [0, -1])
def test_limit_must_be_at_least_one_working_day(working_days: int) -> None:
    with pytest.raises(ValueError, match="từ 1 ngày làm việc"):
        CAL.due_date(date(2026, 3, 2), working_days)


def test_each_year_is_built_once() -> None:
    assert _vn_holidays(2026) is _vn_holidays(2026)
