"""Staff pages of management reviews (ISO 9001 9.3): the list, the notice's form, and a review
with its agenda, the departments' reports and the evidence beside each item, the meeting, the
conclusion and its actions; one form per step, each offered to whoever may take it."""

import re
import uuid
from typing import Annotated, Any, get_args

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.inputs import CommandReply, ReturnInput
from qms_contracts.review import SERVICE
from qms_contracts.review_commands import (
    CompleteReviewActionInput,
    ConclusionInput,
    ConsolidateInput,
    MeetingInput,
    NoticeInput,
    ReportInput,
    ReviseNoticeInput,
    VerifyActionInput,
)
from qms_contracts.review_reads import ReviewEvidence
from qms_gateway.audit.readmodel import review_nonconformities
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.frame.search import like_patterns
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.commands import (
    REVIEW_STEPS,
    PageCommands,
    PageStep,
    Refusal,
    expected_version,
    fields,
    refused,
)
from qms_gateway.portal.forms import Errors, edit_rows, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.review import readmodel
from qms_gateway.review.actions import (
    ACTION_STATUSES,
    EVENT_LABELS,
    EVIDENCE_NAMES,
    OUTPUT_KINDS,
    TOPICS,
    action_steps,
    reporting,
    review_steps,
)
from qms_gateway.review.forms import (
    CONCLUSION_LABELS,
    NOTICE_LABELS,
    blank_notice,
    blank_output,
    conclusion_body,
    conclusion_refusal,
    meeting_refusal,
    meeting_values,
    notice_body,
    notice_form_values,
    notice_refusal,
    notice_values,
    output_form_rows,
    output_rows,
)
from qms_gateway.review.routes import read_upstream
from qms_gateway.review.views import ReviewStatus
from qms_gateway.upstream import Upstream
from qms_runtime.clock import today
from qms_runtime.errors import Forbidden, NotFound, UpstreamUnavailable
from qms_runtime.principal import ISO_SECRETARY

LIST = "/xem-xet-lanh-dao"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
STATUSES = get_args(ReviewStatus)
FIELD_LABELS = {
    "reason": "Lý do trả lại",
    "content": "Nội dung báo cáo",
    "summary": "Tổng hợp báo cáo",
    "held_on": "Ngày họp",
    "chair": "Người chủ trì",
    "participants": "Thành phần tham dự",
    "minutes": "Biên bản",
    "evidence": "Bằng chứng",
    "completed_on": "Ngày hoàn thành",
    "note": "Nhận xét",
}
NOTICES = {
    "soan": "Đã lưu dự thảo thông báo.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt thông báo: thư ký gửi thông báo đến các phòng.",
    "tra-lai": "Đã trả lại thông báo kèm lý do.",
    "gui": "Đã gửi thông báo: các phòng gửi báo cáo trước hạn.",
    "bao-cao": "Đã gửi báo cáo của phòng.",
    "tong-hop": "Đã tổng hợp báo cáo.",
    "hop": "Đã ghi biên bản họp.",
    "ket-luan": "Đã lưu dự thảo kết luận: chờ lãnh đạo phê duyệt.",
    "duyet-ket-luan": "Đã phê duyệt kết luận: các hành động được giao cho các phòng.",
    "tra-lai-ket-luan": "Đã trả lại kết luận kèm lý do.",
    "hoan-thanh": "Đã ghi nhận hoàn thành hành động.",
    "xac-nhan": "Đã xác nhận hành động.",
}
Text = Annotated[str, Parameter(max_length=200)]
OUTPUT_ID = re.compile(r"^o[1-9][0-9]{0,2}$")


STEPS = {
    **REVIEW_STEPS,
    "gui": PageStep("issue"),
    "tong-hop": PageStep("consolidate", ConsolidateInput, fields("summary")),
    "hop": PageStep("meeting", MeetingInput, meeting_values),
    "duyet-ket-luan": PageStep("conclusion/approve"),
    "tra-lai-ket-luan": PageStep("conclusion/return", ReturnInput, fields("reason")),
}
ACTION_STEPS = {
    "hoan-thanh": PageStep(
        "complete", CompleteReviewActionInput, fields("evidence", dates=("completed_on",))
    ),
    "xac-nhan": PageStep("verify", VerifyActionInput, fields("note")),
}


def review_path(review_id: uuid.UUID | str, step: str = "") -> str:
    return f"{LIST}/{review_id}" + (f"/{step}" if step else "")


def _api(review_id: uuid.UUID, step: str = "") -> str:
    return f"/api/v1/reviews/{review_id}" + (f"/{step}" if step else "")


async def evidence(
    upstream: Upstream, user: Session, review_id: uuid.UUID
) -> ReviewEvidence | None:
    """The evidence beside the agenda, as the gateway's evidence read answers it; None if the
    review service cannot say now (the page shows the review without it)."""
    headers = {"authorization": f"Bearer {user.token}", "accept": "application/json"}
    try:
        reply = await read_upstream(upstream, _api(review_id, "evidence"), headers)
    except UpstreamUnavailable:
        return None
    if reply.status_code != 200:
        return None
    return ReviewEvidence.model_validate_json(reply.content)


class ReviewPages(Controller):
    path = LIST
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        trang_thai: Text | None = None,
        nam: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
        q: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        statuses = [trang_thai] if trang_thai else None
        return page(
            "review/list.html",
            user,
            unit=await directory.unit(pool, unit_id),
            reviews=await readmodel.reviews(pool, unit_id, nam, statuses, like_patterns(q)),
            filters={"don_vi": don_vi, "trang_thai": trang_thai, "nam": nam, "q": q},
            statuses=STATUSES,
            can_draft=ISO_SECRETARY in user.principal.roles and user.principal.can_act_in(unit_id),
            year=nam or today().year,
            # The year's data is the unit's own (the review service answers no one else).
            own_unit=user.principal.can_act_in(unit_id),
        )

    @get("/moi")
    async def new_page(
        self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._drafting_unit(pool, user)
        return await self._form(pool, user, unit_id, blank_notice(today().year), None)

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
        values = notice_values(await request.form(), errors)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/reviews",
            NoticeInput,
            notice_body(values, drafting=True),
            errors,
        )
        if isinstance(outcome, Refusal):
            refusal = notice_refusal(outcome, values)
            return await self._form(pool, user, unit_id, values, None, refusal=refusal)
        return Redirect(f"{review_path(outcome.id)}?kq=soan", status_code=303)

    @get("/{review_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        upstream: Upstream,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, upstream, user, review_id, notice=NOTICES.get(kq))

    @get("/{review_id:uuid}/sua")
    async def revise_page(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        review = await self._review(pool, user, review_id)
        values = notice_form_values(review)
        return await self._form(pool, user, review["unit_id"], values, review)

    @post("/{review_id:uuid}/sua")
    async def revise(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        review = await self._review(pool, user, review_id)
        form = await request.form()
        errors: Errors = {}
        values = notice_values(form, errors)
        expected = expected_version(form)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            _api(review_id),
            ReviseNoticeInput,
            notice_body(values, drafting=False),
            errors,
            expected,
            review_id,
        )
        if isinstance(outcome, Refusal):
            review = await self._review(pool, user, review_id)
            refusal = notice_refusal(outcome, values)
            return await self._form(
                pool, user, review["unit_id"], values, review, expected, refusal
            )
        return Redirect(f"{review_path(review_id)}?kq=sua", status_code=303)

    @get("/{review_id:uuid}/ket-luan")
    async def conclusion_page(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        review = await self._review(pool, user, review_id)
        rows = output_form_rows(review["outputs"]) or [blank_output()]
        values = {"summary": review["conclusion_summary"], "outputs": rows}
        return await self._conclusion_form(pool, user, review, values, review["version"])

    @post("/{review_id:uuid}/ket-luan")
    async def draft_conclusion(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """The outputs of 9.3.3 as repeated rows; each may carry an action."""
        user = signed_in(request, session)
        review = await self._review(pool, user, review_id)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {
            "summary": text(form, "summary"),
            "outputs": output_rows(form, errors),
        }
        expected = expected_version(form)
        if edit_rows(form, values["outputs"], "output", blank_output):
            return await self._conclusion_form(pool, user, review, values, expected)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            _api(review_id, "conclusion"),
            ConclusionInput,
            conclusion_body(values["summary"], values["outputs"]),
            errors,
            expected,
            review_id,
        )
        if isinstance(outcome, Refusal):
            review = await self._review(pool, user, review_id)
            refusal = conclusion_refusal(outcome)
            return await self._conclusion_form(pool, user, review, values, expected, refusal)
        return Redirect(f"{review_path(review_id)}?kq=ket-luan", status_code=303)

    @post("/{review_id:uuid}/bao-cao/{topic:str}")
    async def report(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        topic: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        """The leader's department's report on one item: sent, or revised until consolidation."""
        user = signed_in(request, session)
        if topic not in TOPICS:
            raise NotFound(f"Không có nội dung '{topic}'")
        review = await self._review(pool, user, review_id)
        department_id = user.principal.department_id or ""
        sent = any(
            (r["department_id"], r["topic"]) == (department_id, topic) for r in review["reports"]
        )
        form = await request.form()
        data = {"department_id": department_id, "topic": topic, "content": text(form, "content")}
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT" if sent else "POST",
            _api(review_id, "reports"),
            ReportInput,
            data,
            expected_version=expected_version(form),
            record_id=review_id,
        )
        if isinstance(outcome, Refusal):
            return await self._detail(
                pool,
                upstream,
                user,
                review_id,
                refusal=outcome,
                typed=form,
                step=f"bao-cao-{topic}",
            )
        return Redirect(f"{review_path(review_id)}?kq=bao-cao#noi-dung-{topic}", status_code=303)

    @post("/{review_id:uuid}/hanh-dong/{output_id:str}/{step:str}")
    async def action(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        output_id: str,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        """An output's action recorded done, then verified."""
        user = signed_in(request, session)
        if not OUTPUT_ID.match(output_id):
            raise NotFound(f"Không có đầu ra '{output_id}'")
        form = await request.form()
        outcome = await COMMANDS.send_step(
            forwarder,
            pool,
            user,
            ACTION_STEPS,
            step,
            f"{_api(review_id)}/actions/{output_id}",
            review_id,
            form,
        )
        return await self._stepped(pool, upstream, user, review_id, outcome, form, step, output_id)

    @post("/{review_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        review_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        """The notice's review steps, issuing, consolidation, the meeting, the leader's
        approval or return of the conclusion."""
        user = signed_in(request, session)
        form = await request.form()
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, STEPS, step, _api(review_id), review_id, form
        )
        return await self._stepped(pool, upstream, user, review_id, outcome, form, step)

    async def _stepped(
        self,
        pool: asyncpg.Pool,
        upstream: Upstream,
        user: Session,
        review_id: uuid.UUID,
        outcome: CommandReply | Refusal,
        form: FormMultiDict,
        step: str,
        output_id: str = "",
    ) -> Template | Redirect:
        """After a step: refused, the review again with the form's errors (`step`, and the
        output's id for an action's, says which form they belong to)."""
        if isinstance(outcome, Refusal):
            refusal = meeting_refusal(outcome) if step == "hop" else outcome
            where = f"{step}-{output_id}" if output_id else step
            return await self._detail(
                pool, upstream, user, review_id, refusal=refusal, typed=form, step=where
            )
        return Redirect(f"{review_path(review_id)}?kq={step}", status_code=303)

    @staticmethod
    async def _drafting_unit(pool: asyncpg.Pool, user: Session) -> str:
        unit_id = await unit_in_view(pool, user.principal, None)
        user.principal.require(unit_id, ISO_SECRETARY)
        return unit_id

    @staticmethod
    async def _review(pool: asyncpg.Pool, user: Session, review_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(pool, user.principal, await readmodel.review(pool, review_id))

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        review: dict[str, Any] | None,
        expected: int | None = None,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id)
        return page(
            "review/notice_form.html",
            user,
            unit=unit,
            values=values,
            topics=TOPICS,
            departments=list(directory.department_names(unit).items()),
            review=review,
            expected=expected or (review["version"] if review else None),
            **refused(refusal, NOTICE_LABELS),
        )

    async def _conclusion_form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        review: dict[str, Any],
        values: dict[str, Any],
        expected: int | None,
        refusal: Refusal | None = None,
    ) -> Template:
        # A refused form is shown again whatever the review's state now (a stale one says what
        # changed); a new form only when the secretary may draft.
        drafting = "draft_conclusion" in review_steps(user.principal, review, today())
        if refusal is None and not drafting:
            raise Forbidden("Chỉ thư ký ISO soạn kết luận, sau cuộc họp và trước khi được duyệt")
        unit = await directory.unit(pool, review["unit_id"])
        return page(
            "review/conclusion_form.html",
            user,
            unit=unit,
            review=review,
            values=values,
            kinds=list(OUTPUT_KINDS.items()),
            departments=list(directory.department_names(unit).items()),
            expected=expected,
            **refused(refusal, CONCLUSION_LABELS),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        upstream: Upstream,
        user: Session,
        review_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        review = await self._review(pool, user, review_id)
        unit = await directory.unit(pool, review["unit_id"])
        now = today()
        # The evidence is the unit's own: a supervisor reading a unit below is not shown it.
        own = user.principal.can_act_in(review["unit_id"])
        found = await evidence(upstream, user, review_id) if own else None
        entries = await history(pool, review_id, COMMANDS.history_labels)
        opened_any = review["status"] == "concluded" and any(
            output["corrective_action_needed"] for output in review["outputs"]
        )
        return page(
            "review/review.html",
            user,
            review=review,
            unit=unit,
            departments=directory.department_names(unit),
            people={entry["actor"]: entry["actor_name"] for entry in entries},
            steps=review_steps(user.principal, review, now),
            reporting=reporting(user.principal, review),
            action_steps=action_steps(user.principal, review),
            missing=readmodel.missing(review) if review["status"] == "issued" else [],
            nonconformities=await review_nonconformities(pool, review_id) if opened_any else {},
            late=readmodel.past_deadline(review, now),
            evidence={item.topic: item for item in found.agenda} if found else None,
            evidence_shown=own,
            topics=TOPICS,
            kinds=OUTPUT_KINDS,
            action_statuses=ACTION_STATUSES,
            names=EVIDENCE_NAMES,
            history=entries,
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            today=now.isoformat(),
            **refused(refusal, FIELD_LABELS),
        )
