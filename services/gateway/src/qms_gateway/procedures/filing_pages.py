"""The filing desk ("Tiếp nhận hồ sơ"): a dossier filed under one of the unit's procedures in
force, with its subject, applicant and time of receipt (now, unless typed)."""

import re
import uuid
from datetime import datetime, time
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template

from qms_contracts.procedures_commands import DossierInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.portal.access import unit_in_view
from qms_gateway.portal.commands import Refusal, refused, renamed
from qms_gateway.portal.formatting import parse_date
from qms_gateway.portal.forms import Errors, text
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import may_file
from qms_gateway.procedures.pages import COMMANDS, DOSSIERS, Text
from qms_runtime.clock import TIMEZONE
from qms_runtime.errors import Forbidden

FIELDS = (
    "version_id",
    "subject",
    "applicant_name",
    "applicant_contact",
    "received_on",
    "received_time",
)
FIELD_LABELS = {
    "version_id": "Quy trình",
    "subject": "Nội dung hồ sơ",
    "applicant_name": "Người nộp",
    "applicant_contact": "Liên hệ của người nộp",
    "received_on": "Ngày tiếp nhận",
    "received_time": "Giờ tiếp nhận",
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


def parse_time(typed: str) -> time:
    """A time of day as a person types it: 9:05, 09:05 or 9h05; ValueError if none."""
    found = _TIME.match(typed.strip())
    if found is None:
        raise ValueError(typed)
    return time(int(found.group(1)), int(found.group(2)))


def filing_body(values: dict[str, str], errors: Errors) -> dict[str, Any]:
    """The form as DossierInput's body: the day and time typed, as a moment in Vietnam."""
    if not values["version_id"]:
        errors["version_id"] = "Chọn quy trình"
    received_at = ""
    try:
        day = parse_date(values["received_on"])
    except ValueError:
        errors["received_on"] = (
            "Chưa nhập"
            if not values["received_on"].strip()
            else "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2026"
        )
    else:
        try:
            moment = datetime.combine(day, parse_time(values["received_time"]), TIMEZONE)
            received_at = moment.isoformat()
        except ValueError:
            errors["received_time"] = "Giờ không hợp lệ; nhập theo dạng HH:MM, ví dụ 09:30"
    return {
        "version_id": values["version_id"],
        "subject": values["subject"],
        "applicant_name": values["applicant_name"],
        "applicant_contact": values["applicant_contact"],
        "received_at": received_at,
    }


def form_field(key: str) -> str:
    """The moment of receipt is typed as a day and a time: its errors go beside the day."""
    return "received_on" if key == "received_at" else key


class FilingPages(Controller):
    path = DOSSIERS
    include_in_schema = False

    @get("/tiep-nhan")
    async def filing_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
        quy_trinh: Annotated[uuid.UUID | None, Parameter(description="Phiên bản")] = None,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._filing_unit(pool, user, don_vi)
        now = datetime.now(TIMEZONE)
        values = dict.fromkeys(FIELDS, "") | {
            "version_id": str(quy_trinh) if quy_trinh else "",
            "received_on": now.strftime("%d/%m/%Y"),
            "received_time": now.strftime("%H:%M"),
        }
        return await self._form(pool, user, unit_id, values)

    @post("/tiep-nhan")
    async def file(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        form = await request.form()
        unit_id = await self._filing_unit(pool, user, text(form, "don_vi") or None)
        values = self._values(form)
        errors: Errors = {}
        outcome = await COMMANDS.send_form(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/dossiers",
            DossierInput,
            filing_body(values, errors),
            errors,
        )
        if isinstance(outcome, Refusal):
            refusal = renamed(outcome, form_field)
            return await self._form(pool, user, unit_id, values, refusal)
        return Redirect(f"{DOSSIERS}/{outcome.id}?kq=tiep-nhan", status_code=303)

    @staticmethod
    def _values(form: FormMultiDict) -> dict[str, str]:
        return {name: text(form, name) for name in FIELDS}

    @staticmethod
    async def _filing_unit(pool: asyncpg.Pool, user: Session, requested: str | None) -> str:
        unit_id = await unit_in_view(pool, user.principal, requested)
        if not may_file(user.principal, unit_id):
            raise Forbidden(
                "Chỉ công chức, lãnh đạo phòng hoặc thư ký ISO của đơn vị tiếp nhận hồ sơ"
            )
        return unit_id

    @staticmethod
    async def _form(
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, str],
        refusal: Refusal | None = None,
    ) -> Template:
        in_force = await readmodel.versions(pool, unit_id, statuses=["published"])
        return page(
            "procedures/filing.html",
            user,
            unit=await directory.unit(pool, unit_id),
            values=values,
            procedures=[
                (
                    v["id"],
                    f"{v['code']} — {v['name']} "
                    f"({sum(s['working_days'] for s in v['steps'])} ngày làm việc)",
                )
                for v in in_force
            ],
            **refused(refusal, FIELD_LABELS),
        )
