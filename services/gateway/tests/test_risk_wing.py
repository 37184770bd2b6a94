"""The risk wing on PostgreSQL, without Kafka: projection, register, heat map, report, tasks."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from qms_contracts import IntegrationEvent
from qms_contracts import risk as contract
from qms_gateway.frame.routes import collect_tasks
from qms_gateway.frame.tasks import fetch_tasks
from qms_gateway.risk import WING, readmodel, tasks
from qms_gateway.risk.routes import heat_map_view
from qms_gateway.risk.views import RiskEntryView, RiskPlanView
from qms_runtime.clock import today
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
METHOD = contract.Method(medium_from=5, high_from=10, critical_from=17, acceptance_level="medium")
PAST = today() - timedelta(days=3)
FUTURE = today() + timedelta(days=30)


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def history(aggregate_id: uuid.UUID, payloads: list[IntegrationEvent]) -> list[Message]:
    return [delivered(aggregate_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


def plan_events(plan_id: uuid.UUID) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"plan_id": str(plan_id), "unit_id": UNIT}
    content: dict[str, Any] = {
        "scope": "Các quy trình một cửa",
        "objectives": "Nhận diện rủi ro năm 2026",
        "resources": "Tổ ISO",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "method": METHOD,
    }
    return [
        contract.RiskPlanDrafted(**ids, title="Kế hoạch 2026", **content),
        contract.RiskPlanSubmitted(**ids, submitted_by="thuky"),
        contract.RiskPlanReturned(**ids, reason="Thiếu nguồn lực", returned_by="giamdoc"),
        contract.RiskPlanRevised(**ids, title="Kế hoạch rủi ro 2026", **content),
        contract.RiskPlanSubmitted(**ids, submitted_by="thuky"),
        contract.RiskPlanApproved(**ids, approved_by="giamdoc"),
    ]


def entry_events(
    entry_id: uuid.UUID, plan_id: uuid.UUID, *, kind: str = "risk", department: str = "qlkh"
) -> list[IntegrationEvent]:
    """Identified, assessed high (3×4), treated with two actions, one done."""
    ids: dict[str, Any] = {"entry_id": str(entry_id), "unit_id": UNIT}
    return [
        contract.RiskIdentified(
            **ids,
            plan_id=str(plan_id),
            kind=kind,
            title="Hồ sơ trễ hạn",
            process="QT-01",
            cause="Thiếu người",
            consequence="Khiếu nại",
            department_id=department,
            method=METHOD,
            identified_by="truongphong",
        ),
        contract.RiskAssessed(
            **ids,
            likelihood=3,
            severity=4,
            score=12,
            level="high",
            priority=2,
            assessed_by="truongphong",
        ),
        contract.TreatmentPlanned(
            **ids,
            option="reduce" if kind == "risk" else "exploit",
            actions=[
                contract.TreatmentAction(
                    action_id="a1",
                    description="Bổ sung người",
                    owner_department_id=department,
                    due_date=PAST,
                ),
                contract.TreatmentAction(
                    action_id="a2",
                    description="Nhắc hạn tự động",
                    owner_department_id="van-phong",
                    due_date=PAST,
                ),
            ],
            monitor_on=FUTURE,
            planned_by="truongphong",
        ),
        contract.TreatmentActionCompleted(
            **ids,
            action_id="a2",
            evidence="Đã cấu hình",
            completed_on=PAST,
            completed_by="thuky",
        ),
    ]


def rest_of_treatment(entry_id: uuid.UUID, residual: tuple[int, int, str, bool]) -> list[Any]:
    """a1 done, then re-assessed at `residual` (likelihood, severity, level, acceptable)."""
    ids: dict[str, Any] = {"entry_id": str(entry_id), "unit_id": UNIT}
    likelihood, severity, level, acceptable = residual
    return [
        contract.TreatmentActionCompleted(
            **ids, action_id="a1", evidence="Quyết định", completed_on=PAST, completed_by="tp"
        ),
        contract.RiskReassessed(
            **ids,
            likelihood=likelihood,
            severity=severity,
            score=likelihood * severity,
            level=level,
            acceptable=acceptable,
            reassessed_by="tp",
        ),
    ]


def principal(sub: str, role: str, department: str | None = None) -> Principal:
    return Principal(sub, sub, frozenset({UNIT}), frozenset({role}), department)


async def test_a_plan_history_gives_its_row(wing: Any) -> None:
    plan_id = uuid.uuid4()
    await wing.machine.apply(list(reversed(history(plan_id, plan_events(plan_id)))))
    view = RiskPlanView.model_validate(await readmodel.plan(wing.pool, plan_id))
    assert (view.status, view.version, view.title) == ("approved", 6, "Kế hoạch rủi ro 2026")
    assert view.return_reason is None and view.method.acceptance_level == "medium"
    assert view.period_end == "2026-12-31"


async def test_an_entry_from_identification_to_closure(wing: Any) -> None:
    plan_id, entry_id = uuid.uuid4(), uuid.uuid4()
    ids: dict[str, Any] = {"entry_id": str(entry_id), "unit_id": UNIT}
    events = [
        *entry_events(entry_id, plan_id),
        *rest_of_treatment(entry_id, (2, 2, "low", True)),
        contract.RiskClosed(**ids, note="Đã kiểm soát", closed_by="thuky"),
    ]
    await wing.machine.apply(history(entry_id, events[:4]))
    treated = RiskEntryView.model_validate(await readmodel.entry(wing.pool, entry_id))
    assert treated.status == "treatment" and treated.option == "reduce"
    assert [(a.action_id, a.done) for a in treated.actions] == [("a1", False), ("a2", True)]
    assert treated.actions[1].evidence == "Đã cấu hình"
    assert treated.inherent is not None and treated.inherent.score == 12
    assert (treated.level, treated.priority) == ("high", 2)

    await wing.machine.apply(history(entry_id, events))
    closed = RiskEntryView.model_validate(await readmodel.entry(wing.pool, entry_id))
    assert (closed.status, closed.level, closed.closing_note) == ("closed", "low", "Đã kiểm soát")
    assert closed.residual is not None and closed.residual.score == 4
    assert closed.inherent is not None and closed.inherent.level == "high"


async def test_a_new_treatment_keeps_done_actions_and_replaces_open_ones(wing: Any) -> None:
    plan_id, entry_id = uuid.uuid4(), uuid.uuid4()
    ids: dict[str, Any] = {"entry_id": str(entry_id), "unit_id": UNIT}
    replanned = contract.TreatmentPlanned(
        **ids,
        option="transfer",
        actions=[
            contract.TreatmentAction(
                action_id="a3",
                description="Thuê ngoài",
                owner_department_id="qlkh",
                due_date=FUTURE,
            )
        ],
        monitor_on=FUTURE,
        planned_by="thuky",
    )
    await wing.machine.apply(history(entry_id, [*entry_events(entry_id, plan_id), replanned]))
    view = RiskEntryView.model_validate(await readmodel.entry(wing.pool, entry_id))
    assert [(a.action_id, a.done) for a in view.actions] == [("a2", True), ("a3", False)]
    assert view.option == "transfer"


async def test_heat_map_report_and_supervision_count_what_was_done(wing: Any) -> None:
    plan_id = uuid.uuid4()
    closed, back, opportunity, fresh = (uuid.uuid4() for _ in range(4))
    await wing.machine.apply(
        [
            *history(plan_id, plan_events(plan_id)),
            *history(
                closed,
                [*entry_events(closed, plan_id), *rest_of_treatment(closed, (2, 2, "low", True))],
            ),
            *history(
                back,
                [*entry_events(back, plan_id), *rest_of_treatment(back, (3, 4, "high", False))],
            ),
            *history(opportunity, entry_events(opportunity, plan_id, kind="opportunity")),
            *history(fresh, entry_events(fresh, plan_id)[:1]),
        ]
    )
    counts = await readmodel.heat_map(wing.pool, UNIT, plan_id)
    view = heat_map_view(UNIT, plan_id, counts)
    assert len(view.inherent) == 25
    assert {(c.likelihood, c.severity): c.entries for c in view.inherent if c.entries} == {
        (3, 4): 3
    }
    assert {(c.likelihood, c.severity): c.entries for c in view.residual if c.entries} == {
        (2, 2): 1,
        (3, 4): 1,
    }
    assert await readmodel.heat_map(wing.pool, UNIT, uuid.uuid4()) == {
        "inherent": {},
        "residual": {},
    }

    report = await readmodel.report(wing.pool, plan_id, today())
    assert (report["entries"], report["risks"], report["opportunities"]) == (4, 3, 1)
    assert report["by_level"]["inherent"] == {"low": 0, "medium": 0, "high": 3, "critical": 0}
    assert report["by_level"]["residual"] == {"low": 1, "medium": 0, "high": 1, "critical": 0}
    assert (report["actions_planned"], report["actions_done"]) == (6, 5)
    assert [(a["entry_id"], a["action_id"]) for a in report["overdue_actions"]] == [
        (str(opportunity), "a1")
    ]
    assert [o["entry_id"] for o in report["opportunities_taken"]] == [str(opportunity)]

    status = await readmodel.risk_status(wing.pool, [UNIT, "khac"], today())
    # Above "medium": `back` (residual high) and the opportunity (inherent high, in treatment).
    assert status[UNIT]["above_acceptance"] == 2 and status[UNIT]["overdue_actions"] == 1
    assert status["khac"] == {"unit_id": "khac", "above_acceptance": 0, "overdue_actions": 0}


async def test_tasks_follow_the_register_by_role_and_department(wing: Any) -> None:
    plan_id, fresh, assessed, overdue, back, done = (uuid.uuid4() for _ in range(6))
    await wing.machine.apply(
        [
            *history(plan_id, plan_events(plan_id)[:2]),
            *history(fresh, entry_events(fresh, plan_id)[:1]),
            *history(assessed, entry_events(assessed, plan_id, department="khac")[:2]),
            *history(overdue, entry_events(overdue, plan_id)),
            *history(
                back,
                [*entry_events(back, plan_id), *rest_of_treatment(back, (3, 4, "high", False))],
            ),
            *history(
                done, [*entry_events(done, plan_id), *rest_of_treatment(done, (1, 2, "low", True))]
            ),
        ]
    )

    def found(tasks_: list[Any]) -> set[tuple[str, str]]:
        return {(t.action, t.id) for t in tasks_}

    leader = await fetch_tasks(wing.pool, principal("giamdoc", UNIT_LEADER), tasks.tasks)
    assert found(leader) == {("approve", str(plan_id))}
    secretary = await fetch_tasks(wing.pool, principal("thuky", ISO_SECRETARY), tasks.tasks)
    assert found(secretary) == {
        ("close", str(done)),
        ("complete_action", str(overdue)),
        ("reassess", str(back)),
    }
    own = await fetch_tasks(wing.pool, principal("tp", DEPARTMENT_LEADER, "qlkh"), tasks.tasks)
    assert found(own) == {
        ("assess", str(fresh)),
        ("complete_action", str(overdue)),
        ("reassess", str(back)),
    }
    # Action a2 (overdue while open) belongs to van-phong; the entry to qlkh.
    other = await fetch_tasks(wing.pool, principal("tp2", DEPARTMENT_LEADER, "khac"), tasks.tasks)
    assert found(other) == {("plan_treatment", str(assessed))}

    pages = {
        t.page for t in await collect_tasks(wing.pool, principal("thuky", ISO_SECRETARY), [WING])
    }
    assert pages == {f"/rui-ro/{done}", f"/rui-ro/{overdue}", f"/rui-ro/{back}"}
