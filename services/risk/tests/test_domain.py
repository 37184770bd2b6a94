"""Every transition and rule of plans and register entries, no I/O."""

from datetime import date

import pytest

from qms_risk.domain import (
    ActionPlan,
    EntryFacts,
    Method,
    PlanContent,
    RegisterEntry,
    RiskPlan,
)
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import stamp

UNIT = "so-khcn"
#: low 1–4, medium 5–9, high 10–15, critical 16–25; medium and below accepted.
METHOD = Method(medium_from=5, high_from=10, critical_from=16, acceptance_level="medium")
RISK = EntryFacts("risk", "Trễ hạn hồ sơ", "TTHC-01", "Thiếu người", "Dân phàn nàn", "mot-cua")
ACTION = ActionPlan("Bổ sung người trực", "mot-cua", date(2026, 9, 30))


def content(**changes: object) -> PlanContent:
    values: dict[str, object] = {
        "title": "Kế hoạch 2026",
        "scope": "Bộ phận một cửa",
        "objectives": "Giảm hồ sơ trễ hạn",
        "resources": "Tổ ISO",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "method": METHOD,
    }
    return PlanContent(**{**values, **changes})  # type: ignore[arg-type]


def entry(facts: EntryFacts = RISK) -> RegisterEntry:
    return RegisterEntry.identify(
        plan_id="p", facts=facts, method=METHOD, stamp=stamp("truongphong", UNIT)
    )


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (15, "high"),
        (16, "critical"),
        (25, "critical"),
    ],
)
def test_levels_start_at_their_thresholds(score: int, level: str) -> None:
    assert METHOD.level(score) == level


@pytest.mark.parametrize(
    ("medium", "high", "critical", "acceptance"),
    [
        (1, 10, 16, "low"),
        (10, 10, 16, "low"),
        (5, 16, 16, "low"),
        (5, 10, 26, "low"),
        (5, 10, 16, "critical"),
        (5, 10, 16, "none"),
    ],
)
def test_a_method_needs_rising_thresholds_and_an_acceptance_below_critical(
    medium: int, high: int, critical: int, acceptance: str
) -> None:
    with pytest.raises(InvalidInput):
        Method(medium, high, critical, acceptance).check()


def test_a_plan_is_drafted_reviewed_and_only_then_takes_entries() -> None:
    plan = RiskPlan.draft(content=content(), stamp=stamp("thuky", UNIT))
    with pytest.raises(IllegalTransition):
        plan.method_for_entries()
    plan.submit(stamp("thuky", UNIT))
    with pytest.raises(Forbidden):
        plan.approve(stamp("thuky", UNIT))
    plan.return_for_revision("Thiếu nguồn lực", stamp("giamdoc", UNIT))
    plan.revise(content=content(resources="Tổ ISO và hai chuyên viên"), stamp=stamp("thuky", UNIT))
    assert plan.status == "draft" and plan.content.resources.startswith("Tổ ISO và")
    plan.submit(stamp("thuky", UNIT))
    plan.approve(stamp("giamdoc", UNIT))
    assert plan.method_for_entries() == METHOD
    with pytest.raises(IllegalTransition):
        plan.revise(content=content(), stamp=stamp("thuky", UNIT))


def test_a_plan_refuses_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(InvalidInput):
        RiskPlan.draft(content=content(period_end=date(2025, 12, 31)), stamp=stamp("thuky", UNIT))


def test_a_risk_goes_from_identified_to_closed() -> None:
    risk = entry()
    risk.assess(likelihood=4, severity=4, stamp=stamp("truongphong", UNIT))
    assert risk.inherent is not None and (risk.inherent.score, risk.inherent.level) == (
        16,
        "critical",
    )
    risk.plan_treatment(
        option="reduce", actions=(ACTION,), monitor_on=date(2026, 10, 31), stamp=stamp("tp", UNIT)
    )
    assert [a.action_id for a in risk.actions] == ["a1"] and risk.status == "treatment"
    with pytest.raises(IllegalTransition):
        risk.reassess(likelihood=1, severity=1, stamp=stamp("tp", UNIT))
    risk.complete_action(
        action_id="a1",
        evidence="Quyết định phân công",
        completed_on=date(2026, 9, 1),
        stamp=stamp("tp", UNIT),
    )
    with pytest.raises(IllegalTransition):
        risk.complete_action(
            action_id="a1",
            evidence="Lần nữa",
            completed_on=date(2026, 9, 2),
            stamp=stamp("tp", UNIT),
        )
    risk.reassess(likelihood=3, severity=3, stamp=stamp("tp", UNIT))
    assert risk.residual is not None and risk.residual.level == "medium"
    assert risk.status == "reassessed"
    risk.close(note="Đã kiểm soát", stamp=stamp("thuky", UNIT))
    assert risk.status == "closed"
    with pytest.raises(IllegalTransition):
        risk.assess(likelihood=1, severity=1, stamp=stamp("tp", UNIT))


def test_a_residual_level_above_acceptance_sends_the_entry_back_to_treatment() -> None:
    risk = entry()
    risk.assess(likelihood=5, severity=4, stamp=stamp("tp", UNIT))
    risk.plan_treatment(
        option="reduce", actions=(ACTION,), monitor_on=date(2026, 10, 31), stamp=stamp("tp", UNIT)
    )
    risk.complete_action(
        action_id="a1", evidence="Xong", completed_on=date(2026, 9, 1), stamp=stamp("tp", UNIT)
    )
    # 10 is the first score of 'high', one level above the acceptance level.
    risk.reassess(likelihood=2, severity=5, stamp=stamp("tp", UNIT))
    assert risk.residual is not None and risk.residual.level == "high"
    assert risk.status == "treatment"
    with pytest.raises(IllegalTransition):
        risk.close(note="", stamp=stamp("thuky", UNIT))
    risk.plan_treatment(
        option="reduce", actions=(ACTION,), monitor_on=date(2026, 12, 1), stamp=stamp("tp", UNIT)
    )
    # The done action stays, the new one never reuses its id.
    assert [(a.action_id, a.action_id in risk.completed) for a in risk.actions] == [
        ("a1", True),
        ("a2", False),
    ]


def test_treatment_options_follow_the_kind_and_need_actions_unless_accepted() -> None:
    risk = entry()
    risk.assess(likelihood=1, severity=2, stamp=stamp("tp", UNIT))
    with pytest.raises(InvalidInput):
        risk.plan_treatment(
            option="exploit",
            actions=(ACTION,),
            monitor_on=date(2026, 6, 1),
            stamp=stamp("tp", UNIT),
        )
    with pytest.raises(InvalidInput):
        risk.plan_treatment(
            option="reduce", actions=(), monitor_on=date(2026, 6, 1), stamp=stamp("tp", UNIT)
        )
    risk.plan_treatment(
        option="accept", actions=(), monitor_on=date(2026, 6, 1), stamp=stamp("tp", UNIT)
    )
    risk.reassess(likelihood=1, severity=2, stamp=stamp("tp", UNIT))
    assert risk.status == "reassessed"

    chance = entry(
        EntryFacts("opportunity", "Nộp trực tuyến", "TTHC-01", "Cổng DVC", "Nhanh", "mot-cua")
    )
    chance.assess(likelihood=3, severity=3, stamp=stamp("tp", UNIT))
    with pytest.raises(InvalidInput):
        chance.plan_treatment(
            option="avoid", actions=(ACTION,), monitor_on=date(2026, 6, 1), stamp=stamp("tp", UNIT)
        )
    chance.plan_treatment(
        option="exploit", actions=(ACTION,), monitor_on=date(2026, 6, 1), stamp=stamp("tp", UNIT)
    )


@pytest.mark.parametrize(("likelihood", "severity"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_ratings_are_between_one_and_five(likelihood: int, severity: int) -> None:
    with pytest.raises(InvalidInput):
        entry().assess(likelihood=likelihood, severity=severity, stamp=stamp("tp", UNIT))


def test_an_assessment_may_be_corrected_until_treatment_is_planned() -> None:
    risk = entry()
    with pytest.raises(IllegalTransition):
        risk.plan_treatment(
            option="accept", actions=(), monitor_on=date(2026, 6, 1), stamp=stamp("tp", UNIT)
        )
    risk.assess(likelihood=2, severity=2, stamp=stamp("tp", UNIT))
    risk.assess(likelihood=3, severity=2, stamp=stamp("tp", UNIT))
    assert risk.inherent is not None and risk.inherent.score == 6


def test_identification_needs_every_fact() -> None:
    with pytest.raises(InvalidInput):
        entry(EntryFacts("risk", " ", "TTHC-01", "c", "h", "mot-cua"))
    with pytest.raises(InvalidInput):
        entry(EntryFacts("threat", "t", "TTHC-01", "c", "h", "mot-cua"))
