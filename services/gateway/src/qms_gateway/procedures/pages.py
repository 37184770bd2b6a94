"""Staff pages of procedures and dossiers: the unit's procedures and a version's page (its
steps, forms, read acknowledgements, history and review steps); the dossier board and a
dossier's page (its steps with due dates, timeline and a form per step); the feedback inbox."""

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.procedures import CAUSES, SERVICE
from qms_contracts.procedures_commands import (
    CompleteStepInput,
    ExtendDueDateInput,
    PeriodicReviewInput,
    ReturnDossierInput,
    SupplementReceivedInput,
    SupplementRequestInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.frame.search import like_patterns
from qms_gateway.portal.access import Paging, record_in_view, unit_in_view
from qms_gateway.portal.commands import (
    REVIEW_STEPS,
    PageCommands,
    PageStep,
    Refusal,
    fields,
    refused,
)
from qms_gateway.portal.forms import Errors, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import EVENT_LABELS, dossier_actions, version_actions
from qms_runtime.clock import TIMEZONE, today

PROCEDURES = "/quy-trinh"
DOSSIERS = "/ho-so"
FEEDBACK = "/phan-anh"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
Text = Annotated[str, Parameter(max_length=200)]
FIELD_LABELS = {
    "note": "Ghi chú",
    "done_on": "Ngày thực hiện",
    "cause": "Nguyên nhân",
    "step": "Trả về bước",
    "reason": "Lý do",
    "new_due_on": "Ngày hẹn trả mới",
    "received_at": "Thời điểm nhận bổ sung",
    "next_review_on": "Hạn rà soát lần sau",
}
OUTCOMES = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Trễ hạn"}
VERSION_NOTICES = {
    "trinh": "Đã trình phê duyệt.",
    "duyet": "Đã phê duyệt.",
    "tra-lai": "Đã trả lại kèm lý do.",
    "ban-hanh": "Đã ban hành; phiên bản trước hết hiệu lực.",
    "da-doc": "Đã xác nhận phòng đã đọc.",
    "ra-soat": "Đã ghi nhận rà soát định kỳ.",
}
VERSION_STEPS = {
    **REVIEW_STEPS,
    "ban-hanh": PageStep("publish"),
    "da-doc": PageStep("acknowledge"),
    "ra-soat": PageStep(
        "periodic-review", PeriodicReviewInput, fields("note", dates=("next_review_on",))
    ),
}


def _now_received(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    """A supplement received now, at the desk."""
    return {"received_at": datetime.now(TIMEZONE).replace(microsecond=0).isoformat()}


def _complete(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    data = fields("note", dates=("done_on",))(form, errors)
    return {**data, "cause": text(form, "cause") or None}


DOSSIER_NOTICES = {
    "hoan-thanh-buoc": "Đã hoàn thành bước.",
    "tra-ve": "Đã trả hồ sơ về bước trước.",
    "yeu-cau-bo-sung": "Đã yêu cầu bổ sung; thời hạn tạm dừng.",
    "nhan-bo-sung": "Đã nhận bổ sung; thời hạn tính tiếp.",
    "hen-lai": "Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả.",
    "luu-tru": "Đã lưu trữ hồ sơ.",
}
DOSSIER_STEPS = {
    "hoan-thanh-buoc": PageStep("complete-step", CompleteStepInput, _complete),
    "tra-ve": PageStep("return", ReturnDossierInput, fields("step", "reason", "cause")),
    "yeu-cau-bo-sung": PageStep("supplement-request", SupplementRequestInput, fields("reason")),
    "nhan-bo-sung": PageStep("supplement-received", SupplementReceivedInput, _now_received),
    "hen-lai": PageStep(
        "extend-due-date", ExtendDueDateInput, fields("reason", dates=("new_due_on",))
    ),
    "luu-tru": PageStep("archive"),
}


class ProcedurePages(Controller):
    path = PROCEDURES
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        trang_thai: Text | None = None,
        q: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        found = await readmodel.versions(
            pool,
            unit_id,
            statuses=[trang_thai] if trang_thai else None,
            patterns=like_patterns(q),
        )
        return page(
            "procedures/list.html",
            user,
            unit=await directory.unit(pool, unit_id),
            versions=found,
            filters={"don_vi": don_vi, "trang_thai": trang_thai, "q": q},
        )

    @get("/{version_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        version_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, version_id, notice=VERSION_NOTICES.get(kq))

    @post("/{version_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        version_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/procedure-versions/{version_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, VERSION_STEPS, step, record, version_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(
                pool, user, version_id, refusal=outcome, typed=form, step=step
            )
        return Redirect(f"{PROCEDURES}/{version_id}?kq={step}", status_code=303)

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        version_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        version = await record_in_view(
            pool, user.principal, await readmodel.version(pool, version_id)
        )
        unit = await directory.unit(pool, version["unit_id"])
        return page(
            "procedures/detail.html",
            user,
            version=version,
            unit=unit,
            departments=directory.department_names(unit),
            actions=version_actions(user.principal, version),
            history=await history(pool, version_id, COMMANDS.history_labels),
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )


class DossierPages(Controller):
    path = DOSSIERS
    include_in_schema = False

    @get("/")
    async def board(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        trang_thai: Text | None = None,
        phong: Text | None = None,
        q: Text = "",
        trang: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        paging = Paging(trang)
        found, total = await readmodel.dossiers(
            pool,
            unit_id,
            statuses=[trang_thai] if trang_thai else None,
            department_id=phong or None,
            patterns=like_patterns(q),
            limit=paging.size,
            offset=paging.offset,
        )
        unit = await directory.unit(pool, unit_id)
        return page(
            "procedures/board.html",
            user,
            unit=unit,
            departments=directory.department_names(unit),
            dossiers=found,
            total=total,
            paging=paging,
            filters={"don_vi": don_vi, "trang_thai": trang_thai, "phong": phong, "q": q},
            today=today().isoformat(),
        )

    @get("/{dossier_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        dossier_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, dossier_id, notice=DOSSIER_NOTICES.get(kq))

    @post("/{dossier_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        dossier_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/dossiers/{dossier_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, DOSSIER_STEPS, step, record, dossier_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(
                pool, user, dossier_id, refusal=outcome, typed=form, step=step
            )
        return Redirect(f"{DOSSIERS}/{dossier_id}?kq={step}", status_code=303)

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        dossier_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        dossier = await record_in_view(
            pool, user.principal, await readmodel.dossier(pool, dossier_id)
        )
        unit = await directory.unit(pool, dossier["unit_id"])
        return page(
            "procedures/dossier.html",
            user,
            dossier=dossier,
            unit=unit,
            departments=directory.department_names(unit),
            actions=dossier_actions(user.principal, dossier),
            history=await history(pool, dossier_id, COMMANDS.history_labels),
            causes=list(CAUSES.items()),
            earlier_steps=[
                (str(index), f"{index + 1}. {s['name']}")
                for index, s in enumerate(dossier["steps"][: dossier["current_step"]])
            ],
            outcomes=OUTCOMES,
            today=today().isoformat(),
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )


class FeedbackPages(Controller):
    path = FEEDBACK
    include_in_schema = False

    @get("/")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        trang_thai: Text | None = None,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        unit = await directory.unit(pool, unit_id)
        return page(
            "procedures/inbox.html",
            user,
            unit=unit,
            departments=directory.department_names(unit),
            items=await readmodel.feedback_inbox(
                pool, unit_id, statuses=[trang_thai] if trang_thai else None
            ),
            filters={"don_vi": don_vi, "trang_thai": trang_thai, "q": ""},
        )

    @get("/{feedback_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        feedback_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        item = await record_in_view(
            pool, user.principal, await readmodel.feedback(pool, feedback_id)
        )
        unit = await directory.unit(pool, item["unit_id"])
        return page(
            "procedures/feedback.html",
            user,
            item=item,
            unit=unit,
            departments=directory.department_names(unit),
            history=await history(pool, feedback_id, COMMANDS.history_labels),
        )
