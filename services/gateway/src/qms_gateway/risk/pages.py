"""Staff pages of the register: the list, an entry with its history, and a form per step."""

import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.risk import SERVICE
from qms_contracts.risk_commands import (
    AssessInput,
    CloseInput,
    CompleteActionInput,
    IdentifyInput,
    ReassessInput,
    TreatmentInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.frame.search import like_patterns
from qms_gateway.portal.access import Paging, record_in_view, unit_in_view
from qms_gateway.portal.commands import (
    PageCommands,
    PageStep,
    Refusal,
    expected_version,
    fields,
    refused,
)
from qms_gateway.portal.forms import Errors, day, edit_rows, read_rows, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.risk import readmodel
from qms_gateway.risk.actions import (
    EVENT_LABELS,
    can_identify,
    completable_actions,
    entry_actions,
)
from qms_runtime.clock import today
from qms_runtime.errors import Forbidden

LIST = "/rui-ro"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
LEVELS = {"low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Nghiêm trọng"}
KINDS = {"risk": "Rủi ro", "opportunity": "Cơ hội"}
OPTIONS = {
    "risk": {
        "reduce": "Giảm thiểu",
        "avoid": "Né tránh",
        "transfer": "Chuyển giao",
        "accept": "Chấp nhận",
    },
    "opportunity": {
        "exploit": "Khai thác",
        "enhance": "Tăng cường",
        "share": "Chia sẻ",
        "accept": "Chấp nhận",
    },
}
OPTION_LABELS = OPTIONS["risk"] | OPTIONS["opportunity"]
#: Likelihood and severity, 1–5, as a person chooses them.
SCALE = {
    name: [(value, f"{value} — {label}") for value, label in enumerate(labels, start=1)]
    for name, labels in (
        ("likelihood", ["Hiếm khi", "Ít khi", "Có thể", "Thường xuyên", "Gần như chắc chắn"]),
        ("severity", ["Không đáng kể", "Nhỏ", "Trung bình", "Lớn", "Rất nghiêm trọng"]),
    )
}
FIELD_LABELS = {
    "plan_id": "Kế hoạch",
    "kind": "Loại",
    "title": "Tên rủi ro, cơ hội",
    "process": "Quy trình",
    "cause": "Nguyên nhân",
    "consequence": "Hệ quả",
    "department_id": "Phòng",
    "likelihood": "Khả năng xảy ra",
    "severity": "Mức độ ảnh hưởng",
    "option": "Cách xử lý",
    "actions": "Hành động",
    "description": "Nội dung hành động",
    "owner_department_id": "Phòng thực hiện",
    "due_date": "Hạn hoàn thành",
    "monitor_on": "Ngày đánh giá lại chậm nhất",
    "evidence": "Bằng chứng",
    "completed_on": "Ngày hoàn thành",
    "note": "Ghi chú",
}
NOTICES = {
    "nhan-dien": "Đã nhận diện và đưa vào sổ đăng ký.",
    "danh-gia": "Đã ghi nhận đánh giá.",
    "xu-ly": "Đã lưu kế hoạch xử lý.",
    "hoan-thanh": "Đã ghi nhận hành động hoàn thành.",
    "danh-gia-lai": "Đã ghi nhận đánh giá lại.",
    "dong": "Đã đóng.",
}
#: The steps of an entry's page.
STEPS = {
    "danh-gia": PageStep("assess", AssessInput, fields("likelihood", "severity")),
    "hoan-thanh": PageStep(
        "actions/complete",
        CompleteActionInput,
        fields("action_id", "evidence", dates=("completed_on",)),
    ),
    "danh-gia-lai": PageStep("reassess", ReassessInput, fields("likelihood", "severity")),
    "dong": PageStep("close", CloseInput, fields("note")),
}
Text = Annotated[str, Parameter(max_length=200)]
ACTION_FIELDS = ("description", "owner_department_id", "due_date")


def path(entry_id: uuid.UUID | str, step: str = "") -> str:
    return f"{LIST}/{entry_id}" + (f"/{step}" if step else "")


def _actions_from(form: FormMultiDict, errors: Errors) -> list[dict[str, Any]]:
    def action(name: str, row_errors: Errors) -> dict[str, Any]:
        return {
            "description": text(form, f"{name}description"),
            "owner_department_id": text(form, f"{name}owner_department_id"),
            "due_date": day(form, f"{name}due_date", row_errors),
        }

    return read_rows(form, "actions", errors, action)


class RegisterPages(Controller):
    path = LIST
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        ke_hoach: uuid.UUID | None = None,
        muc: Text | None = None,
        phong: Text | None = None,
        trang_thai: Text | None = None,
        quy_trinh: Text | None = None,
        loai: Text | None = None,
        q: Text = "",
        trang: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        paging = Paging(trang)
        found, total = await readmodel.entries(
            pool,
            unit_id,
            plan_id=ke_hoach,
            level=muc or None,
            department_id=phong or None,
            status=trang_thai or None,
            process=quy_trinh or None,
            kind=loai or None,
            patterns=like_patterns(q),
            limit=paging.size,
            offset=paging.offset,
        )
        plans = await readmodel.plans(pool, unit_id, None)
        approved = [plan for plan in plans if plan["status"] == "approved"]
        return page(
            "risk/list.html",
            user,
            unit=await directory.unit(pool, unit_id),
            entries=found,
            total=total,
            paging=paging,
            plans=plans,
            processes=await readmodel.processes(pool, unit_id),
            filters={
                "don_vi": don_vi,
                "ke_hoach": str(ke_hoach) if ke_hoach else None,
                "muc": muc,
                "phong": phong,
                "trang_thai": trang_thai,
                "quy_trinh": quy_trinh,
                "loai": loai,
                "q": q,
            },
            can_identify=bool(approved) and can_identify(user.principal, approved[0]),
            levels=LEVELS,
            kinds=KINDS,
        )

    @get("/moi")
    async def identify_page(
        self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        user = signed_in(request, session)
        unit_id, plans = await self._identifying(pool, user)
        values = {
            **dict.fromkeys(("title", "process", "cause", "consequence"), ""),
            "plan_id": plans[0]["id"],
            "kind": "risk",
        }
        return await self._identify_form(pool, user, unit_id, plans, values)

    @post("/moi")
    async def identify(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        unit_id, plans = await self._identifying(pool, user)
        form = await request.form()
        values = {
            name: text(form, name)
            for name in ("plan_id", "kind", "title", "process", "cause", "consequence")
        }
        values["department_id"] = user.principal.department_id or ""
        outcome = await COMMANDS.send_form(
            forwarder, pool, user, "POST", f"/api/v1/units/{unit_id}/risks", IdentifyInput, values
        )
        if isinstance(outcome, Refusal):
            return await self._identify_form(pool, user, unit_id, plans, values, outcome)
        return Redirect(f"{path(outcome.id)}?kq=nhan-dien", status_code=303)

    @get("/{entry_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        entry_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, entry_id, notice=NOTICES.get(kq))

    @get("/{entry_id:uuid}/xu-ly")
    async def treatment_page(
        self,
        request: Request[Any, Any, Any],
        entry_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        entry = await self._entry(pool, user, entry_id)
        values = {
            "option": entry["option"] or next(iter(OPTIONS[entry["kind"]])),
            "monitor_on": entry["monitor_on"] or "",
            # Done actions stay as they are; a new plan lists the open ones from now on.
            "actions": [
                {name: a[name] for name in ACTION_FIELDS}
                for a in entry["actions"]
                if not a.get("done")
            ]
            or [self._blank_action(entry)],
        }
        return await self._treatment_form(pool, user, entry, values, entry["version"])

    @post("/{entry_id:uuid}/xu-ly")
    async def plan_treatment(
        self,
        request: Request[Any, Any, Any],
        entry_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        entry = await self._entry(pool, user, entry_id)
        form = await request.form()
        errors: Errors = {}
        values: dict[str, Any] = {
            "option": text(form, "option"),
            "monitor_on": day(form, "monitor_on", errors),
            "actions": _actions_from(form, errors),
        }
        expected = expected_version(form)
        if edit_rows(form, values["actions"], "action", lambda: self._blank_action(entry)):
            return await self._treatment_form(pool, user, entry, values, expected)
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/risks/{entry_id}/treatment",
            TreatmentInput,
            values,
            errors,
            expected,
            entry_id,
        )
        if isinstance(outcome, Refusal):
            entry = await self._entry(pool, user, entry_id)
            return await self._treatment_form(pool, user, entry, values, expected, outcome)
        return Redirect(f"{path(entry_id)}?kq=xu-ly", status_code=303)

    @post("/{entry_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        entry_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """Assess, record an action done, re-assess, close: one form each on the entry."""
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/risks/{entry_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, STEPS, step, record, entry_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(pool, user, entry_id, refusal=outcome, typed=form, step=step)
        return Redirect(f"{path(entry_id)}?kq={step}", status_code=303)

    @staticmethod
    def _blank_action(entry: dict[str, Any]) -> dict[str, Any]:
        return {"description": "", "owner_department_id": entry["department_id"], "due_date": ""}

    @staticmethod
    async def _identifying(pool: asyncpg.Pool, user: Session) -> tuple[str, list[dict[str, Any]]]:
        """The unit and its approved plans, for a department leader who identifies."""
        unit_id = await unit_in_view(pool, user.principal, None)
        plans = await readmodel.plans(pool, unit_id, ["approved"])
        if not plans:
            raise Forbidden("Đơn vị chưa có kế hoạch đánh giá rủi ro đã phê duyệt")
        if not can_identify(user.principal, plans[0]):
            raise Forbidden("Chỉ lãnh đạo phòng nhận diện rủi ro, cơ hội của phòng mình")
        return unit_id, plans

    @staticmethod
    async def _entry(pool: asyncpg.Pool, user: Session, entry_id: uuid.UUID) -> dict[str, Any]:
        return await record_in_view(pool, user.principal, await readmodel.entry(pool, entry_id))

    async def _identify_form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        plans: list[dict[str, Any]],
        values: dict[str, Any],
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id)
        return page(
            "risk/identify.html",
            user,
            unit=unit,
            department=directory.department_names(unit).get(
                user.principal.department_id or "", user.principal.department_id
            ),
            plans=[(p["id"], p["title"]) for p in plans],
            kinds=KINDS,
            values=values,
            **refused(refusal, FIELD_LABELS),
        )

    async def _treatment_form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        entry: dict[str, Any],
        values: dict[str, Any],
        expected: int | None,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, entry["unit_id"])
        return page(
            "risk/treatment.html",
            user,
            entry=entry,
            values=values,
            options=list(OPTIONS[entry["kind"]].items()),
            departments=list(directory.department_names(unit).items()),
            done=[a for a in entry["actions"] if a.get("done")],
            expected=expected,
            **refused(refusal, FIELD_LABELS),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        entry_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        entry = await self._entry(pool, user, entry_id)
        unit = await directory.unit(pool, entry["unit_id"])
        departments = directory.department_names(unit)
        plan = await readmodel.plan(pool, uuid.UUID(entry["plan_id"]))
        return page(
            "risk/detail.html",
            user,
            entry=entry,
            plan=plan,
            unit=unit,
            departments=departments,
            names={**departments, **LEVELS, **OPTION_LABELS},
            actions=entry_actions(user.principal, entry),
            completable={a["action_id"] for a in completable_actions(user.principal, entry)},
            history=await history(pool, entry_id, COMMANDS.history_labels),
            levels=LEVELS,
            kinds=KINDS,
            option_labels=OPTION_LABELS,
            scale=SCALE,
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            today=today().isoformat(),
            **refused(refusal, FIELD_LABELS),
        )
