"""Command bodies of the audit service: validated by the service, documented by the gateway."""

from datetime import date

from pydantic import Field

from qms_contracts.audit import FindingKind, Outcome, Source
from qms_contracts.inputs import CommandInput, RevisionInput


class ProgrammeInput(CommandInput):
    year: int = Field(ge=2000, le=2100, description="Năm của chương trình")
    objectives: str = Field(min_length=1, max_length=5000, description="Mục tiêu đánh giá")
    scope: str = Field(min_length=1, max_length=5000, description="Phạm vi")
    criteria: str = Field(min_length=1, max_length=5000, description="Chuẩn mực đánh giá")
    department_ids: list[str] = Field(min_length=1, max_length=100, description="Các phòng")
    period_start: date
    period_end: date
    planned_rounds: int = Field(ge=1, le=12, description="Số đợt đánh giá dự kiến")


class ReviseProgrammeInput(RevisionInput, ProgrammeInput):
    """The whole programme again, on the version seen."""


class AuditorInput(CommandInput):
    sub: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    department_id: str = Field(min_length=1, max_length=80, description="Phòng của đánh giá viên")


class ChecklistItemInput(CommandInput):
    clause: str = Field(min_length=1, max_length=40, description="Điều khoản ISO 9001")
    question: str = Field(min_length=1, max_length=2000)


class VisitInput(CommandInput):
    department_id: str = Field(min_length=1, max_length=80, description="Phòng được đánh giá")
    day: date
    slot: str = Field(min_length=1, max_length=40, description="Khung giờ, ví dụ 08:00–10:00")
    lead: AuditorInput = Field(description="Trưởng đoàn")
    team: list[AuditorInput] = Field(default_factory=list, max_length=20)
    auditees: list[str] = Field(
        default_factory=list, max_length=50, description="Người được đánh giá"
    )
    criteria: str = Field(min_length=1, max_length=5000)
    checklist: list[ChecklistItemInput] = Field(default_factory=list, max_length=200)


class AuditPlanInput(CommandInput):
    round: int = Field(ge=1, le=100, description="Đợt đánh giá")
    visits: list[VisitInput] = Field(min_length=1, max_length=100)


class ReviseAuditPlanInput(RevisionInput, AuditPlanInput):
    """The whole plan again, on the version seen."""


class FindingInput(RevisionInput):
    department_id: str = Field(min_length=1, max_length=80)
    kind: FindingKind = Field(
        description="Phù hợp, không phù hợp nặng/nhẹ, khuyến nghị, cơ hội cải tiến"
    )
    clause: str = Field(
        default="", max_length=40, description="Điều khoản (bắt buộc với điểm không phù hợp)"
    )
    evidence: str = Field(min_length=1, max_length=5000, description="Bằng chứng")


class AcknowledgeInput(RevisionInput):
    note: str = Field(default="", max_length=2000)


class ConcludeInput(RevisionInput):
    outcome: Outcome = Field(
        description="Xác nhận kết quả, hành động cải tiến, hay đánh giá bổ sung"
    )
    note: str = Field(default="", max_length=5000)


class NonconformityInput(CommandInput):
    source: Source = Field(
        description="Nguồn: khiếu nại, xem xét của lãnh đạo, theo dõi quá trình…"
    )
    department_id: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=5000)
    clause: str = Field(default="", max_length=40)


class CorrectiveActionInput(RevisionInput):
    correction: str = Field(min_length=1, max_length=5000, description="Khắc phục tức thời")
    root_cause: str = Field(min_length=1, max_length=5000, description="Nguyên nhân gốc")
    action: str = Field(min_length=1, max_length=5000, description="Hành động khắc phục")
    owner_department_id: str = Field(min_length=1, max_length=80)
    due_date: date


class ImplementInput(RevisionInput):
    evidence: str = Field(min_length=1, max_length=5000)
    implemented_on: date


class VerifyInput(RevisionInput):
    effective: bool = Field(description="Hành động khắc phục có hiệu lực không")
    note: str = Field(min_length=1, max_length=5000)
    verified_on: date


class CloseNonconformityInput(RevisionInput):
    note: str = Field(default="", max_length=2000)
