"""Command bodies of the risk service: validated by the service, documented by the gateway."""

import uuid
from datetime import date

from pydantic import Field

from qms_contracts.inputs import CommandInput, RevisionInput
from qms_contracts.risk import EntryKind, Level, TreatmentOption


class MethodInput(CommandInput):
    medium_from: int = Field(ge=2, le=25, description="Điểm thấp nhất của mức 'trung bình'")
    high_from: int = Field(ge=2, le=25, description="Điểm thấp nhất của mức 'cao'")
    critical_from: int = Field(ge=2, le=25, description="Điểm thấp nhất của mức 'nghiêm trọng'")
    acceptance_level: Level = Field(description="Mức cao nhất được chấp nhận")


class PlanInput(CommandInput):
    title: str = Field(min_length=1, max_length=500)
    scope: str = Field(min_length=1, max_length=5000, description="Phạm vi đánh giá")
    objectives: str = Field(min_length=1, max_length=5000, description="Mục đích đánh giá")
    resources: str = Field(min_length=1, max_length=5000, description="Nguồn lực")
    period_start: date
    period_end: date
    method: MethodInput


class RevisePlanInput(RevisionInput):
    title: str = Field(min_length=1, max_length=500)
    scope: str = Field(min_length=1, max_length=5000)
    objectives: str = Field(min_length=1, max_length=5000)
    resources: str = Field(min_length=1, max_length=5000)
    period_start: date
    period_end: date
    method: MethodInput


class IdentifyInput(CommandInput):
    plan_id: uuid.UUID = Field(description="Kế hoạch đã phê duyệt")
    kind: EntryKind = Field(description="Rủi ro (risk) hay cơ hội (opportunity)")
    title: str = Field(min_length=1, max_length=500)
    process: str = Field(min_length=1, max_length=200, description="Quy trình liên quan")
    cause: str = Field(min_length=1, max_length=5000, description="Nguyên nhân")
    consequence: str = Field(min_length=1, max_length=5000, description="Hệ quả")
    department_id: str = Field(min_length=1, max_length=80, description="Phòng sở hữu")


class AssessInput(RevisionInput):
    likelihood: int = Field(ge=1, le=5, description="Khả năng xảy ra (1–5)")
    severity: int = Field(ge=1, le=5, description="Mức độ ảnh hưởng (1–5)")


class ActionInput(CommandInput):
    description: str = Field(min_length=1, max_length=2000)
    owner_department_id: str = Field(min_length=1, max_length=80)
    due_date: date


class TreatmentInput(RevisionInput):
    option: TreatmentOption = Field(description="Cách xử lý")
    actions: list[ActionInput] = Field(default_factory=list, max_length=50)
    monitor_on: date = Field(description="Ngày đánh giá lại chậm nhất")


class CompleteActionInput(RevisionInput):
    action_id: str = Field(min_length=1, max_length=40)
    evidence: str = Field(min_length=1, max_length=5000, description="Bằng chứng đã thực hiện")
    completed_on: date


class ReassessInput(AssessInput):
    """Residual likelihood and severity, after treatment."""


class CloseInput(RevisionInput):
    note: str = Field(default="", max_length=2000)
