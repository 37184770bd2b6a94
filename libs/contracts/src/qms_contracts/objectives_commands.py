"""Command bodies of the objectives service: validated by the service, documented by the gateway."""

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from qms_contracts.inputs import CommandInput, RevisionInput


class IndicatorSourceInput(CommandInput):
    """A statistic of the unit that records the target's progress by itself."""

    kind: Literal["dossiers_on_time", "satisfaction"] = Field(
        description="dossiers_on_time: tỷ lệ hồ sơ đúng hạn; satisfaction: tỷ lệ hài lòng"
    )
    procedure_id: uuid.UUID | None = Field(
        default=None, description="Chỉ tính một quy trình; bỏ trống: mọi quy trình của đơn vị"
    )


class TargetInput(CommandInput):
    target_id: str | None = Field(
        default=None, max_length=40, description="Giữ mã cũ khi sửa một chỉ tiêu"
    )
    statement: str = Field(min_length=1, max_length=2000, description="Nội dung chỉ tiêu")
    indicator: str = Field(min_length=1, max_length=500, description="Chỉ số đo")
    target_value: float = Field(description="Giá trị cần đạt")
    unit_of_measure: str = Field(min_length=1, max_length=40, description="Đơn vị đo, ví dụ %")
    direction: Literal["at_least", "at_most"] = Field(
        default="at_least", description="Đạt khi giá trị đo ≥ (at_least) hoặc ≤ (at_most)"
    )
    deadline: date
    department_id: str = Field(min_length=1, max_length=80, description="Phòng chịu trách nhiệm")
    action_plan: str = Field(min_length=1, max_length=5000, description="Kế hoạch thực hiện")
    source: IndicatorSourceInput | None = Field(
        default=None,
        description="Nguồn số liệu tự động (năm của mục tiêu); bỏ trống: cập nhật tiến độ bằng tay",
    )


class DraftObjectiveInput(CommandInput):
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=500)
    targets: list[TargetInput] = Field(min_length=1, max_length=50)


class ReviseObjectiveInput(RevisionInput):
    title: str = Field(min_length=1, max_length=500)
    targets: list[TargetInput] = Field(min_length=1, max_length=50)


class DisseminateInput(RevisionInput):
    department_ids: list[str] = Field(min_length=1, max_length=100)


class ProgressInput(RevisionInput):
    value: float = Field(allow_inf_nan=False, description="Giá trị đo được")
    as_of: date = Field(description="Ngày của số liệu")
    note: str = Field(default="", max_length=2000)


class EvaluateInput(RevisionInput):
    achieved: dict[str, bool] = Field(
        default_factory=dict,
        max_length=50,
        description="Ghi đè kết quả đo của một số chỉ tiêu (mã chỉ tiêu → đạt/không đạt)",
    )
    note: str = Field(default="", max_length=2000)


class DocumentInput(CommandInput):
    title: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=100_000)


class ReviseDocumentInput(RevisionInput):
    title: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=100_000)
