"""Staff pages of assessment plans (with their matrix and the secretary's report) and the
heat map of a unit's register."""

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.risk_commands import PlanInput, RevisePlanInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.charts import risk_matrix
from qms_gateway.portal.commands import REVIEW_STEPS, Refusal, expected_version, refused
from qms_gateway.portal.forms import Errors, day, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.risk import readmodel
from qms_gateway.risk.actions import plan_actions
from qms_gateway.risk.pages import COMMANDS, KINDS, LEVELS, OPTION_LABELS
from qms_gateway.risk.routes import plan_report
from qms_runtime.clock import today
from qms_runtime.principal import ISO_SECRETARY

PLANS = "/rui-ro/ke-hoach"
HEAT_MAP = "/rui-ro/ban-do-nhiet"
FIELD_LABELS = {
    "title": "Tên kế hoạch",
    "scope": "Phạm vi",
    "objectives": "Mục đích",
    "resources": "Nguồn lực",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "method": "Phương pháp",
    "method.medium_from": "Điểm thấp nhất mức Trung bình",
    "method.high_from": "Điểm thấp nhất mức Cao",
    "method.critical_from": "Điểm thấp nhất mức Nghiêm trọng",
    "method.acceptance_level": "Mức chấp nhận",
    "reason": "Lý do trả lại",
}
NOTICES = {
    "soan": "Đã lưu dự thảo kế hoạch.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt kế hoạch: các phòng có thể nhận diện rủi ro, cơ hội.",
    "tra-lai": "Đã trả lại kế hoạch kèm lý do.",
}
METHOD_FIELDS = ("medium_from", "high_from", "critical_from", "acceptance_level")
CONTENT_FIELDS = ("title", "scope", "objectives", "resources")
Text = Annotated[str, Parameter(max_length=200)]
DEFAULT_METHOD = {
    "medium_from": 5,
    "high_from": 10,
    "critical_from": 17,
    "acceptance_level": "medium",
}


def _plan_path(plan_id: uuid.UUID | str, step: str = "") -> str:
    return f"{PLANS}/{plan_id}" + (f"/{step}" if step else "")


def _values(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    return {
        **{name: text(form, name) for name in CONTENT_FIELDS},
        "period_start": day(form, "period_start", errors),
        "period_end": day(form, "period_end", errors),
        "method": {name: text(form, f"method.{name}") for name in METHOD_FIELDS},
    }


class PlanPages(Controller):
    path = PLANS
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
        return page(
            "risk/plans.html",
            user,
            unit=await directory.unit(pool, unit_id),
            plans=await readmodel.plans(pool, unit_id, [trang_thai] if trang_thai else None),
            filters={"don_vi": don_vi, "trang_thai": trang_thai},
            levels=LEVELS,
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
            "title": f"Kế hoạch đánh giá rủi ro và cơ hội năm {year}",
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "method": DEFAULT_METHOD,
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
        form = await request.form()
        errors: Errors = {}
        values = _values(form, errors)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/risk-plans",
            PlanInput,
            values,
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(pool, user, unit_id, values, None, refusal=outcome)
        return Redirect(f"{_plan_path(outcome.id)}?kq=soan", status_code=303)

    @get("/{plan_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        plan_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, plan_id, notice=NOTICES.get(kq))

    @get("/{plan_id:uuid}/sua")
    async def revise_page(
        self,
        request: Request[Any, Any, Any],
        plan_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        plan = await self._plan(pool, user, plan_id)
        values = {
            name: plan[name] for name in (*CONTENT_FIELDS, "period_start", "period_end", "method")
        }
        return await self._form(pool, user, plan["unit_id"], values, plan)

    @post("/{plan_id:uuid}/sua")
    async def revise(
        self,
        request: Request[Any, Any, Any],
        plan_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        plan = await self._plan(pool, user, plan_id)
        form = await request.form()
        errors: Errors = {}
        values = _values(form, errors)
        expected = expected_version(form)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            f"/api/v1/risk-plans/{plan_id}",
            RevisePlanInput,
            values,
            errors,
            expected,
            plan_id,
        )
        if isinstance(outcome, Refusal):
            plan = await self._plan(pool, user, plan_id)
            return await self._form(
                pool, user, plan["unit_id"], values, plan, expected, refusal=outcome
            )
        return Redirect(f"{_plan_path(plan_id)}?kq=sua", status_code=303)

    @post("/{plan_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        plan_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """Submit, approve, return: the reviewed-record kit's steps."""
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/risk-plans/{plan_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, REVIEW_STEPS, step, record, plan_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(pool, user, plan_id, refusal=outcome, typed=form)
        return Redirect(f"{_plan_path(plan_id)}?kq={step}", status_code=303)

    @staticmethod
    async def _drafting_unit(pool: asyncpg.Pool, user: Session) -> str:
        unit_id = await unit_in_view(pool, user.principal, None)
        user.principal.require(unit_id, ISO_SECRETARY)
        return unit_id

    @staticmethod
    async def _plan(pool: asyncpg.Pool, user: Session, plan_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(pool, user.principal, await readmodel.plan(pool, plan_id))

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        plan: dict[str, Any] | None,
        expected: int | None = None,
        *,
        refusal: Refusal | None = None,
    ) -> Template:
        return page(
            "risk/plan_form.html",
            user,
            unit=await directory.unit(pool, unit_id),
            values=values,
            levels=list(LEVELS.items())[:3],
            plan=plan,
            expected=expected or (plan["version"] if plan else None),
            **refused(refusal, FIELD_LABELS),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        plan_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
    ) -> Template:
        plan = await self._plan(pool, user, plan_id)
        unit = await directory.unit(pool, plan["unit_id"])
        approved = plan["status"] == "approved"
        return page(
            "risk/plan.html",
            user,
            plan=plan,
            unit=unit,
            matrix=risk_matrix("Ma trận mức của kế hoạch", plan["method"]),
            report=(await plan_report(pool, plan)).model_dump() if approved else None,
            actions=plan_actions(user.principal, plan),
            history=await history(pool, plan_id, COMMANDS.history_labels),
            levels=LEVELS,
            kinds=KINDS,
            option_labels=OPTION_LABELS,
            typed=typed or FormMultiDict(),
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )


class HeatMapPage(Controller):
    path = HEAT_MAP
    include_in_schema = False

    @get("/")
    async def heat_map(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        ke_hoach: uuid.UUID | None = None,
    ) -> Template:
        """Inherent beside residual, for one plan (its method shades the cells)."""
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        plans = await readmodel.plans(pool, unit_id, ["approved"])
        chosen = next((p for p in plans if p["id"] == str(ke_hoach)), plans[0] if plans else None)
        counts = (
            await readmodel.heat_map(pool, unit_id, uuid.UUID(chosen["id"])) if chosen else None
        )
        return page(
            "risk/heat_map.html",
            user,
            unit=await directory.unit(pool, unit_id),
            plans=plans,
            chosen=chosen,
            counts=counts,
            charts={
                rating: risk_matrix(title, chosen["method"], counts[rating])
                for rating, title in (
                    ("inherent", "Trước xử lý (mức ban đầu)"),
                    ("residual", "Sau xử lý (mức còn lại)"),
                )
            }
            if chosen and counts is not None
            else {},
            filters={"don_vi": don_vi},
            levels=LEVELS,
        )
