"""HTTP API of citizens' feedback and satisfaction: the unit's handling (with the caller's
token) and the citizens' own commands, which only the gateway sends (role `service`), naming
the sender's network address in `QMS-Client-Address`."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_201_CREATED

from qms_contracts.inputs import CommandReply
from qms_contracts.procedures_commands import (
    AnswerFeedbackInput,
    AssignFeedbackInput,
    ComplaintNonconformityInput,
    DossierRatingInput,
    FeedbackInput,
    PublishFeedbackAnswerInput,
)
from qms_procedures.application import ProceduresApplication
from qms_procedures.feedback import Feedback
from qms_runtime.command_routes import (
    CLIENT_ADDRESS_HEADER,
    COMMAND_DEPENDENCIES,
    UnitId,
    expected_version,
    reply,
)
from qms_runtime.commands import CommandContext
from qms_runtime.principal import SERVICE, Principal

FEEDBACK_TAG = "Phản ánh, kiến nghị và đánh giá hài lòng"

ClientAddress = Annotated[
    str,
    HeaderParameter(
        name=CLIENT_ADDRESS_HEADER,
        max_length=100,
        description="Địa chỉ mạng của người gửi (gateway đặt; dùng cho hạn mức mỗi ngày).",
    ),
]


def feedback_view(feedback: Feedback) -> dict[str, Any]:
    """The item with the sender's contact, which only the event store keeps."""
    return {
        "id": str(feedback.id),
        "version": feedback.version,
        "unit_id": feedback.unit_id,
        "kind": feedback.kind,
        "subject_kind": feedback.subject_kind,
        "subject_ref": feedback.subject_ref,
        "title": feedback.title,
        "sender_name": feedback.sender_name,
        "sender_contact": feedback.sender_contact,
        "status": feedback.status,
        "department_id": feedback.department_id,
    }


class FeedbackController(Controller):
    path = "/api/v1/feedback/{feedback_id:uuid}"
    tags = [FEEDBACK_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/assign",
        status_code=200,
        sync_to_thread=True,
        operation_id="assign_feedback",
        summary="Giao phản ánh cho một phòng (thư ký ISO hoặc lãnh đạo đơn vị)",
    )
    def assign(
        self,
        feedback_id: uuid.UUID,
        data: AssignFeedbackInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.assign_feedback(context, feedback_id, version, data.department_id))

    @post(
        "/answer",
        status_code=200,
        sync_to_thread=True,
        operation_id="answer_feedback",
        summary="Trả lời phản ánh (phòng được giao hoặc thư ký ISO)",
    )
    def answer(
        self,
        feedback_id: uuid.UUID,
        data: AnswerFeedbackInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.answer_feedback(
                context,
                feedback_id,
                expected_version(expected, data.expected_version),
                text=data.text,
                answered_on=data.answered_on,
                publish=data.publish,
            )
        )

    @post(
        "/publish-answer",
        status_code=200,
        sync_to_thread=True,
        operation_id="publish_feedback_answer",
        summary="Công khai câu trả lời trên cổng thông tin",
    )
    def publish_answer(
        self,
        feedback_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
        data: PublishFeedbackAnswerInput | None = None,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version if data else None)
        return reply(application.publish_feedback_answer(context, feedback_id, version))

    @post(
        "/nonconformity",
        status_code=200,
        sync_to_thread=True,
        operation_id="raise_complaint_nonconformity",
        summary="Mở sự không phù hợp từ phản ánh (thư ký ISO; dịch vụ đánh giá nội bộ mở)",
    )
    def raise_nonconformity(
        self,
        feedback_id: uuid.UUID,
        data: ComplaintNonconformityInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.raise_complaint_nonconformity(
                context,
                feedback_id,
                expected_version(expected, data.expected_version),
                data.description,
            )
        )

    @get(
        "/",
        sync_to_thread=True,
        operation_id="read_feedback",
        summary="Xem phản ánh, kèm liên hệ của người gửi (người trả lời, lãnh đạo đơn vị)",
    )
    def read(
        self, feedback_id: uuid.UUID, principal: Principal, application: ProceduresApplication
    ) -> dict[str, Any]:
        return feedback_view(application.feedback_with_contact(principal, feedback_id))


class RatingSecretController(Controller):
    path = "/api/v1/dossiers/{dossier_id:uuid}/rating-secret"
    tags = [FEEDBACK_TAG]

    @get(
        "/",
        sync_to_thread=True,
        operation_id="read_dossier_rating_secret",
        summary="Mã đánh giá của hồ sơ, để in trên phiếu trả kết quả (bộ phận tiếp nhận)",
    )
    def secret(
        self, dossier_id: uuid.UUID, principal: Principal, application: ProceduresApplication
    ) -> dict[str, str]:
        context = CommandContext(principal, str(uuid.uuid4()))
        return {"secret": application.rating_secret_for(context, dossier_id)}


class CitizensController(Controller):
    """What a citizen sends from the public portal, relayed by the gateway."""

    path = "/api/v1/units/{unit_id:str}"
    tags = [FEEDBACK_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/feedback",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="receive_citizen_feedback",
        summary="Gửi phản ánh, kiến nghị (qua gateway; hạn mức mỗi địa chỉ mỗi ngày, quá thì 429)",
    )
    def send(
        self,
        unit_id: UnitId,
        data: FeedbackInput,
        context: CommandContext,
        client_address: ClientAddress,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        context.principal.require(unit_id, SERVICE)
        result = application.send_feedback(
            unit_id,
            kind=data.kind,
            subject_kind=data.subject_kind,
            subject_ref=data.subject_ref,
            title=data.title,
            content=data.content,
            sender_name=data.sender_name,
            sender_contact=data.sender_contact,
            address=client_address,
            received_at=datetime.now(UTC),
            correlation_id=context.correlation_id,
        )
        return reply(result, HTTP_201_CREATED)

    @post(
        "/dossiers/{dossier_id:uuid}/rating",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="record_citizen_rating",
        summary="Đánh giá mức độ hài lòng với kết quả hồ sơ (qua gateway; một lần mỗi hồ sơ)",
    )
    def rate(
        self,
        unit_id: UnitId,
        dossier_id: uuid.UUID,
        data: DossierRatingInput,
        context: CommandContext,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        context.principal.require(unit_id, SERVICE)
        result = application.rate_dossier(
            unit_id,
            dossier_id,
            secret=data.secret,
            level=data.level,
            comment=data.comment,
            rated_at=datetime.now(UTC),
            correlation_id=context.correlation_id,
        )
        return reply(result, HTTP_201_CREATED)
