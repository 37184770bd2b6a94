"""Command bodies of the review service: validated by the service, documented by the gateway."""

from datetime import date
from typing import Annotated

from pydantic import Field

from qms_contracts.inputs import CommandInput, RevisionInput
from qms_contracts.review import AgendaTopic, OutputKind


class AgendaItemInput(CommandInput):
    topic: AgendaTopic = Field(
        description="Nội dung xem xét theo 9.3.2: hành động lần trước, thay đổi vấn đề nội bộ và "
        "bên ngoài, mục tiêu chất lượng, kết quả đánh giá nội bộ…"
    )
    department_ids: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list,
        max_length=100,
        description="Các phòng phải gửi báo cáo về nội dung này",
    )
    guidance: str = Field(default="", max_length=2000, description="Yêu cầu đối với báo cáo")


class NoticeContentInput(CommandInput):
    title: str = Field(min_length=1, max_length=500, description="Tiêu đề thông báo họp xem xét")
    agenda: list[AgendaItemInput] = Field(
        min_length=1, max_length=12, description="Chương trình họp: các nội dung xem xét"
    )
    report_deadline: date = Field(description="Hạn các phòng gửi báo cáo")
    meeting_date: date = Field(description="Ngày họp dự kiến")


class NoticeInput(NoticeContentInput):
    year: int = Field(ge=2000, le=2100, description="Năm xem xét của lãnh đạo")


class ReviseNoticeInput(RevisionInput, NoticeContentInput):
    """The whole notice again (its year stays), on the version seen."""


class ReportInput(RevisionInput):
    department_id: str = Field(min_length=1, max_length=80, description="Phòng báo cáo")
    topic: AgendaTopic = Field(description="Nội dung của chương trình họp mà báo cáo trả lời")
    content: str = Field(min_length=1, max_length=20_000, description="Nội dung báo cáo")


class ConsolidateInput(RevisionInput):
    summary: str = Field(
        min_length=1, max_length=20_000, description="Tổng hợp báo cáo của các phòng"
    )


class MeetingInput(RevisionInput):
    held_on: date = Field(description="Ngày họp")
    chair: str = Field(min_length=1, max_length=200, description="Người chủ trì")
    participants: list[str] = Field(min_length=1, max_length=200, description="Thành phần tham dự")
    minutes: str = Field(min_length=1, max_length=50_000, description="Biên bản cuộc họp")


class FollowUpActionInput(CommandInput):
    owner_department_id: str = Field(
        min_length=1, max_length=80, description="Phòng thực hiện hành động"
    )
    due_date: date = Field(description="Hạn hoàn thành")


class OutputInput(CommandInput):
    kind: OutputKind = Field(
        description="Cơ hội cải tiến, thay đổi hệ thống quản lý chất lượng, hay nhu cầu nguồn lực"
    )
    description: str = Field(min_length=1, max_length=5000, description="Nội dung kết luận")
    action: FollowUpActionInput | None = Field(
        default=None, description="Hành động cần thực hiện, nếu có"
    )
    corrective_action_needed: bool = Field(
        default=False, description="Cần mở sự không phù hợp và hành động khắc phục"
    )
    department_id: str | None = Field(
        default=None,
        max_length=80,
        description="Phòng liên quan (bắt buộc khi cần hành động khắc phục)",
    )


class ConclusionInput(RevisionInput):
    summary: str = Field(min_length=1, max_length=20_000, description="Kết luận chung")
    outputs: list[OutputInput] = Field(
        min_length=1, max_length=100, description="Các đầu ra của xem xét (9.3.3)"
    )


class CompleteReviewActionInput(RevisionInput):
    evidence: str = Field(min_length=1, max_length=5000, description="Bằng chứng đã thực hiện")
    completed_on: date = Field(description="Ngày hoàn thành")


class VerifyActionInput(RevisionInput):
    note: str = Field(min_length=1, max_length=5000, description="Nhận xét khi xác nhận")
