"""The risk application on in-memory persistence: who may do what, publishing complete and valid."""

import uuid
from datetime import date

import pytest

from qms_contracts import model_for_type
from qms_contracts import risk as contract
from qms_risk.application import RiskApplication
from qms_risk.domain import ActionPlan, EntryFacts, Method, PlanContent, RegisterEntry, RiskPlan
from qms_risk.publishing import AGGREGATES, MAPPER
from qms_runtime.commands import CommandContext
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER
from qms_runtime.publishing import event_classes
from qms_runtime.testing import context

UNIT = "so-khcn"
SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
ONE_STOP = context("tp", DEPARTMENT_LEADER, unit=UNIT, department="mot-cua")
OFFICE = context("vp", DEPARTMENT_LEADER, unit=UNIT, department="van-phong")
METHOD = Method(medium_from=5, high_from=10, critical_from=16, acceptance_level="medium")
CONTENT = PlanContent(
    "Kế hoạch 2026",
    "Một cửa",
    "Giảm trễ hạn",
    "Tổ ISO",
    date(2026, 1, 1),
    date(2026, 12, 31),
    METHOD,
)
RISK = EntryFacts("risk", "Trễ hạn hồ sơ", "TTHC-01", "Thiếu người", "Dân phàn nàn", "mot-cua")


@pytest.fixture
def app() -> RiskApplication:
    return RiskApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def approved_plan(app: RiskApplication) -> uuid.UUID:
    plan = app.draft_plan(SECRETARY, UNIT, CONTENT)
    app.submit(SECRETARY, RiskPlan, plan.id, 1)
    app.approve(LEADER, RiskPlan, plan.id, 2)
    return plan.id


def treated(app: RiskApplication, plan_id: uuid.UUID, who: CommandContext) -> uuid.UUID:
    risk = app.identify(ONE_STOP, UNIT, plan_id, RISK)
    app.assess(who, risk.id, 1, likelihood=4, severity=4)
    actions = (ActionPlan("Bổ sung người trực", "van-phong", date(2026, 9, 30)),)
    app.plan_treatment(
        who, risk.id, 2, option="reduce", actions=actions, monitor_on=date(2026, 10, 31)
    )
    return risk.id


def test_entries_only_under_an_approved_plan_of_the_same_unit(app: RiskApplication) -> None:
    draft = app.draft_plan(SECRETARY, UNIT, CONTENT)
    with pytest.raises(IllegalTransition):
        app.identify(ONE_STOP, UNIT, draft.id, RISK)
    with pytest.raises(NotFound):
        app.identify(ONE_STOP, UNIT, uuid.uuid4(), RISK)
    other_unit = context("thuky-stp", ISO_SECRETARY, unit="so-tu-phap")
    foreign = app.draft_plan(other_unit, "so-tu-phap", CONTENT)
    with pytest.raises(InvalidInput):
        app.identify(ONE_STOP, UNIT, foreign.id, RISK)


def test_a_department_leader_identifies_and_assesses_only_for_their_department(
    app: RiskApplication,
) -> None:
    plan_id = approved_plan(app)
    with pytest.raises(Forbidden):
        app.identify(OFFICE, UNIT, plan_id, RISK)
    with pytest.raises(Forbidden):
        app.identify(SECRETARY, UNIT, plan_id, RISK)
    risk = app.identify(ONE_STOP, UNIT, plan_id, RISK)
    with pytest.raises(Forbidden):
        app.assess(OFFICE, risk.id, None, likelihood=2, severity=2)
    with pytest.raises(Forbidden):
        app.assess(LEADER, risk.id, None, likelihood=2, severity=2)
    app.assess(SECRETARY, risk.id, None, likelihood=2, severity=2)
    app.assess(ONE_STOP, risk.id, None, likelihood=3, severity=2)
    entry = app.read(OFFICE.principal, RegisterEntry, risk.id)
    assert entry.inherent is not None and entry.inherent.score == 6


def test_the_action_owner_completes_it_and_only_the_secretary_closes(app: RiskApplication) -> None:
    risk_id = treated(app, approved_plan(app), ONE_STOP)
    # The action belongs to the office: the one-stop leader may not mark it done.
    with pytest.raises(Forbidden):
        app.complete_action(
            ONE_STOP, risk_id, None, action_id="a1", evidence="x", completed_on=date(2026, 9, 1)
        )
    app.complete_action(
        OFFICE, risk_id, None, action_id="a1", evidence="QĐ 12", completed_on=date(2026, 9, 1)
    )
    app.reassess(ONE_STOP, risk_id, None, likelihood=2, severity=2)
    with pytest.raises(Forbidden):
        app.close_entry(ONE_STOP, risk_id, None, "")
    app.close_entry(SECRETARY, risk_id, None, "Đã kiểm soát")
    assert app.read(SECRETARY.principal, RegisterEntry, risk_id).status == "closed"


def test_every_domain_event_class_has_an_entry_in_the_table() -> None:
    missing = [c.__qualname__ for c in event_classes(*AGGREGATES) if c not in MAPPER.table]
    assert [name for name in missing if not name.endswith(".Created")] == []


def test_every_recorded_event_maps_to_a_registered_valid_contract(app: RiskApplication) -> None:
    plan_id = approved_plan(app)
    risk_id = treated(app, plan_id, SECRETARY)
    app.complete_action(
        SECRETARY, risk_id, None, action_id="a1", evidence="QĐ 12", completed_on=date(2026, 9, 1)
    )
    app.reassess(SECRETARY, risk_id, None, likelihood=3, severity=4)  # 12: high, sent back
    app.plan_treatment(
        SECRETARY,
        risk_id,
        None,
        option="reduce",
        actions=(ActionPlan("Số hoá hồ sơ", "mot-cua", date(2026, 11, 30)),),
        monitor_on=date(2026, 12, 15),
    )
    app.complete_action(
        ONE_STOP, risk_id, None, action_id="a2", evidence="Phần mềm", completed_on=date(2026, 11, 1)
    )
    app.reassess(SECRETARY, risk_id, None, likelihood=2, severity=2)
    app.close_entry(SECRETARY, risk_id, None, "")
    events, _ = app.notifications_after(0, 1000)
    outgoing = [item for item in map(MAPPER, events) if item is not None]
    assert [type(item.payload).__name__ for item in outgoing] == [
        "RiskPlanDrafted",
        "RiskPlanSubmitted",
        "RiskPlanApproved",
        "RiskIdentified",
        "RiskAssessed",
        "TreatmentPlanned",
        "TreatmentActionCompleted",
        "RiskReassessed",
        "TreatmentPlanned",
        "TreatmentActionCompleted",
        "RiskReassessed",
        "RiskClosed",
    ]
    for item in outgoing:
        model = model_for_type(item.payload.event_type)
        assert model is type(item.payload)
        assert model.model_validate(item.payload.model_dump(mode="json")) == item.payload
    assessed = [i.payload for i in outgoing if isinstance(i.payload, contract.RiskAssessed)]
    assert [(a.score, a.level, a.priority) for a in assessed] == [(16, "critical", 1)]
    reassessed = [i.payload for i in outgoing if isinstance(i.payload, contract.RiskReassessed)]
    assert [(r.level, r.acceptable) for r in reassessed] == [("high", False), ("low", True)]
    second_plan = [i.payload for i in outgoing if isinstance(i.payload, contract.TreatmentPlanned)]
    assert [[a.action_id for a in p.actions] for p in second_plan] == [["a1"], ["a2"]]
