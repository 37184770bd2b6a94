"""HTTP API of the review service (called by the gateway with the caller's token)."""

import asyncio
import uuid
from datetime import date
from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, post, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, Field

from qms_contracts import event_id
from qms_contracts import review as contract
from qms_contracts.inputs import CommandReply, ReturnInput
from qms_contracts.review_commands import (
    CompleteReviewActionInput,
    ConclusionInput,
    ConsolidateInput,
    MeetingInput,
    NoticeContentInput,
    NoticeInput,
    ReportInput,
    ReviseNoticeInput,
    VerifyActionInput,
)
from qms_contracts.review_reads import (
    AgendaEvidence,
    IsoReport,
    PreviousAction,
    ReportView,
    ReviewEvidence,
    ReviewHeld,
    YearEvidence,
)
from qms_review.application import ReviewApplication
from qms_review.domain import (
    AgendaItem,
    FollowUpAction,
    ManagementReview,
    Meeting,
    NoticeContent,
    Output,
    Report,
)
from qms_review.evidence import year_evidence
from qms_runtime.command_routes import COMMAND_DEPENDENCIES, UnitId, expected_version, reply
from qms_runtime.commands import CommandContext
from qms_runtime.principal import Principal
from qms_runtime.review.api import review_controller

REVIEWS_TAG = "Xem xét của lãnh đạo"
REPORT_TAG = "Báo cáo ISO hằng năm"

OutputId = Annotated[
    str, Parameter(pattern=r"^o[1-9][0-9]{0,2}$", description="Mã đầu ra (o1, o2…)")
]
Year = Annotated[int, Parameter(ge=2000, le=2100, description="Năm")]


def _notice(data: NoticeContentInput) -> NoticeContent:
    return NoticeContent(
        title=data.title,
        agenda=tuple(
            AgendaItem(item.topic, tuple(item.department_ids), item.guidance)
            for item in data.agenda
        ),
        report_deadline=data.report_deadline,
        meeting_date=data.meeting_date,
    )


def _outputs(data: ConclusionInput) -> tuple[Output, ...]:
    return tuple(
        Output(
            kind=o.kind,
            description=o.description,
            action=FollowUpAction(o.action.owner_department_id, o.action.due_date)
            if o.action
            else None,
            corrective_action_needed=o.corrective_action_needed,
            department_id=o.department_id,
        )
        for o in data.outputs
    )


# What a read answers


class MeetingView(BaseModel):
    held_on: date
    chair: str
    participants: list[str]
    minutes: str


class ActionView(BaseModel):
    output_id: str
    status: str = Field(description="open, done, verified")
    evidence: str
    completed_on: date | None
    completed_by: str | None
    verified_by: str | None
    note: str


class ReviewView(BaseModel):
    id: uuid.UUID
    version: int
    unit_id: str
    year: int
    round: int
    status: str = Field(
        description="draft, submitted, returned, approved, issued, consolidated, meeting_held, "
        "conclusion_drafted, conclusion_returned, concluded"
    )
    title: str
    agenda: list[contract.AgendaItem]
    report_deadline: date
    meeting_date: date
    return_reason: str | None
    expected_reports: list[contract.ExpectedReport]
    reports: list[ReportView]
    consolidation_summary: str
    missing_reports: list[contract.ExpectedReport]
    meeting: MeetingView | None
    conclusion_summary: str
    outputs: list[contract.ReviewOutput]
    conclusion_return_reason: str | None
    actions: list[ActionView]


def review_view(review: ManagementReview) -> ReviewView:
    content = review.content
    return ReviewView(
        id=review.id,
        version=review.version,
        unit_id=review.unit_id,
        year=review.year,
        round=review.round,
        status=str(review.status),
        title=content.title,
        agenda=[
            contract.AgendaItem.model_validate(i, from_attributes=True) for i in content.agenda
        ],
        report_deadline=content.report_deadline,
        meeting_date=content.meeting_date,
        return_reason=review.return_reason,
        expected_reports=[
            contract.ExpectedReport.model_validate(e, from_attributes=True)
            for e in content.expected_reports()
        ],
        reports=[
            ReportView.model_validate(r, from_attributes=True) for r in review.reports.values()
        ],
        consolidation_summary=review.consolidation_summary,
        missing_reports=[
            contract.ExpectedReport.model_validate(e, from_attributes=True)
            for e in review.missing_reports
        ],
        meeting=MeetingView.model_validate(review.meeting, from_attributes=True)
        if review.meeting
        else None,
        conclusion_summary=review.conclusion_summary,
        outputs=[
            contract.ReviewOutput.model_validate(o, from_attributes=True) for o in review.outputs
        ],
        conclusion_return_reason=review.conclusion_return_reason,
        actions=[
            ActionView.model_validate(
                {**vars(progress), "output_id": output_id, "status": str(progress.status)}
            )
            for output_id, progress in review.actions.items()
        ],
    )


def _previous_actions(earlier: list[ManagementReview]) -> list[PreviousAction]:
    actions = []
    for review in earlier:
        assert review.concluded_version is not None
        for output in review.outputs:
            if output.action is None:
                continue
            progress = review.actions[output.output_id]
            versions = (
                review.concluded_version,
                progress.completed_version,
                progress.verified_version,
            )
            actions.append(
                PreviousAction(
                    review_id=review.id,
                    year=review.year,
                    round=review.round,
                    output_id=output.output_id,
                    description=output.description,
                    owner_department_id=output.action.owner_department_id,
                    due_date=output.action.due_date,
                    status=str(progress.status),
                    event_ids=[event_id(review.id, v) for v in versions if v is not None],
                )
            )
    return actions


def review_evidence(
    review: ManagementReview, earlier: list[ManagementReview], pack: YearEvidence
) -> ReviewEvidence:
    def item(agenda_item: AgendaItem) -> AgendaEvidence:
        reports = [r for r in review.reports.values() if r.topic == agenda_item.topic]
        topic = agenda_item.topic
        return AgendaEvidence(
            topic=topic,
            department_ids=list(agenda_item.department_ids),
            guidance=agenda_item.guidance,
            reports=[ReportView.model_validate(r, from_attributes=True) for r in reports],
            missing_departments=[
                d for d in agenda_item.department_ids if d not in {r.department_id for r in reports}
            ],
            previous_actions=_previous_actions(earlier) if topic == "previous_actions" else None,
            context_changes=[d for d in pack.documents.published if d.kind == "context"]
            if topic == "changes_in_issues"
            else None,
            objectives=pack.objectives if topic == "objective_achievement" else None,
            nonconformities=pack.nonconformities if topic == "nonconformities" else None,
            audits=pack.audits if topic == "audit_results" else None,
        )

    return ReviewEvidence(
        review_id=review.id,
        unit_id=review.unit_id,
        year=review.year,
        round=review.round,
        agenda=[item(agenda_item) for agenda_item in review.content.agenda],
        pack=pack,
    )


def reviews_held(reviews: list[ManagementReview]) -> list[ReviewHeld]:
    held = []
    for review in reviews:
        if review.meeting is None or review.meeting_version is None:
            continue
        versions = (review.meeting_version, review.concluded_version)
        held.append(
            ReviewHeld(
                review_id=review.id,
                round=review.round,
                held_on=review.meeting.held_on,
                concluded=review.concluded_version is not None,
                outputs=len(review.outputs) if review.concluded_version is not None else 0,
                event_ids=[event_id(review.id, v) for v in versions if v is not None],
            )
        )
    return held


class ReviewsController(Controller):
    path = "/api/v1"
    tags = [REVIEWS_TAG]
    dependencies = COMMAND_DEPENDENCIES

    @post(
        "/units/{unit_id:str}/reviews",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        operation_id="draft_review_notice",
        summary="Soạn thông báo họp xem xét của lãnh đạo (chương trình, phòng báo cáo, hạn)",
    )
    def draft(
        self,
        unit_id: UnitId,
        data: NoticeInput,
        context: CommandContext,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        result = application.draft_notice(context, unit_id, data.year, _notice(data))
        return reply(result, HTTP_201_CREATED)

    @put(
        "/reviews/{review_id:uuid}",
        sync_to_thread=True,
        operation_id="revise_review_notice",
        summary="Sửa thông báo họp xem xét",
    )
    def revise(
        self,
        review_id: uuid.UUID,
        data: ReviseNoticeInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.revise_notice(context, review_id, version, _notice(data)))

    @post(
        "/reviews/{review_id:uuid}/issue",
        status_code=200,
        sync_to_thread=True,
        operation_id="issue_review_notice",
        summary="Gửi thông báo đã duyệt đến các phòng",
    )
    def issue(
        self,
        review_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        return reply(application.issue_notice(context, review_id, expected))

    @post(
        "/reviews/{review_id:uuid}/reports",
        status_code=200,
        sync_to_thread=True,
        operation_id="submit_department_report",
        summary="Lãnh đạo phòng gửi báo cáo một nội dung của chương trình họp",
    )
    def submit_report(
        self,
        review_id: uuid.UUID,
        data: ReportInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        report = Report(data.department_id, data.topic, data.content)
        return reply(application.submit_report(context, review_id, version, report))

    @put(
        "/reviews/{review_id:uuid}/reports",
        sync_to_thread=True,
        operation_id="revise_department_report",
        summary="Lãnh đạo phòng sửa báo cáo đã gửi (trước khi tổng hợp)",
    )
    def revise_report(
        self,
        review_id: uuid.UUID,
        data: ReportInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        report = Report(data.department_id, data.topic, data.content)
        return reply(application.revise_report(context, review_id, version, report))

    @post(
        "/reviews/{review_id:uuid}/consolidate",
        status_code=200,
        sync_to_thread=True,
        operation_id="consolidate_review",
        summary="Tổng hợp báo cáo (đủ báo cáo, hoặc đã quá hạn: ghi các báo cáo còn thiếu)",
    )
    def consolidate(
        self,
        review_id: uuid.UUID,
        data: ConsolidateInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.consolidate(context, review_id, version, data.summary))

    @post(
        "/reviews/{review_id:uuid}/meeting",
        status_code=200,
        sync_to_thread=True,
        operation_id="record_review_meeting",
        summary="Ghi biên bản cuộc họp xem xét (ngày, thành phần, nội dung)",
    )
    def meeting(
        self,
        review_id: uuid.UUID,
        data: MeetingInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        meeting = Meeting(data.held_on, data.chair, tuple(data.participants), data.minutes)
        return reply(application.hold_meeting(context, review_id, version, meeting))

    @put(
        "/reviews/{review_id:uuid}/conclusion",
        sync_to_thread=True,
        operation_id="draft_review_conclusion",
        summary="Soạn (hoặc soạn lại) kết luận với các đầu ra 9.3.3",
    )
    def draft_conclusion(
        self,
        review_id: uuid.UUID,
        data: ConclusionInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.draft_conclusion(
                context,
                review_id,
                expected_version(expected, data.expected_version),
                summary=data.summary,
                outputs=_outputs(data),
            )
        )

    @post(
        "/reviews/{review_id:uuid}/conclusion/approve",
        status_code=200,
        sync_to_thread=True,
        operation_id="approve_review_conclusion",
        summary="Lãnh đạo đơn vị phê duyệt kết luận xem xét",
    )
    def approve_conclusion(
        self,
        review_id: uuid.UUID,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        return reply(application.approve_conclusion(context, review_id, expected))

    @post(
        "/reviews/{review_id:uuid}/conclusion/return",
        status_code=200,
        sync_to_thread=True,
        operation_id="return_review_conclusion",
        summary="Trả lại kết luận kèm lý do",
    )
    def return_conclusion(
        self,
        review_id: uuid.UUID,
        data: ReturnInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(application.return_conclusion(context, review_id, version, data.reason))

    @post(
        "/reviews/{review_id:uuid}/actions/{output_id:str}/complete",
        status_code=200,
        sync_to_thread=True,
        operation_id="complete_review_action",
        summary="Ghi nhận hoàn thành hành động (phòng thực hiện hoặc thư ký ISO)",
    )
    def complete_action(
        self,
        review_id: uuid.UUID,
        output_id: OutputId,
        data: CompleteReviewActionInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.complete_action(
                context,
                review_id,
                expected_version(expected, data.expected_version),
                output_id=output_id,
                evidence=data.evidence,
                completed_on=data.completed_on,
            )
        )

    @post(
        "/reviews/{review_id:uuid}/actions/{output_id:str}/verify",
        status_code=200,
        sync_to_thread=True,
        operation_id="verify_review_action",
        summary="Thư ký ISO hoặc lãnh đạo đơn vị xác nhận hành động đã hoàn thành",
    )
    def verify_action(
        self,
        review_id: uuid.UUID,
        output_id: OutputId,
        data: VerifyActionInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewApplication,
    ) -> Response[CommandReply]:
        return reply(
            application.verify_action(
                context,
                review_id,
                expected_version(expected, data.expected_version),
                output_id=output_id,
                note=data.note,
            )
        )

    @get(
        "/reviews/{review_id:uuid}",
        sync_to_thread=True,
        operation_id="read_review",
        summary="Xem cuộc xem xét của lãnh đạo (từ kho sự kiện)",
    )
    def read(
        self, review_id: uuid.UUID, principal: Principal, application: ReviewApplication
    ) -> ReviewView:
        return review_view(application.read(principal, ManagementReview, review_id))

    @get(
        "/reviews/{review_id:uuid}/evidence",
        operation_id="read_review_evidence",
        summary="Bằng chứng đầu vào của cuộc xem xét, bên cạnh từng nội dung của chương trình họp",
    )
    async def evidence(
        self,
        review_id: uuid.UUID,
        principal: Principal,
        application: ReviewApplication,
        pool: asyncpg.Pool,
    ) -> ReviewEvidence:
        # The event store is read synchronously: off the event loop.
        review = await asyncio.to_thread(application.read, principal, ManagementReview, review_id)
        earlier = await asyncio.to_thread(application.earlier_reviews, review)
        pack = await year_evidence(pool, review.unit_id, review.year)
        return review_evidence(review, earlier, pack)


class IsoReportController(Controller):
    path = "/api/v1"
    tags = [REPORT_TAG]

    @get(
        "/units/{unit_id:str}/iso-report/{year:int}",
        operation_id="read_iso_report",
        summary="Số liệu của báo cáo hoạt động ISO trong năm, kèm các sự kiện làm căn cứ",
    )
    async def read(
        self,
        unit_id: UnitId,
        year: Year,
        principal: Principal,
        application: ReviewApplication,
        pool: asyncpg.Pool,
    ) -> IsoReport:
        reviews = await asyncio.to_thread(application.reviews_of_year, principal, unit_id, year)
        pack = await year_evidence(pool, unit_id, year)
        return IsoReport(**dict(pack), reviews_held=reviews_held(reviews))


ROUTES: list[type[Controller]] = [
    ReviewsController,
    review_controller(
        ManagementReview,
        path="/api/v1/reviews",
        id_name="review_id",
        tag=REVIEWS_TAG,
        operation="review_notice",
    ),
    IsoReportController,
]
