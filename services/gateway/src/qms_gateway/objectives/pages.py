"""Staff pages of quality objectives: list, detail with history and charts, forms for commands."""

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.objectives import SERVICE
from qms_contracts.objectives_commands import (
    DisseminateInput,
    DraftObjectiveInput,
    EvaluateInput,
    ProgressInput,
    ReviseObjectiveInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.frame.search import like_patterns
from qms_gateway.objectives import readmodel, sources
from qms_gateway.objectives.actions import EVENT_LABELS, objective_actions, progress_targets
from qms_gateway.portal.access import Paging, record_in_view, unit_in_view
from qms_gateway.portal.charts import target_progress
from qms_gateway.portal.commands import (
    REVIEW_STEPS,
    PageCommands,
    Refusal,
    expected_version,
    refused,
    renamed,
)
from qms_gateway.portal.forms import (
    Errors,
    chosen,
    day,
    edit_rows,
    number,
    read_rows,
    text,
)
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_runtime.clock import today
from qms_runtime.errors import NotFound
from qms_runtime.principal import ISO_SECRETARY

LIST = "/muc-tieu"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
#: What the error summary calls each field of the wing's forms.
FIELD_LABELS = {
    "year": "Năm",
    "title": "Tiêu đề",
    "content": "Nội dung",
    "targets": "Chỉ tiêu",
    "statement": "Nội dung chỉ tiêu",
    "indicator": "Chỉ số đo",
    "target_value": "Giá trị cần đạt",
    "unit_of_measure": "Đơn vị đo",
    "direction": "Cách đánh giá",
    "deadline": "Thời hạn",
    "department_id": "Phòng chịu trách nhiệm",
    "action_plan": "Kế hoạch thực hiện",
    "source": "Nguồn số liệu",
    "reason": "Lý do trả lại",
    "department_ids": "Các phòng",
    "value": "Giá trị đo được",
    "as_of": "Ngày số liệu",
    "note": "Ghi chú",
}
TARGET_FIELDS = (
    "target_id",
    "statement",
    "indicator",
    "target_value",
    "unit_of_measure",
    "direction",
    "deadline",
    "department_id",
    "action_plan",
    "source",
)
NOTICES = {
    "soan": "Đã lưu dự thảo mục tiêu.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt mục tiêu.",
    "tra-lai": "Đã trả lại mục tiêu kèm lý do.",
    "pho-bien": "Đã phổ biến mục tiêu tới các phòng.",
    "tien-do": "Đã ghi nhận tiến độ.",
    "danh-gia": "Đã đánh giá mục tiêu.",
}
Text = Annotated[str, Parameter(max_length=200)]


def _path(objective_id: uuid.UUID | str, step: str = "") -> str:
    return f"{LIST}/{objective_id}" + (f"/{step}" if step else "")


def _api(objective_id: uuid.UUID, step: str = "") -> str:
    return f"/api/v1/objectives/{objective_id}" + (f"/{step}" if step else "")


def _blank_target() -> dict[str, Any]:
    return dict.fromkeys(TARGET_FIELDS, "") | {"direction": "at_least"}


def _targets_from(form: FormMultiDict, errors: Errors) -> list[dict[str, Any]]:
    def target(name: str, row_errors: Errors) -> dict[str, Any]:
        found: dict[str, Any] = {
            **{field: text(form, f"{name}{field}") for field in TARGET_FIELDS},
            "target_value": number(form, f"{name}target_value", row_errors),
            "deadline": day(form, f"{name}deadline", row_errors),
        }
        try:
            sources.parse_choice(found["source"])
        except ValueError:
            row_errors[f"{name}source"] = "Chọn nguồn số liệu trong danh sách"
        return found

    return read_rows(form, "targets", errors, target)


def _target_body(target: dict[str, Any]) -> dict[str, Any]:
    body = {
        key: value
        for key, value in target.items()
        if key != "source" and (value != "" or key != "target_id")
    }
    try:
        source = sources.parse_choice(target.get("source", ""))
    except ValueError:
        source = None  # refused beside its field already (_targets_from)
    if source is not None:
        body["source"] = {key: value for key, value in source.items() if value is not None}
    return body


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the command's body: empty optional fields left out, each target's
    source as the command says it."""
    return {**values, "targets": [_target_body(target) for target in values["targets"]]}


def _row_field(key: str) -> str:
    """An error inside a target's source (`targets.0.source.kind`) is shown beside its select."""
    head, found, _ = key.partition(".source.")
    return f"{head}.source" if found else key


class ObjectivePages(Controller):
    path = LIST
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        nam: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
        trang_thai: Text | None = None,
        phong: Text | None = None,
        q: Text = "",
        trang: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        paging = Paging(trang)
        found, total = await readmodel.search_objectives(
            pool,
            unit_id,
            year=nam,
            status=trang_thai or None,
            department_id=phong or None,
            patterns=like_patterns(q),
            limit=paging.size,
            offset=paging.offset,
        )
        return page(
            "objectives/list.html",
            user,
            unit=await directory.unit(pool, unit_id),
            objectives=found,
            total=total,
            paging=paging,
            filters={
                "don_vi": don_vi,
                "nam": nam,
                "trang_thai": trang_thai,
                "phong": phong,
                "q": q,
            },
            can_draft=ISO_SECRETARY in user.principal.roles and user.principal.can_act_in(unit_id),
        )

    @get("/moi")
    async def new_page(
        self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._drafting_unit(pool, user)
        values = {"year": today().year, "title": "", "targets": [_blank_target()]}
        return await self._form(pool, user, unit_id, values, None)

    @post("/moi")
    async def draft(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        unit_id = await self._drafting_unit(pool, user)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {
            "year": text(form, "year"),
            "title": text(form, "title"),
            "targets": _targets_from(form, errors),
        }
        if edit_rows(form, values["targets"], "target", _blank_target):
            return await self._form(pool, user, unit_id, values, None)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/objectives",
            DraftObjectiveInput,
            _body(values),
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(pool, user, unit_id, values, None, refusal=outcome)
        return Redirect(f"{_path(outcome.id)}?kq=soan", status_code=303)

    @get("/{objective_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, objective_id, notice=NOTICES.get(kq))

    @get("/{objective_id:uuid}/sua")
    async def revise_page(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        record = await self._record(pool, user, objective_id)
        targets = [
            {**target, "source": sources.choice_of(target.get("source"))}
            for target in record["targets"]
        ]
        values = {"title": record["title"], "targets": targets}
        return await self._form(pool, user, record["unit_id"], values, record)

    @post("/{objective_id:uuid}/sua")
    async def revise(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        record = await self._record(pool, user, objective_id)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {
            "title": text(form, "title"),
            "targets": _targets_from(form, errors),
        }
        expected = expected_version(form)
        if edit_rows(form, values["targets"], "target", _blank_target):
            return await self._form(pool, user, record["unit_id"], values, record, expected)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            _api(objective_id),
            ReviseObjectiveInput,
            _body(values),
            errors,
            expected,
            objective_id,
        )
        if isinstance(outcome, Refusal):
            # Shown on the record as it is now: a stale form is sent again on its new version.
            record = await self._record(pool, user, objective_id)
            return await self._form(
                pool, user, record["unit_id"], values, record, expected, refusal=outcome
            )
        return Redirect(f"{_path(objective_id)}?kq=sua", status_code=303)

    @post("/{objective_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        objective_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """Submit, approve, return, disseminate, record progress, evaluate: one form each."""
        user = signed_in(request, session)
        form = await request.form()
        errors: Errors = {}
        api_step, body_model, data = self._step_body(step, form, errors)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            _api(objective_id, api_step),
            body_model,
            data,
            errors,
            expected_version(form),
            objective_id,
        )
        if isinstance(outcome, Refusal):
            return await self._detail(pool, user, objective_id, refusal=outcome, typed=form)
        return Redirect(f"{_path(objective_id)}?kq={step}", status_code=303)

    @staticmethod
    def _step_body(
        step: str, form: FormMultiDict, errors: Errors
    ) -> tuple[str, type[Any] | None, dict[str, Any]]:
        if step in REVIEW_STEPS:
            review = REVIEW_STEPS[step]
            return review.command, review.model, review.read(form, errors)
        if step == "pho-bien":
            return (
                "disseminate",
                DisseminateInput,
                {"department_ids": chosen(form, "department_ids")},
            )
        if step == "tien-do":
            target_id = text(form, "target_id")
            data = {
                "value": number(form, "value", errors),
                "as_of": day(form, "as_of", errors),
                "note": text(form, "note"),
            }
            return f"targets/{target_id}/progress", ProgressInput, data
        if step == "danh-gia":
            overrides = {
                key.removeprefix("achieved."): value == "true"
                for key, value in form.items()
                if key.startswith("achieved.") and value in ("true", "false")
            }
            return "evaluate", EvaluateInput, {"achieved": overrides, "note": text(form, "note")}
        raise NotFound(f"Không có thao tác '{step}'")

    @staticmethod
    async def _drafting_unit(pool: asyncpg.Pool, user: Session) -> str:
        unit_id = await unit_in_view(pool, user.principal, None)
        user.principal.require(unit_id, ISO_SECRETARY)
        return unit_id

    @staticmethod
    async def _record(pool: asyncpg.Pool, user: Session, objective_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(
            pool, user.principal, await readmodel.objective(pool, objective_id)
        )

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        record: dict[str, Any] | None,
        expected: int | None = None,
        *,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id) or {}
        names = await sources.unit_procedures(pool, unit_id)
        chosen = [str(target.get("source", "")) for target in values["targets"]]
        return page(
            "objectives/form.html",
            user,
            unit=unit,
            departments=list(directory.department_names(unit).items()),
            source_choices=sources.choices(names, *chosen),
            values=values,
            record=record,
            expected=expected or (record["version"] if record else None),
            **refused(
                renamed(refusal, _row_field) if refusal else None,
                FIELD_LABELS | {"title": "Tên mục tiêu"},
            ),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        objective_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
    ) -> Template:
        record = await self._record(pool, user, objective_id)
        unit = await directory.unit(pool, record["unit_id"])
        departments = {d["department_id"]: d["name"] for d in (unit or {}).get("departments", [])}
        targets = {
            target["target_id"]: f"{number}. {target['indicator']}"
            for number, target in enumerate(record["targets"], start=1)
        }
        charts = {
            target["target_id"]: target_progress(target, target["indicator"])
            for target in record["targets"]
            if target["progress"]
        }
        sourced = [target for target in record["targets"] if target.get("source")]
        names = await sources.unit_procedures(pool, record["unit_id"]) if sourced else {}
        return page(
            "objectives/detail.html",
            user,
            record=record,
            unit=unit,
            departments=departments,
            names=departments | targets,
            charts=charts,
            source_labels={
                target["target_id"]: sources.label(target.get("source"), names)
                for target in record["targets"]
            },
            actions=objective_actions(user.principal, record),
            progress_targets=progress_targets(user.principal, record),
            history=await history(pool, objective_id, COMMANDS.history_labels),
            typed=typed or FormMultiDict(),
            notice=notice,
            today=today().isoformat(),
            **refused(refusal, FIELD_LABELS),
        )
