"""The portal's frame pages: home, my tasks, sign-in and out, the unit directory, supervision."""

import datetime
from collections.abc import Sequence
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from pydantic import BaseModel

from qms_gateway.frame import directory
from qms_gateway.frame.routes import DevTokenIn, collect_tasks, issue_dev_token
from qms_gateway.frame.search import fold
from qms_gateway.frame.tasks import Task
from qms_gateway.frame.wing import Wing
from qms_gateway.portal.pages import page
from qms_gateway.portal.session import Session, redirect_with_session, safe_next, signed_in
from qms_runtime.auth import DevIssuer
from qms_runtime.clock import TIMEZONE
from qms_runtime.errors import Forbidden, NotFound
from qms_runtime.principal import SUPERVISOR

Search = Annotated[str, QueryParameter(name="q", max_length=200)]
Year = Annotated[int | None, QueryParameter(name="nam", ge=2000, le=2100)]


class SignInForm(BaseModel):
    sub: str
    next: str = "/"


def this_year() -> int:
    return datetime.datetime.now(TIMEZONE).year


def _tree(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {
        unit["unit_id"]: {"unit": unit, "children": []} for unit in units
    }
    roots: list[dict[str, Any]] = []
    for unit in units:
        parent = nodes.get(unit.get("parent_id") or "")
        (parent["children"] if parent else roots).append(nodes[unit["unit_id"]])
    return roots


def frame_pages(wings: Sequence[Wing]) -> type[Controller]:
    async def tasks_page(user: Session, pool: asyncpg.Pool) -> Template:
        tasks = await collect_tasks(pool, user.principal, wings)
        names = {unit["unit_id"]: unit["name"] for unit in await directory.units(pool)}
        steps: dict[tuple[str, str], list[Task]] = {}
        for task in tasks:
            steps.setdefault((task.step_page, task.label), []).append(task)
        # Steps with more waiting than listed: how many, and the list of them all.
        more = [(shown[0], len(shown)) for shown in steps.values() if shown[0].waiting > len(shown)]
        waiting = sum(shown[0].waiting for shown in steps.values())
        return page("tasks.html", user, tasks=tasks, unit_names=names, more=more, waiting=waiting)

    async def units_page(session: Session | None, pool: asyncpg.Pool, q: str) -> Template:
        units = await directory.units(pool)
        words = fold(q).split()
        found = [u for u in units if all(w in fold(u["name"]) for w in words)] if q else []
        return page("units.html", session, tree=_tree(units), q=q, found=found)

    class FramePages(Controller):
        include_in_schema = False

        @get("/")
        async def home(self, session: Session | None, pool: asyncpg.Pool) -> Template:
            """My tasks for a signed-in person, the unit directory for anyone else."""
            if session is None:
                return await units_page(session, pool, "")
            return await tasks_page(session, pool)

        @get("/viec-cua-toi")
        async def tasks(
            self, request: Request[Any, Any, Any], session: Session | None, pool: asyncpg.Pool
        ) -> Template:
            return await tasks_page(signed_in(request, session), pool)

        @get("/dang-nhap")
        async def sign_in_page(
            self,
            session: Session | None,
            pool: asyncpg.Pool,
            dev_issuer: DevIssuer | None,
            next_path: Annotated[str, QueryParameter(name="next", max_length=500)] = "/",
        ) -> Template:
            if dev_issuer is None:
                raise NotFound("Chưa cấu hình đăng nhập một lần (SSO) cho máy chủ này")
            units = [unit for unit in await directory.users_by_unit(pool) if unit["users"]]
            return page("signin.html", session, units=units, next=safe_next(next_path))

        @post("/dang-nhap")
        async def sign_in(
            self,
            request: Request[Any, Any, Any],
            data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
            pool: asyncpg.Pool,
            dev_issuer: DevIssuer | None,
        ) -> Redirect:
            token = await issue_dev_token(pool, dev_issuer, DevTokenIn(sub=data.sub))
            return redirect_with_session(request, token, safe_next(data.next))

        @post("/dang-xuat")
        async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
            return redirect_with_session(request, None, "/")

        @get("/don-vi")
        async def units(
            self, session: Session | None, pool: asyncpg.Pool, q: Search = ""
        ) -> Template:
            return await units_page(session, pool, q)

        @get("/don-vi/{unit_id:str}")
        async def unit(self, unit_id: str, session: Session | None, pool: asyncpg.Pool) -> Template:
            units = {unit["unit_id"]: unit for unit in await directory.units(pool)}
            unit = units.get(unit_id)
            if unit is None:
                raise NotFound(f"Không có đơn vị {unit_id}")
            parents: list[dict[str, Any]] = []
            above = units.get(unit.get("parent_id") or "")
            while above is not None and above not in parents:
                parents.insert(0, above)
                above = units.get(above.get("parent_id") or "")
            panels = [
                {"template": panel.template, **await panel.load(pool, unit_id)}
                for wing in wings
                for panel in wing.public_panels
            ]
            return page(
                "unit.html",
                session,
                unit=unit,
                parents=parents,
                children=[u for u in units.values() if u.get("parent_id") == unit_id],
                panels=panels,
            )

        @get("/giam-sat")
        async def supervision(
            self,
            request: Request[Any, Any, Any],
            session: Session | None,
            pool: asyncpg.Pool,
            year: Year = None,
        ) -> Template:
            user = signed_in(request, session)
            if SUPERVISOR not in user.principal.roles:
                raise Forbidden("Chỉ cơ quan cấp trên mới xem được trang giám sát")
            year = year or this_year()
            units = await directory.supervised(pool, user.principal.units)
            ids = [unit["unit_id"] for unit in units]
            headers: list[str] = []
            cells: dict[str, list[str]] = {unit_id: [] for unit_id in ids}
            for wing in wings:
                if wing.supervision is None:
                    continue
                headers += wing.supervision.headers
                found = await wing.supervision.load(pool, ids, year)
                for unit_id in ids:
                    cells[unit_id] += found.get(unit_id, ["" for _ in wing.supervision.headers])
            return page(
                "supervision.html", user, year=year, units=units, headers=headers, cells=cells
            )

    return FramePages
