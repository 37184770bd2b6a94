"""The feedback inbox of a unit and an item's page."""

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import asyncpg
from litestar import Request, get
from litestar.response import Template

from qms_gateway.frame import directory
from qms_gateway.portal.access import unit_in_view
from qms_gateway.portal.commands import PageStep
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.pages import RecordPages, Text


class FeedbackPages(RecordPages):
    """The inbox and an item's page; its steps (assign, answer) come with their commands."""

    path = "/phan-anh"
    api = "/api/v1/feedback"
    steps: ClassVar[Mapping[str, PageStep]] = {}
    notices: ClassVar[Mapping[str, str]] = {}
    template = "procedures/feedback.html"

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

    async def _record(self, pool: asyncpg.Pool, record_id: uuid.UUID) -> dict[str, Any] | None:
        return await readmodel.feedback(pool, record_id)

    def _context(self, user: Session, record: dict[str, Any]) -> dict[str, Any]:
        return {"item": record}
