"""Pages of the quality policy and the organisational context: one page set per kind.

Each version is its own record: drafted, reviewed, published (the one in force), superseded.
"""

import difflib
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from qms_contracts.objectives import CONTEXT_EVENTS, POLICY_EVENTS
from qms_contracts.objectives_commands import DocumentInput, ReviseDocumentInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import approvals, history
from qms_gateway.frame.search import like_patterns
from qms_gateway.objectives import readmodel
from qms_gateway.objectives.actions import document_actions
from qms_gateway.objectives.pages import COMMANDS, FIELD_LABELS
from qms_gateway.portal.access import Paging, record_in_view, unit_in_view
from qms_gateway.portal.charts import target_progress
from qms_gateway.portal.commands import REVIEW_STEPS, PageStep, Refusal, expected_version, refused
from qms_gateway.portal.forms import text
from qms_gateway.portal.pages import STATUS_LABELS, page
from qms_gateway.portal.session import Session, signed_in
from qms_runtime.errors import NotFound
from qms_runtime.principal import ISO_SECRETARY

APPROVED_TYPES = {events.approved.event_type for events in (POLICY_EVENTS, CONTEXT_EVENTS)}
Text = Annotated[str, Parameter(max_length=200)]
STEPS = {**REVIEW_STEPS, "ban-hanh": PageStep("publish")}
NOTICES = {
    "soan": "Đã lưu dự thảo.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt.",
    "tra-lai": "Đã trả lại kèm lý do.",
    "ban-hanh": "Đã ban hành; phiên bản này đang có hiệu lực.",
}


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    #: The pages' path, e.g. /chinh-sach.
    path: str
    #: The API's plural, e.g. policies.
    plural: str
    label: str
    title: str


POLICY = DocumentKind(
    "policy", "/chinh-sach", "policies", "chính sách chất lượng", "Chính sách chất lượng"
)
CONTEXT = DocumentKind("context", "/boi-canh", "contexts", "bối cảnh tổ chức", "Bối cảnh tổ chức")


def side_by_side(old: str, new: str) -> tuple[Markup, Markup]:
    """Two versions' texts, word by word: what the new one removed and what it added."""
    before, after = old.split(" "), new.split(" ")
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        removed = str(escape(" ".join(before[a1:a2])))
        added = str(escape(" ".join(after[b1:b2])))
        if operation == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return Markup(" ".join(left)), Markup(" ".join(right))  # noqa: S704 (parts escaped above)


def document_pages(kind: DocumentKind) -> type[Controller]:
    async def record_for(pool: asyncpg.Pool, user: Session, record_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(
            pool, user.principal, await readmodel.document(pool, record_id, kind.kind)
        )

    async def drafting_unit(pool: asyncpg.Pool, user: Session) -> str:
        unit_id = await unit_in_view(pool, user.principal, None)
        user.principal.require(unit_id, ISO_SECRETARY)
        return unit_id

    async def form_page(
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        record: dict[str, Any] | None,
        expected: int | None = None,
        refusal: Refusal | None = None,
    ) -> Template:
        return page(
            "objectives/document_form.html",
            user,
            kind=kind,
            unit=await directory.unit(pool, unit_id),
            values=values,
            record=record,
            expected=expected or (record["version"] if record else None),
            **refused(refusal, FIELD_LABELS),
        )

    async def detail_page(
        pool: asyncpg.Pool,
        user: Session,
        record_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: dict[str, Any] | None = None,
    ) -> Template:
        record = await record_for(pool, user, record_id)
        versions = await readmodel.documents(pool, record["unit_id"], kind.kind)
        return page(
            "objectives/document.html",
            user,
            kind=kind,
            record=record,
            unit=await directory.unit(pool, record["unit_id"]),
            compare_options=[
                (v["id"], f"Phiên bản {v['version_number']} ({STATUS_LABELS[v['status']]})")
                for v in versions
                if v["id"] != record["id"]
            ],
            actions=document_actions(user.principal, record),
            history=await history(pool, record_id, COMMANDS.history_labels),
            typed=typed or {},
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )

    class DocumentPages(Controller):
        path = kind.path
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
            trang: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
        ) -> Template:
            user = signed_in(request, session)
            unit_id = await unit_in_view(pool, user.principal, don_vi)
            paging = Paging(trang)
            found, total = await readmodel.search_documents(
                pool,
                unit_id,
                kind.kind,
                status=trang_thai or None,
                patterns=like_patterns(q),
                limit=paging.size,
                offset=paging.offset,
            )
            return page(
                "objectives/documents.html",
                user,
                kind=kind,
                unit=await directory.unit(pool, unit_id),
                documents=found,
                total=total,
                paging=paging,
                filters={"don_vi": don_vi, "trang_thai": trang_thai, "q": q},
                can_draft=ISO_SECRETARY in user.principal.roles
                and user.principal.can_act_in(unit_id),
            )

        @get("/moi")
        async def new_page(
            self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
        ) -> Template:
            user = signed_in(request, session)
            unit_id = await drafting_unit(pool, user)
            # A new version starts from the one in force.
            in_force = await readmodel.in_force(pool, unit_id, kind.kind)
            values = (
                {"title": in_force["title"], "content": in_force["content"]}
                if in_force
                else {"title": kind.title, "content": ""}
            )
            return await form_page(pool, user, unit_id, values, None)

        @post("/moi")
        async def draft(
            self,
            request: Request[Any, Any, Any],
            session: Session | None,
            pool: asyncpg.Pool,
            forwarder: Forwarder,
        ) -> Template | Redirect:
            user = signed_in(request, session)
            unit_id = await drafting_unit(pool, user)
            form = await request.form()
            values = {"title": text(form, "title"), "content": text(form, "content")}
            outcome = await COMMANDS.send_form(
                forwarder,
                pool,
                user,
                "POST",
                f"/api/v1/units/{unit_id}/{kind.plural}",
                DocumentInput,
                values,
            )
            if isinstance(outcome, Refusal):
                return await form_page(pool, user, unit_id, values, None, refusal=outcome)
            return Redirect(f"{kind.path}/{outcome.id}?kq=soan", status_code=303)

        @get("/so-sanh")
        async def compare(
            self,
            request: Request[Any, Any, Any],
            session: Session | None,
            pool: asyncpg.Pool,
            a: uuid.UUID,
            b: uuid.UUID,
        ) -> Template:
            user = signed_in(request, session)
            old, new = await record_for(pool, user, a), await record_for(pool, user, b)
            if old["unit_id"] != new["unit_id"]:
                raise NotFound("Hai phiên bản không cùng một đơn vị")
            if old["version_number"] > new["version_number"]:
                old, new = new, old
            return page(
                "objectives/compare.html",
                user,
                kind=kind,
                old=old,
                new=new,
                titles=side_by_side(old["title"], new["title"]),
                contents=side_by_side(old["content"], new["content"]),
            )

        @get("/{record_id:uuid}")
        async def detail(
            self,
            request: Request[Any, Any, Any],
            record_id: uuid.UUID,
            session: Session | None,
            pool: asyncpg.Pool,
            kq: Text = "",
        ) -> Template:
            user = signed_in(request, session)
            return await detail_page(pool, user, record_id, notice=NOTICES.get(kq))

        @get("/{record_id:uuid}/sua")
        async def revise_page(
            self,
            request: Request[Any, Any, Any],
            record_id: uuid.UUID,
            session: Session | None,
            pool: asyncpg.Pool,
        ) -> Template:
            user = signed_in(request, session)
            record = await record_for(pool, user, record_id)
            values = {"title": record["title"], "content": record["content"]}
            return await form_page(pool, user, record["unit_id"], values, record)

        @post("/{record_id:uuid}/sua")
        async def revise(
            self,
            request: Request[Any, Any, Any],
            record_id: uuid.UUID,
            session: Session | None,
            pool: asyncpg.Pool,
            forwarder: Forwarder,
        ) -> Template | Redirect:
            user = signed_in(request, session)
            record = await record_for(pool, user, record_id)
            form = await request.form()
            expected = expected_version(form)
            values = {"title": text(form, "title"), "content": text(form, "content")}
            outcome = await COMMANDS.send_form(
                forwarder,
                pool,
                user,
                "PUT",
                f"/api/v1/{kind.plural}/{record_id}",
                ReviseDocumentInput,
                values,
                expected_version=expected,
                record_id=record_id,
            )
            if isinstance(outcome, Refusal):
                record = await record_for(pool, user, record_id)
                return await form_page(
                    pool, user, record["unit_id"], values, record, expected, outcome
                )
            return Redirect(f"{kind.path}/{record_id}?kq=sua", status_code=303)

        @post("/{record_id:uuid}/{step:str}")
        async def step(
            self,
            request: Request[Any, Any, Any],
            record_id: uuid.UUID,
            step: str,
            session: Session | None,
            pool: asyncpg.Pool,
            forwarder: Forwarder,
        ) -> Template | Redirect:
            user = signed_in(request, session)
            form = await request.form()
            record = f"/api/v1/{kind.plural}/{record_id}"
            outcome = await COMMANDS.send_step(
                forwarder, pool, user, STEPS, step, record, record_id, form
            )
            typed = {"reason": text(form, "reason")}
            if isinstance(outcome, Refusal):
                return await detail_page(pool, user, record_id, refusal=outcome, typed=typed)
            return Redirect(f"{kind.path}/{record_id}?kq={step}", status_code=303)

    DocumentPages.__name__ = f"{kind.kind.title()}Pages"
    return DocumentPages


class PublicPolicyPages(Controller):
    """The history of a unit's published quality policy versions, for anyone."""

    path = "/don-vi/{unit_id:str}/chinh-sach"
    include_in_schema = False

    @get("/")
    async def history_page(
        self, unit_id: str, session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        unit = await directory.unit(pool, unit_id)
        if unit is None:
            raise NotFound(f"Không có đơn vị {unit_id}")
        versions = await readmodel.documents(pool, unit_id, "policy", ["published", "superseded"])
        return page(
            "objectives/policy_history.html",
            session,
            unit=unit,
            versions=versions,
            approvals=await approvals(pool, [v["id"] for v in versions], APPROVED_TYPES),
        )


async def public_panel(pool: asyncpg.Pool, unit_id: str) -> dict[str, object]:
    """What a unit's public page shows of this wing: only what is approved or published."""
    in_force = {
        kind.kind: await readmodel.in_force(pool, unit_id, kind.kind) for kind in (POLICY, CONTEXT)
    }
    approved = await approvals(
        pool, [doc["id"] for doc in in_force.values() if doc], APPROVED_TYPES
    )
    objectives = await readmodel.objectives(
        pool, unit_id, None, readmodel.PUBLIC_OBJECTIVE_STATUSES
    )
    unit = await directory.unit(pool, unit_id) or {}
    return {
        "policy": in_force["policy"],
        "context": in_force["context"],
        "approvals": approved,
        "objectives": objectives,
        "charts": {
            (o["id"], t["target_id"]): target_progress(t, t["indicator"])
            for o in objectives
            for t in o["targets"]
            if t["progress"]
        },
        "departments": {d["department_id"]: d["name"] for d in unit.get("departments", [])},
    }
