"""Staff pages of procedures and dossiers: the unit's procedures and a version's page (its
steps, forms, read acknowledgements, history and review steps), two versions compared; the
dossier board and a dossier's page (its steps with due dates, timeline and a form per step).
The editor, the filing desk, the statistics and the working calendar have modules of their own
(editor_pages, filing_pages, statistics_pages, calendar_pages)."""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.procedures import SERVICE
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
from qms_gateway.portal.pages import ROLE_LABELS, STATUS_LABELS, page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import (
    EVENT_LABELS,
    dossier_actions,
    may_draft,
    may_file,
    version_actions,
)
from qms_gateway.procedures.compare import compare_versions
from qms_runtime.clock import TIMEZONE, today
from qms_runtime.errors import NotFound

PROCEDURES = "/quy-trinh"
DOSSIERS = "/ho-so"
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
    "soan": "Đã lưu dự thảo quy trình.",
    "sua": "Đã lưu bản sửa.",
    "phien-ban-moi": "Đã lưu dự thảo phiên bản mới.",
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
    "tiep-nhan": "Đã tiếp nhận hồ sơ.",
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


def _choices(versions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (v["id"], f"Lần {v['number']} ({STATUS_LABELS.get(v['status'], v['status'])})")
        for v in versions
    ]


class RecordPages(Controller, ABC):
    """A record's page (its history, a form per step it allows) and the POST of each step;
    a subclass says where the record is read and what else its page shows."""

    include_in_schema = False
    #: The record's API path, under which its steps are posted.
    api: ClassVar[str]
    steps: ClassVar[Mapping[str, PageStep]]
    notices: ClassVar[Mapping[str, str]]
    template: ClassVar[str]
    #: The names of the fields its steps' errors are about.
    labels: ClassVar[Mapping[str, str]] = FIELD_LABELS

    @abstractmethod
    async def _record(self, pool: asyncpg.Pool, record_id: uuid.UUID) -> dict[str, Any] | None:
        """The record as the read model holds it (None: there is none)."""

    @abstractmethod
    def _context(self, user: Session, record: dict[str, Any]) -> dict[str, Any]:
        """What the record's page shows besides its history and the frame."""

    async def _more(self, pool: asyncpg.Pool, record: dict[str, Any]) -> dict[str, Any]:
        """What else the record's page shows that needs a read (none by default)."""
        return {}

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
        return await self._detail(pool, user, record_id, notice=self.notices.get(kq))

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
        record = f"{self.api}/{record_id}"
        outcome = await COMMANDS.send_step(
            forwarder, pool, user, self.steps, step, record, record_id, form
        )
        if isinstance(outcome, Refusal):
            return await self._detail(pool, user, record_id, refusal=outcome, typed=form, step=step)
        return Redirect(f"{self.path}/{record_id}?kq={step}", status_code=303)

    async def _detail(
        self,
        pool: asyncpg.Pool,
        user: Session,
        record_id: uuid.UUID,
        *,
        notice: str | None = None,
        refusal: Refusal | None = None,
        typed: FormMultiDict | None = None,
        step: str = "",
    ) -> Template:
        record = await record_in_view(pool, user.principal, await self._record(pool, record_id))
        unit = await directory.unit(pool, record["unit_id"])
        return page(
            self.template,
            user,
            unit=unit,
            departments=directory.department_names(unit),
            history=await history(pool, record_id, COMMANDS.history_labels),
            typed=typed or FormMultiDict(),
            step=step,
            notice=notice,
            **self._context(user, record),
            **await self._more(pool, record),
            **refused(refusal, self.labels),
        )


class ProcedurePages(RecordPages):
    path = PROCEDURES
    api = "/api/v1/procedure-versions"
    steps = VERSION_STEPS
    notices = VERSION_NOTICES
    template = "procedures/detail.html"

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
            can_draft=may_draft(user.principal, unit_id),
        )

    @get("/so-sanh")
    async def compare(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        a: uuid.UUID,
        b: uuid.UUID,
    ) -> Template:
        """Two versions of one procedure, the older first: what the newer one changed."""
        user = signed_in(request, session)
        old = await record_in_view(pool, user.principal, await readmodel.version(pool, a))
        new = await record_in_view(pool, user.principal, await readmodel.version(pool, b))
        if old["procedure_id"] != new["procedure_id"]:
            raise NotFound("Hai phiên bản không thuộc cùng một quy trình")
        if old["number"] > new["number"]:
            old, new = new, old
        unit = await directory.unit(pool, new["unit_id"])
        departments = directory.department_names(unit)

        def performer(step: Mapping[str, Any]) -> str:
            department, role = str(step["department_id"]), str(step["role"])
            if department:
                return departments.get(department, department)
            return f"{ROLE_LABELS.get(role, role)} (theo vai trò)"

        return page(
            "procedures/compare.html",
            user,
            unit=unit,
            old=old,
            new=new,
            comparison=compare_versions(old, new, performer),
            choices=_choices(await self._siblings(pool, new)),
        )

    async def _record(self, pool: asyncpg.Pool, record_id: uuid.UUID) -> dict[str, Any] | None:
        return await readmodel.version(pool, record_id)

    def _context(self, user: Session, record: dict[str, Any]) -> dict[str, Any]:
        return {"version": record, "actions": version_actions(user.principal, record)}

    async def _more(self, pool: asyncpg.Pool, record: dict[str, Any]) -> dict[str, Any]:
        """The procedure's other versions, to compare with (the one before first offered)."""
        others = [v for v in await self._siblings(pool, record) if v["id"] != record["id"]]
        earlier = [v for v in others if v["number"] < record["number"]]
        return {"previous": earlier[0] if earlier else None, "choices": _choices(others)}

    @staticmethod
    async def _siblings(pool: asyncpg.Pool, version: dict[str, Any]) -> list[dict[str, Any]]:
        """Every version of the version's procedure, the newest first."""
        return await readmodel.versions(
            pool, version["unit_id"], procedure_id=uuid.UUID(version["procedure_id"])
        )


class DossierPages(RecordPages):
    path = DOSSIERS
    api = "/api/v1/dossiers"
    steps = DOSSIER_STEPS
    notices = DOSSIER_NOTICES
    template = "procedures/dossier.html"

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
            can_file=may_file(user.principal, unit_id),
        )

    async def _record(self, pool: asyncpg.Pool, record_id: uuid.UUID) -> dict[str, Any] | None:
        return await readmodel.dossier(pool, record_id)

    def _context(self, user: Session, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "dossier": record,
            "actions": dossier_actions(user.principal, record),
            # The desk prints what goes to the applicant (the rating slip with the result).
            "desk": may_file(user.principal, record["unit_id"]),
            "earlier_steps": [
                (str(index), f"{index + 1}. {s['name']}")
                for index, s in enumerate(record["steps"][: record["current_step"]])
            ],
            "outcomes": OUTCOMES,
            "today": today().isoformat(),
        }
