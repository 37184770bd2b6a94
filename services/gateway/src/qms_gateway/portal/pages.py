"""Rendering pages: one Jinja environment over the portal's and every wing's templates."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig

from qms_gateway.portal.access import filters_query
from qms_gateway.portal.formatting import (
    input_date,
    input_number,
    vi_date,
    vi_datetime,
    vi_number,
)
from qms_gateway.portal.session import Session, SignInRequired

SITE_NAME = "e-ISO"
STATUS_LABELS = {
    "draft": "Dự thảo",
    "submitted": "Chờ phê duyệt",
    "returned": "Bị trả lại",
    "approved": "Đã phê duyệt",
    "disseminated": "Đã phổ biến",
    "evaluated": "Đã đánh giá",
    "published": "Đang hiệu lực",
    "superseded": "Đã được thay thế",
    "identified": "Đã nhận diện",
    "assessed": "Đã đánh giá",
    "treatment": "Đang xử lý",
    "reassessed": "Đã đánh giá lại",
    "closed": "Đã đóng",
    "concluded": "Đã kết luận",
    "open": "Đang mở",
    "action_planned": "Đã lập hành động",
    "implemented": "Đã thực hiện",
    "verified": "Đã kiểm tra hiệu lực",
    "reopened": "Mở lại",
    "issued": "Đã gửi thông báo",
    "consolidated": "Đã tổng hợp báo cáo",
    "meeting_held": "Đã họp",
    "conclusion_drafted": "Chờ duyệt kết luận",
    "conclusion_returned": "Kết luận bị trả lại",
    "obsolete": "Hết hiệu lực",
    "processing": "Đang xử lý",
    "supplement_requested": "Chờ bổ sung",
    "completed": "Đã có kết quả",
    "archived": "Đã lưu trữ",
    "received": "Mới tiếp nhận",
    "assigned": "Đã giao phòng",
    "answered": "Đã trả lời",
}
ROLE_LABELS = {
    "iso_secretary": "Thư ký ISO",
    "unit_leader": "Lãnh đạo đơn vị",
    "department_leader": "Lãnh đạo phòng",
    "staff": "Công chức",
    "auditor": "Đánh giá viên nội bộ",
    "supervisor": "Cơ quan cấp trên",
    "admin": "Quản trị",
}


def template_config(
    packages: Sequence[str],
    menu: Sequence[tuple[str, str]],
    settings: Mapping[str, object] | None = None,
) -> TemplateConfig[JinjaTemplateEngine]:
    """The portal's templates, then each wing's (`<package>/templates/<wing>/…`); `settings`:
    what the deployment configures that pages name (a template global each)."""
    environment = Environment(
        loader=ChoiceLoader(
            [PackageLoader(package, "templates") for package in ("qms_gateway.portal", *packages)]
        ),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
        # Templates ship inside the packages: no file check on every render.
        auto_reload=False,
    )
    environment.filters.update(
        date=vi_date,
        datetime=vi_datetime,
        number=vi_number,
        input_number=input_number,
        input_date=input_date,
    )
    environment.tests["day"] = lambda value: isinstance(value, datetime.date)
    environment.globals.update(
        site_name=SITE_NAME,
        status_labels=STATUS_LABELS,
        role_labels=ROLE_LABELS,
        staff_menu=menu,
        filters_query=filters_query,
        **(settings or {}),
    )
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def page(
    template: str, session: Session | None, *, status_code: int = 200, **context: Any
) -> Template:
    return Template(template, context={"session": session, **context}, status_code=status_code)


def error_page(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Template:
    """A refusal or failure as a page (the problem details' title and detail, in Vietnamese)."""
    return page("error.html", None, status_code=status, title=title, detail=detail, status=status)


def sign_in_first(request: Request[Any, Any, Any], error: SignInRequired) -> Redirect:
    return Redirect(f"/dang-nhap?next={error.next_path}", status_code=303)
