"""Staff pages of nonconformities (ISO 9001 10.2): the list, one opened by hand, and a record
with its corrective action, the timeline of its steps and a form per step."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts import audit as contract
from qms_contracts.audit import SERVICE
from qms_contracts.audit_commands import (
    CloseNonconformityInput,
    CorrectiveActionInput,
    ImplementInput,
    NonconformityInput,
    VerifyInput,
)
from qms_gateway.audit import readmodel
from qms_gateway.audit.actions import EVENT_LABELS, SOURCES, can_open, nonconformity_actions
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.frame.search import like_patterns
from qms_gateway.portal.access import Paging, record_in_view, unit_in_view
from qms_gateway.portal.commands import PageCommands, PageStep, Refusal, fields, refused
from qms_gateway.portal.forms import text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_runtime.clock import today
from qms_runtime.errors import Forbidden

LIST = "/khong-phu-hop"
COMMANDS = PageCommands(SERVICE, {event.event_type: label for event, label in EVENT_LABELS.items()})
STATUSES = ("open", "action_planned", "implemented", "verified", "reopened", "closed")
#: Opened by hand; a nonconformity from an audit is opened by its finding.
HAND_SOURCES = [(value, label) for value, label in SOURCES.items() if value != "audit"]
#: The fields of a nonconformity opened by hand.
NC_FIELDS = ("source", "department_id", "description", "clause")
FIELD_LABELS = {
    "source": "Nguồn",
    "department_id": "Phòng",
    "description": "Mô tả",
    "clause": "Điều khoản",
    "correction": "Khắc phục tức thời",
    "root_cause": "Nguyên nhân gốc",
    "action": "Hành động khắc phục",
    "owner_department_id": "Phòng thực hiện",
    "due_date": "Hạn hoàn thành",
    "evidence": "Bằng chứng",
    "implemented_on": "Ngày thực hiện",
    "effective": "Hiệu lực",
    "note": "Nhận xét, ghi chú",
    "verified_on": "Ngày kiểm tra",
}
NOTICES = {
    "mo": "Đã mở sự không phù hợp.",
    "khac-phuc": "Đã lưu hành động khắc phục.",
    "thuc-hien": "Đã ghi nhận thực hiện hành động khắc phục.",
    "kiem-tra": "Đã ghi nhận kết quả kiểm tra hiệu lực.",
    "dong": "Đã đóng sự không phù hợp.",
}


STEPS = {
    "khac-phuc": PageStep(
        "action",
        CorrectiveActionInput,
        fields("correction", "root_cause", "action", "owner_department_id", dates=("due_date",)),
    ),
    "thuc-hien": PageStep(
        "implement", ImplementInput, fields("evidence", dates=("implemented_on",))
    ),
    "kiem-tra": PageStep(
        "verify", VerifyInput, fields("effective", "note", dates=("verified_on",))
    ),
    "dong": PageStep("close", CloseNonconformityInput, fields("note")),
}
#: What the timeline shows of each step's event: its fields, their labels, and how a stored
#: JSON value becomes the one shown (a date stays a date, for its format).
TIMELINE: dict[str, tuple[tuple[str, str, Callable[[Any], Any]], ...]] = {
    contract.NonconformityOpened.event_type: (
        ("source", "Nguồn", str),
        ("department_id", "Phòng", str),
        ("clause", "Điều khoản", str),
    ),
    contract.CorrectiveActionPlanned.event_type: (
        ("attempt", "Lần thứ", int),
        ("correction", "Khắc phục tức thời", str),
        ("root_cause", "Nguyên nhân gốc", str),
        ("action", "Hành động khắc phục", str),
        ("owner_department_id", "Phòng thực hiện", str),
        ("due_date", "Hạn hoàn thành", date.fromisoformat),
    ),
    contract.CorrectiveActionImplemented.event_type: (
        ("evidence", "Bằng chứng", str),
        ("implemented_on", "Ngày thực hiện", date.fromisoformat),
    ),
    contract.EffectivenessVerified.event_type: (
        ("effective", "Có hiệu lực", bool),
        ("note", "Nhận xét", str),
        ("verified_on", "Ngày kiểm tra", date.fromisoformat),
    ),
    contract.NonconformityClosed.event_type: (("note", "Ghi chú", str),),
}
Text = Annotated[str, Parameter(max_length=200)]


def path(nonconformity_id: uuid.UUID | str) -> str:
    return f"{LIST}/{nonconformity_id}"


def timeline(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's history, each step with what its event says (`facts`)."""
    return [
        {
            **entry,
            "facts": [
                (label, shown(entry["payload"][key]))
                for key, label, shown in TIMELINE.get(entry["event_type"], ())
                if entry["payload"].get(key) not in (None, "")
            ],
        }
        for entry in entries
    ]


class NonconformityPages(Controller):
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
        phong: Text | None = None,
        nguon: Text | None = None,
        q: Text = "",
        trang: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        paging = Paging(trang)
        found, total = await readmodel.nonconformities(
            pool,
            unit_id,
            status=trang_thai or None,
            department_id=phong or None,
            source=nguon or None,
            patterns=like_patterns(q),
            limit=paging.size,
            offset=paging.offset,
        )
        unit = await directory.unit(pool, unit_id)
        return page(
            "audit/nonconformities.html",
            user,
            unit=unit,
            departments=directory.department_names(unit),
            nonconformities=found,
            total=total,
            paging=paging,
            filters={
                "don_vi": don_vi,
                "trang_thai": trang_thai,
                "phong": phong,
                "nguon": nguon,
                "q": q,
            },
            can_open=can_open(user.principal, unit_id),
            statuses=STATUSES,
            sources=SOURCES,
            today=today().isoformat(),
        )

    @get("/moi")
    async def open_page(
        self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._opening(pool, user)
        values = dict.fromkeys(NC_FIELDS, "") | {"source": "complaint"}
        return await self._open_form(pool, user, unit_id, values)

    @post("/moi")
    async def open_nonconformity(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        unit_id = await self._opening(pool, user)
        form = await request.form()
        values = {name: text(form, name) for name in NC_FIELDS}
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/nonconformities",
            NonconformityInput,
            values,
        )
        if isinstance(outcome, Refusal):
            return await self._open_form(pool, user, unit_id, values, outcome)
        return Redirect(f"{path(outcome.id)}?kq=mo", status_code=303)

    @get("/{nonconformity_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        nonconformity_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        kq: Text = "",
    ) -> Template:
        user = signed_in(request, session)
        return await self._detail(pool, user, nonconformity_id, notice=NOTICES.get(kq))

    @post("/{nonconformity_id:uuid}/{step:str}")
    async def step(
        self,
        request: Request[Any, Any, Any],
        nonconformity_id: uuid.UUID,
        step: str,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        """Plan (or correct) the action, record it implemented, verify it, close: a form each."""
        user = signed_in(request, session)
        form = await request.form()
        record = f"/api/v1/nonconformities/{nonconformity_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, STEPS, step, record, nonconformity_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(
                pool, user, nonconformity_id, refusal=outcome, typed=form, step=step
            )
        return Redirect(f"{path(nonconformity_id)}?kq={step}", status_code=303)

    @staticmethod
    async def _opening(pool: asyncpg.Pool, user: Session) -> str:
        """The unit where the secretary opens one."""
        unit_id = await unit_in_view(pool, user.principal, None)
        if not can_open(user.principal, unit_id):
            raise Forbidden("Chỉ thư ký ISO mở sự không phù hợp")
        return unit_id

    async def _open_form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id)
        return page(
            "audit/nonconformity_open.html",
            user,
            unit=unit,
            sources=HAND_SOURCES,
            departments=list(directory.department_names(unit).items()),
            values=values,
            **refused(refusal, FIELD_LABELS),
        )

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        nonconformity_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        found = await readmodel.nonconformity(pool, nonconformity_id)
        nc = await record_in_view(pool, user.principal, found)
        unit = await directory.unit(pool, nc["unit_id"])
        departments = directory.department_names(unit)
        plan = await readmodel.plan(pool, uuid.UUID(nc["plan_id"])) if nc["plan_id"] else None
        now = today()
        return page(
            "audit/nonconformity.html",
            user,
            nc=nc,
            plan=plan,
            unit=unit,
            departments=departments,
            names={**departments, **SOURCES},
            actions=nonconformity_actions(user.principal, nc, now),
            timeline=timeline(await history(pool, nonconformity_id, COMMANDS.history_labels)),
            sources=SOURCES,
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            today=now.isoformat(),
            **refused(refusal, FIELD_LABELS),
        )
