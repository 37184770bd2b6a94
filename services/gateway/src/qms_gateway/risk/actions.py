"""What a person may do to a plan or a register entry in its state: the pages offer these.

The risk service decides (and answers 403 or 409 to anything else); these rules only keep the
pages from offering what it would refuse.
"""

from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import risk as contract
from qms_gateway.frame.reviewed import review_actions
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, Principal

EVENT_LABELS: dict[type[IntegrationEvent], str] = {
    contract.RiskPlanDrafted: "Soạn thảo",
    contract.RiskPlanRevised: "Sửa dự thảo",
    contract.RiskPlanSubmitted: "Trình phê duyệt",
    contract.RiskPlanReturned: "Trả lại để sửa",
    contract.RiskPlanApproved: "Phê duyệt",
    contract.RiskIdentified: "Nhận diện",
    contract.RiskAssessed: "Đánh giá",
    contract.TreatmentPlanned: "Lập kế hoạch xử lý",
    contract.TreatmentActionCompleted: "Hoàn thành hành động xử lý",
    contract.RiskReassessed: "Đánh giá lại",
    contract.RiskClosed: "Đóng",
}


def plan_actions(principal: Principal, plan: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, plan)
    if plan["status"] == "approved" and can_identify(principal, plan):
        allowed.add("identify")
    return allowed


def can_identify(principal: Principal, plan: dict[str, Any]) -> bool:
    """A department leader of the unit registers their department's risks under the plan."""
    return (
        principal.can_act_in(plan["unit_id"])
        and DEPARTMENT_LEADER in principal.roles
        and principal.department_id is not None
    )


def _for_department(principal: Principal, entry: dict[str, Any]) -> bool:
    """The secretary, or a leader of the entry's department."""
    return ISO_SECRETARY in principal.roles or (
        DEPARTMENT_LEADER in principal.roles and principal.department_id == entry["department_id"]
    )


def entry_actions(principal: Principal, entry: dict[str, Any]) -> set[str]:
    if not principal.can_act_in(entry["unit_id"]):
        return set()
    status = entry["status"]
    allowed: set[str] = set()
    if _for_department(principal, entry):
        if status in ("identified", "assessed"):
            allowed.add("assess")
        if status in ("assessed", "treatment"):
            allowed.add("treatment")
        if status == "treatment" and not open_actions(entry):
            allowed.add("reassess")
    if status == "treatment" and completable_actions(principal, entry):
        allowed.add("complete")
    if status == "reassessed" and ISO_SECRETARY in principal.roles:
        allowed.add("close")
    return allowed


def open_actions(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [action for action in entry["actions"] if not action.get("done")]


def completable_actions(principal: Principal, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Open actions the person may record as done: all for the secretary, else their
    department's for its leader."""
    if entry["status"] != "treatment" or not principal.can_act_in(entry["unit_id"]):
        return []
    if ISO_SECRETARY in principal.roles:
        return open_actions(entry)
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        return [
            action
            for action in open_actions(entry)
            if action["owner_department_id"] == principal.department_id
        ]
    return []
