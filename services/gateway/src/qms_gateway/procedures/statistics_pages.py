"""Thống kê hồ sơ: a unit's dossiers received in a period (a year by default, or typed dates)
per procedure and per department, feedback and satisfaction, the Pareto of nonconforming
outputs' causes and each procedure's dossiers per month, as tables and greyscale SVG charts."""

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from qms_contracts.procedures_commands import CauseNonconformityInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.portal.access import unit_in_view
from qms_gateway.portal.commands import Refusal, refused
from qms_gateway.portal.formatting import parse_date
from qms_gateway.portal.forms import Errors, field_names, text, whole
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.charts import monthly_chart, pareto_chart
from qms_gateway.procedures.pages import COMMANDS, Text
from qms_runtime.clock import today
from qms_runtime.principal import ISO_SECRETARY

STATISTICS = "/thong-ke-ho-so"
FIELD_LABELS = {"nam": "Năm", "tu": "Từ ngày", "den": "Đến ngày"}
#: The longest period shown: its months are charted one by one.
MAX_MONTHS = 60
COUNTS = ("received", "early", "on_time", "late", "open", "overdue", "supplement_requests")


def period_of(
    typed_year: str, typed_start: str, typed_end: str, errors: Errors, now: date
) -> tuple[date, date]:
    """The period asked for: typed dates (one of them alone: from the start of its year, or up
    to today), else the year (this year by default); a value typed wrong: an error beside it,
    and the year (this year) instead."""
    year = now.year
    if typed_year.strip():
        chosen_year = whole(typed_year)
        if chosen_year is not None and 2000 <= chosen_year <= 2099:
            year = chosen_year
        else:
            errors["nam"] = "Năm từ 2000 đến 2099, ví dụ 2026"
    start, end = date(year, 1, 1), date(year, 12, 31)
    typed: dict[str, date] = {}
    for name, value in (("tu", typed_start), ("den", typed_end)):
        if value.strip():
            try:
                typed[name] = parse_date(value)
            except ValueError:
                errors[name] = "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2026"
            else:
                if not 2000 <= typed[name].year <= 2099:
                    errors[name] = "Ngày trong khoảng năm 2000 đến 2099"
    if errors or not typed:
        return start, end
    start = typed.get("tu") or date(typed["den"].year, 1, 1)
    end = typed.get("den") or max(start, now)
    if start > end:
        errors["den"] = "Đến ngày phải từ ngày bắt đầu trở đi"
        return date(year, 1, 1), date(year, 12, 31)
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        errors["den"] = f"Kỳ thống kê dài nhất {MAX_MONTHS // 12} năm"
        return date(year, 1, 1), date(year, 12, 31)
    return start, end


def months_of(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of each month the period touches, in order."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def on_time_rate(figures: dict[str, Any]) -> float | None:
    """Done early or on time among those done, in percent; None when none is done."""
    done = figures["early"] + figures["on_time"] + figures["late"]
    return round(100 * (figures["early"] + figures["on_time"]) / done, 1) if done else None


def monthly_series(
    rows: list[dict[str, Any]], start: date, end: date
) -> dict[str, list[dict[str, Any]]]:
    """Per procedure, every month of the period (none left out): its label, received, done on
    time (early included), done late, still open."""
    months = months_of(start, end)
    one_year = start.year == end.year
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in rows:
        found.setdefault(entry["procedure_id"], {})[entry["month"]] = entry
    series: dict[str, list[dict[str, Any]]] = {}
    for procedure_id, by_month in found.items():
        series[procedure_id] = []
        for year, month in months:
            entry = by_month.get(f"{year:04d}-{month:02d}", {})
            series[procedure_id].append(
                {
                    "label": f"T{month}" if one_year else f"{month:02d}/{year % 100:02d}",
                    "received": entry.get("received", 0),
                    "done_on_time": entry.get("early", 0) + entry.get("on_time", 0),
                    "late": entry.get("late", 0),
                    "open": entry.get("open", 0),
                }
            )
    return series


def chosen_procedure(typed: str, errors: Errors) -> uuid.UUID | None:
    """The procedure whose Pareto is asked for (none: every procedure of the unit)."""
    if not typed.strip():
        return None
    try:
        return uuid.UUID(typed.strip())
    except ValueError:
        errors["quy_trinh"] = "Chọn quy trình trong danh sách"
        return None


RAISE_LABELS = {
    **FIELD_LABELS,
    "quy_trinh": "Quy trình",
    "department_id": "Phòng khắc phục",
    "description": "Sự không phù hợp",
    "cause": "Nguyên nhân",
    "end": "Kỳ xem xét",
    "start": "Kỳ xem xét",
}


class StatisticsPages(Controller):
    path = STATISTICS
    include_in_schema = False

    @get("/")
    async def statistics_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        causes: dict[str, str],
        don_vi: Text | None = None,
        nam: Text = "",
        tu: Text = "",
        den: Text = "",
        quy_trinh: Text = "",
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        filters = {"don_vi": unit_id, "nam": nam, "tu": tu, "den": den, "quy_trinh": quy_trinh}
        notice = "Đã đề nghị khắc phục; đánh giá nội bộ mở sự không phù hợp." if kq else None
        return await self._render(pool, user, causes, filters, notice=notice)

    @post("/de-nghi-khac-phuc")
    async def raise_cause(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        causes: dict[str, str],
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """The secretary asks internal audit for corrective action on one cause of the
        procedure's Pareto over the period shown."""
        user = signed_in(request, session)
        form = await request.form()
        filters = {name: text(form, name) for name in ("don_vi", "nam", "tu", "den", "quy_trinh")}
        unit_id = await unit_in_view(pool, user.principal, filters["don_vi"] or None)
        data = {name: text(form, name) for name in ("cause", "department_id", "description")} | {
            "procedure_id": filters["quy_trinh"],
            "start": text(form, "start"),
            "end": text(form, "end"),
        }
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/cause-nonconformities",
            CauseNonconformityInput,
            data,
        )
        if isinstance(outcome, Refusal):
            return await self._render(
                pool, user, causes, filters, refusal=outcome, typed=form, cause=data["cause"]
            )
        return Redirect(f"{STATISTICS}?{urlencode(filters)}&kq=de-nghi#pareto", status_code=303)

    async def _render(
        self,
        pool: asyncpg.Pool,
        user: Session,
        causes: dict[str, str],
        filters: dict[str, str],
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        cause: str = "",
    ) -> Template:
        unit_id = filters["don_vi"]
        unit = await directory.unit(pool, unit_id)
        departments = directory.department_names(unit)
        now = today()
        errors: Errors = {}
        start, end = period_of(filters["nam"], filters["tu"], filters["den"], errors, now)
        procedure_id = chosen_procedure(filters["quy_trinh"], errors)

        procedures = await readmodel.statistics(pool, unit_id, start, end, now)
        for row in procedures:
            row["rate"] = on_time_rate(row)
        totals: dict[str, Any] = {key: sum(row[key] for row in procedures) for key in COUNTS}
        totals["rate"] = on_time_rate(totals)
        by_department = await readmodel.department_statistics(pool, unit_id, start, end)
        for row in by_department:
            row["name"] = departments.get(row["department_id"], row["department_id"])
            row["rate"] = on_time_rate(row)

        pareto = await readmodel.pareto(pool, unit_id, start, end, procedure_id)
        outputs = sum(found["outputs"] for found in pareto)
        for found in pareto:
            found["label"] = causes.get(found["cause"], found["cause"])
            found["share"] = round(100 * found["outputs"] / outputs, 1)
        # Corrective action is asked for what happened up to today.
        raise_end = min(end, now)
        raised = (
            await readmodel.cause_raises(pool, procedure_id, start, raise_end)
            if procedure_id
            else {}
        )
        may_raise = (
            procedure_id is not None
            and start <= now
            and ISO_SECRETARY in user.principal.roles
            and user.principal.can_act_in(unit_id)
        )

        series = monthly_series(
            await readmodel.monthly_between(pool, unit_id, start, end), start, end
        )
        monthly = [
            {
                "procedure": row,
                "months": series.get(row["procedure_id"], []),
                "chart": monthly_chart(
                    series.get(row["procedure_id"], []),
                    f"{row['code']}: hồ sơ theo tháng tiếp nhận",
                ),
            }
            for row in procedures
        ]
        shown = refused(refusal, RAISE_LABELS)
        return page(
            "procedures/statistics.html",
            user,
            status_code=shown.pop("status_code") if refusal else 200,
            unit=unit,
            start=start,
            end=end,
            as_of=now,
            filters=filters,
            year=filters["nam"] or start.year,
            procedures=procedures,
            procedure_options=[
                (p["procedure_id"], f"{p['code']} — {p['name']}") for p in procedures
            ],
            chosen=procedure_id and str(procedure_id),
            totals=totals,
            departments=by_department,
            department_names=departments,
            feedback=await readmodel.feedback_statistics(pool, unit_id, start, end),
            causes=pareto,
            raised=raised,
            raise_end=raise_end,
            may_raise=may_raise,
            outputs=outputs,
            pareto=pareto_chart(pareto, "Pareto nguyên nhân sản phẩm không phù hợp"),
            monthly=monthly,
            notice=notice,
            errors=errors,
            error_fields=field_names(errors, FIELD_LABELS),
            raise_errors=shown["errors"],
            raise_error_fields=shown["error_fields"],
            raising=cause,
            typed=typed or FormMultiDict(),
        )
