"""What a person may do to a record in its state: the pages offer these forms and no others.

The owning service decides (and answers 403 or 409 to anything else); these rules only keep
the pages from offering what it would refuse.
"""

from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import objectives as contract
from qms_gateway.frame.reviewed import review_actions
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

EVENT_LABELS: dict[type[IntegrationEvent], str] = {
    contract.ObjectiveDrafted: "Soạn thảo",
    contract.ObjectiveRevised: "Sửa dự thảo",
    contract.ObjectiveSubmitted: "Trình phê duyệt",
    contract.ObjectiveReturned: "Trả lại để sửa",
    contract.ObjectiveApproved: "Phê duyệt",
    contract.ObjectiveDisseminated: "Phổ biến tới các phòng",
    contract.TargetProgressRecorded: "Cập nhật tiến độ",
    contract.ObjectiveEvaluated: "Đánh giá cuối năm",
    **{
        event: label
        for events in (contract.POLICY_EVENTS, contract.CONTEXT_EVENTS)
        for event, label in (
            (events.drafted, "Soạn thảo"),
            (events.revised, "Sửa dự thảo"),
            (events.submitted, "Trình phê duyệt"),
            (events.returned, "Trả lại để sửa"),
            (events.approved, "Phê duyệt"),
            (events.published, "Ban hành"),
            (events.superseded, "Được thay thế bởi phiên bản mới"),
        )
    },
}


def objective_actions(principal: Principal, record: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, record)
    if not principal.can_act_in(record["unit_id"]):
        return allowed
    secretary = ISO_SECRETARY in principal.roles
    if secretary and record["status"] == "approved":
        allowed.add("disseminate")
    if record["status"] == "disseminated":
        if progress_targets(principal, record):
            allowed.add("progress")
        if secretary or UNIT_LEADER in principal.roles:
            allowed.add("evaluate")
    return allowed


def progress_targets(principal: Principal, record: dict[str, Any]) -> set[str]:
    """The targets whose progress the person may record: all for the secretary, else their
    department's for its leader; never one that follows a statistic (recorded by itself)."""
    if record["status"] != "disseminated" or not principal.can_act_in(record["unit_id"]):
        return set()
    by_hand = [target for target in record["targets"] if not target.get("source")]
    if ISO_SECRETARY in principal.roles:
        return {target["target_id"] for target in by_hand}
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        return {
            target["target_id"]
            for target in by_hand
            if target["department_id"] == principal.department_id
        }
    return set()


def document_actions(principal: Principal, record: dict[str, Any]) -> set[str]:
    allowed = review_actions(principal, record)
    approved = record["status"] == "approved" and principal.can_act_in(record["unit_id"])
    if approved and ISO_SECRETARY in principal.roles:
        allowed.add("publish")
    return allowed
