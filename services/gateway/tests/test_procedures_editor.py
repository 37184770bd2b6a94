"""The procedures wing's staff pages without a browser: two versions compared, the editor's
rows read into the command's body and its errors put back beside their fields, the filing
desk's moment of receipt, the statistics' period and months (and the monthly query on
PostgreSQL), the charts as SVG, the next public holidays, and every new template rendered."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import pytest
from litestar.datastructures import FormMultiDict

from qms_contracts import procedures as contract
from qms_contracts.procedures_commands import DossierInput, ProcedureInput
from qms_gateway.portal.forms import checked, edit_rows, whole
from qms_gateway.portal.pages import template_config
from qms_gateway.procedures import WING, readmodel
from qms_gateway.procedures.calendar_pages import public_holidays, weekday
from qms_gateway.procedures.charts import monthly_chart, nice_top, pareto_chart, wrap
from qms_gateway.procedures.compare import Change, compare_versions
from qms_gateway.procedures.editor_pages import (
    ACCEPTED_FILES,
    chosen_file,
    command_body,
    content_of,
    form_field,
    performers,
    read_content,
)
from qms_gateway.procedures.filing_pages import filing_body, parse_time
from qms_gateway.procedures.statistics_pages import (
    monthly_series,
    months_of,
    on_time_rate,
    period_of,
)
from qms_runtime.clock import TIMEZONE, today
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
SVG = "{http://www.w3.org/2000/svg}"


def step(name: str, department: str = "", role: str = "", days: int = 1) -> dict[str, Any]:
    return {"name": name, "department_id": department, "role": role, "working_days": days}


def form(code: str, version: str = "1", sha: str = "a", size: int = 100) -> dict[str, Any]:
    return {
        "name": f"Mẫu {code}",
        "code": code,
        "version": version,
        "sha256": sha * 64,
        "size": size,
    }


def version(
    steps: list[dict[str, Any]], forms: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    return {
        "name": "Cấp giấy xác nhận",
        "scope": "Hồ sơ nội bộ",
        "review_on": "2027-06-30",
        "steps": steps,
        "forms": forms,
        **fields,
    }


# Two versions compared


def test_nothing_changed_is_an_empty_comparison() -> None:
    same = version([step("Tiếp nhận", "van-phong")], [form("BM-01")])
    found = compare_versions(same, same)
    assert found.empty and (found.same_steps, found.same_forms) == (1, 1)


def test_fields_steps_and_forms_added_removed_and_changed() -> None:
    old = version(
        [
            step("Tiếp nhận", "van-phong", days=1),
            step("Thẩm định", "qlkh", days=5),
            step("Lấy ý kiến", "khtc", days=2),
            step("Ký", role="unit_leader", days=1),
        ],
        [form("BM-01"), form("BM-02"), form("BM-03")],
    )
    new = version(
        [
            step("tiếp  nhận", "van-phong", days=1),
            step("Thẩm định", "qlkh", days=3),
            step("Lấy ý kiến các phòng", "khtc", days=2),
            step("Ký", "van-phong", days=1),
            step("Trả kết quả", "van-phong", days=1),
        ],
        [form("BM-01", version="2", sha="b", size=120), form("BM-03"), form("BM-04")],
        name="Cấp giấy chứng nhận",
        review_on="2028-06-30",
    )
    names = {"van-phong": "Văn phòng", "qlkh": "Phòng QLKH", "khtc": "Phòng KHTC"}

    def performer(s: Any) -> str:
        return names.get(s["department_id"], s["department_id"]) or f"vai trò {s['role']}"

    found = compare_versions(old, new, performer)
    assert found.fields == (
        Change("Tên quy trình", "Cấp giấy xác nhận", "Cấp giấy chứng nhận"),
        Change("Hạn rà soát định kỳ", "30/06/2027", "30/06/2028"),
    )
    steps = {(s.status, s.name, s.before, s.after): s.changes for s in found.steps}
    assert steps == {
        ("changed", "Thẩm định", 2, 2): (Change("Thời hạn", "5 ngày làm việc", "3 ngày làm việc"),),
        ("changed", "Lấy ý kiến các phòng", 3, 3): (
            Change("Tên bước", "Lấy ý kiến", "Lấy ý kiến các phòng"),
        ),
        ("changed", "Ký", 4, 4): (Change("Thực hiện", "vai trò unit_leader", "Văn phòng"),),
        ("added", "Trả kết quả", None, 5): (),
        # Matched by its name whatever its spaces and case; the new spelling still shows.
        ("changed", "tiếp  nhận", 1, 1): (Change("Tên bước", "Tiếp nhận", "tiếp  nhận"),),
    }
    assert found.same_steps == 0
    assert found.order is None
    forms = {(f.status, f.name): f.changes for f in found.forms}
    assert forms == {
        ("changed", "BM-01 — Mẫu BM-01"): (
            Change("Lần ban hành", "1", "2"),
            Change("Tệp (SHA-256)", f"{'a' * 12}…", f"{'b' * 12}…"),
            Change("Kích thước", "100 byte", "120 byte"),
        ),
        ("added", "BM-04 — Mẫu BM-04"): (),
        ("removed", "BM-02 — Mẫu BM-02"): (),
    }
    assert found.same_forms == 1 and not found.empty


def test_a_step_removed_and_steps_reordered() -> None:
    old = version([step("A", "x"), step("B", "x"), step("C", "x"), step("D", "x")], [])
    new = version([step("C", "x"), step("A", "x"), step("B", "x")], [])
    found = compare_versions(old, new)
    assert [(s.status, s.name, s.before, s.after) for s in found.steps] == [
        ("removed", "D", 4, None)
    ]
    assert found.order == Change("Thứ tự các bước", "A → B → C", "C → A → B")
    assert found.same_steps == 3


def test_a_repeated_step_name_pairs_in_order() -> None:
    old = version([step("Kiểm tra", "x", days=1), step("Kiểm tra", "y", days=2)], [])
    new = version([step("Kiểm tra", "x", days=1), step("Kiểm tra", "y", days=4)], [])
    found = compare_versions(old, new)
    assert [(s.before, s.after, s.changes) for s in found.steps] == [
        (2, 2, (Change("Thời hạn", "2 ngày làm việc", "4 ngày làm việc"),))
    ]


# The editor


def editor_form(**extra: str) -> FormMultiDict:
    return FormMultiDict(
        {
            "code": "QT-09",
            "name": "Cấp phép",
            "scope": "Toàn Sở",
            "review_on": "30/06/2027",
            "steps.0.name": "Tiếp nhận",
            "steps.0.performer": "phong:van-phong",
            "steps.0.working_days": "1",
            "steps.3.name": "Ký",
            "steps.3.performer": "vai-tro:unit_leader",
            "steps.3.working_days": "2",
            "forms.0.name": "Đơn",
            "forms.0.code": "BM-01",
            "forms.0.version": "1",
            "forms.0.sha256": " " + "AB" * 32 + " ",
            "forms.0.size": "2048",
            **extra,
        }
    )


def test_the_editor_reads_rows_into_the_commands_body() -> None:
    errors: dict[str, str] = {}
    values = read_content(editor_form(), errors)
    body = command_body(values, errors, with_code=True)
    assert errors == {}
    command, invalid = checked(ProcedureInput, body)
    assert invalid == {} and command is not None
    assert [(s.name, s.department_id, s.role, s.working_days) for s in command.steps] == [
        ("Tiếp nhận", "van-phong", "", 1),
        ("Ký", "", "unit_leader", 2),
    ]
    assert command.forms[0].sha256 == "ab" * 32 and command.forms[0].size == 2048
    assert command.review_on == date(2027, 6, 30)
    # What the form reads back is what it shows: a version's content drawn again.
    shown = content_of({**body, "code": "QT-09", "review_on": "2027-06-30"})
    assert shown["steps"] == values["steps"] and shown["forms"] == values["forms"]


def test_the_editor_puts_errors_beside_the_rows_fields() -> None:
    errors: dict[str, str] = {}
    typed = editor_form(
        **{
            "review_on": "31/02/2027",
            "steps.3.working_days": "hai",
            "steps.3.performer": "",
            "forms.0.sha256": "",
            "forms.0.size": "",
        }
    )
    values = read_content(typed, errors)
    command_body(values, errors, with_code=True)
    assert errors == {
        "review_on": "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2026",
        "steps.1.working_days": "Phải là số nguyên, ví dụ 3",
        "steps.1.performer": "Chọn phòng hoặc vai trò thực hiện",
    }
    assert values["steps"][1]["working_days"] == "hai", "kept as typed"
    assert form_field("steps.4.department_id") == "steps.4.performer"
    assert form_field("steps.4.role") == "steps.4.performer"
    assert form_field("forms.1.code") == "forms.1.code"
    # A form's file was never chosen: its hash and size are the file field's errors.
    body = command_body(values, errors, with_code=True)
    assert set(checked(ProcedureInput, body)[1]) >= {"forms.0.sha256", "forms.0.size"}
    assert form_field("forms.0.sha256") == form_field("forms.0.size") == "forms.0.file"


def test_adding_and_removing_rows_redraws_the_form() -> None:
    errors: dict[str, str] = {}
    values = read_content(editor_form(_action="remove_step:0"), errors)
    assert edit_rows(editor_form(_action="remove_step:0"), values["steps"], "step", dict)
    assert [s["name"] for s in values["steps"]] == ["Ký"]


def test_a_step_keeps_a_department_the_unit_no_longer_lists() -> None:
    groups = dict(performers({"van-phong": "Văn phòng"}, [{"performer": "phong:cu"}]))
    assert groups["Phòng thực hiện"] == [("phong:van-phong", "Văn phòng"), ("phong:cu", "cu")]
    assert ("vai-tro:unit_leader", "Lãnh đạo đơn vị (theo vai trò)") in groups["Vai trò thực hiện"]


# The filing desk


def test_the_moment_of_receipt_is_the_day_and_time_typed_in_vietnam() -> None:
    assert parse_time("9h05") == parse_time("09:05") == time(9, 5)
    with pytest.raises(ValueError, match="25"):
        parse_time("25:00")
    version_id = str(uuid.uuid4())
    typed = {
        "version_id": version_id,
        "subject": "Xác nhận",
        "applicant_name": "Nguyễn Văn A",
        "applicant_contact": "0901234567",
        "received_on": "02/03/2026",
        "received_time": "15:30",
    }
    errors: dict[str, str] = {}
    body = filing_body(typed, errors)
    command, invalid = checked(DossierInput, body)
    assert errors == invalid == {} and command is not None
    assert command.received_at == datetime(2026, 3, 2, 15, 30, tzinfo=TIMEZONE)
    errors = {}
    filing_body({**typed, "version_id": "", "received_time": "chiều"}, errors)
    assert set(errors) == {"version_id", "received_time"}


# Statistics


def test_the_period_is_a_year_or_the_dates_typed() -> None:
    now = date(2026, 5, 10)
    errors: dict[str, str] = {}
    assert period_of("", "", "", errors, now) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_of("2025", "", "", errors, now) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period_of("", "01/07/2025", "", errors, now) == (date(2025, 7, 1), now)
    assert period_of("", "", "31/03/2026", errors, now) == (date(2026, 1, 1), date(2026, 3, 31))
    assert errors == {}
    assert period_of("", "01/07/2026", "01/01/2026", errors, now)[0] == date(2026, 1, 1)
    assert "den" in errors
    errors = {}
    period_of("1990", "32/01/2026", "", errors, now)
    assert set(errors) == {"nam", "tu"}


def test_months_of_a_period_and_the_on_time_rate() -> None:
    assert months_of(date(2025, 11, 15), date(2026, 2, 1)) == [
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
    ]
    assert on_time_rate({"early": 1, "on_time": 2, "late": 1}) == 75.0
    assert on_time_rate({"early": 0, "on_time": 0, "late": 0}) is None
    rows = [
        {
            "procedure_id": "p",
            "month": "2025-12",
            "received": 3,
            "early": 1,
            "on_time": 1,
            "late": 1,
            "open": 0,
        },
    ]
    series = monthly_series(rows, date(2025, 11, 1), date(2026, 1, 31))["p"]
    assert [(m["label"], m["received"], m["done_on_time"], m["late"]) for m in series] == [
        ("11/25", 0, 0, 0),
        ("12/25", 3, 2, 1),
        ("01/26", 0, 0, 0),
    ]
    one_year = monthly_series(rows, date(2025, 12, 1), date(2025, 12, 31))["p"]
    assert [m["label"] for m in one_year] == ["T12"]


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def _dossier(dossier_id: uuid.UUID, procedure_id: uuid.UUID, code: str, on: date) -> list[Any]:
    steps = [
        contract.DossierStep(
            name="Tiếp nhận", department_id="van-phong", role="", working_days=1, due_on=on
        )
    ]
    return [
        contract.DossierFiled(
            dossier_id=str(dossier_id),
            unit_id=UNIT,
            code=code,
            procedure_id=str(procedure_id),
            version_id=str(uuid.uuid4()),
            version_number=1,
            subject="Xác nhận",
            applicant_name="Nguyễn Văn A",
            received_at=datetime(on.year, on.month, on.day, 9, tzinfo=TIMEZONE),
            steps=steps,
            due_on=on,
            filed_by="motcua",
        )
    ]


def _completed(dossier_id: uuid.UUID, procedure_id: uuid.UUID, on: date, outcome: str) -> Any:
    return contract.DossierCompleted(
        dossier_id=str(dossier_id),
        unit_id=UNIT,
        procedure_id=str(procedure_id),
        received_on=on,
        done_on=on,
        due_on=on,
        outcome=outcome,
        completed_by="giamdoc",
    )


def _history(aggregate_id: uuid.UUID, payloads: list[Any]) -> list[Message]:
    return [delivered(aggregate_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


async def test_dossiers_per_procedure_and_month_of_receipt(wing: Any) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    march, april, may = date(2025, 3, 3), date(2025, 4, 7), date(2025, 5, 5)
    ids = [uuid.uuid4() for _ in range(5)]
    await wing.machine.apply(
        [
            *_history(
                ids[0],
                [*_dossier(ids[0], first, "M-1", march), _completed(ids[0], first, march, "early")],
            ),
            *_history(
                ids[1],
                [*_dossier(ids[1], first, "M-2", march), _completed(ids[1], first, march, "late")],
            ),
            *_history(ids[2], _dossier(ids[2], first, "M-3", april)),
            *_history(
                ids[3],
                [
                    *_dossier(ids[3], second, "M-4", april),
                    _completed(ids[3], second, april, "on_time"),
                ],
            ),
            *_history(ids[4], _dossier(ids[4], first, "M-5", may)),
        ]
    )
    found = await readmodel.monthly_between(wing.pool, UNIT, march, date(2025, 4, 30))
    figures = [
        (
            r["procedure_id"] == str(first),
            r["month"],
            r["received"],
            r["early"],
            r["on_time"],
            r["late"],
            r["open"],
        )
        for r in found
    ]
    assert sorted(figures) == sorted(
        [
            (True, "2025-03", 2, 1, 0, 1, 0),
            (True, "2025-04", 1, 0, 0, 0, 1),
            (False, "2025-04", 1, 0, 1, 0, 0),
        ]
    ), "May is outside the period"
    assert await readmodel.monthly_between(wing.pool, "so-khac", march, may) == []


# Charts


def _svg(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)


def test_axes_round_up_and_labels_wrap() -> None:
    assert nice_top(0) == (1.0, 1.0)
    assert nice_top(7) == (8.0, 2.0)
    assert nice_top(42) == (50.0, 10.0)
    assert wrap("Hồ sơ thiếu thành phần, phải bổ sung") == [
        "Hồ sơ thiếu",
        "thành phần,",
        "phải bổ sung",
    ]
    assert wrap("một hai ba bốn năm sáu bảy tám chín mười", width=8, lines=2)[-1].endswith("…")


def test_the_pareto_chart_draws_bars_and_the_cumulative_line() -> None:
    causes = [
        {"label": "Khối lượng <công việc>", "outputs": 6, "cumulative_percent": 60.0},
        {"label": "Thiếu hồ sơ", "outputs": 3, "cumulative_percent": 90.0},
        {"label": "Khác", "outputs": 1, "cumulative_percent": 100.0},
    ]
    svg = _svg(pareto_chart(causes, "Pareto & nguyên nhân"))
    assert svg.get("role") == "img" and svg.get("aria-label") == "Pareto & nguyên nhân"
    assert len(svg.findall(f"{SVG}polyline")) == 1
    assert len(svg.findall(f"{SVG}circle")) == 1 + 3, "the legend's dot and one per cause"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Khối lượng" in texts and "<công việc>" in texts and "90 %" in texts
    empty = _svg(pareto_chart([], "Không có"))
    assert "Chưa có sản phẩm không phù hợp trong kỳ" in [t.text for t in empty.iter(f"{SVG}text")]


def test_the_monthly_chart_draws_three_bars_a_month() -> None:
    months = [
        {"label": "T1", "received": 4, "done_on_time": 2, "late": 1},
        {"label": "T2", "received": 0, "done_on_time": 0, "late": 0},
    ]
    svg = _svg(monthly_chart(months, "QT-05 theo tháng"))
    fills = [r.get("fill") for r in svg.iter(f"{SVG}rect")]
    # The background, three legend keys, then the bars of January (February has none).
    assert fills[4:] == ["#ffffff", "#8c8c8c", "#1a1a1a"]
    assert {"T1", "T2", "4"} <= {t.text for t in svg.iter(f"{SVG}text")}


# The working calendar


def test_the_next_public_holidays_and_worked_saturdays() -> None:
    found = public_holidays(date(2026, 8, 1), count=4)
    assert [(entry["day"], entry["working"]) for entry in found] == [
        (date(2026, 8, 22), True),
        (date(2026, 8, 31), False),
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
    ]
    assert found[2]["name"] == "Quốc khánh"
    assert weekday("2026-08-22") == "Thứ Bảy"
    assert len(public_holidays(today())) == 10


# The templates, rendered as the pages render them (StrictUndefined: a name left out fails)


@pytest.fixture(scope="module")
def render() -> Any:
    environment = template_config(
        ("qms_gateway.procedures",), [], {"nonconformity_causes": contract.CAUSES}
    ).engine_instance.engine
    principal = SimpleNamespace(name="Thư", roles=frozenset({"iso_secretary"}))
    frame = {
        "request": SimpleNamespace(url="http://localhost/"),
        "csrf_input": '<input type="hidden" name="_csrf_token" value="x">',
        "session": SimpleNamespace(principal=principal),
        "errors": {},
        "error_fields": {},
        "conflict": None,
    }

    def rendered(name: str, **context: Any) -> str:
        return str(environment.get_template(name).render({**frame, **context}))

    return rendered


UNIT_ROW = {"unit_id": UNIT, "name": "Sở Khoa học và Công nghệ"}
VERSION_ROW = {
    "id": str(uuid.uuid4()),
    "unit_id": UNIT,
    "procedure_id": str(uuid.uuid4()),
    "code": "QT-05",
    "number": 2,
    "status": "draft",
    "version": 3,
    **version([step("Tiếp nhận", "van-phong", days=2)], [form("BM-01")]),
}


def test_the_editor_renders_each_mode(render: Any) -> None:
    values = content_of(VERSION_ROW)
    groups = performers({"van-phong": "Văn phòng"}, values["steps"])
    for mode, record in (("new", None), ("revise", VERSION_ROW), ("next", VERSION_ROW)):
        html = render(
            "procedures/editor.html",
            unit=UNIT_ROW,
            heading="Soạn",
            mode=mode,
            version=record,
            values=values,
            accepted_files=ACCEPTED_FILES,
            performers=groups,
            expected=3,
            errors={"steps.0.performer": "Chọn phòng"},
            error_fields={"steps.0.performer": "Bước 1 · Thực hiện"},
        )
        assert 'name="steps.0.performer"' in html and 'value="phong:van-phong" selected' in html
        assert 'aria-describedby="steps-0-performer-error"' in html
        assert ('name="code"' in html) == (mode == "new")
        assert 'name="forms.0.sha256"' in html and "Thêm bước" in html


def test_the_other_new_pages_render(render: Any) -> None:
    old = {**VERSION_ROW, "id": str(uuid.uuid4()), "number": 1, "status": "obsolete"}
    html = render(
        "procedures/compare.html",
        unit=UNIT_ROW,
        old=old,
        new=VERSION_ROW,
        comparison=compare_versions(
            old, {**VERSION_ROW, "steps": [step("Tiếp nhận", "van-phong"), step("Ký", role="x")]}
        ),
        choices=[(old["id"], "Lần 1"), (VERSION_ROW["id"], "Lần 2")],
    )
    assert '<td data-label="Thay đổi"><strong>Thêm mới</strong>' in html
    assert "<del>2 ngày làm việc</del> → <ins>1 ngày làm việc</ins>" in html
    html = render(
        "procedures/filing.html",
        unit=UNIT_ROW,
        values=dict.fromkeys(
            (
                "version_id",
                "subject",
                "applicant_name",
                "applicant_contact",
                "received_on",
                "received_time",
            ),
            "",
        ),
        procedures=[(VERSION_ROW["id"], "QT-05 — Cấp giấy (2 ngày làm việc)")],
    )
    assert 'name="received_time"' in html
    entry = {"day": "2026-08-22", "weekday": "Thứ Bảy", "working": True, "reason": "Làm bù"}
    html = render(
        "procedures/calendar.html",
        notice=None,
        upcoming=[entry],
        past=[entry],
        holidays=[{**entry, "day": date(2026, 9, 2), "name": "Quốc khánh"}],
        can_edit=True,
        typed={"day": "", "working": "false", "reason": ""},
    )
    assert "Bỏ ngày ngoại lệ 22/08/2026" in html and "Quốc khánh" in html
    figures = {
        "received": 2,
        "early": 1,
        "on_time": 0,
        "late": 1,
        "open": 0,
        "overdue": 0,
        "supplement_requests": 0,
        "rate": 50.0,
    }
    html = render(
        "procedures/statistics.html",
        unit=UNIT_ROW,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        as_of=today() - timedelta(days=0),
        filters={"don_vi": UNIT, "nam": "", "tu": "", "den": "", "quy_trinh": "p"},
        year=2026,
        procedures=[{**figures, "procedure_id": "p", "code": "QT-05", "name": "Cấp giấy"}],
        totals=figures,
        departments=[
            {
                "department_id": "d",
                "name": "Văn phòng",
                "steps": 2,
                "early": 1,
                "on_time": 0,
                "late": 1,
                "rate": 50.0,
            }
        ],
        feedback={
            "feedback": {"received": 1, "on_time": 1, "late": 0, "unanswered": 0},
            "ratings": {"satisfied": 1, "acceptable": 0, "not_satisfied": 0},
            "satisfaction_percent": 100.0,
        },
        causes=[
            {
                "cause": "other",
                "label": "Khác",
                "outputs": 1,
                "share": 100.0,
                "cumulative_percent": 100.0,
            }
        ],
        procedure_options=[("p", "QT-05 — Cấp giấy")],
        chosen="p",
        raised={},
        raise_end=date(2026, 3, 2),
        may_raise=True,
        department_names={"d": "Văn phòng"},
        raise_errors={},
        raise_error_fields={},
        raising="",
        typed={},
        outputs=1,
        pareto=pareto_chart([], "Pareto"),
        monthly=[
            {
                "procedure": {"code": "QT-05", "name": "Cấp giấy"},
                "months": [{"label": "T1", "received": 2, "done_on_time": 1, "late": 1, "open": 0}],
                "chart": monthly_chart([], "Tháng"),
            }
        ],
    )
    assert "Tổng cộng" in html and "50 %" in html and "<svg" in html
    assert 'action="/thong-ke-ho-so/de-nghi-khac-phuc"' in html and "Đề nghị khắc phục" in html


def test_numbers_typed_oddly_are_errors_not_failures() -> None:
    assert [whole(typed) for typed in ("12", " 7 ", "²", "٣", "1" * 10, "-1", "")] == [
        12,
        7,
        None,
        None,
        None,
        None,
        None,
    ]
    errors: dict[str, str] = {}
    assert period_of("²", "", "", errors, date(2026, 3, 2)) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert errors == {"nam": "Năm từ 2000 đến 2099, ví dụ 2026"}


def test_a_period_stays_within_the_century_and_five_years() -> None:
    today_ = date(2026, 3, 2)
    errors: dict[str, str] = {}
    period_of("", "01/01/0001", "31/12/9999", errors, today_)
    assert set(errors) == {"tu", "den"}
    errors = {}
    assert period_of("", "01/01/2020", "31/12/2025", errors, today_) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert errors == {"den": "Kỳ thống kê dài nhất 5 năm"}
    errors = {}
    assert period_of("", "01/01/2021", "31/12/2025", errors, today_) == (
        date(2021, 1, 1),
        date(2025, 12, 31),
    )
    assert errors == {}


def test_a_chosen_file_keeps_its_name_and_a_media_type_its_extension_gives() -> None:
    assert chosen_file("C:\\fakepath\\Đơn.docx", "application/octet-stream") == (
        "Đơn.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert chosen_file("scan.JPEG", "") == ("scan.JPEG", "image/jpeg")
    assert chosen_file("a/b.pdf", "application/pdf; name=b") == ("b.pdf", "application/pdf")
    assert chosen_file("page.html", "text/html") == ("page.html", "text/html")
    assert ".docx" in ACCEPTED_FILES.split(",")
