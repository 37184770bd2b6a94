"""Routes of the procedures wing: procedure versions, dossiers, statistics, the working
calendar, and the public list of procedures in force."""

import uuid
from datetime import date
from typing import Annotated

import asyncpg
from litestar import Controller, get
from litestar.params import Parameter

from qms_contracts.procedures import SERVICE
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
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import CommandRoute, command_handlers
from qms_gateway.frame.reviewed import Statuses, review_routes, statuses, visible
from qms_gateway.frame.search import like_patterns
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.views import (
    CalendarDayView,
    CalendarView,
    CauseNonconformityView,
    DossierPage,
    DossierView,
    FeedbackView,
    ParetoCause,
    ProcedureVersionView,
    PublicProcedureView,
    StatisticsView,
)
from qms_runtime.clock import today
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId
from qms_runtime.errors import InvalidInput, NotFound
from qms_runtime.principal import Principal

Search = Annotated[str | None, Parameter(max_length=200, description="Tìm không dấu")]
ProcedureId = Annotated[uuid.UUID | None, Parameter(description="Quy trình")]
Start = Annotated[date | None, Parameter(description="Từ ngày (mặc định: đầu năm nay)")]
End = Annotated[date | None, Parameter(description="Đến ngày (mặc định: hôm nay)")]


async def version_view(pool: asyncpg.Pool, version_id: uuid.UUID) -> ProcedureVersionView | None:
    found = await readmodel.version(pool, version_id)
    return ProcedureVersionView.model_validate(found) if found else None


async def dossier_view(pool: asyncpg.Pool, dossier_id: uuid.UUID) -> DossierView | None:
    found = await readmodel.dossier(pool, dossier_id)
    return DossierView.model_validate(found) if found else None


VERSION = "/procedure-versions/{version_id:uuid}"
VERSION_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/procedures",
        "draft_procedure",
        "Soạn quy trình mới (phiên bản 1)",
        ProcedureInput,
        created=True,
    ),
    CommandRoute(
        "POST",
        "/procedures/{procedure_id:uuid}/versions",
        "draft_procedure_version",
        "Soạn phiên bản mới của quy trình",
        ProcedureVersionInput,
        created=True,
    ),
    CommandRoute(
        "PUT", VERSION, "revise_procedure_version", "Sửa dự thảo phiên bản", ProcedureVersionInput
    ),
    *review_routes("procedure-versions", "version_id", "procedure_version", "phiên bản quy trình"),
    CommandRoute(
        "POST",
        f"{VERSION}/publish",
        "publish_procedure_version",
        "Ban hành phiên bản đã phê duyệt (phiên bản cũ hết hiệu lực)",
    ),
    CommandRoute(
        "POST",
        f"{VERSION}/acknowledge",
        "acknowledge_procedure_version",
        "Trưởng phòng xác nhận phòng đã đọc phiên bản đang có hiệu lực",
        AcknowledgeReadingInput,
        body_required=False,
    ),
    CommandRoute(
        "POST",
        f"{VERSION}/periodic-review",
        "record_procedure_periodic_review",
        "Ghi nhận rà soát định kỳ quy trình",
        PeriodicReviewInput,
    ),
]

DOSSIER = "/dossiers/{dossier_id:uuid}"
DOSSIER_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/dossiers",
        "file_dossier",
        "Tiếp nhận hồ sơ theo phiên bản quy trình đang có hiệu lực",
        DossierInput,
        created=True,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/complete-step",
        "complete_dossier_step",
        "Hoàn thành bước hiện tại của hồ sơ",
        CompleteStepInput,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/return",
        "return_dossier",
        "Trả hồ sơ về một bước trước, có lý do và nguyên nhân",
        ReturnDossierInput,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/supplement-request",
        "request_dossier_supplement",
        "Yêu cầu bổ sung hồ sơ (dừng tính thời hạn)",
        SupplementRequestInput,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/supplement-received",
        "receive_dossier_supplement",
        "Nhận hồ sơ bổ sung (tính tiếp thời hạn)",
        SupplementReceivedInput,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/extend-due-date",
        "extend_dossier_due_date",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả (một lần)",
        ExtendDueDateInput,
    ),
    CommandRoute(
        "POST",
        f"{DOSSIER}/archive",
        "archive_dossier",
        "Lưu trữ hồ sơ đã hoàn thành",
        ArchiveInput,
        body_required=False,
    ),
]


async def cause_raise_view(
    pool: asyncpg.Pool, raise_id: uuid.UUID
) -> CauseNonconformityView | None:
    found = await readmodel.cause_raise(pool, raise_id)
    return CauseNonconformityView.model_validate(found) if found else None


CAUSE_COMMANDS = [
    CommandRoute(
        "POST",
        "/units/{unit_id:str}/cause-nonconformities",
        "raise_cause_nonconformity",
        "Đề nghị khắc phục một nguyên nhân sản phẩm không phù hợp của quy trình trong kỳ",
        CauseNonconformityInput,
        created=True,
    ),
]

CALENDAR_COMMANDS = [
    CommandRoute(
        "POST",
        "/working-calendar/days",
        "set_working_calendar_day",
        "Đặt ngày làm bù hoặc ngày nghỉ thêm (quản trị)",
        CalendarDayInput,
    ),
    CommandRoute(
        "POST",
        "/working-calendar/days/clear",
        "clear_working_calendar_day",
        "Bỏ một ngày ngoại lệ (quản trị)",
        ClearCalendarDayInput,
    ),
]


async def calendar_days(pool: asyncpg.Pool) -> CalendarView:
    days = await readmodel.calendar(pool)
    return CalendarView(days=[CalendarDayView.model_validate(day) for day in days])


async def calendar_view(pool: asyncpg.Pool, calendar_id: uuid.UUID) -> CalendarView:
    """A calendar command answers with every exception day (there is one calendar)."""
    return await calendar_days(pool)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or today()
    start = start or date(end.year, 1, 1)
    if start > end:
        raise InvalidInput("Từ ngày phải trước đến ngày", field="start")
    return start, end


class ProceduresQueries(Controller):
    @get(VERSION, operation_id="read_procedure_version", summary="Xem phiên bản quy trình")
    async def read_version(
        self, version_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> ProcedureVersionView:
        found = visible(principal, await readmodel.version(pool, version_id))
        return ProcedureVersionView.model_validate(found)

    @get(
        "/units/{unit_id:str}/procedure-versions",
        operation_id="list_procedure_versions",
        summary="Các phiên bản quy trình của đơn vị (theo mã, mới trước)",
    )
    async def list_versions(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        status: Statuses = None,
        procedure_id: ProcedureId = None,
        q: Search = None,
    ) -> list[ProcedureVersionView]:
        principal.require(unit_id)
        found = await readmodel.versions(
            pool,
            unit_id,
            statuses=statuses(status),
            procedure_id=procedure_id,
            patterns=like_patterns(q or ""),
        )
        return [ProcedureVersionView.model_validate(item) for item in found]

    @get(DOSSIER, operation_id="read_dossier", summary="Xem hồ sơ")
    async def read_dossier(
        self, dossier_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> DossierView:
        return DossierView.model_validate(
            visible(principal, await readmodel.dossier(pool, dossier_id))
        )

    @get(
        "/units/{unit_id:str}/dossiers",
        operation_id="list_dossiers",
        summary="Hồ sơ của đơn vị (đang xử lý trước, hạn bước gần nhất trước)",
    )
    async def list_dossiers(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        status: Statuses = None,
        procedure_id: ProcedureId = None,
        department_id: Annotated[str | None, Parameter(min_length=1, max_length=80)] = None,
        overdue: Annotated[bool, Parameter(description="Chỉ hồ sơ quá hạn bước")] = False,
        q: Search = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> DossierPage:
        principal.require(unit_id)
        found, total = await readmodel.dossiers(
            pool,
            unit_id,
            statuses=statuses(status),
            procedure_id=procedure_id,
            department_id=department_id,
            overdue_on=today() if overdue else None,
            patterns=like_patterns(q or ""),
            limit=limit,
            offset=offset,
        )
        return DossierPage(dossiers=[DossierView.model_validate(d) for d in found], total=total)

    @get(
        "/units/{unit_id:str}/dossier-statistics",
        operation_id="dossier_statistics",
        summary="Thống kê hồ sơ theo quy trình và phòng trong kỳ",
    )
    async def statistics(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        start: Start = None,
        end: End = None,
    ) -> StatisticsView:
        principal.require(unit_id)
        first, last = period(start, end)
        return StatisticsView.model_validate(
            {
                "unit_id": unit_id,
                "start": first.isoformat(),
                "end": last.isoformat(),
                "as_of": today().isoformat(),
                "procedures": await readmodel.statistics(pool, unit_id, first, last, today()),
                "departments": await readmodel.department_statistics(pool, unit_id, first, last),
                **await readmodel.feedback_statistics(pool, unit_id, first, last),
            }
        )

    @get(
        "/units/{unit_id:str}/nonconforming-outputs/pareto",
        operation_id="nonconforming_output_pareto",
        summary="Pareto nguyên nhân sản phẩm không phù hợp (hồ sơ trễ, bị trả lại)",
    )
    async def pareto(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        causes: dict[str, str],
        procedure_id: ProcedureId = None,
        start: Start = None,
        end: End = None,
    ) -> list[ParetoCause]:
        principal.require(unit_id)
        first, last = period(start, end)
        found = await readmodel.pareto(pool, unit_id, first, last, procedure_id)
        return [
            ParetoCause.model_validate({**item, "label": causes.get(item["cause"], item["cause"])})
            for item in found
        ]

    @get(
        "/feedback/{feedback_id:uuid}",
        operation_id="read_feedback",
        summary="Xem phản ánh, kiến nghị",
    )
    async def read_feedback(
        self, feedback_id: uuid.UUID, principal: Principal, pool: asyncpg.Pool
    ) -> FeedbackView:
        return FeedbackView.model_validate(
            visible(principal, await readmodel.feedback(pool, feedback_id))
        )

    @get(
        "/units/{unit_id:str}/feedback",
        operation_id="list_feedback",
        summary="Phản ánh, kiến nghị của đơn vị (chưa trả lời, gần hạn trước)",
    )
    async def list_feedback(
        self,
        unit_id: UnitId,
        principal: Principal,
        pool: asyncpg.Pool,
        status: Statuses = None,
        department_id: Annotated[str | None, Parameter(min_length=1, max_length=80)] = None,
    ) -> list[FeedbackView]:
        principal.require(unit_id)
        found = await readmodel.feedback_inbox(
            pool, unit_id, statuses=statuses(status), department_id=department_id
        )
        return [FeedbackView.model_validate(item) for item in found]

    @get(
        "/working-calendar",
        operation_id="working_calendar",
        summary="Ngày ngoại lệ của lịch làm việc (làm bù, nghỉ thêm)",
    )
    async def calendar(self, principal: Principal, pool: asyncpg.Pool) -> CalendarView:
        return await calendar_days(pool)


#: Reads and commands share paths (GET and PUT a version); Litestar wants one controller.
StaffController = type(
    "ProceduresWingController",
    (ProceduresQueries,),
    {
        "path": "/api/v1",
        "tags": ["Quy trình nội bộ và hồ sơ"],
        "dependencies": COMMAND_DEPENDENCIES,
        **command_handlers(SERVICE, VERSION_COMMANDS, version_view, ProcedureVersionView),
        **command_handlers(SERVICE, DOSSIER_COMMANDS, dossier_view, DossierView),
        **command_handlers(SERVICE, CALENDAR_COMMANDS, calendar_view, CalendarView),
        **command_handlers(SERVICE, CAUSE_COMMANDS, cause_raise_view, CauseNonconformityView),
    },
)


class PublicController(Controller):
    """Anonymous portal data: only the versions in force."""

    path = "/api/v1/public/units/{unit_id:str}"
    tags = ["Cổng công khai"]

    @get(
        "/procedures",
        operation_id="public_procedures",
        summary="Quy trình đang có hiệu lực của đơn vị: các bước, thời hạn, biểu mẫu",
    )
    async def procedures(self, unit_id: UnitId, pool: asyncpg.Pool) -> list[PublicProcedureView]:
        if not await directory.unit_exists(pool, unit_id):
            raise NotFound(f"Không có đơn vị {unit_id}")
        found = await readmodel.versions(pool, unit_id, statuses=["published"])
        return [PublicProcedureView.model_validate(item) for item in found]
