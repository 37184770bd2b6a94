"""Staff pages of audit rounds: the plan as the paper's figure 7 shows it (departments ×
schedule × auditors), its form, findings per department, acknowledgement and conclusion."""

import re
import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.audit_commands import (
    AcknowledgeInput,
    AuditPlanInput,
    ConcludeInput,
    FindingInput,
    ReviseAuditPlanInput,
)
from qms_gateway.audit import readmodel
from qms_gateway.audit.actions import (
    FINDING_KINDS,
    OUTCOMES,
    auditing,
    plan_actions,
    to_acknowledge,
)
from qms_gateway.audit.programme_pages import COMMANDS, programme_path
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.commands import (
    REVIEW_STEPS,
    PageStep,
    Refusal,
    expected_version,
    fields,
    refused,
    renamed,
)
from qms_gateway.portal.forms import Errors, chosen, day, edit_rows, read_rows, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_runtime.errors import Forbidden, NotFound
from qms_runtime.principal import AUDITOR, ISO_SECRETARY

PLANS = "/danh-gia-noi-bo/ke-hoach"
FIELD_LABELS = {
    "round": "Đợt",
    "visits": "Lịch đánh giá",
    "department_id": "Phòng được đánh giá",
    "day": "Ngày",
    "slot": "Khung giờ",
    "lead": "Trưởng đoàn",
    "team": "Thành viên đoàn",
    "auditees": "Người được đánh giá",
    "criteria": "Chuẩn mực",
    "checklist": "Danh mục câu hỏi",
    "kind": "Loại phát hiện",
    "clause": "Điều khoản",
    "evidence": "Bằng chứng",
    "outcome": "Kết luận",
    "note": "Ghi chú",
    "reason": "Lý do trả lại",
}
NOTICES = {
    "soan": "Đã lưu dự thảo kế hoạch đợt đánh giá.",
    "sua": "Đã lưu bản sửa.",
    "trinh": "Đã trình lãnh đạo phê duyệt.",
    "duyet": "Đã phê duyệt: đánh giá viên ghi nhận phát hiện theo lịch.",
    "tra-lai": "Đã trả lại kế hoạch kèm lý do.",
    "phat-hien": "Đã ghi nhận phát hiện; điểm không phù hợp được mở thành sự không phù hợp.",
    "xac-nhan": "Đã xác nhận phát hiện.",
    "ket-luan": "Đã kết luận đợt đánh giá.",
}
#: The steps of a round's page.
STEPS = {
    **REVIEW_STEPS,
    "phat-hien": PageStep(
        "findings", FindingInput, fields("department_id", "kind", "clause", "evidence")
    ),
    "ket-luan": PageStep("conclude", ConcludeInput, fields("outcome", "note")),
}
#: Errors inside a visit's lead, team or checklist are shown beside that field.
_NESTED_ERROR = re.compile(r"^(visits\.\d+\.(?:lead|team|checklist))\..+$")
FINDING_ID = re.compile(r"^[a-z0-9]{1,20}$")
Text = Annotated[str, Parameter(max_length=200)]


def plan_path(plan_id: uuid.UUID | str, step: str = "") -> str:
    return f"{PLANS}/{plan_id}" + (f"/{step}" if step else "")


def _checklist(lines: str, errors: Errors, field: str) -> list[dict[str, str]]:
    """One item per line, "clause: question"."""
    items = []
    for line in lines.splitlines():
        clause, colon, question = line.partition(":")
        if not line.strip():
            continue
        if not colon or not clause.strip() or not question.strip():
            errors[field] = "Mỗi dòng một câu hỏi: điều khoản, dấu hai chấm, câu hỏi (8.5.1: …)"
        items.append({"clause": clause.strip(), "question": question.strip()})
    return items


def _visit_rows(form: FormMultiDict, errors: Errors) -> list[dict[str, Any]]:
    """The schedule as typed, one row per department."""

    def visit(name: str, row_errors: Errors) -> dict[str, Any]:
        return {
            "department_id": text(form, f"{name}department_id"),
            "day": day(form, f"{name}day", row_errors),
            "slot": text(form, f"{name}slot"),
            "lead": text(form, f"{name}lead"),
            "team": chosen(form, f"{name}team"),
            "auditees": text(form, f"{name}auditees"),
            "criteria": text(form, f"{name}criteria"),
            "checklist": text(form, f"{name}checklist"),
        }

    return read_rows(form, "visits", errors, visit)


def _plan_body(
    round_number: str, rows: list[dict[str, Any]], auditors: dict[str, Any], errors: Errors
) -> dict[str, Any]:
    """The command's body from the typed schedule: auditors from the directory, auditees and
    checklist from their text."""

    def auditor(sub: str) -> dict[str, str] | str:
        person = auditors.get(sub)
        if person is None:
            return sub
        return {"sub": sub, "name": person["name"], "department_id": person["department_id"] or ""}

    visits = []
    for index, row in enumerate(rows):
        where = f"visits.{index}"
        if not row["lead"]:
            errors[f"{where}.lead"] = "Chọn trưởng đoàn"
        visits.append(
            {
                **row,
                "lead": auditor(row["lead"]),
                "team": [auditor(sub) for sub in row["team"] if sub != row["lead"]],
                "auditees": [a.strip() for a in row["auditees"].split(";") if a.strip()],
                "checklist": _checklist(row["checklist"], errors, f"{where}.checklist"),
            }
        )
    return {"round": round_number, "visits": visits}


def _form_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A plan's visits as the form shows them."""
    return [
        {
            "department_id": v["department_id"],
            "day": v["day"],
            "slot": v["slot"],
            "lead": v["lead"]["sub"],
            "team": [a["sub"] for a in v["team"]],
            "auditees": "; ".join(v["auditees"]),
            "criteria": v["criteria"],
            "checklist": "\n".join(f"{i['clause']}: {i['question']}" for i in v["checklist"]),
        }
        for v in plan["visits"]
    ]


def _blank_visit(department_id: str = "", criteria: str = "") -> dict[str, Any]:
    return {
        "department_id": department_id,
        "day": "",
        "slot": "08:00–10:00",
        "lead": "",
        "team": [],
        "auditees": "",
        "criteria": criteria,
        "checklist": "",
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
        unit = await directory.unit(pool, unit_id)
        return page(
            "audit/plans.html",
            user,
            unit=unit,
            plans=await readmodel.unit_plans(pool, unit_id, trang_thai or None),
            departments=directory.department_names(unit),
            outcomes=OUTCOMES,
            filters={"don_vi": don_vi, "trang_thai": trang_thai},
        )

    @get("/moi")
    async def new_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        chuong_trinh: uuid.UUID,
    ) -> Template:
        user = signed_in(request, session)
        programme = await self._drafting(pool, user, chuong_trinh)
        rounds = len(await readmodel.plans(pool, chuong_trinh))
        rows = [_blank_visit(d, programme["criteria"]) for d in programme["department_ids"]]
        values = {"round": rounds + 1, "visits": rows}
        return await self._form(pool, user, programme, None, values)

    @post("/moi")
    async def draft(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        chuong_trinh: uuid.UUID,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        programme = await self._drafting(pool, user, chuong_trinh)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {"round": text(form, "round"), "visits": _visit_rows(form, errors)}
        if edit_rows(form, values["visits"], "visit", _blank_visit):
            return await self._form(pool, user, programme, None, values)
        auditors = await self._auditors(pool, programme["unit_id"])
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/audit-programmes/{chuong_trinh}/plans",
            AuditPlanInput,
            _plan_body(values["round"], values["visits"], auditors, errors),
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(pool, user, programme, None, values, refusal=outcome)
        return Redirect(f"{plan_path(outcome.id)}?kq=soan", status_code=303)

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
        programme = await self._programme_of(pool, plan)
        values = {"round": plan["round"], "visits": _form_rows(plan)}
        return await self._form(pool, user, programme, plan, values)

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
        programme = await self._programme_of(pool, plan)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {"round": text(form, "round"), "visits": _visit_rows(form, errors)}
        expected = expected_version(form)
        if edit_rows(form, values["visits"], "visit", _blank_visit):
            return await self._form(pool, user, programme, plan, values, expected)
        auditors = await self._auditors(pool, plan["unit_id"])
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "PUT",
            f"/api/v1/audit-plans/{plan_id}",
            ReviseAuditPlanInput,
            _plan_body(values["round"], values["visits"], auditors, errors),
            errors,
            expected,
            plan_id,
        )
        if isinstance(outcome, Refusal):
            plan = await self._plan(pool, user, plan_id)
            return await self._form(pool, user, programme, plan, values, expected, outcome)
        return Redirect(f"{plan_path(plan_id)}?kq=sua", status_code=303)

    @post("/{plan_id:uuid}/xac-nhan/{finding_id:str}")
    async def acknowledge(
        self,
        request: Request[Any, Any, Any],
        plan_id: uuid.UUID,
        finding_id: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """The audited department's leader acknowledges one finding."""
        user = signed_in(request, session)
        if not FINDING_ID.match(finding_id):
            raise NotFound(f"Không có phát hiện '{finding_id}'")
        form = await request.form()
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/audit-plans/{plan_id}/findings/{finding_id}/acknowledge",
            AcknowledgeInput,
            {"note": text(form, "note")},
            expected_version=expected_version(form),
            record_id=plan_id,
        )
        if isinstance(outcome, Refusal):
            return await self._detail(
                pool, user, plan_id, refusal=outcome, typed=form, step=f"xac-nhan-{finding_id}"
            )
        return Redirect(f"{plan_path(plan_id)}?kq=xac-nhan", status_code=303)

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
        """The review steps, a finding, the conclusion."""
        user = signed_in(request, session)
        form = await request.form()
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, STEPS, step, f"/api/v1/audit-plans/{plan_id}", plan_id, form
        )
        if isinstance(outcome, Refusal):
            where = f"{step}-{text(form, 'department_id')}" if step == "phat-hien" else step
            return await self._detail(pool, user, plan_id, refusal=outcome, typed=form, step=where)
        return Redirect(f"{plan_path(plan_id)}?kq={step}", status_code=303)

    @staticmethod
    async def _plan(pool: asyncpg.Pool, user: Session, plan_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(pool, user.principal, await readmodel.plan(pool, plan_id))

    @staticmethod
    async def _programme_of(pool: asyncpg.Pool, plan: dict[str, Any]) -> dict[str, Any]:
        programme = await readmodel.programme(pool, uuid.UUID(plan["programme_id"]))
        if programme is None:
            raise NotFound("Không tìm thấy chương trình của kế hoạch")
        return programme

    @staticmethod
    async def _drafting(
        pool: asyncpg.Pool, user: Session, programme_id: uuid.UUID
    ) -> dict[str, Any]:
        """The approved programme a secretary drafts a round under."""
        found = await readmodel.programme(pool, programme_id)
        programme = await record_in_view(pool, user.principal, found)
        user.principal.require(programme["unit_id"], ISO_SECRETARY)
        if programme["status"] != "approved":
            raise Forbidden("Chỉ lập kế hoạch theo chương trình đã phê duyệt")
        return programme

    @staticmethod
    async def _auditors(pool: asyncpg.Pool, unit_id: str) -> dict[str, Any]:
        return {a["sub"]: a for a in await directory.users_with_role(pool, unit_id, AUDITOR)}

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        programme: dict[str, Any],
        plan: dict[str, Any] | None,
        values: dict[str, Any],
        expected: int | None = None,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, programme["unit_id"])
        departments = directory.department_names(unit)
        if refusal:
            refusal = renamed(refusal, lambda key: _NESTED_ERROR.sub(r"\1", key))
        return page(
            "audit/plan_form.html",
            user,
            unit=unit,
            programme=programme,
            plan=plan,
            values=values,
            departments=[(d, departments.get(d, d)) for d in programme["department_ids"]],
            auditors=[
                (a["sub"], f"{a['name']} ({departments.get(a['department_id'], '—')})")
                for a in await directory.users_with_role(pool, programme["unit_id"], AUDITOR)
            ],
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
        step: str = "",
    ) -> Template:
        plan = await self._plan(pool, user, plan_id)
        unit = await directory.unit(pool, plan["unit_id"])
        departments = directory.department_names(unit)
        nonconformities, _ = await readmodel.nonconformities(pool, plan["unit_id"], plan_id=plan_id)
        return page(
            "audit/plan.html",
            user,
            plan=plan,
            unit=unit,
            programme=await readmodel.programme(pool, uuid.UUID(plan["programme_id"])),
            departments=departments,
            actions=plan_actions(user.principal, plan),
            auditing=auditing(user.principal, plan),
            to_acknowledge={f["finding_id"] for f in to_acknowledge(user.principal, plan)},
            nonconformities={nc["finding_id"]: nc for nc in nonconformities},
            kinds=FINDING_KINDS,
            outcomes=OUTCOMES,
            history=await history(pool, plan_id, COMMANDS.history_labels),
            programme_path=programme_path(plan["programme_id"]),
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            **refused(refusal, FIELD_LABELS),
        )
