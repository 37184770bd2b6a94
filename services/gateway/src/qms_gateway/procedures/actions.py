"""What a person may do to a procedure version or a dossier in its state: the pages offer these.

The procedures service decides (and answers 403 or 409 to anything else); these rules only keep
the pages from offering what it would refuse.
"""

from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import procedures as contract
from qms_gateway.frame.reviewed import review_actions
from qms_runtime.principal import (
    ADMIN,
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    STAFF,
    UNIT_LEADER,
    Principal,
)

EVENT_LABELS: dict[type[IntegrationEvent], str] = {
    contract.ProcedureVersionDrafted: "Soạn thảo",
    contract.ProcedureVersionRevised: "Sửa dự thảo",
    contract.ProcedureVersionSubmitted: "Trình phê duyệt",
    contract.ProcedureVersionReturned: "Trả lại để sửa",
    contract.ProcedureVersionApproved: "Phê duyệt",
    contract.ProcedurePublished: "Ban hành",
    contract.ProcedureObsoleted: "Hết hiệu lực (có phiên bản mới)",
    contract.ProcedureReadAcknowledged: "Phòng xác nhận đã đọc",
    contract.ProcedurePeriodicReviewRecorded: "Rà soát định kỳ",
    contract.WorkingCalendarOpened: "Lập bảng ngày ngoại lệ",
    contract.WorkingCalendarDaySet: "Đặt ngày ngoại lệ",
    contract.WorkingCalendarDayCleared: "Bỏ ngày ngoại lệ",
    contract.DossierFiled: "Tiếp nhận",
    contract.DossierStepCompleted: "Hoàn thành bước",
    contract.DossierReturned: "Trả về bước trước",
    contract.DossierSupplementRequested: "Yêu cầu bổ sung",
    contract.DossierSupplementReceived: "Nhận bổ sung",
    contract.DossierDueDateExtended: "Phiếu xin lỗi, hẹn lại ngày trả",
    contract.NonconformingOutputRecorded: "Ghi nhận sản phẩm không phù hợp",
    contract.DossierCompleted: "Hoàn thành hồ sơ",
    contract.DossierArchived: "Lưu trữ",
    contract.FeedbackReceived: "Tiếp nhận phản ánh, kiến nghị",
    contract.FeedbackAssigned: "Giao phòng trả lời",
    contract.FeedbackAnswered: "Trả lời",
    contract.FeedbackAnswerPublished: "Công khai câu trả lời",
    contract.ComplaintNonconformityRaised: "Mở sự không phù hợp từ khiếu nại",
    contract.SatisfactionRated: "Đánh giá mức độ hài lòng",
}

#: Who files a dossier at the unit's desk (the service's FILERS).
FILERS = frozenset({STAFF, DEPARTMENT_LEADER, ISO_SECRETARY})


def may_draft(principal: Principal, unit_id: str) -> bool:
    """Who drafts a new procedure of the unit (the service: the kit's drafter roles)."""
    return principal.can_act_in(unit_id) and ISO_SECRETARY in principal.roles


def may_file(principal: Principal, unit_id: str) -> bool:
    """Who files a dossier of the unit at its desk."""
    return principal.can_act_in(unit_id) and bool(principal.roles & FILERS)


def may_edit_calendar(principal: Principal) -> bool:
    """Only an admin sets or clears a day of the (national) working calendar."""
    return ADMIN in principal.roles


def version_actions(principal: Principal, version: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, version)
    if not principal.can_act_in(version["unit_id"]):
        return allowed
    status = version["status"]
    secretary = ISO_SECRETARY in principal.roles
    if secretary and status == "approved":
        allowed.add("publish")
    if status == "published":
        if secretary:
            allowed |= {"periodic_review", "new_version", "file"}
        elif principal.roles & FILERS:
            allowed.add("file")
        department = principal.department_id
        if (
            DEPARTMENT_LEADER in principal.roles
            and department in version["departments"]
            and department not in version["acknowledged"]
        ):
            allowed.add("acknowledge")
    return allowed


def handles_step(principal: Principal, dossier: dict[str, Any]) -> bool:
    """The current step's department (its staff and leader), or the role it names; the
    secretary steps in for anyone."""
    if ISO_SECRETARY in principal.roles:
        return True
    if dossier["step_department"]:
        return principal.department_id == dossier["step_department"] and bool(
            principal.roles & {STAFF, DEPARTMENT_LEADER}
        )
    return dossier["step_role"] in principal.roles


def dossier_actions(principal: Principal, dossier: dict[str, Any]) -> set[str]:
    if not principal.can_act_in(dossier["unit_id"]):
        return set()
    status = dossier["status"]
    allowed: set[str] = set()
    if status == "processing" and handles_step(principal, dossier):
        allowed |= {"complete_step", "supplement_request"}
        if dossier["current_step"] > 0:
            allowed.add("return")
    open_ = status in ("processing", "supplement_requested")
    if open_ and not dossier["extended"] and handles_step(principal, dossier):
        allowed.add("extend_due_date")
    if principal.roles & FILERS:
        if status == "supplement_requested":
            allowed.add("supplement_received")
        if status == "completed":
            allowed.add("archive")
    return allowed


def _answers_feedback(principal: Principal, item: dict[str, Any]) -> bool:
    """The secretary, or the staff and leader of the department it is assigned to."""
    if ISO_SECRETARY in principal.roles:
        return True
    return bool(
        item["department_id"]
        and principal.department_id == item["department_id"]
        and principal.roles & {STAFF, DEPARTMENT_LEADER}
    )


def feedback_actions(principal: Principal, item: dict[str, Any]) -> set[str]:
    """What the service lets a person do to a feedback in its state."""
    if not principal.can_act_in(item["unit_id"]):
        return set()
    status = item["status"]
    allowed: set[str] = set()
    if status in ("received", "assigned") and principal.roles & {ISO_SECRETARY, UNIT_LEADER}:
        allowed.add("assign")
    if status == "assigned" and _answers_feedback(principal, item):
        allowed.add("answer")
    publishes = UNIT_LEADER in principal.roles or _answers_feedback(principal, item)
    if status == "answered" and not item["published"] and publishes:
        allowed.add("publish_answer")
    if (
        item["kind"] == "complaint"
        and status in ("assigned", "answered")
        and not item["nonconformity_raised"]
        and ISO_SECRETARY in principal.roles
    ):
        allowed.add("nonconformity")
    return allowed
