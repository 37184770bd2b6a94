"""Routes of the review wing: the reviews from the read model, their commands forwarded, and the
two reads the review service computes from its own evidence tables, forwarded as they are."""

import uuid
from typing import Annotated, Any, TypeVar, cast

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from pydantic import BaseModel

from qms_contracts.inputs import ReturnInput
from qms_contracts.review import SERVICE
from qms_contracts.review_commands import (
    CompleteReviewActionInput,
    ConclusionInput,
    ConsolidateInput,
    MeetingInput,
    NoticeInput,
    ReportInput,
    ReviseNoticeInput,
    VerifyActionInput,
)
from qms_contracts.review_reads import IsoReport, ReviewEvidence
from qms_gateway.frame.forwarding import CommandRoute, command_handlers
from qms_gateway.frame.reviewed import Statuses, Year, review_routes, statuses, visible
from qms_gateway.review import readmodel
from qms_gateway.review.views import ReviewView
from qms_gateway.upstream import Reply, Upstream
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId
from qms_runtime.edge import forwardable_headers, raw_path
from qms_runtime.principal import Principal

M = TypeVar("M", bound=BaseModel)
ReportYear = Annotated[int, Parameter(ge=2000, le=2100, description="Năm")]


async def review_view(pool: asyncpg.Pool, review_id: uuid.UUID) -> ReviewView | None:
    found = await readmodel.review(pool, review_id)
    return ReviewView.model_validate(found) if found else None


REVIEW = "/reviews/{review_id:uuid}"
ACTION = f"{REVIEW}/actions/{{output_id:str}}"
COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/reviews",
        "draft_review_notice",
        "Soạn thông báo họp xem xét của lãnh đạo (chương trình, phòng báo cáo, hạn)",
        NoticeInput,
        created=True,
    ),
    CommandRoute(
        "PUT", REVIEW, "revise_review_notice", "Sửa thông báo họp xem xét", ReviseNoticeInput
    ),
    *review_routes("reviews", "review_id", "review_notice", "thông báo họp xem xét"),
    CommandRoute(
        "POST", f"{REVIEW}/issue", "issue_review_notice", "Gửi thông báo đã duyệt đến các phòng"
    ),
    CommandRoute(
        "POST",
        f"{REVIEW}/reports",
        "submit_department_report",
        "Lãnh đạo phòng gửi báo cáo một nội dung của chương trình họp",
        ReportInput,
    ),
    CommandRoute(
        "PUT",
        f"{REVIEW}/reports",
        "revise_department_report",
        "Lãnh đạo phòng sửa báo cáo đã gửi (trước khi tổng hợp)",
        ReportInput,
    ),
    CommandRoute(
        "POST",
        f"{REVIEW}/consolidate",
        "consolidate_review",
        "Tổng hợp báo cáo (đủ báo cáo, hoặc đã quá hạn: ghi các báo cáo còn thiếu)",
        ConsolidateInput,
    ),
    CommandRoute(
        "POST",
        f"{REVIEW}/meeting",
        "record_review_meeting",
        "Ghi biên bản cuộc họp xem xét (ngày, thành phần, nội dung)",
        MeetingInput,
    ),
    CommandRoute(
        "PUT",
        f"{REVIEW}/conclusion",
        "draft_review_conclusion",
        "Soạn (hoặc soạn lại) kết luận với các đầu ra 9.3.3",
        ConclusionInput,
    ),
    CommandRoute(
        "POST",
        f"{REVIEW}/conclusion/approve",
        "approve_review_conclusion",
        "Lãnh đạo đơn vị phê duyệt kết luận xem xét",
    ),
    CommandRoute(
        "POST",
        f"{REVIEW}/conclusion/return",
        "return_review_conclusion",
        "Trả lại kết luận kèm lý do",
        ReturnInput,
    ),
    CommandRoute(
        "POST",
        f"{ACTION}/complete",
        "complete_review_action",
        "Ghi nhận hoàn thành hành động (phòng thực hiện hoặc thư ký ISO)",
        CompleteReviewActionInput,
    ),
    CommandRoute(
        "POST",
        f"{ACTION}/verify",
        "verify_review_action",
        "Thư ký ISO hoặc lãnh đạo đơn vị xác nhận hành động đã hoàn thành",
        VerifyActionInput,
    ),
]


async def read_upstream(upstream: Upstream, path: str, headers: dict[str, str]) -> Reply:
    """A read the review service answers itself (from its evidence tables), with the caller's
    token: its answer, refusals included, as it gave it."""
    return await upstream.forward(SERVICE, "GET", path, b"", headers)


def as_answered(reply: Reply, model: type[M]) -> Response[M]:
    """The service's answer passed on: its status, its body (the model or problem details)."""
    answered = Response(
        reply.content,
        status_code=reply.status_code,
        media_type=reply.content_type or "application/json",
    )
    return cast("Response[M]", answered)


class ReviewQueries(Controller):
    @get(REVIEW, operation_id="read_review", summary="Xem cuộc xem xét của lãnh đạo")
    async def read_review(
        self, review_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> ReviewView:
        return ReviewView.model_validate(
            visible(principal, await readmodel.review(pool, review_id))
        )

    @get(
        "/units/{unit_id:str}/reviews",
        operation_id="list_reviews",
        summary="Các cuộc xem xét của lãnh đạo của đơn vị (năm gần nhất, đợt sau cùng trước)",
    )
    async def list_reviews(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        year: Year = None,
        status: Statuses = None,
    ) -> list[ReviewView]:
        principal.require(unit_id)
        found = await readmodel.reviews(pool, unit_id, year, statuses(status))
        return [ReviewView.model_validate(item) for item in found]

    @get(
        f"{REVIEW}/evidence",
        operation_id="read_review_evidence",
        summary="Bằng chứng đầu vào của cuộc xem xét, bên cạnh từng nội dung của chương trình họp",
        description="Dịch vụ xem xét tính từ bảng bằng chứng của mình; cổng chuyển tiếp nguyên "
        "văn câu trả lời (kể cả lỗi).",
    )
    async def evidence(
        self,
        review_id: uuid.UUID,
        request: Request[Any, Any, Any],
        principal: Principal,
        upstream: Upstream,
    ) -> Response[ReviewEvidence]:
        """The token is checked here too (`principal`): no call upstream without one."""
        headers = forwardable_headers(request.headers)
        reply = await read_upstream(upstream, raw_path(request), headers)
        return as_answered(reply, ReviewEvidence)

    @get(
        "/units/{unit_id:str}/iso-report/{year:int}",
        operation_id="read_iso_report",
        summary="Số liệu của báo cáo hoạt động ISO trong năm, kèm các sự kiện làm căn cứ",
        description="Dịch vụ xem xét tính từ bảng bằng chứng của mình; cổng chuyển tiếp nguyên "
        "văn câu trả lời (kể cả lỗi).",
        tags=["Báo cáo ISO hằng năm"],
    )
    async def iso_report(
        self,
        unit_id: UnitId,
        year: ReportYear,
        request: Request[Any, Any, Any],
        principal: Principal,
        upstream: Upstream,
    ) -> Response[IsoReport]:
        headers = forwardable_headers(request.headers)
        reply = await read_upstream(upstream, raw_path(request), headers)
        return as_answered(reply, IsoReport)


#: Reads and commands share paths (GET and PUT /reviews/{id}); Litestar wants one controller.
StaffController = type(
    "ReviewWingController",
    (ReviewQueries,),
    {
        "path": "/api/v1",
        "tags": ["Xem xét của lãnh đạo"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, COMMANDS, review_view, ReviewView),
    },
)
