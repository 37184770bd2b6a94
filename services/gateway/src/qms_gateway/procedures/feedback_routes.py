"""Routes of citizens' feedback and satisfaction: the unit's handling of feedback (commands
forwarded with the caller's token), the rating code printed on a dossier's result, and what
citizens send from the portal without signing in (forwarded with the gateway's identity and
the sender's address, `Forwarder.for_citizen`)."""

import json
import uuid
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from qms_contracts.procedures import SERVICE
from qms_contracts.procedures_commands import (
    WRONG_RATING_CODE,
    AnswerFeedbackInput,
    AssignFeedbackInput,
    ComplaintNonconformityInput,
    DossierRatingInput,
    FeedbackInput,
    PublishFeedbackAnswerInput,
    RatingInput,
)
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import CommandRoute, Forwarder, Sent, command_handlers
from qms_gateway.frame.reviewed import visible
from qms_gateway.portal.commands import CommandRefused
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.views import (
    CitizenReceipt,
    FeedbackView,
    PublicFeedbackView,
    RatingSecretView,
)
from qms_gateway.upstream import Upstream
from qms_runtime.auth import bearer_token
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId
from qms_runtime.edge import raw_path
from qms_runtime.errors import InvalidInput, NotFound
from qms_runtime.principal import Principal

FEEDBACK = "/feedback/{feedback_id:uuid}"
FEEDBACK_COMMANDS = [
    CommandRoute(
        "POST",
        f"{FEEDBACK}/assign",
        "assign_feedback",
        "Giao phản ánh cho một phòng (thư ký ISO hoặc lãnh đạo đơn vị)",
        AssignFeedbackInput,
    ),
    CommandRoute(
        "POST",
        f"{FEEDBACK}/answer",
        "answer_feedback",
        "Trả lời phản ánh (phòng được giao hoặc thư ký ISO)",
        AnswerFeedbackInput,
    ),
    CommandRoute(
        "POST",
        f"{FEEDBACK}/publish-answer",
        "publish_feedback_answer",
        "Công khai câu trả lời trên cổng thông tin",
        PublishFeedbackAnswerInput,
        body_required=False,
    ),
    CommandRoute(
        "POST",
        f"{FEEDBACK}/nonconformity",
        "raise_complaint_nonconformity",
        "Mở sự không phù hợp từ phản ánh (thư ký ISO; dịch vụ đánh giá nội bộ mở)",
        ComplaintNonconformityInput,
    ),
]
ANSWERS_SHOWN = Annotated[int, Parameter(ge=1, le=100, description="Số câu trả lời")]


async def feedback_view(pool: asyncpg.Pool, feedback_id: uuid.UUID) -> FeedbackView | None:
    found = await readmodel.feedback(pool, feedback_id)
    return FeedbackView.model_validate(found) if found else None


def public_feedback(found: dict[str, Any]) -> PublicFeedbackView:
    shown = found if found["published"] else {**found, "answer": None, "answered_on": None}
    return PublicFeedbackView.model_validate(shown)


async def rating_secret(
    upstream: Upstream, token: str, dossier: dict[str, Any]
) -> RatingSecretView:
    """Asked of the service (only it holds the key) with the token of the desk that prints
    the result."""
    reply = await upstream.forward(
        SERVICE,
        "GET",
        f"/api/v1/dossiers/{dossier['id']}/rating-secret",
        b"",
        {"authorization": f"Bearer {token}", "accept": "application/json"},
    )
    if reply.status_code != 200:
        raise CommandRefused(reply.status_code, reply.json())
    return RatingSecretView(dossier_id=dossier["id"], code=dossier["code"], **reply.json())


async def send_feedback(
    forwarder: Forwarder,
    pool: asyncpg.Pool,
    request: Request[Any, Any, Any],
    unit_id: str,
    data: FeedbackInput,
) -> Sent:
    if not await directory.unit_exists(pool, unit_id):
        raise NotFound(f"Không có đơn vị {unit_id}")
    return await forwarder.for_citizen(SERVICE, request, f"/api/v1/units/{unit_id}/feedback", data)


async def rate_dossier(
    forwarder: Forwarder,
    pool: asyncpg.Pool,
    request: Request[Any, Any, Any],
    unit_id: str,
    data: RatingInput,
) -> Sent:
    """The dossier named by its code in the unit; the service checks the secret."""
    dossier = await readmodel.dossier_by_code(pool, unit_id, data.code.strip().upper())
    if dossier is None:
        raise InvalidInput(WRONG_RATING_CODE, field="secret")
    rating = DossierRatingInput(secret=data.secret, level=data.level, comment=data.comment)
    path = f"/api/v1/units/{unit_id}/dossiers/{dossier['id']}/rating"
    return await forwarder.for_citizen(SERVICE, request, path, rating)


def receipt(request: Request[Any, Any, Any], sent: Sent) -> Response[CitizenReceipt]:
    """The receipt, or the service's refusal (422, 409, 429) about the citizen's request."""
    if sent.result is None:
        problem = json.loads(sent.reply.content)
        # The service names its own path; the citizen asked the gateway's.
        problem["instance"] = raw_path(request)
        return Response(
            problem, status_code=sent.reply.status_code, media_type="application/problem+json"
        )
    return Response(CitizenReceipt(id=str(sent.result.id)), status_code=201)


class FeedbackQueries(Controller):
    @get(
        "/dossiers/{dossier_id:uuid}/rating-secret",
        operation_id="read_dossier_rating_secret",
        summary="Mã đánh giá của hồ sơ, để in trên phiếu trả kết quả (bộ phận tiếp nhận)",
    )
    async def secret(
        self,
        request: Request[Any, Any, Any],
        dossier_id: uuid.UUID,
        principal: Principal,
        pool: asyncpg.Pool,
        upstream: Upstream,
    ) -> RatingSecretView:
        dossier = visible(principal, await readmodel.dossier(pool, dossier_id))
        token = bearer_token(request.headers.get("authorization"))
        return await rating_secret(upstream, token, dossier)


StaffFeedbackController = type(
    "FeedbackWingController",
    (FeedbackQueries,),
    {
        "path": "/api/v1",
        "tags": ["Phản ánh, kiến nghị và đánh giá hài lòng"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, FEEDBACK_COMMANDS, feedback_view, FeedbackView),
    },
)


class CitizensController(Controller):
    """What anyone may send and read without signing in."""

    path = "/api/v1/public"
    tags = ["Cổng công khai"]

    @post(
        "/units/{unit_id:str}/feedback",
        status_code=201,
        operation_id="send_feedback",
        summary="Gửi phản ánh, kiến nghị về đơn vị, một thủ tục hoặc một hồ sơ",
        description="Không cần đăng nhập; mỗi địa chỉ mạng gửi được một số lần mỗi ngày, quá "
        "thì 429. Trả mã phản ánh để theo dõi (/api/v1/public/feedback/{id}).",
    )
    async def send(
        self,
        request: Request[Any, Any, Any],
        unit_id: UnitId,
        data: FeedbackInput,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Response[CitizenReceipt]:
        return receipt(request, await send_feedback(forwarder, pool, request, unit_id, data))

    @post(
        "/units/{unit_id:str}/ratings",
        status_code=201,
        operation_id="rate_dossier",
        summary="Đánh giá mức độ hài lòng với kết quả một hồ sơ (mã hồ sơ và mã đánh giá)",
        description="Một lần mỗi hồ sơ đã có kết quả; mã đánh giá in trên phiếu trả kết quả.",
    )
    async def rate(
        self,
        request: Request[Any, Any, Any],
        unit_id: UnitId,
        data: RatingInput,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
    ) -> Response[CitizenReceipt]:
        return receipt(request, await rate_dossier(forwarder, pool, request, unit_id, data))

    @get(
        "/feedback/{feedback_id:uuid}",
        operation_id="public_feedback",
        summary="Tình trạng một phản ánh (và câu trả lời, nếu đơn vị đã công khai)",
    )
    async def feedback(self, feedback_id: uuid.UUID, pool: asyncpg.Pool) -> PublicFeedbackView:
        found = await readmodel.feedback(pool, feedback_id)
        if found is None:
            raise NotFound("Không tìm thấy phản ánh")
        return public_feedback(found)

    @get(
        "/units/{unit_id:str}/feedback-answers",
        operation_id="public_feedback_answers",
        summary="Các câu trả lời phản ánh, kiến nghị đơn vị đã công khai (mới trước)",
    )
    async def answers(
        self, unit_id: UnitId, pool: asyncpg.Pool, limit: ANSWERS_SHOWN = 20
    ) -> list[PublicFeedbackView]:
        if not await directory.unit_exists(pool, unit_id):
            raise NotFound(f"Không có đơn vị {unit_id}")
        found = await readmodel.published_answers(pool, unit_id, limit)
        return [public_feedback(item) for item in found]
