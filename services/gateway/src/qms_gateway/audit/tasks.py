"""What waits in the audit wing for a principal's action, by role."""

from qms_gateway.audit.readmodel import NONCONFORMITIES, PLANS, PROGRAMMES
from qms_gateway.frame.reviewed import tasks_in
from qms_gateway.frame.tasks import TaskQuery, step_tasks
from qms_runtime.clock import today
from qms_runtime.principal import (
    AUDITOR,
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    UNIT_LEADER,
    Principal,
)

#: The reviewed records: table, kind and noun.
_REVIEWED = (
    (PROGRAMMES, "'audit_programme'", "chương trình đánh giá"),
    (PLANS, "'audit_plan'", "kế hoạch đánh giá"),
)
#: A round whose findings are all acknowledged: the unit leader may conclude it.
_READY_TO_CONCLUDE = (
    "status='approved' AND jsonb_array_length(findings) > 0 "
    "AND NOT jsonb_path_exists(findings, '$[*] ? (@.acknowledged == false)')"
)
#: An approved round where principal $2 audits a department.
_AUDITING = (
    "status='approved' AND jsonb_path_exists(visits, "
    "'$[*] ? (@.lead.sub == $sub || exists(@.team[*] ? (@.sub == $sub)))', "
    "jsonb_build_object('sub', $2::text))"
)
#: A round with a finding on department $2 not yet acknowledged.
_TO_ACKNOWLEDGE = (
    "status='approved' AND jsonb_path_exists(findings, "
    "'$[*] ? (@.acknowledged == false && @.department_id == $department)', "
    "jsonb_build_object('department', $2::text))"
)
#: Implemented, and the action's due date ($2 is today) reached: effectiveness to verify.
_VERIFICATION_DUE = "status='implemented' AND (action->>'due_date')::date <= $2"
#: A corrective action past its due date ($2 is today) and not implemented.
_OVERDUE = "status='action_planned' AND (action->>'due_date')::date < $2"


def _nonconformity_steps(department_id: str | None) -> list[TaskQuery]:
    """Actions to plan and overdue actions: of every department, or of `department_id` (where
    found, and owned)."""
    own = department_id is not None
    return [
        step_tasks(
            NONCONFORMITIES,
            kind="nonconformity",
            action="plan_action",
            label="Lập hành động khắc phục",
            where="status IN ('open', 'reopened')" + (" AND department_id=$2" if own else ""),
            arguments=(department_id,) if own else (),
        ),
        step_tasks(
            NONCONFORMITIES,
            kind="nonconformity",
            action="implement",
            label="Hành động khắc phục quá hạn",
            where=_OVERDUE + (" AND action->>'owner_department_id'=$3" if own else ""),
            arguments=(today(), department_id) if own else (today(),),
        ),
    ]


def _verifications() -> list[TaskQuery]:
    return [
        step_tasks(
            NONCONFORMITIES,
            kind="nonconformity",
            action="verify",
            label="Kiểm tra hiệu lực hành động khắc phục",
            where=_VERIFICATION_DUE,
            arguments=(today(),),
        )
    ]


def tasks(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    secretary = ISO_SECRETARY in principal.roles
    if secretary:
        for table, kind, noun in _REVIEWED:
            found.append(
                tasks_in(
                    principal,
                    table,
                    kind,
                    [
                        ("draft", "submit", f"Trình duyệt {noun}"),
                        ("returned", "revise", f"Sửa {noun} bị trả lại"),
                    ],
                )
            )
        found += _nonconformity_steps(None)
        found += _verifications()
        found.append(
            step_tasks(
                NONCONFORMITIES,
                kind="nonconformity",
                action="close",
                label="Đóng sự không phù hợp đã kiểm tra có hiệu lực",
                where="status='verified'",
            )
        )
    if UNIT_LEADER in principal.roles:
        for table, kind, noun in _REVIEWED:
            found.append(
                tasks_in(principal, table, kind, [("submitted", "approve", f"Phê duyệt {noun}")])
            )
        found.append(
            step_tasks(
                PLANS,
                kind="audit_plan",
                action="conclude",
                label="Kết luận đợt đánh giá",
                where=_READY_TO_CONCLUDE,
            )
        )
    if AUDITOR in principal.roles:
        found.append(
            step_tasks(
                PLANS,
                kind="audit_plan",
                action="record_finding",
                label="Ghi nhận phát hiện đánh giá",
                where=_AUDITING,
                arguments=(principal.sub,),
            )
        )
        if not secretary:
            found += _verifications()
    department_id = principal.department_id
    if DEPARTMENT_LEADER in principal.roles and department_id:
        found.append(
            step_tasks(
                PLANS,
                kind="audit_plan",
                action="acknowledge",
                label="Xác nhận phát hiện đánh giá của phòng",
                where=_TO_ACKNOWLEDGE,
                arguments=(department_id,),
            )
        )
        if not secretary:
            found += _nonconformity_steps(department_id)
    return found
