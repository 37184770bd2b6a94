"""What a person may do to a programme, a round plan or a nonconformity in its state.

The audit service decides (and answers 403 or 409 to anything else); these rules only keep
the pages from offering what it would refuse.
"""

from datetime import date
from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import audit as contract
from qms_gateway.frame.reviewed import review_actions
from qms_runtime.principal import AUDITOR, DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

#: How the pages (the review's evidence too) name finding kinds, conclusions and sources.
FINDING_KINDS = {
    "conformity": "Phù hợp",
    "major": "Không phù hợp nặng",
    "minor": "Không phù hợp nhẹ",
    "observation": "Khuyến nghị (quan sát)",
    "improvement": "Cơ hội cải tiến",
}
OUTCOMES = {
    "results_confirmed": "Xác nhận kết quả",
    "improvement_actions": "Thực hiện hành động cải tiến",
    "follow_up": "Đánh giá bổ sung (lập kế hoạch đợt sau)",
}
SOURCES = {
    "complaint": "Khiếu nại, phản ánh",
    "review": "Xem xét của lãnh đạo",
    "process_monitoring": "Theo dõi quá trình",
    "audit": "Đánh giá nội bộ",
}
EVENT_LABELS: dict[type[IntegrationEvent], str] = {
    contract.AuditProgrammeDrafted: "Soạn thảo",
    contract.AuditProgrammeRevised: "Sửa dự thảo",
    contract.AuditProgrammeSubmitted: "Trình phê duyệt",
    contract.AuditProgrammeReturned: "Trả lại để sửa",
    contract.AuditProgrammeApproved: "Phê duyệt",
    contract.AuditPlanDrafted: "Soạn thảo",
    contract.AuditPlanRevised: "Sửa dự thảo",
    contract.AuditPlanSubmitted: "Trình phê duyệt",
    contract.AuditPlanReturned: "Trả lại để sửa",
    contract.AuditPlanApproved: "Phê duyệt",
    contract.FindingRecorded: "Ghi nhận phát hiện",
    contract.FindingAcknowledged: "Phòng xác nhận phát hiện",
    contract.AuditConcluded: "Kết luận đợt đánh giá",
    contract.NonconformityOpened: "Mở sự không phù hợp",
    contract.CorrectiveActionPlanned: "Lập hành động khắc phục",
    contract.CorrectiveActionImplemented: "Đã thực hiện hành động khắc phục",
    contract.EffectivenessVerified: "Kiểm tra hiệu lực",
    contract.NonconformityReopened: "Mở lại: hành động chưa có hiệu lực",
    contract.NonconformityClosed: "Đóng",
}


def programme_actions(principal: Principal, programme: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, programme)
    secretary = ISO_SECRETARY in principal.roles and principal.can_act_in(programme["unit_id"])
    if programme["status"] == "approved" and secretary:
        allowed.add("draft_plan")
    return allowed


def auditing(principal: Principal, plan: dict[str, Any]) -> list[str]:
    """The departments the person audits in an approved round: their findings to record."""
    if plan["status"] != "approved" or AUDITOR not in principal.roles:
        return []
    if not principal.can_act_in(plan["unit_id"]):
        return []
    return [
        visit["department_id"]
        for visit in plan["visits"]
        if principal.sub in {visit["lead"]["sub"], *(a["sub"] for a in visit["team"])}
    ]


def to_acknowledge(principal: Principal, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings on the person's department they may acknowledge, as its leader."""
    if plan["status"] != "approved" or DEPARTMENT_LEADER not in principal.roles:
        return []
    if not principal.can_act_in(plan["unit_id"]):
        return []
    return [
        finding
        for finding in plan["findings"]
        if not finding["acknowledged"] and finding["department_id"] == principal.department_id
    ]


def plan_actions(principal: Principal, plan: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, plan)
    findings = plan["findings"]
    if (
        plan["status"] == "approved"
        and UNIT_LEADER in principal.roles
        and principal.can_act_in(plan["unit_id"])
        and findings
        and all(finding["acknowledged"] for finding in findings)
    ):
        allowed.add("conclude")
    return allowed


def can_open(principal: Principal, unit_id: str) -> bool:
    """The ISO secretary opens a nonconformity by hand."""
    return ISO_SECRETARY in principal.roles and principal.can_act_in(unit_id)


def _for_department(principal: Principal, department_id: str) -> bool:
    """The secretary, or a leader of the department."""
    return ISO_SECRETARY in principal.roles or (
        DEPARTMENT_LEADER in principal.roles and principal.department_id == department_id
    )


def nonconformity_actions(principal: Principal, nc: dict[str, Any], today: date) -> set[str]:
    if not principal.can_act_in(nc["unit_id"]):
        return set()
    status = nc["status"]
    action = nc["action"]
    allowed: set[str] = set()
    if status in ("open", "reopened", "action_planned") and _for_department(
        principal, nc["department_id"]
    ):
        allowed.add("plan_action")
    if status == "action_planned" and _for_department(principal, action["owner_department_id"]):
        allowed.add("implement")
    verifier = bool({ISO_SECRETARY, AUDITOR} & principal.roles)
    if status == "implemented" and verifier and date.fromisoformat(action["due_date"]) <= today:
        allowed.add("verify")
    if status == "verified" and ISO_SECRETARY in principal.roles:
        allowed.add("close")
    return allowed
