"""The year's ISO activity data of a unit: each fact the review service derived from the year's
events, with those events, as the gateway's ISO report read answers it."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Template

from qms_contracts.review_reads import IsoReport
from qms_gateway.frame import directory
from qms_gateway.portal.access import unit_in_view
from qms_gateway.portal.commands import CommandRefused
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.review.actions import EVIDENCE_NAMES
from qms_gateway.review.routes import read_upstream
from qms_gateway.upstream import Upstream
from qms_runtime.clock import today

REPORT = "/xem-xet-lanh-dao/bao-cao-nam"


async def iso_report(upstream: Upstream, user: Session, unit_id: str, year: int) -> IsoReport:
    """The report as the gateway's read answers it; a refusal is shown as a page."""
    headers = {"authorization": f"Bearer {user.token}", "accept": "application/json"}
    path = f"/api/v1/units/{unit_id}/iso-report/{year}"
    reply = await read_upstream(upstream, path, headers)
    if reply.status_code != 200:
        try:
            problem = reply.json()
        except ValueError:
            problem = {"detail": "Dịch vụ xem xét trả lời không đọc được"}
        raise CommandRefused(reply.status_code, problem)
    return IsoReport.model_validate_json(reply.content)


class IsoReportPage(Controller):
    path = REPORT
    include_in_schema = False

    @get("/")
    async def report(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        upstream: Upstream,
        don_vi: Annotated[str | None, Parameter(max_length=200)] = None,
        nam: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await unit_in_view(pool, user.principal, don_vi)
        year = nam or today().year
        unit = await directory.unit(pool, unit_id)
        return page(
            "review/iso_report.html",
            user,
            unit=unit,
            year=year,
            report=await iso_report(upstream, user, unit_id, year),
            departments=directory.department_names(unit),
            names=EVIDENCE_NAMES,
            filters={"don_vi": don_vi},
        )
