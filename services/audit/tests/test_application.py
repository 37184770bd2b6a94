"""The audit application on in-memory persistence: who may do what; publishing complete."""

import uuid
from datetime import date, timedelta

import pytest

from qms_audit.application import AuditApplication
from qms_audit.domain import (
    COMPLAINTS,
    OUTPUT_CAUSES,
    REVIEW_OUTPUTS,
    Auditor,
    AuditPlan,
    AuditProgramme,
    CorrectiveAction,
    NcFacts,
    Nonconformity,
    PlanContent,
    ProgrammeContent,
    Visit,
)
from qms_audit.publishing import AGGREGATES, MAPPER
from qms_audit.reactions import complaint_raised, outputs_cause_raised, review_concluded
from qms_contracts import audit as contract
from qms_contracts import model_for_type, procedures, review
from qms_runtime.clock import today
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.principal import AUDITOR, DEPARTMENT_LEADER, ISO_SECRETARY, STAFF, UNIT_LEADER
from qms_runtime.publishing import event_classes
from qms_runtime.testing import context, delivered

UNIT = "so-khcn"
SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
AUDITOR_LAN = context("danhgiavien", AUDITOR, unit=UNIT, department="ke-hoach")
ONE_STOP = context("tp", DEPARTMENT_LEADER, unit=UNIT, department="mot-cua")
OFFICE = context("vp", DEPARTMENT_LEADER, unit=UNIT, department="van-phong")
STAFF_ONE = context("cv", STAFF, unit=UNIT, department="mot-cua")
PROGRAMME = ProgrammeContent(
    2026,
    "Đánh giá hiệu lực HTQLCL",
    "Toàn bộ quy trình",
    "TCVN ISO 9001:2015",
    ("van-phong", "mot-cua"),
    date(2026, 5, 1),
    date(2026, 10, 31),
    1,
)
LAN = Auditor("danhgiavien", "Hoàng Văn Đánh", "ke-hoach")
PLAN = PlanContent(
    1,
    tuple(
        Visit(d, date(2026, 6, 10), "08:00–10:00", LAN, (), (), "QT-MC-01", ())
        for d in ("mot-cua", "van-phong")
    ),
)
ACTION = CorrectiveAction(
    "Tìm lại hồ sơ", "Sổ thủ công", "Sổ điện tử", "van-phong", date(2026, 8, 31)
)


@pytest.fixture
def app() -> AuditApplication:
    return AuditApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def approved_plan(app: AuditApplication) -> uuid.UUID:
    programme = app.draft_programme(SECRETARY, UNIT, PROGRAMME)
    with pytest.raises(IllegalTransition):
        app.draft_plan(SECRETARY, programme.id, PLAN)
    app.submit(SECRETARY, AuditProgramme, programme.id, 1)
    with pytest.raises(Forbidden):
        app.approve(SECRETARY, AuditProgramme, programme.id, 2)
    app.approve(LEADER, AuditProgramme, programme.id, 2)
    with pytest.raises(Forbidden):
        app.draft_plan(AUDITOR_LAN, programme.id, PLAN)
    plan = app.draft_plan(SECRETARY, programme.id, PLAN)
    app.submit(SECRETARY, AuditPlan, plan.id, 1)
    app.approve(LEADER, AuditPlan, plan.id, 2)
    return plan.id


def opened_nonconformities(app: AuditApplication) -> list[Nonconformity]:
    events, _ = app.notifications_after(0, 1000)
    ids = [e.originator_id for e in events if isinstance(e, Nonconformity.Opened)]
    return [app.repository.get(i) for i in ids]


def test_a_major_finding_opens_a_nonconformity_in_the_same_save(app: AuditApplication) -> None:
    plan_id = approved_plan(app)
    finding = {"department_id": "mot-cua", "clause": "7.5", "evidence": "Mất hồ sơ"}
    # Only an auditor, and only one planned on that department.
    with pytest.raises(Forbidden):
        app.record_finding(SECRETARY, plan_id, None, kind="major", **finding)
    other = context("khac", AUDITOR, unit=UNIT, department="ke-hoach")
    with pytest.raises(Forbidden):
        app.record_finding(other, plan_id, None, kind="major", **finding)
    app.record_finding(AUDITOR_LAN, plan_id, None, kind="observation", **finding)
    assert opened_nonconformities(app) == []
    app.record_finding(AUDITOR_LAN, plan_id, None, kind="major", **finding)
    [nc] = opened_nonconformities(app)
    assert (nc.facts.source, nc.facts.plan_id, nc.facts.finding_id) == ("audit", str(plan_id), "f2")
    assert (nc.facts.department_id, nc.facts.clause, nc.status) == ("mot-cua", "7.5", "open")


def test_the_audited_department_acknowledges_and_the_leader_concludes(
    app: AuditApplication,
) -> None:
    plan_id = approved_plan(app)
    app.record_finding(
        AUDITOR_LAN,
        plan_id,
        None,
        department_id="mot-cua",
        kind="minor",
        clause="8.5",
        evidence="x",
    )
    with pytest.raises(Forbidden):
        app.acknowledge_finding(OFFICE, plan_id, None, finding_id="f1", note="")
    with pytest.raises(Forbidden):
        app.acknowledge_finding(SECRETARY, plan_id, None, finding_id="f1", note="")
    app.acknowledge_finding(ONE_STOP, plan_id, None, finding_id="f1", note="Đồng ý")
    with pytest.raises(Forbidden):
        app.conclude(SECRETARY, plan_id, None, outcome="follow_up", note="")
    app.conclude(LEADER, plan_id, None, outcome="follow_up", note="Đánh giá lại")
    plans = [p for p in _all(app, AuditPlan) if p.id != plan_id]
    assert [(p.status, p.content.round) for p in plans] == [("draft", 2)]
    assert [v.department_id for v in plans[0].content.visits] == ["mot-cua"]


def _all(app: AuditApplication, kind: type[AuditPlan]) -> list[AuditPlan]:
    events, _ = app.notifications_after(0, 1000)
    return [app.repository.get(e.originator_id) for e in events if isinstance(e, kind.Drafted)]


def test_corrective_action_roles(app: AuditApplication) -> None:
    nc_id = app.open_nonconformity(
        SECRETARY, UNIT, NcFacts("complaint", "mot-cua", "Công dân phản ánh trễ hạn", "")
    ).id
    with pytest.raises(InvalidInput):
        app.open_nonconformity(SECRETARY, UNIT, NcFacts("audit", "mot-cua", "x", ""))
    with pytest.raises(Forbidden):
        app.open_nonconformity(STAFF_ONE, UNIT, NcFacts("complaint", "mot-cua", "x", ""))
    with pytest.raises(Forbidden):
        app.plan_corrective_action(OFFICE, nc_id, None, ACTION)
    app.plan_corrective_action(ONE_STOP, nc_id, None, ACTION)
    # The action belongs to the office: it records it done, not the one-stop leader.
    with pytest.raises(Forbidden):
        app.implement(ONE_STOP, nc_id, None, evidence="x", implemented_on=date(2026, 8, 1))
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="chưa đến"):
        app.implement(OFFICE, nc_id, None, evidence="Sổ điện tử", implemented_on=tomorrow)
    app.implement(OFFICE, nc_id, None, evidence="Sổ điện tử", implemented_on=date(2026, 8, 1))
    # A verification dated in the future would pass the due-date check before its time.
    with pytest.raises(InvalidInput, match="chưa đến"):
        app.verify(SECRETARY, nc_id, None, effective=True, note="x", verified_on=tomorrow)
    with pytest.raises(Forbidden):
        app.verify(ONE_STOP, nc_id, None, effective=True, note="x", verified_on=date(2026, 9, 1))
    app.verify(
        AUDITOR_LAN, nc_id, None, effective=True, note="Hiệu quả", verified_on=date(2026, 9, 1)
    )
    with pytest.raises(Forbidden):
        app.close_nonconformity(AUDITOR_LAN, nc_id, None, "")
    app.close_nonconformity(SECRETARY, nc_id, None, "Đã đóng")
    assert app.read(STAFF_ONE.principal, Nonconformity, nc_id).status == "closed"


def test_every_domain_event_class_has_an_entry_in_the_table() -> None:
    missing = [c.__qualname__ for c in event_classes(*AGGREGATES) if c not in MAPPER.table]
    assert [name for name in missing if not name.endswith(".Created")] == []


def test_every_recorded_event_maps_to_a_registered_valid_contract(app: AuditApplication) -> None:
    programme = app.draft_programme(SECRETARY, UNIT, PROGRAMME)
    app.submit(SECRETARY, AuditProgramme, programme.id, 1)
    app.return_for_revision(LEADER, AuditProgramme, programme.id, 2, "Thêm phòng")
    app.revise_programme(SECRETARY, programme.id, 3, PROGRAMME)
    app.submit(SECRETARY, AuditProgramme, programme.id, 4)
    app.approve(LEADER, AuditProgramme, programme.id, 5)
    plan = app.draft_plan(SECRETARY, programme.id, PLAN)
    app.submit(SECRETARY, AuditPlan, plan.id, 1)
    app.return_for_revision(LEADER, AuditPlan, plan.id, 2, "Thêm câu hỏi")
    app.revise_plan(SECRETARY, plan.id, 3, PLAN)
    app.submit(SECRETARY, AuditPlan, plan.id, 4)
    app.approve(LEADER, AuditPlan, plan.id, 5)
    app.record_finding(
        AUDITOR_LAN,
        plan.id,
        None,
        department_id="van-phong",
        kind="minor",
        clause="7.5",
        evidence="x",
    )
    app.acknowledge_finding(OFFICE, plan.id, None, finding_id="f1", note="")
    app.conclude(LEADER, plan.id, None, outcome="results_confirmed", note="")
    [nc] = opened_nonconformities(app)
    app.plan_corrective_action(OFFICE, nc.id, None, ACTION)
    app.implement(OFFICE, nc.id, None, evidence="x", implemented_on=date(2026, 8, 1))
    app.verify(SECRETARY, nc.id, None, effective=False, note="Chưa", verified_on=date(2026, 9, 1))
    app.plan_corrective_action(OFFICE, nc.id, None, ACTION)
    app.implement(OFFICE, nc.id, None, evidence="y", implemented_on=date(2026, 9, 2))
    app.verify(SECRETARY, nc.id, None, effective=True, note="Tốt", verified_on=date(2026, 10, 1))
    app.close_nonconformity(SECRETARY, nc.id, None, "")
    events, _ = app.notifications_after(0, 1000)
    outgoing = [item for item in map(MAPPER, events) if item is not None]
    names = [type(item.payload).__name__ for item in outgoing]
    assert names == [
        *("AuditProgrammeDrafted", "AuditProgrammeSubmitted", "AuditProgrammeReturned"),
        *("AuditProgrammeRevised", "AuditProgrammeSubmitted", "AuditProgrammeApproved"),
        *("AuditPlanDrafted", "AuditPlanSubmitted", "AuditPlanReturned", "AuditPlanRevised"),
        *("AuditPlanSubmitted", "AuditPlanApproved", "FindingRecorded", "NonconformityOpened"),
        *("FindingAcknowledged", "AuditConcluded", "CorrectiveActionPlanned"),
        *("CorrectiveActionImplemented", "EffectivenessVerified", "NonconformityReopened"),
        *("CorrectiveActionPlanned", "CorrectiveActionImplemented", "EffectivenessVerified"),
        "NonconformityClosed",
    ]
    for item in outgoing:
        model = model_for_type(item.payload.event_type)
        assert model is type(item.payload)
        assert model.model_validate(item.payload.model_dump(mode="json")) == item.payload
    planned = [
        i.payload for i in outgoing if isinstance(i.payload, contract.CorrectiveActionPlanned)
    ]
    assert [p.attempt for p in planned] == [1, 2]
    [drafted] = [i.payload for i in outgoing if isinstance(i.payload, contract.AuditPlanDrafted)]
    assert drafted.programme_id == str(programme.id) and drafted.visits[0].lead.name == LAN.name


def test_a_review_output_needing_corrective_action_opens_one_nonconformity(
    app: AuditApplication,
) -> None:
    review_id = uuid.uuid4()
    concluded = review.ReviewConcluded(
        review_id=str(review_id),
        unit_id=UNIT,
        summary="Kết luận",
        outputs=[
            review.ReviewOutput(
                output_id="o1",
                kind="improvement",
                description="Hồ sơ một cửa còn trễ hạn",
                corrective_action_needed=True,
                department_id="mot-cua",
            ),
            review.ReviewOutput(output_id="o2", kind="resource_need", description="Thêm máy"),
        ],
        concluded_by="giamdoc",
    )
    envelope, _ = delivered(review_id, 12, concluded, unit_id=UNIT, actor="giamdoc")
    for _ in range(2):  # delivered again after a crash before it was recorded as processed
        review_concluded(app, envelope, concluded)
    opened = [
        n for n in app.notification_log.select(start=1, limit=10) if n.topic.endswith(".Opened")
    ]
    assert len(opened) == 1
    nc: Nonconformity = app.repository.get(uuid.uuid5(REVIEW_OUTPUTS, f"{review_id}/o1"))
    assert (nc.facts.source, nc.facts.department_id, nc.status) == ("review", "mot-cua", "open")


def test_a_complaint_raised_as_a_nonconformity_opens_one_in_its_department(
    app: AuditApplication,
) -> None:
    feedback_id = uuid.uuid4()
    raised = procedures.ComplaintNonconformityRaised(
        feedback_id=str(feedback_id),
        unit_id=UNIT,
        department_id="mot-cua",
        description="Trả kết quả trễ hẹn nhiều lần",
        raised_by="thuky",
    )
    envelope, _ = delivered(feedback_id, 4, raised, unit_id=UNIT, actor="thuky")
    for _ in range(2):  # delivered again after a crash before it was recorded as processed
        complaint_raised(app, envelope, raised)
    opened = [
        n for n in app.notification_log.select(start=1, limit=10) if n.topic.endswith(".Opened")
    ]
    assert len(opened) == 1
    nc: Nonconformity = app.repository.get(uuid.uuid5(COMPLAINTS, str(feedback_id)))
    assert (nc.facts.source, nc.facts.department_id, nc.facts.feedback_id) == (
        "complaint",
        "mot-cua",
        str(feedback_id),
    )
    assert nc.status == "open" and nc.unit_id == UNIT
    events, _ = app.notifications_after(0, 10)
    [published] = [item.payload for item in map(MAPPER, events) if item is not None]
    assert isinstance(published, contract.NonconformityOpened)
    assert (published.source, published.feedback_id) == ("complaint", str(feedback_id))


def test_a_raised_cause_of_nonconforming_outputs_opens_one_nonconformity(
    app: AuditApplication,
) -> None:
    raise_id = uuid.uuid4()
    raised = procedures.CauseNonconformityRaised(
        raise_id=str(raise_id),
        unit_id=UNIT,
        procedure_id=str(uuid.uuid4()),
        cause="missing_documents",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        department_id="mot-cua",
        description="Hồ sơ thiếu thành phần lặp lại",
        raised_by="thuky",
    )
    envelope, _ = delivered(raise_id, 1, raised, unit_id=UNIT, actor="thuky")
    for _ in range(2):  # delivered again after a crash before it was recorded as processed
        outputs_cause_raised(app, envelope, raised)
    events, _ = app.notifications_after(0, 10)
    [opened] = [item.payload for item in map(MAPPER, events) if item is not None]
    assert isinstance(opened, contract.NonconformityOpened)
    assert (opened.source, opened.department_id, opened.cause_raise_id, opened.clause) == (
        "process_monitoring",
        "mot-cua",
        str(raise_id),
        "8.7",
    )
    assert opened.nonconformity_id == str(uuid.uuid5(OUTPUT_CAUSES, str(raise_id)))
