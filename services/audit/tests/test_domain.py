"""Every transition and rule of programmes, plans with their findings, and nonconformities."""

from dataclasses import replace
from datetime import date

import pytest

from qms_audit.domain import (
    Auditor,
    AuditPlan,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    NcFacts,
    Nonconformity,
    PlanContent,
    ProgrammeContent,
    Visit,
)
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

UNIT = "so-khcn"
DEPARTMENTS = ("van-phong", "mot-cua", "ke-hoach")
PROGRAMME = ProgrammeContent(
    2026,
    "Đánh giá hiệu lực HTQLCL",
    "Toàn bộ quy trình",
    "TCVN ISO 9001:2015",
    DEPARTMENTS,
    date(2026, 5, 1),
    date(2026, 10, 31),
    2,
)
LAN = Auditor("danhgiavien", "Hoàng Văn Đánh", "ke-hoach")
MAI = Auditor("mai", "Trần Thị Mai", "van-phong")


def visit(
    department: str = "mot-cua", lead: Auditor = LAN, team: tuple[Auditor, ...] = ()
) -> Visit:
    return Visit(
        department,
        date(2026, 6, 10),
        "08:00–10:00",
        lead,
        team,
        ("Trưởng phòng",),
        "Quy trình QT-MC-01",
        (ChecklistItem("8.5.1", "Hồ sơ có được kiểm soát?"),),
    )


PLAN = PlanContent(1, (visit("mot-cua"), visit("van-phong", LAN, (Auditor("x", "X", "mot-cua"),))))


def approved(record: AuditProgramme | AuditPlan) -> None:
    record.submit(stamp("thuky", UNIT))
    record.approve(stamp("giamdoc", UNIT))


def approved_plan() -> AuditPlan:
    plan = AuditPlan.draft(
        programme_id="p", departments=DEPARTMENTS, content=PLAN, stamp=stamp("thuky", UNIT)
    )
    approved(plan)
    return plan


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department_ids": ()}, "department_ids"),
        ({"department_ids": ("a", "a")}, "department_ids"),
        ({"period_end": date(2026, 4, 1)}, "period_end"),
        ({"year": 2025}, "year"),
        ({"planned_rounds": 0}, "planned_rounds"),
        ({"criteria": " "}, "criteria"),
    ],
)
def test_a_programme_is_refused_with_the_field_at_fault(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        AuditProgramme.draft(content=replace(PROGRAMME, **change), stamp=stamp("thuky", UNIT))  # type: ignore[arg-type]
    assert refused.value.extensions["field"] == field


def test_plans_only_under_an_approved_programme() -> None:
    programme = AuditProgramme.draft(content=PROGRAMME, stamp=stamp("thuky", UNIT))
    with pytest.raises(IllegalTransition):
        programme.departments_for_plans()
    approved(programme)
    assert programme.departments_for_plans() == DEPARTMENTS
    with pytest.raises(IllegalTransition):
        programme.revise(content=PROGRAMME, stamp=stamp("thuky", UNIT))


def test_an_auditor_never_audits_their_own_department() -> None:
    own = PlanContent(1, (visit("ke-hoach", LAN),))
    with pytest.raises(InvalidInput) as refused:
        AuditPlan.draft(
            programme_id="p", departments=DEPARTMENTS, content=own, stamp=stamp("thuky", UNIT)
        )
    assert refused.value.extensions["field"] == "visits.0.lead"
    assert "Hoàng Văn Đánh" in str(refused.value) and "ke-hoach" in str(refused.value)
    in_team = PlanContent(1, (visit("mot-cua"), visit("van-phong", LAN, (MAI,))))
    with pytest.raises(InvalidInput) as refused:
        AuditPlan.draft(
            programme_id="p", departments=DEPARTMENTS, content=in_team, stamp=stamp("thuky", UNIT)
        )
    assert refused.value.extensions["field"] == "visits.1.team" and "Trần Thị Mai" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (PlanContent(1, ()), "visits"),
        (PlanContent(1, (visit("khac"),)), "visits.0.department_id"),
        (PlanContent(1, (visit("mot-cua"), visit("mot-cua"))), "visits.1.department_id"),
        (PlanContent(1, (visit("mot-cua", LAN, (LAN,)),)), "visits.0.team"),
        (PlanContent(0, (visit(),)), "round"),
    ],
)
def test_a_plan_is_refused_with_the_field_at_fault(content: PlanContent, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        AuditPlan.draft(
            programme_id="p", departments=DEPARTMENTS, content=content, stamp=stamp("thuky", UNIT)
        )
    assert refused.value.extensions["field"] == field


def test_findings_by_the_planned_auditor_of_the_department_once_approved() -> None:
    plan = AuditPlan.draft(
        programme_id="p", departments=DEPARTMENTS, content=PLAN, stamp=stamp("thuky", UNIT)
    )
    finding = {
        "department_id": "mot-cua",
        "kind": "minor",
        "clause": "8.5.1",
        "evidence": "Thiếu sổ",
    }
    assert_rejected(
        plan,
        lambda: plan.record_finding(**finding, stamp=stamp("danhgiavien", UNIT)),
        IllegalTransition,
    )
    approved(plan)
    assert_rejected(
        plan, lambda: plan.record_finding(**finding, stamp=stamp("mai", UNIT)), Forbidden
    )
    # x is planned on van-phong only.
    assert_rejected(plan, lambda: plan.record_finding(**finding, stamp=stamp("x", UNIT)), Forbidden)
    no_clause = {**finding, "clause": ""}
    assert_rejected(
        plan,
        lambda: plan.record_finding(**no_clause, stamp=stamp("danhgiavien", UNIT)),
        InvalidInput,
    )
    wrong_kind = {**finding, "kind": "serious"}
    assert_rejected(
        plan,
        lambda: plan.record_finding(**wrong_kind, stamp=stamp("danhgiavien", UNIT)),
        InvalidInput,
    )
    first = plan.record_finding(**finding, stamp=stamp("danhgiavien", UNIT))
    second = plan.record_finding(
        department_id="van-phong",
        kind="observation",
        clause="",
        evidence="Tốt",
        stamp=stamp("x", UNIT),
    )
    assert (first.finding_id, second.finding_id) == ("f1", "f2")


def test_the_leader_concludes_once_every_finding_is_acknowledged() -> None:
    plan = approved_plan()
    leader = stamp("giamdoc", UNIT)
    assert_rejected(
        plan,
        lambda: plan.conclude(
            outcome="results_confirmed", note="", follow_up_plan_id=None, stamp=leader
        ),
        IllegalTransition,
    )
    plan.record_finding(
        department_id="mot-cua",
        kind="major",
        clause="7.5",
        evidence="Mất hồ sơ",
        stamp=stamp("danhgiavien", UNIT),
    )
    plan.record_finding(
        department_id="van-phong",
        kind="conformity",
        clause="",
        evidence="Đạt",
        stamp=stamp("danhgiavien", UNIT),
    )
    plan.acknowledge_finding(finding_id="f1", note="", stamp=stamp("tp", UNIT))
    assert_rejected(
        plan,
        lambda: plan.acknowledge_finding(finding_id="f1", note="", stamp=stamp("tp", UNIT)),
        IllegalTransition,
    )
    assert_rejected(
        plan,
        lambda: plan.acknowledge_finding(finding_id="f9", note="", stamp=stamp("tp", UNIT)),
        InvalidInput,
    )
    assert_rejected(
        plan,
        lambda: plan.conclude(
            outcome="results_confirmed", note="", follow_up_plan_id=None, stamp=leader
        ),
        IllegalTransition,
    )
    plan.acknowledge_finding(finding_id="f2", note="Đồng ý", stamp=stamp("vp", UNIT))
    assert_rejected(
        plan,
        lambda: plan.conclude(outcome="follow_up", note="", follow_up_plan_id=None, stamp=leader),
        InvalidInput,
    )
    follow_up = plan.follow_up_content()
    assert follow_up.round == 2 and [v.department_id for v in follow_up.visits] == ["mot-cua"]
    plan.conclude(
        outcome="follow_up",
        note="Đánh giá lại phòng một cửa",
        follow_up_plan_id="next",
        stamp=leader,
    )
    assert (plan.status, plan.outcome) == ("concluded", "follow_up")
    assert_rejected(
        plan,
        lambda: plan.record_finding(
            department_id="mot-cua",
            kind="minor",
            clause="7.5",
            evidence="x",
            stamp=stamp("danhgiavien", UNIT),
        ),
        IllegalTransition,
    )


ACTION = CorrectiveAction(
    "Tìm lại hồ sơ",
    "Không có sổ giao nhận",
    "Lập sổ giao nhận điện tử",
    "mot-cua",
    date(2026, 8, 31),
)


def opened() -> Nonconformity:
    return Nonconformity.open(
        facts=NcFacts("audit", "mot-cua", "Mất hồ sơ", "7.5", "p", "f1"),
        stamp=stamp("danhgiavien", UNIT),
    )


def test_a_nonconformity_closes_only_after_an_effective_verification() -> None:
    nc = opened()
    secretary = stamp("thuky", UNIT)
    assert_rejected(nc, lambda: nc.close(note="", stamp=secretary), IllegalTransition)
    assert_rejected(
        nc,
        lambda: nc.implement(evidence="x", implemented_on=date(2026, 8, 1), stamp=secretary),
        IllegalTransition,
    )
    nc.plan_action(action=ACTION, stamp=secretary)
    nc.plan_action(
        action=replace(ACTION, action="Sổ giao nhận điện tử và tập huấn"), stamp=secretary
    )
    assert (nc.status, nc.attempts) == ("action_planned", 1)
    nc.implement(evidence="Sổ đã dùng từ 01/08", implemented_on=date(2026, 8, 1), stamp=secretary)
    assert_rejected(nc, lambda: nc.close(note="", stamp=secretary), IllegalTransition)
    # Before the action's due date, its effect cannot be judged yet.
    too_soon = date(2026, 8, 30)
    assert_rejected(
        nc,
        lambda: nc.verify(effective=True, note="x", verified_on=too_soon, stamp=secretary),
        InvalidInput,
    )
    nc.verify(
        effective=False, note="Vẫn thất lạc hồ sơ", verified_on=date(2026, 9, 15), stamp=secretary
    )
    assert nc.status == "reopened"
    assert [type(e).__name__ for e in nc.pending_events[-2:]] == ["Verified", "Reopened"]
    nc.plan_action(action=replace(ACTION, due_date=date(2026, 10, 31)), stamp=secretary)
    assert nc.attempts == 2
    nc.implement(evidence="Phần mềm", implemented_on=date(2026, 10, 1), stamp=secretary)
    nc.verify(
        effective=True, note="Không còn thất lạc", verified_on=date(2026, 11, 5), stamp=secretary
    )
    assert nc.status == "verified"
    nc.close(note="Đã khắc phục", stamp=secretary)
    assert nc.status == "closed"


def test_a_nonconformity_needs_a_known_source_and_a_description() -> None:
    with pytest.raises(InvalidInput) as refused:
        Nonconformity.open(facts=NcFacts("rumour", "mot-cua", "x", ""), stamp=stamp("thuky", UNIT))
    assert refused.value.extensions["field"] == "source"
    with pytest.raises(InvalidInput) as refused:
        Nonconformity.open(
            facts=NcFacts("complaint", "mot-cua", " ", ""), stamp=stamp("thuky", UNIT)
        )
    assert refused.value.extensions["field"] == "description"
