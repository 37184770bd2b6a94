"""What a person may do to a management review in its state, and how the pages name things.

The review service decides (and answers 403 or 409 to anything else); these rules only keep
the pages from offering what it would refuse.
"""

from datetime import date
from typing import Any

from qms_contracts import IntegrationEvent
from qms_contracts import review as contract
from qms_gateway.audit.actions import FINDING_KINDS, OUTCOMES, SOURCES
from qms_gateway.frame.reviewed import review_actions
from qms_gateway.review.readmodel import missing, past_deadline
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

#: The inputs of 9.3.2, in the standard's order, as the pages name them.
TOPICS: dict[str, str] = {
    "previous_actions": "Tình trạng các hành động từ lần xem xét trước",
    "changes_in_issues": "Thay đổi của các vấn đề nội bộ và bên ngoài liên quan",
    "customer_feedback": "Sự thỏa mãn của người dân, tổ chức và phản hồi của các bên liên quan",
    "objective_achievement": "Mức độ đạt được các mục tiêu chất lượng",
    "process_performance": "Kết quả thực hiện các quá trình và sự phù hợp của dịch vụ",
    "nonconformities": "Sự không phù hợp và hành động khắc phục",
    "monitoring_results": "Kết quả theo dõi và đo lường",
    "audit_results": "Kết quả đánh giá nội bộ",
    "external_providers": "Kết quả thực hiện của các nhà cung cấp bên ngoài",
    "resources": "Sự đầy đủ của các nguồn lực",
    "risk_actions": "Hiệu lực của các hành động giải quyết rủi ro và cơ hội",
    "improvement_opportunities": "Các cơ hội cải tiến",
}
#: The outputs of 9.3.3.
OUTPUT_KINDS: dict[str, str] = {
    "improvement": "Cơ hội cải tiến",
    "qms_change": "Thay đổi hệ thống quản lý chất lượng",
    "resource_need": "Nhu cầu về nguồn lực",
}
ACTION_STATUSES = {
    "open": "Đang thực hiện",
    "done": "Đã hoàn thành, chờ xác nhận",
    "verified": "Đã xác nhận",
}
#: How the evidence pack's values are named: the audit wing's names of findings, outcomes and
#: sources of nonconformities, and the actions' statuses.
EVIDENCE_NAMES = {
    "finding_kinds": FINDING_KINDS,
    "outcomes": OUTCOMES,
    "sources": SOURCES,
    "action_statuses": ACTION_STATUSES,
}
EVENT_LABELS: dict[type[IntegrationEvent], str] = {
    contract.ReviewNoticeDrafted: "Soạn thông báo",
    contract.ReviewNoticeRevised: "Sửa thông báo",
    contract.ReviewNoticeSubmitted: "Trình phê duyệt thông báo",
    contract.ReviewNoticeReturned: "Trả lại thông báo để sửa",
    contract.ReviewNoticeApproved: "Phê duyệt thông báo",
    contract.ReviewNoticeIssued: "Gửi thông báo đến các phòng",
    contract.DepartmentReportSubmitted: "Phòng gửi báo cáo",
    contract.DepartmentReportRevised: "Phòng sửa báo cáo",
    contract.ReviewConsolidated: "Tổng hợp báo cáo",
    contract.ReviewMeetingHeld: "Ghi biên bản họp",
    contract.ReviewConclusionDrafted: "Soạn kết luận",
    contract.ReviewConclusionReturned: "Trả lại kết luận",
    contract.ReviewConcluded: "Phê duyệt kết luận",
    contract.ReviewActionCompleted: "Hoàn thành hành động",
    contract.ReviewActionVerified: "Xác nhận hành động",
}


def _secretary(principal: Principal, review: dict[str, Any]) -> bool:
    return ISO_SECRETARY in principal.roles and principal.can_act_in(review["unit_id"])


def review_steps(principal: Principal, review: dict[str, Any], today: date) -> set[str]:
    """The review's steps the person may take (the notice's, then the secretary's and the
    leader's); the departments' reports and the actions are `reporting` and `action_steps`."""
    allowed = review_actions(principal, review)
    status = review["status"]
    if _secretary(principal, review):
        ready = not missing(review) or past_deadline(review, today)
        steps = {
            "approved": {"issue"},
            "issued": {"consolidate"} if ready else set(),
            "consolidated": {"record_meeting"},
            "meeting_held": {"draft_conclusion"},
            "conclusion_drafted": {"draft_conclusion"},
            "conclusion_returned": {"draft_conclusion"},
        }
        allowed |= steps.get(status, set())
    leader = UNIT_LEADER in principal.roles and principal.can_act_in(review["unit_id"])
    if (
        leader
        and status == "conclusion_drafted"
        and review["conclusion_drafted_by"] != principal.sub
    ):
        allowed |= {"approve_conclusion", "return_conclusion"}
    return allowed


def reporting(principal: Principal, review: dict[str, Any]) -> list[str]:
    """The agenda items the person's department reports on, while reports are taken."""
    department_id = principal.department_id
    if review["status"] != "issued" or DEPARTMENT_LEADER not in principal.roles:
        return []
    if not department_id or not principal.can_act_in(review["unit_id"]):
        return []
    return [
        owed["topic"]
        for owed in review["expected_reports"]
        if owed["department_id"] == department_id
    ]


def action_steps(principal: Principal, review: dict[str, Any]) -> dict[str, set[str]]:
    """Per output, what the person may do to its action: record it done (the secretary, or a
    leader of the owning department), verify it (the secretary or the unit leader, not who
    recorded it done)."""
    found: dict[str, set[str]] = {}
    if review["status"] != "concluded" or not principal.can_act_in(review["unit_id"]):
        return found
    secretary = ISO_SECRETARY in principal.roles
    verifier = secretary or UNIT_LEADER in principal.roles
    for output in review["outputs"]:
        action = output["action"]
        if action is None:
            continue
        owner = (
            DEPARTMENT_LEADER in principal.roles
            and principal.department_id == action["owner_department_id"]
        )
        steps: set[str] = set()
        if action["status"] == "open" and (secretary or owner):
            steps.add("complete")
        if action["status"] == "done" and verifier and action["completed_by"] != principal.sub:
            steps.add("verify")
        found[output["output_id"]] = steps
    return found
