"""What waits in the risk wing for a principal's action, by role."""

from qms_gateway.frame.reviewed import tasks_in
from qms_gateway.frame.tasks import TaskQuery, step_tasks
from qms_gateway.risk.readmodel import ENTRIES, PLANS
from qms_runtime.clock import today
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

#: In treatment with every action done, or past its monitoring date: to be re-assessed.
_REASSESSMENT_DUE = (
    "status='treatment' AND (NOT jsonb_path_exists(actions, '$[*] ? (!exists(@.done))') "
    "OR monitor_on <= $2::date)"
)
#: In treatment with an action not done past its due date (of department $3, if not null).
_ACTIONS_OVERDUE = (
    "status='treatment' AND jsonb_path_exists(actions, "
    "'$[*] ? (!exists(@.done) && @.due_date < $today && "
    "($department == null || @.owner_department_id == $department))', "
    "jsonb_build_object('today', $2::date::text, 'department', $3::text))"
)


def _monitoring(department_id: str | None) -> list[TaskQuery]:
    """Overdue actions (of the department, or all) and re-assessments due."""
    on = today()
    own = department_id is not None
    due = _REASSESSMENT_DUE + (" AND department_id=$3" if own else "")
    return [
        step_tasks(
            ENTRIES,
            kind="risk",
            action="complete_action",
            label="Hành động xử lý rủi ro quá hạn",
            where=_ACTIONS_OVERDUE,
            arguments=(on, department_id),
        ),
        step_tasks(
            ENTRIES,
            kind="risk",
            action="reassess",
            label="Đánh giá lại rủi ro đến hạn",
            where=due,
            arguments=(on, department_id) if own else (on,),
        ),
    ]


def tasks(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    if ISO_SECRETARY in principal.roles:
        found.append(
            tasks_in(
                principal,
                PLANS,
                "'risk_plan'",
                [
                    ("draft", "submit", "Trình duyệt kế hoạch đánh giá rủi ro"),
                    ("returned", "revise", "Sửa kế hoạch đánh giá rủi ro bị trả lại"),
                ],
            )
        )
        found.append(
            step_tasks(
                ENTRIES,
                kind="risk",
                action="close",
                label="Đóng rủi ro đã ở mức chấp nhận được",
                where="status='reassessed'",
            )
        )
        found += _monitoring(None)
    if UNIT_LEADER in principal.roles:
        found.append(
            tasks_in(
                principal,
                PLANS,
                "'risk_plan'",
                [("submitted", "approve", "Phê duyệt kế hoạch đánh giá rủi ro")],
            )
        )
    department_id = principal.department_id
    if DEPARTMENT_LEADER in principal.roles and department_id:
        for status, action, label in (
            ("identified", "assess", "Đánh giá rủi ro của phòng"),
            ("assessed", "plan_treatment", "Lập kế hoạch xử lý rủi ro của phòng"),
        ):
            found.append(
                step_tasks(
                    ENTRIES,
                    kind="risk",
                    action=action,
                    label=label,
                    where="status=$2 AND department_id=$3",
                    arguments=(status, department_id),
                )
            )
        if ISO_SECRETARY not in principal.roles:
            found += _monitoring(department_id)
    return found
