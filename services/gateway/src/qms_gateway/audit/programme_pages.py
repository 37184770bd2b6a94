"""Staff pages of yearly audit programmes: the list, a programme with its rounds, its form."""

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.audit import SERVICE
from qms_contracts.audit_commands import ProgrammeInput, ReviseProgrammeInput
from qms_gateway.audit import readmodel
from qms_gateway.audit.actions import EVENT_LABELS, OUTCOMES, programme_actions
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.commands import (
    REVIEW_STEPS,
    PageCommands,
    Refusal,
    expected_version,
    refused,
)
from qms_gateway.portal.forms import Errors, chosen, day, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_runtime.clock import today
from qms_runtime.principal import ISO_SECRETARY

PROGRAMMES = "/danh-gia-noi-bo"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
FIELD_LABELS = {
    "year": "Năm",
    "objectives": "Mục tiêu đánh giá",
    "scope": "Phạm vi",
    "criteria": "Chuẩn mực đánh giá",
    "department_ids": "Các phòng được đánh giá",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "planned_rounds": "Số đợt dự kiến",
    "reason": "Lý do trả lại",
}
NOTICES = {
    "soan": "Đã lưu dự thảo chương trình.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt chương trình: thư ký lập kế hoạch từng đợt đánh giá.",
    "tra-lai": "Đã trả lại chương trình kèm lý do.",
}
CONTENT_FIELDS = ("objectives", "scope", "criteria")
Text = Annotated[str, Parameter(max_length=200)]


def programme_path(programme_id: uuid.UUID | str, step: str = "") -> str:
    return f"{PROGRAMMES}/{programme_id}" + (f"/{step}" if step else "")


def _values(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    return {
        "year": text(form, "year"),
        **{name: text(form, name) for name in CONTENT_FIELDS},
        "department_ids": chosen(form, "department_ids"),
        "period_start": day(form, "period_start", errors),
        "period_end": day(form, "period_end", errors),
        "planned_rounds": text(form, "planned_rounds"),
    }


class ProgrammePages(Controller):
    path = PROGRAMMES
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        trang_thai: Text | None = None,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        statuses = [trang_thai] if trang_thai else None
        return page(
            "audit/programmes.html",
            user,
            unit=await directory.unit(pool, unit_id),
            programmes=await readmodel.programmes(pool, unit_id, None, statuses),
            filters={"don_vi": don_vi, "trang_thai": trang_thai},
            can_draft=ISO_SECRETARY in user.principal.roles and user.principal.can_act_in(unit_id),
        )

    @get("/moi")
    async def new_page(
        self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._drafting_unit(pool, user)
        year = today().year
        values = {
            **dict.fromkeys(CONTENT_FIELDS, ""),
            "year": year,
            "criteria": "TCVN ISO 9001:2015; các quy trình nội bộ của đơn vị",
            "department_ids": list(directory.department_names(await directory.unit(pool, unit_id))),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "planned_rounds": 1,
        }
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
        errors: Errors = {}
        values = _values(await request.form(), errors)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/audit-programmes",
            ProgrammeInput,
            values,
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(pool, user, unit_id, values, None, refusal=outcome)
        return Redirect(f"{programme_path(outcome.id)}?kq=soan", status_code=303)

    @get("/{programme_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        programme_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, programme_id, notice=NOTICES.get(kq))

    @get("/{programme_id:uuid}/sua")
    async def revise_page(
        self,
        request: Request[Any, Any, Any],
        programme_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        programme = await self._programme(pool, user, programme_id)
        names = ("year", *CONTENT_FIELDS, "department_ids", "period_start", "period_end")
        values = {name: programme[name] for name in (*names, "planned_rounds")}
        return await self._form(pool, user, programme["unit_id"], values, programme)

    @post("/{programme_id:uuid}/sua")
    async def revise(
        self,
        request: Request[Any, Any, Any],
        programme_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        programme = await self._programme(pool, user, programme_id)
        form = await request.form()
        errors: Errors = {}
        values = _values(form, errors)
        expected = expected_version(form)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            f"/api/v1/audit-programmes/{programme_id}",
            ReviseProgrammeInput,
            values,
            errors,
            expected,
            programme_id,
        )
        if isinstance(outcome, Refusal):
            programme = await self._programme(pool, user, programme_id)
            unit_id = programme["unit_id"]
            return await self._form(pool, user, unit_id, values, programme, expected, outcome)
        return Redirect(f"{programme_path(programme_id)}?kq=sua", status_code=303)

    @post("/{programme_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        programme_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """Submit, approve, return: the reviewed-record kit's steps."""
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/audit-programmes/{programme_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, REVIEW_STEPS, step, record, programme_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(pool, user, programme_id, refusal=outcome, typed=form)
        return Redirect(f"{programme_path(programme_id)}?kq={step}", status_code=303)

    @staticmethod
    async def _drafting_unit(pool: asyncpg.Pool, user: Session) -> str:
        unit_id = await unit_in_view(pool, user.principal, None)
        user.principal.require(unit_id, ISO_SECRETARY)
        return unit_id

    @staticmethod
    async def _programme(
        pool: asyncpg.Pool, user: Session, programme_id: uuid.UUID
    ) -> dict[str, Any]:
        found = await readmodel.programme(pool, programme_id)
        return await record_in_view(pool, user.principal, found)

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        programme: dict[str, Any] | None,
        expected: int | None = None,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id)
        return page(
            "audit/programme_form.html",
            user,
            unit=unit,
            values=values,
            departments=list(directory.department_names(unit).items()),
            programme=programme,
            expected=expected or (programme["version"] if programme else None),
            **refused(refusal, FIELD_LABELS),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        programme_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
    ) -> Template:
        programme = await self._programme(pool, user, programme_id)
        unit = await directory.unit(pool, programme["unit_id"])
        return page(
            "audit/programme.html",
            user,
            programme=programme,
            unit=unit,
            departments=directory.department_names(unit),
            plans=await readmodel.plans(pool, programme_id),
            actions=programme_actions(user.principal, programme),
            history=await history(pool, programme_id, COMMANDS.history_labels),
            outcomes=OUTCOMES,
            typed=typed or FormMultiDict(),
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )
