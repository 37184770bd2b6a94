"""What the desk prints for a dossier's applicant: the apology letter with the new return date
("Phiếu xin lỗi và hẹn lại ngày trả kết quả") and, with the result, the code to rate it."""

import uuid
from typing import Any

import asyncpg
from litestar import Controller, Request, get
from litestar.response import Template

from qms_contracts.procedures import DossierDueDateExtended
from qms_gateway.frame import directory
from qms_gateway.frame.history import history
from qms_gateway.portal.access import record_in_view
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.feedback_routes import rating_secret
from qms_gateway.upstream import Upstream
from qms_runtime.clock import today
from qms_runtime.errors import NotFound

RATED_STATUSES = ("completed", "archived")


class DossierPrints(Controller):
    path = "/ho-so"
    include_in_schema = False

    async def _dossier(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        id_: uuid.UUID,
    ) -> tuple[Session, dict[str, Any], dict[str, Any]]:
        user = signed_in(request, session)
        dossier = await record_in_view(pool, user.principal, await readmodel.dossier(pool, id_))
        unit = await directory.unit(pool, dossier["unit_id"]) or {}
        return user, dossier, unit

    @get("/{dossier_id:uuid}/phieu-xin-loi")
    async def apology(
        self,
        request: Request[Any, Any, Any],
        dossier_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user, dossier, unit = await self._dossier(request, session, pool, dossier_id)
        events = await history(pool, dossier_id, {})
        extended = [e for e in events if e["event_type"] == DossierDueDateExtended.event_type]
        if not extended:
            raise NotFound("Hồ sơ chưa có phiếu xin lỗi và hẹn lại ngày trả kết quả")
        letter = extended[-1]
        return page(
            "procedures/apology_letter.html",
            user,
            dossier=dossier,
            unit=unit,
            letter=letter["payload"],
            signed_by=letter["actor_name"],
            departments=directory.department_names(unit),
        )

    @get("/{dossier_id:uuid}/phieu-danh-gia")
    async def rating_slip(
        self,
        request: Request[Any, Any, Any],
        dossier_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        upstream: Upstream,
    ) -> Template:
        user, dossier, unit = await self._dossier(request, session, pool, dossier_id)
        if dossier["status"] not in RATED_STATUSES:
            raise NotFound("Hồ sơ chưa có kết quả để đánh giá")
        return page(
            "procedures/rating_slip.html",
            user,
            dossier=dossier,
            unit=unit,
            slip=await rating_secret(upstream, user.token, dossier),
            rating_url=f"{str(request.base_url).rstrip('/')}/don-vi/{dossier['unit_id']}/danh-gia",
            today=today().isoformat(),
        )
