"""Command bodies of the procedures service: validated by the service, documented by the gateway."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field

from qms_contracts.inputs import CommandInput, RevisionInput


def _this_century(value: date) -> date:
    """Dates a working calendar can count (and a time zone can shift): this century."""
    day = value.date() if isinstance(value, datetime) else value
    if not date(2000, 1, 2) <= day <= date(2099, 12, 30):
        raise ValueError("phải trong khoảng 02/01/2000 đến 30/12/2099")
    return value


Day = Annotated[date, AfterValidator(_this_century)]
Moment = Annotated[AwareDatetime, AfterValidator(_this_century)]


class StepInput(CommandInput):
    name: str = Field(min_length=1, max_length=300, description="Tên bước")
    department_id: str = Field(
        default="", max_length=80, description="Phòng thực hiện (để trống nếu theo vai trò)"
    )
    role: str = Field(default="", max_length=40, description="Vai trò thực hiện khi không có phòng")
    working_days: int = Field(ge=1, le=250, description="Thời hạn, ngày làm việc")


class FormInput(CommandInput):
    name: str = Field(min_length=1, max_length=300, description="Tên biểu mẫu")
    code: str = Field(min_length=1, max_length=40, description="Mã biểu mẫu")
    version: str = Field(min_length=1, max_length=20, description="Lần ban hành của biểu mẫu")
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 của tệp đã tải lên (/form-files)"
    )
    size: int = Field(ge=0, description="Kích thước tệp, byte")


class _ProcedureContentFields(CommandInput):
    name: str = Field(min_length=1, max_length=500, description="Tên quy trình")
    scope: str = Field(min_length=1, max_length=5000, description="Phạm vi áp dụng")
    steps: list[StepInput] = Field(min_length=1, max_length=60)
    forms: list[FormInput] = Field(default_factory=list, max_length=60)
    review_on: Day = Field(description="Hạn rà soát định kỳ")


class ProcedureInput(_ProcedureContentFields):
    """A new procedure code of a unit and its first version, as a draft."""

    code: str = Field(
        min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_/]*$", description="Mã"
    )


class ProcedureVersionInput(_ProcedureContentFields, RevisionInput):
    """A procedure's next version (a draft), or a draft's revision."""


class AcknowledgeReadingInput(RevisionInput):
    """The signed-in department leader's department has read the version in force."""


class PeriodicReviewInput(RevisionInput):
    note: str = Field(min_length=1, max_length=5000, description="Kết quả rà soát")
    next_review_on: Day = Field(description="Hạn rà soát lần sau")


class CalendarDayInput(CommandInput):
    day: Day
    working: bool = Field(description="true: ngày làm bù; false: ngày nghỉ thêm")
    reason: str = Field(min_length=1, max_length=500)


class ClearCalendarDayInput(CommandInput):
    day: Day


class DossierInput(CommandInput):
    version_id: uuid.UUID = Field(description="Phiên bản quy trình đang có hiệu lực")
    subject: str = Field(min_length=1, max_length=1000, description="Nội dung hồ sơ")
    applicant_name: str = Field(min_length=1, max_length=300, description="Người nộp")
    applicant_contact: str = Field(
        min_length=1, max_length=300, description="Điện thoại hoặc thư điện tử của người nộp"
    )
    received_at: Moment = Field(description="Thời điểm tiếp nhận, có múi giờ")


class CompleteStepInput(RevisionInput):
    note: str = Field(default="", max_length=5000, description="Ghi chú kết quả bước")
    done_on: Day
    cause: str | None = Field(
        default=None, max_length=40, description="Nguyên nhân, bắt buộc khi bước trễ hạn"
    )


class ReturnDossierInput(RevisionInput):
    step: int = Field(ge=0, description="Chỉ số bước được trả về (bước trước bước hiện tại)")
    reason: str = Field(min_length=1, max_length=2000)
    cause: str = Field(min_length=1, max_length=40)


class SupplementRequestInput(RevisionInput):
    reason: str = Field(min_length=1, max_length=2000, description="Thành phần cần bổ sung")


class SupplementReceivedInput(RevisionInput):
    received_at: Moment


class ExtendDueDateInput(RevisionInput):
    """The apology letter: a new return date, once per dossier."""

    new_due_on: Day
    reason: str = Field(min_length=1, max_length=2000, description="Lý do chậm trả kết quả")


class ArchiveInput(RevisionInput):
    pass


class CauseNonconformityInput(CommandInput):
    """One cause of a procedure's nonconforming outputs over a period, raised for corrective
    action (the secretary; internal audit opens the nonconformity)."""

    procedure_id: uuid.UUID
    cause: str = Field(min_length=1, max_length=40, description="Mã nguyên nhân")
    start: Day = Field(description="Kỳ xem xét: từ ngày")
    end: Day = Field(description="Kỳ xem xét: đến ngày")
    department_id: str = Field(
        min_length=1, max_length=80, description="Phòng thực hiện hành động khắc phục"
    )
    description: str = Field(min_length=1, max_length=5000, description="Sự không phù hợp")


# Citizens' feedback and satisfaction (sent from the public portal without signing in)


class FeedbackInput(CommandInput):
    """A complaint or suggestion about the unit, one of its procedures or a dossier."""

    kind: Literal["complaint", "suggestion"] = Field(description="Phản ánh hoặc kiến nghị")
    subject_kind: Literal["unit", "procedure", "dossier"] = Field(
        description="Về đơn vị, một thủ tục (mã quy trình) hay một hồ sơ (mã hồ sơ)"
    )
    subject_ref: str = Field(
        default="", max_length=40, description="Mã quy trình hoặc mã hồ sơ; trống nếu về đơn vị"
    )
    title: str = Field(min_length=1, max_length=500, description="Tiêu đề")
    content: str = Field(min_length=1, max_length=5000, description="Nội dung")
    sender_name: str = Field(min_length=1, max_length=300, description="Họ tên người gửi")
    sender_contact: str = Field(
        min_length=1, max_length=300, description="Điện thoại hoặc thư điện tử để đơn vị trả lời"
    )


class AssignFeedbackInput(RevisionInput):
    department_id: str = Field(min_length=1, max_length=80, description="Phòng được giao")


class AnswerFeedbackInput(RevisionInput):
    text: str = Field(min_length=1, max_length=5000, description="Nội dung trả lời")
    answered_on: Day = Field(description="Ngày trả lời")
    publish: bool = Field(default=False, description="Công khai câu trả lời trên cổng")


class PublishFeedbackAnswerInput(RevisionInput):
    """Make an answer public later."""


class ComplaintNonconformityInput(RevisionInput):
    description: str = Field(
        min_length=1, max_length=5000, description="Sự không phù hợp cần khắc phục"
    )


#: What a rating with a wrong dossier code or secret is told: the same either way, so that
#: nobody learns which codes exist.
WRONG_RATING_CODE = "Mã hồ sơ hoặc mã đánh giá không đúng"


class DossierRatingInput(CommandInput):
    """A citizen's rating of a dossier's result, proved by the secret printed on it."""

    secret: str = Field(
        min_length=1, max_length=40, description="Mã đánh giá in trên phiếu trả kết quả"
    )
    level: Literal["satisfied", "acceptable", "not_satisfied"] = Field(
        description="Hài lòng, chấp nhận được hoặc không hài lòng"
    )
    comment: str = Field(default="", max_length=2000, description="Ý kiến (không bắt buộc)")


class RatingInput(DossierRatingInput):
    """The same, naming the dossier by its code (the portal's form)."""

    code: str = Field(min_length=1, max_length=40, description="Mã hồ sơ")
