"""What waits in the review wing for a principal's action, by role."""

from qms_gateway.frame.reviewed import tasks_in
from qms_gateway.frame.tasks import TaskQuery, step_tasks
from qms_gateway.review.readmodel import ALL_REPORTS_IN, REVIEWS
from qms_runtime.clock import today
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal

KIND = "'review'"
NOUN = "thông báo họp xem xét"
#: Issued, and every report in or the deadline ($2, today) passed: the secretary consolidates.
_TO_CONSOLIDATE = f"status='issued' AND ({ALL_REPORTS_IN} OR report_deadline < $2)"
#: An action recorded done by someone other than $2: the secretary or the leader verifies it.
_TO_VERIFY = (
    "status='concluded' AND jsonb_path_exists(outputs, "
    "'$[*].action ? (@.status == \"done\" && @.completed_by != $sub)', "
    "jsonb_build_object('sub', $2::text))"
)
#: Issued, and department $2 still owes a report on one of its items.
_OWING = (
    "status='issued' AND EXISTS (SELECT 1 FROM jsonb_array_elements(expected_reports) owed "
    "WHERE owed->>'department_id' = $2 AND NOT reports @> jsonb_build_array("
    "jsonb_build_object('department_id', $2::text, 'topic', owed->>'topic')))"
)
#: Concluded, with an open action of department $2 due from today ($3) on, or before it.
_OPEN_ACTION = (
    "status='concluded' AND jsonb_path_exists(outputs, "
    '\'$[*].action ? (@.status == "open" && @.owner_department_id == $department '
    "&& @.due_date {compare} $today)', "
    "jsonb_build_object('department', $2::text, 'today', $3::text))"
)


def _secretary(principal: Principal) -> list[TaskQuery]:
    return [
        tasks_in(
            principal,
            REVIEWS,
            KIND,
            [
                ("draft", "submit", f"Trình duyệt {NOUN}"),
                ("returned", "revise", f"Sửa {NOUN} bị trả lại"),
                ("approved", "issue", f"Gửi {NOUN} đã duyệt đến các phòng"),
                ("consolidated", "record_meeting", "Ghi biên bản họp xem xét của lãnh đạo"),
                ("meeting_held", "draft_conclusion", "Soạn kết luận xem xét của lãnh đạo"),
                ("conclusion_returned", "draft_conclusion", "Soạn lại kết luận bị trả lại"),
            ],
        ),
        step_tasks(
            REVIEWS,
            kind="review",
            action="consolidate",
            label="Tổng hợp báo cáo xem xét của lãnh đạo",
            where=_TO_CONSOLIDATE,
            arguments=(today(),),
        ),
    ]


def _verifications(principal: Principal) -> list[TaskQuery]:
    return [
        step_tasks(
            REVIEWS,
            kind="review",
            action="verify_action",
            label="Xác nhận hành động sau xem xét đã hoàn thành",
            where=_TO_VERIFY,
            arguments=(principal.sub,),
        )
    ]


def _leader(principal: Principal) -> list[TaskQuery]:
    """The notice and the conclusion to approve: never what the leader drafted or submitted."""
    return [
        tasks_in(principal, REVIEWS, KIND, [("submitted", "approve", f"Phê duyệt {NOUN}")]),
        step_tasks(
            REVIEWS,
            kind="review",
            action="approve_conclusion",
            label="Phê duyệt kết luận xem xét của lãnh đạo",
            where="status='conclusion_drafted' AND conclusion_drafted_by IS DISTINCT FROM $2",
            arguments=(principal.sub,),
        ),
    ]


def _department(department_id: str) -> list[TaskQuery]:
    """The reports the department owes on issued reviews, and its open actions; past their
    date, said so."""
    now = today()
    found: list[TaskQuery] = []
    for late, compare in ((False, ">="), (True, "<")):
        found.append(
            step_tasks(
                REVIEWS,
                kind="review",
                action="report",
                label="Báo cáo xem xét của lãnh đạo quá hạn"
                if late
                else "Gửi báo cáo cho họp xem xét của lãnh đạo",
                where=f"{_OWING} AND report_deadline {compare} $3",
                arguments=(department_id, now),
            )
        )
        found.append(
            step_tasks(
                REVIEWS,
                kind="review",
                action="complete_action",
                label="Hành động sau xem xét của lãnh đạo quá hạn"
                if late
                else "Thực hiện hành động sau xem xét của lãnh đạo",
                where=_OPEN_ACTION.format(compare=compare),
                arguments=(department_id, now.isoformat()),
            )
        )
    return found


def tasks(principal: Principal) -> list[TaskQuery]:
    found: list[TaskQuery] = []
    if ISO_SECRETARY in principal.roles:
        found += _secretary(principal)
    if UNIT_LEADER in principal.roles:
        found += _leader(principal)
    if {ISO_SECRETARY, UNIT_LEADER} & principal.roles:
        found += _verifications(principal)
    if DEPARTMENT_LEADER in principal.roles and principal.department_id:
        found += _department(principal.department_id)
    return found
