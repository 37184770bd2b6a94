"""The working calendar: the exceptions an admin set on top of Vietnam's public holidays (an
extra day off, a Saturday worked), which every dossier's due dates count by; the next public
holidays as the `holidays` package knows them, for information. Everyone signed in reads it;
only an admin sets or clears a day."""

from datetime import date
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from qms_contracts.procedures_commands import CalendarDayInput, ClearCalendarDayInput
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.portal.commands import Refusal, refused
from qms_gateway.portal.forms import Errors, day, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import may_edit_calendar
from qms_gateway.procedures.pages import COMMANDS, Text
from qms_runtime.clock import today
from qms_runtime.errors import Forbidden

CALENDAR = "/lich-lam-viec"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
FIELD_LABELS = {"day": "Ngày", "working": "Loại ngày", "reason": "Lý do"}
NOTICES = {"dat": "Đã đặt ngày ngoại lệ.", "bo": "Đã bỏ ngày ngoại lệ."}
#: How many of the next public holidays the page shows.
HOLIDAYS_SHOWN = 10


def weekday(value: date | str) -> str:
    day_ = date.fromisoformat(value) if isinstance(value, str) else value
    return WEEKDAYS[day_.weekday()]


def public_holidays(start: date, count: int = HOLIDAYS_SHOWN) -> list[dict[str, Any]]:
    """The next `count` days off of Vietnam's public calendar from `start` on (this year's and
    next year's), and the Saturdays worked in exchange for one of them."""
    # Imported when the page is first shown: the package costs the gateway about 10 MB.
    from holidays import country_holidays

    calendar = country_holidays("VN", years=[start.year, start.year + 1], language="vi")
    days: list[dict[str, Any]] = [
        {"day": day_, "name": str(name), "working": False}
        for day_, name in calendar.items()
        if day_ >= start
    ]
    days += [
        {"day": day_, "name": "Ngày làm bù (thứ Bảy)", "working": True}
        for day_ in getattr(calendar, "weekend_workdays", ())
        if start <= day_ and day_.year <= start.year + 1
    ]
    return sorted(days, key=lambda entry: entry["day"])[:count]


class CalendarPages(Controller):
    path = CALENDAR
    include_in_schema = False

    @get("/")
    async def calendar_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._page(pool, user, notice=NOTICES.get(kq))

    @post("/dat-ngay")
    async def set_day(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = self._admin(request, session)
        form = await request.form()
        errors: Errors = {}
        data = {
            "day": day(form, "day", errors),
            "working": text(form, "working"),
            "reason": text(form, "reason"),
        }
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            "/api/v1/working-calendar/days",
            CalendarDayInput,
            data,
            errors,
        )
        if isinstance(outcome, Refusal):
            typed = {name: text(form, name) for name in FIELD_LABELS}
            return await self._page(pool, user, refusal=outcome, typed=typed)
        return Redirect(f"{CALENDAR}?kq=dat", status_code=303)

    @post("/bo-ngay")
    async def clear_day(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = self._admin(request, session)
        form = await request.form()
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            "/api/v1/working-calendar/days/clear",
            ClearCalendarDayInput,
            {"day": text(form, "day")},
        )
        if isinstance(outcome, Refusal):
            return await self._page(pool, user, refusal=outcome)
        return Redirect(f"{CALENDAR}?kq=bo", status_code=303)

    @staticmethod
    def _admin(request: Request[Any, Any, Any], session: Session | None) -> Session:
        user = signed_in(request, session)
        if not may_edit_calendar(user.principal):
            raise Forbidden("Chỉ quản trị hệ thống sửa lịch ngày làm việc")
        return user

    @staticmethod
    async def _page(
        pool: asyncpg.Pool,
        user: Session,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: dict[str, str] | None = None,
    ) -> Template:
        now = today()
        days = [
            {**entry, "weekday": weekday(entry["day"])} for entry in await readmodel.calendar(pool)
        ]
        return page(
            "procedures/calendar.html",
            user,
            notice=notice,
            upcoming=[entry for entry in days if entry["day"] >= now.isoformat()],
            past=[entry for entry in days if entry["day"] < now.isoformat()],
            holidays=[
                {**entry, "weekday": weekday(entry["day"])} for entry in public_holidays(now)
            ],
            can_edit=may_edit_calendar(user.principal),
            typed=typed or {"day": "", "working": "false", "reason": ""},
            **refused(refusal, FIELD_LABELS),
        )
