"""Citizens' feedback and satisfaction as pages: the unit's inbox and an item's page with its
steps (assign, answer, publish the answer, open a nonconformity), and what anyone may do
without signing in: send feedback, follow it, rate a dossier's result."""

import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from qms_contracts.procedures import SERVICE
from qms_contracts.procedures_commands import (
    AnswerFeedbackInput,
    AssignFeedbackInput,
    ComplaintNonconformityInput,
    FeedbackInput,
    RatingInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder, Sent
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.commands import CommandRefused, PageStep, fields
from qms_gateway.portal.forms import Errors, checked, field_names, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import feedback_actions
from qms_gateway.procedures.feedback_routes import public_feedback, rate_dossier, send_feedback
from qms_gateway.procedures.pages import RecordPages, Text
from qms_gateway.upstream import Upstream
from qms_runtime.clock import today
from qms_runtime.errors import InvalidInput, NotFound

KINDS = [("complaint", "Phản ánh"), ("suggestion", "Kiến nghị")]
SUBJECTS = [("unit", "Đơn vị"), ("procedure", "Một thủ tục, quy trình"), ("dossier", "Một hồ sơ")]
LEVELS = [
    ("satisfied", "Hài lòng"),
    ("acceptable", "Chấp nhận được"),
    ("not_satisfied", "Không hài lòng"),
]
CITIZEN_LABELS = {
    "kind": "Loại",
    "subject_kind": "Về",
    "subject_ref": "Mã thủ tục hoặc mã hồ sơ",
    "title": "Tiêu đề",
    "content": "Nội dung",
    "sender_name": "Họ và tên",
    "sender_contact": "Điện thoại hoặc thư điện tử",
    "code": "Mã hồ sơ",
    "secret": "Mã đánh giá",
    "level": "Mức độ hài lòng",
    "comment": "Ý kiến",
}
FEEDBACK_NOTICES = {
    "giao": "Đã giao phòng trả lời.",
    "tra-loi": "Đã trả lời.",
    "cong-khai": "Đã công khai câu trả lời.",
    "khong-phu-hop": "Đã gửi sang đánh giá nội bộ để mở sự không phù hợp.",
}


def _answer(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    data = fields("text", dates=("answered_on",))(form, errors)
    return {**data, "publish": text(form, "publish") == "1"}


FEEDBACK_STEPS = {
    "giao": PageStep("assign", AssignFeedbackInput, fields("department_id")),
    "tra-loi": PageStep("answer", AnswerFeedbackInput, _answer),
    "cong-khai": PageStep("publish-answer"),
    "khong-phu-hop": PageStep("nonconformity", ComplaintNonconformityInput, fields("description")),
}


class FeedbackPages(RecordPages):
    """The inbox and an item's page with the steps its state allows."""

    path = "/phan-anh"
    api = "/api/v1/feedback"
    steps: ClassVar[Mapping[str, PageStep]] = FEEDBACK_STEPS
    notices: ClassVar[Mapping[str, str]] = FEEDBACK_NOTICES
    template = "procedures/feedback.html"
    labels: ClassVar[Mapping[str, str]] = {
        "department_id": "Phòng trả lời",
        "text": "Nội dung trả lời",
        "answered_on": "Ngày trả lời",
        "description": "Sự không phù hợp",
    }

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

    @get("/{record_id:uuid}/lien-he")
    async def contact(
        self,
        request: Request[Any, Any, Any],
        record_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        upstream: Upstream,
    ) -> Template:
        """The sender's contact, which only the service keeps and shows to who answers."""
        user = signed_in(request, session)
        item = await record_in_view(pool, user.principal, await readmodel.feedback(pool, record_id))
        reply = await upstream.forward(
            SERVICE,
            "GET",
            f"/api/v1/feedback/{record_id}",
            b"",
            {"authorization": f"Bearer {user.token}", "accept": "application/json"},
        )
        if reply.status_code != 200:
            raise CommandRefused(reply.status_code, reply.json())
        return page(
            "procedures/feedback_contact.html",
            user,
            item=item,
            contact=reply.json()["sender_contact"],
        )

    async def _record(self, pool: asyncpg.Pool, record_id: uuid.UUID) -> dict[str, Any] | None:
        return await readmodel.feedback(pool, record_id)

    def _context(self, user: Session, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "item": record,
            "actions": feedback_actions(user.principal, record),
            "today": today().isoformat(),
        }


def _refused(sent: Sent) -> Errors:
    """A citizen's refused form: the service's errors beside the fields, or above them."""
    try:
        problem = json.loads(sent.reply.content)
    except ValueError:
        problem = {"detail": "Chưa gửi được; xin thử lại sau"}
    return CommandRefused(sent.reply.status_code, problem).errors()


class CitizenPages(Controller):
    """What anyone may do on a unit's public pages, signed in or not."""

    include_in_schema = False

    async def _unit(self, pool: asyncpg.Pool, unit_id: str) -> dict[str, Any]:
        unit = await directory.unit(pool, unit_id)
        if unit is None:
            raise NotFound(f"Không có đơn vị {unit_id}")
        return unit

    async def _form(
        self,
        template: str,
        pool: asyncpg.Pool,
        session: Session | None,
        unit_id: str,
        typed: Mapping[str, str],
        errors: Errors,
        status: int = 422,
        **shown: object,
    ) -> Template:
        """A citizen's form, with what was typed and why it was refused (`status`)."""
        return page(
            template,
            session,
            status_code=status if errors else 200,
            unit=await self._unit(pool, unit_id),
            typed=typed,
            errors=errors,
            error_names=field_names(errors, CITIZEN_LABELS),
            **shown,
        )

    async def _feedback_form(
        self,
        pool: asyncpg.Pool,
        session: Session | None,
        unit_id: str,
        typed: Mapping[str, str],
        errors: Errors,
        status: int = 422,
    ) -> Template:
        return await self._form(
            "procedures/feedback_form.html",
            pool,
            session,
            unit_id,
            typed,
            errors,
            status,
            kinds=KINDS,
            subjects=SUBJECTS,
        )

    @get("/don-vi/{unit_id:str}/gop-y")
    async def feedback_form(
        self, unit_id: str, session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        return await self._feedback_form(pool, session, unit_id, {}, {})

    @post("/don-vi/{unit_id:str}/gop-y")
    async def send(
        self,
        request: Request[Any, Any, Any],
        unit_id: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        form = await request.form()
        typed = {name: text(form, name) for name in FeedbackInput.model_fields}
        data, errors = checked(FeedbackInput, typed)
        if data is None:
            return await self._feedback_form(pool, session, unit_id, typed, errors)
        sent = await send_feedback(forwarder, pool, request, unit_id, data)
        if sent.result is None:
            refused = _refused(sent)
            return await self._feedback_form(
                pool, session, unit_id, typed, refused, sent.reply.status_code
            )
        return Redirect(f"/gop-y/{sent.result.id}?kq=da-gui", status_code=303)

    @get("/gop-y/{feedback_id:uuid}")
    async def follow(
        self, feedback_id: uuid.UUID, session: Session | None, pool: asyncpg.Pool, kq: Text = ""
    ) -> Template:
        found = await readmodel.feedback(pool, feedback_id)
        if found is None:
            raise NotFound("Không tìm thấy phản ánh")
        return page(
            "procedures/feedback_public.html",
            session,
            item=public_feedback(found),
            unit=await self._unit(pool, found["unit_id"]),
            sent=kq == "da-gui",
        )

    async def _rating_form(
        self,
        pool: asyncpg.Pool,
        session: Session | None,
        unit_id: str,
        typed: Mapping[str, str],
        errors: Errors,
        rated: bool = False,
        status: int = 422,
    ) -> Template:
        return await self._form(
            "procedures/rating_form.html",
            pool,
            session,
            unit_id,
            typed,
            errors,
            status,
            levels=LEVELS,
            rated=rated,
        )

    @get("/don-vi/{unit_id:str}/danh-gia")
    async def rating_form(
        self,
        unit_id: str,
        session: Session | None,
        pool: asyncpg.Pool,
        ma: Text = "",
        kq: Text = "",
    ) -> Template:
        return await self._rating_form(
            pool, session, unit_id, {"code": ma}, {}, rated=kq == "da-danh-gia"
        )

    @post("/don-vi/{unit_id:str}/danh-gia")
    async def rate(
        self,
        request: Request[Any, Any, Any],
        unit_id: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        form = await request.form()
        typed = {name: text(form, name) for name in RatingInput.model_fields}
        data, errors = checked(RatingInput, typed)
        if data is None:
            return await self._rating_form(pool, session, unit_id, typed, errors)
        await self._unit(pool, unit_id)
        try:
            sent = await rate_dossier(forwarder, pool, request, unit_id, data)
        except InvalidInput as unknown:
            errors = {str(unknown.extensions.get("field", "")): unknown.detail}
            return await self._rating_form(pool, session, unit_id, typed, errors)
        if sent.result is None:
            refused = _refused(sent)
            return await self._rating_form(
                pool, session, unit_id, typed, refused, status=sent.reply.status_code
            )
        return Redirect(f"/don-vi/{unit_id}/danh-gia?kq=da-danh-gia", status_code=303)
