"""HTTP API of the procedures service (called by the gateway with the caller's token)."""

import re
import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.di import Provide
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_201_CREATED

from qms_contracts.inputs import CommandReply
from qms_contracts.procedures_commands import (
    AcknowledgeReadingInput,
    ArchiveInput,
    CalendarDayInput,
    CauseNonconformityInput,
    ClearCalendarDayInput,
    CompleteStepInput,
    DossierInput,
    ExtendDueDateInput,
    PeriodicReviewInput,
    ProcedureInput,
    ProcedureVersionInput,
    ReturnDossierInput,
    SupplementReceivedInput,
    SupplementRequestInput,
)
from qms_procedures.application import ProceduresApplication
from qms_procedures.domain import Form, ProcedureContent, ProcedureVersion, Step
from qms_procedures.dossiers import Applicant, Dossier
from qms_procedures.feedback_api import (
    CitizensController,
    FeedbackController,
    RatingSecretController,
)
from qms_procedures.form_files_api import FormFilesController
from qms_runtime.command_routes import (
    COMMAND_DEPENDENCIES,
    UNIT_PREFIX_HEADER,
    UnitId,
    expected_version,
    reply,
)
from qms_runtime.commands import CommandContext
from qms_runtime.errors import InvalidInput
from qms_runtime.principal import Principal
from qms_runtime.review.api import review_controller

PROCEDURES_TAG = "Quy trình nội bộ"
DOSSIERS_TAG = "Hồ sơ nội bộ"
CALENDAR_TAG = "Lịch ngày làm việc"

_PREFIX = re.compile(r"^[A-Z0-9]{1,12}$")


def _content(data: ProcedureInput | ProcedureVersionInput) -> ProcedureContent:
    return ProcedureContent(
        name=data.name,
        scope=data.scope,
        steps=tuple(Step(s.name, s.department_id, s.role, s.working_days) for s in data.steps),
        forms=tuple(Form(f.name, f.code, f.version, f.sha256, f.size) for f in data.forms),
        review_on=data.review_on,
    )


def version_view(version: ProcedureVersion) -> dict[str, Any]:
    content = version.content
    return {
        "id": str(version.id),
        "version": version.version,
        "unit_id": version.unit_id,
        "procedure_id": version.procedure_id,
        "code": version.code,
        "number": version.number,
        "status": str(version.status),
        "name": content.name,
        "scope": content.scope,
        "steps": [vars(step) for step in content.steps],
        "forms": [vars(form) for form in content.forms],
        "review_on": content.review_on.isoformat(),
        "published_on": version.published_on.isoformat() if version.published_on else None,
        "acknowledged": dict(version.acknowledged),
        "return_reason": version.return_reason,
    }


def dossier_view(dossier: Dossier) -> dict[str, Any]:
    """The dossier with its applicant's contact, which only the event store keeps."""
    return {
        "id": str(dossier.id),
        "version": dossier.version,
        "unit_id": dossier.unit_id,
        "code": dossier.code,
        "procedure_id": dossier.procedure_id,
        "version_id": dossier.version_id,
        "version_number": dossier.version_number,
        "subject": dossier.subject,
        "applicant": vars(dossier.applicant),
        "received_at": dossier.received_at.isoformat(),
        "status": dossier.status,
        "current_step": dossier.current,
        "steps": [{**vars(step), "due_on": step.due_on.isoformat()} for step in dossier.steps],
        "due_on": dossier.due_on.isoformat(),
        "extended": dossier.extended,
        "outcome": dossier.outcome,
    }


def provide_prefix(
    unit_prefix: Annotated[
        str | None,
        HeaderParameter(
            name=UNIT_PREFIX_HEADER,
            required=False,
            description="Tiền tố mã hồ sơ của đơn vị (gateway đặt theo danh bạ đơn vị).",
        ),
    ] = None,
) -> str:
    if unit_prefix is None or not _PREFIX.match(unit_prefix):
        raise InvalidInput(
            "Đơn vị chưa có tiền tố mã hồ sơ (1–12 chữ in hoa hoặc số)", field=UNIT_PREFIX_HEADER
        )
    return unit_prefix


class ProceduresController(Controller):
    path = "/api/v1"
    tags = [PROCEDURES_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/procedures",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_procedure",
        summary="Soạn quy trình mới (phiên bản 1)",
        description="Trả về phiên bản dự thảo; mã quy trình đã có trong đơn vị thì 409.",
    )
    def draft(
        self,
        unit_id: UnitId,
        data: ProcedureInput,
        context: CommandContext,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        result = application.draft_procedure(context, unit_id, data.code, _content(data))
        return reply(result, HTTP_201_CREATED)

    @post(
        "/procedures/{procedure_id:uuid}/versions",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_procedure_version",
        summary="Soạn phiên bản mới của quy trình",
        description="If-Match: phiên bản của quy trình, không phải của phiên bản đang hiệu lực.",
    )
    def draft_version(
        self,
        procedure_id: uuid.UUID,
        data: ProcedureVersionInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        result = application.draft_version(context, procedure_id, version, _content(data))
        return reply(result, HTTP_201_CREATED)

    @put(
        "/procedure-versions/{version_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_procedure_version",
        summary="Sửa dự thảo phiên bản quy trình",
    )
    def revise(
        self,
        version_id: uuid.UUID,
        data: ProcedureVersionInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.revise_version(context, version_id, version, _content(data)))

    @post(
        "/procedure-versions/{version_id:uuid}/publish",
        status_code=200,
        sync_to_thread=True,
        operation_id="publish_procedure_version",
        summary="Ban hành phiên bản đã phê duyệt (phiên bản cũ hết hiệu lực)",
    )
    def publish(
        self,
        version_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(application.publish(context, version_id, expected))

    @post(
        "/procedure-versions/{version_id:uuid}/acknowledge",
        status_code=200,
        sync_to_thread=True,
        operation_id="acknowledge_procedure_version",
        summary="Trưởng phòng xác nhận phòng đã đọc phiên bản đang có hiệu lực",
    )
    def acknowledge(
        self,
        version_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
        data: AcknowledgeReadingInput | None = None,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version if data else None)
        return reply(application.acknowledge_reading(context, version_id, version))

    @post(
        "/procedure-versions/{version_id:uuid}/periodic-review",
        status_code=200,
        sync_to_thread=True,
        operation_id="record_procedure_periodic_review",
        summary="Ghi nhận rà soát định kỳ quy trình",
    )
    def periodic_review(
        self,
        version_id: uuid.UUID,
        data: PeriodicReviewInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.record_periodic_review(
                context,
                version_id,
                expected_version(expected, data.expected_version),
                note=data.note,
                next_review_on=data.next_review_on,
            )
        )

    @get(
        "/procedure-versions/{version_id:uuid}",
        sync_to_thread=True,
        operation_id="read_procedure_version",
        summary="Xem phiên bản quy trình (từ kho sự kiện)",
    )
    def read(
        self, version_id: uuid.UUID, principal: Principal, application: ProceduresApplication
    ) -> dict[str, Any]:
        return version_view(application.read(principal, ProcedureVersion, version_id))


class CalendarController(Controller):
    path = "/api/v1/working-calendar"
    tags = [CALENDAR_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/days",
        status_code=200,
        sync_to_thread=True,
        operation_id="set_working_calendar_day",
        summary="Đặt ngày làm bù hoặc ngày nghỉ thêm (quản trị)",
    )
    def set_day(
        self, data: CalendarDayInput, context: CommandContext, application: ProceduresApplication
    ) -> Response[CommandReply]:
        return reply(
            application.set_calendar_day(
                context, day=data.day, working=data.working, reason=data.reason
            )
        )

    @post(
        "/days/clear",
        status_code=200,
        sync_to_thread=True,
        operation_id="clear_working_calendar_day",
        summary="Bỏ một ngày ngoại lệ (quản trị)",
    )
    def clear_day(
        self,
        data: ClearCalendarDayInput,
        context: CommandContext,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(application.clear_calendar_day(context, day=data.day))


class DossiersController(Controller):
    path = "/api/v1"
    tags = [DOSSIERS_TAG]
    dependencies = {**COMMAND_DEPENDENCIES, "prefix": Provide(provide_prefix, sync_to_thread=False)}

    @post(
        "/units/{unit_id:str}/dossiers",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="file_dossier",
        summary="Tiếp nhận hồ sơ theo phiên bản quy trình đang có hiệu lực",
    )
    def file(
        self,
        unit_id: UnitId,
        data: DossierInput,
        context: CommandContext,
        prefix: str,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        result = application.file_dossier(
            context,
            unit_id,
            prefix=prefix,
            version_id=data.version_id,
            subject=data.subject,
            applicant=Applicant(data.applicant_name, data.applicant_contact),
            received_at=data.received_at,
        )
        return reply(result, HTTP_201_CREATED)

    @post(
        "/units/{unit_id:str}/cause-nonconformities",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="raise_cause_nonconformity",
        summary="Đề nghị khắc phục một nguyên nhân sản phẩm không phù hợp của quy trình trong kỳ",
        description="Thư ký ISO, từ biểu đồ Pareto; đánh giá nội bộ mở sự không phù hợp "
        "(nguồn: theo dõi quá trình). Một lần mỗi quy trình, nguyên nhân và kỳ (lần nữa: 409).",
    )
    def raise_cause_nonconformity(
        self,
        unit_id: UnitId,
        data: CauseNonconformityInput,
        context: CommandContext,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        result = application.raise_cause_nonconformity(
            context,
            unit_id,
            procedure_id=data.procedure_id,
            cause=data.cause,
            start=data.start,
            end=data.end,
            department_id=data.department_id,
            description=data.description,
        )
        return reply(result, HTTP_201_CREATED)

    @post(
        "/dossiers/{dossier_id:uuid}/complete-step",
        status_code=200,
        sync_to_thread=True,
        operation_id="complete_dossier_step",
        summary="Hoàn thành bước hiện tại của hồ sơ",
    )
    def complete_step(
        self,
        dossier_id: uuid.UUID,
        data: CompleteStepInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.complete_step(
                context,
                dossier_id,
                expected_version(expected, data.expected_version),
                note=data.note,
                done_on=data.done_on,
                cause=data.cause,
            )
        )

    @post(
        "/dossiers/{dossier_id:uuid}/return",
        status_code=200,
        sync_to_thread=True,
        operation_id="return_dossier",
        summary="Trả hồ sơ về một bước trước, có lý do và nguyên nhân",
    )
    def return_(
        self,
        dossier_id: uuid.UUID,
        data: ReturnDossierInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.return_dossier(
                context,
                dossier_id,
                expected_version(expected, data.expected_version),
                step=data.step,
                reason=data.reason,
                cause=data.cause,
            )
        )

    @post(
        "/dossiers/{dossier_id:uuid}/supplement-request",
        status_code=200,
        sync_to_thread=True,
        operation_id="request_dossier_supplement",
        summary="Yêu cầu bổ sung hồ sơ (dừng tính thời hạn)",
    )
    def request_supplement(
        self,
        dossier_id: uuid.UUID,
        data: SupplementRequestInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.request_supplement(context, dossier_id, version, data.reason))

    @post(
        "/dossiers/{dossier_id:uuid}/supplement-received",
        status_code=200,
        sync_to_thread=True,
        operation_id="receive_dossier_supplement",
        summary="Nhận hồ sơ bổ sung (tính tiếp thời hạn)",
    )
    def receive_supplement(
        self,
        dossier_id: uuid.UUID,
        data: SupplementReceivedInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.receive_supplement(context, dossier_id, version, data.received_at))

    @post(
        "/dossiers/{dossier_id:uuid}/extend-due-date",
        status_code=200,
        sync_to_thread=True,
        operation_id="extend_dossier_due_date",
        summary="Phiếu xin lỗi và hẹn lại ngày trả kết quả (một lần)",
    )
    def extend_due_date(
        self,
        dossier_id: uuid.UUID,
        data: ExtendDueDateInput,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.extend_due_date(
                context,
                dossier_id,
                expected_version(expected, data.expected_version),
                new_due_on=data.new_due_on,
                reason=data.reason,
            )
        )

    @post(
        "/dossiers/{dossier_id:uuid}/archive",
        status_code=200,
        sync_to_thread=True,
        operation_id="archive_dossier",
        summary="Lưu trữ hồ sơ đã hoàn thành",
    )
    def archive(
        self,
        dossier_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ProceduresApplication,
        data: ArchiveInput | None = None,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version if data else None)
        return reply(application.archive_dossier(context, dossier_id, version))

    @get(
        "/dossiers/{dossier_id:uuid}",
        sync_to_thread=True,
        operation_id="read_dossier",
        summary="Xem hồ sơ, kèm liên hệ của người nộp (từ kho sự kiện)",
    )
    def read(
        self, dossier_id: uuid.UUID, principal: Principal, application: ProceduresApplication
    ) -> dict[str, Any]:
        return dossier_view(application.read(principal, Dossier, dossier_id))


ROUTES: list[type[Controller]] = [
    ProceduresController,
    review_controller(
        ProcedureVersion,
        path="/api/v1/procedure-versions",
        id_name="version_id",
        tag=PROCEDURES_TAG,
        operation="procedure_version",
    ),
    CalendarController,
    DossiersController,
    FeedbackController,
    RatingSecretController,
    CitizensController,
    FormFilesController,
]
