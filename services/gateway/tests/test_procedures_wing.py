"""The procedures wing on PostgreSQL, without Kafka: versions, dossiers through their steps,
statistics, the Pareto of causes, tasks by role and the public list."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from qms_contracts import IntegrationEvent
from qms_contracts import procedures as contract
from qms_gateway.frame.tasks import fetch_tasks
from qms_gateway.procedures import WING, readmodel, tasks
from qms_gateway.procedures.actions import dossier_actions, version_actions
from qms_gateway.procedures.views import DossierView, ProcedureVersionView
from qms_runtime.clock import TIMEZONE, today
from qms_runtime.principal import (
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    STAFF,
    UNIT_LEADER,
    Principal,
)
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
STEPS = [
    contract.Step(name="Tiếp nhận", department_id="mot-cua", role="", working_days=1),
    contract.Step(name="Thẩm định", department_id="qlkh", role="", working_days=3),
    contract.Step(name="Ký duyệt", department_id="", role=UNIT_LEADER, working_days=1),
]
FORM = contract.Form(name="Đơn đề nghị", code="BM-01", version="1", sha256="a" * 64, size=2048)


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def history(aggregate_id: uuid.UUID, payloads: list[IntegrationEvent]) -> list[Message]:
    return [delivered(aggregate_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


def principal(sub: str, role: str, department: str | None = None) -> Principal:
    return Principal(sub, sub, frozenset({UNIT}), frozenset({role}), department)


def version_events(
    version_id: uuid.UUID, procedure_id: uuid.UUID, *, number: int = 1, review_on: date
) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"version_id": str(version_id), "unit_id": UNIT}
    content: dict[str, Any] = {
        "name": "Cấp giấy xác nhận",
        "scope": "Hồ sơ nội bộ",
        "steps": STEPS,
        "forms": [FORM],
        "review_on": review_on,
    }
    return [
        contract.ProcedureVersionDrafted(
            **ids, procedure_id=str(procedure_id), code="QT-05", number=number, **content
        ),
        contract.ProcedureVersionSubmitted(**ids, submitted_by="thuky"),
        contract.ProcedureVersionReturned(**ids, reason="Thiếu biểu mẫu", returned_by="giamdoc"),
        contract.ProcedureVersionRevised(**{**ids, **content, "name": "Cấp giấy chứng nhận"}),
        contract.ProcedureVersionSubmitted(**ids, submitted_by="thuky"),
        contract.ProcedureVersionApproved(**ids, approved_by="giamdoc"),
        contract.ProcedurePublished(
            **ids, published_on=date(2026, 3, 2), departments=["mot-cua", "qlkh"], published_by="tk"
        ),
    ]


def due_steps(first: date) -> list[contract.DossierStep]:
    return [
        contract.DossierStep(**step.model_dump(), due_on=first + timedelta(days=index))
        for index, step in enumerate(STEPS)
    ]


def filed(dossier_id: uuid.UUID, procedure_id: uuid.UUID, code: str, first: date) -> Any:
    steps = due_steps(first)
    return contract.DossierFiled(
        dossier_id=str(dossier_id),
        unit_id=UNIT,
        code=code,
        procedure_id=str(procedure_id),
        version_id=str(uuid.uuid4()),
        version_number=1,
        subject="Xác nhận đề tài",
        applicant_name="Nguyễn Văn A",
        received_at=datetime(first.year, first.month, first.day, 9, tzinfo=TIMEZONE),
        steps=steps,
        due_on=steps[-1].due_on,
        filed_by="motcua",
    )


def step_done(dossier_id: uuid.UUID, step: int, done_on: date, due_on: date, outcome: str) -> Any:
    return contract.DossierStepCompleted(
        dossier_id=str(dossier_id),
        unit_id=UNIT,
        step=step,
        note="Xong",
        done_on=done_on,
        due_on=due_on,
        outcome=outcome,
        completed_by="cv",
    )


def completed(
    dossier_id: uuid.UUID, procedure_id: uuid.UUID, done_on: date, due_on: date, outcome: str
) -> Any:
    return contract.DossierCompleted(
        dossier_id=str(dossier_id),
        unit_id=UNIT,
        procedure_id=str(procedure_id),
        received_on=date(2026, 3, 2),
        done_on=done_on,
        due_on=due_on,
        outcome=outcome,
        completed_by="giamdoc",
    )


async def test_a_version_from_draft_to_obsolete_and_its_read_acknowledgements(wing: Any) -> None:
    procedure_id, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    past = today() - timedelta(days=1)
    await wing.machine.apply(history(first, version_events(first, procedure_id, review_on=past)))
    view = ProcedureVersionView.model_validate(await readmodel.version(wing.pool, first))
    assert (view.status, view.version, view.name) == ("published", 7, "Cấp giấy chứng nhận")
    assert view.departments == ["mot-cua", "qlkh"] and view.acknowledged == {}
    assert view.forms[0].code == "BM-01" and [s.working_days for s in view.steps] == [1, 3, 1]

    desk_head = principal("tp1", DEPARTMENT_LEADER, "mot-cua")
    assert "acknowledge" in version_actions(desk_head, view.model_dump())
    found = await fetch_tasks(wing.pool, desk_head, tasks.tasks)
    assert [(t.action, t.id) for t in found if t.kind == "procedure_version"] == [
        ("acknowledge", str(first))
    ]
    secretary = principal("thuky", ISO_SECRETARY)
    overdue = await fetch_tasks(wing.pool, secretary, tasks.tasks)
    assert ("periodic_review", str(first)) in [(t.action, t.id) for t in overdue]

    ids = {"version_id": str(first), "unit_id": UNIT}
    await wing.machine.apply(
        [
            delivered(
                first,
                8,
                contract.ProcedureReadAcknowledged(
                    **ids, department_id="mot-cua", acknowledged_by="tp1"
                ),
                unit_id=UNIT,
            ),
            delivered(
                first,
                9,
                contract.ProcedurePeriodicReviewRecorded(
                    **ids, note="Còn phù hợp", next_review_on=date(2030, 1, 1), reviewed_by="tk"
                ),
                unit_id=UNIT,
            ),
        ]
    )
    assert not [
        t for t in await fetch_tasks(wing.pool, desk_head, tasks.tasks) if t.kind != "dossier"
    ]
    assert "periodic_review" not in [
        t.action for t in await fetch_tasks(wing.pool, secretary, tasks.tasks)
    ]

    second_events = version_events(second, procedure_id, number=2, review_on=date(2030, 1, 1))
    obsolete = contract.ProcedureObsoleted(**ids, replaced_by=str(second))
    await wing.machine.apply(
        [*history(second, second_events), delivered(first, 10, obsolete, unit_id=UNIT)]
    )
    old = ProcedureVersionView.model_validate(await readmodel.version(wing.pool, first))
    assert (old.status, old.replaced_by, old.acknowledged) == (
        "obsolete",
        str(second),
        {"mot-cua": "tp1"},
    )
    public = await readmodel.versions(wing.pool, UNIT, statuses=["published"])
    assert [(v["id"], v["number"]) for v in public] == [(str(second), 2)]


async def test_a_dossier_through_its_steps_a_return_a_supplement_and_an_apology(
    wing: Any,
) -> None:
    procedure_id, dossier_id = uuid.uuid4(), uuid.uuid4()
    first = today() - timedelta(days=10)
    ids: dict[str, Any] = {"dossier_id": str(dossier_id), "unit_id": UNIT}
    events: list[Any] = [filed(dossier_id, procedure_id, "KHCN-1", first)]
    await wing.machine.apply(history(dossier_id, events))
    desk = principal("motcua", STAFF, "mot-cua")
    experts = principal("cv", STAFF, "qlkh")
    row = await readmodel.dossier(wing.pool, dossier_id)
    assert row is not None and (row["step_department"], row["current_step"]) == ("mot-cua", 0)
    assert dossier_actions(desk, row) >= {"complete_step", "supplement_request"}
    assert "return" not in dossier_actions(desk, row) and not dossier_actions(experts, row)
    assert [t.id for t in await fetch_tasks(wing.pool, desk, tasks.tasks)] == [str(dossier_id)]

    moved = [
        step_done(dossier_id, 0, first, first, "on_time"),
        contract.DossierReturned(**ids, from_step=1, to_step=0, reason="Sai mẫu", returned_by="cv"),
        contract.NonconformingOutputRecorded(
            **ids,
            procedure_id=str(procedure_id),
            step=0,
            kind="returned",
            cause="wrong_content",
            note="Sai mẫu",
        ),
        step_done(dossier_id, 0, first, first, "on_time"),
        contract.DossierSupplementRequested(
            **ids, reason="Thiếu bản sao", requested_on=first, requested_by="cv"
        ),
    ]
    events += moved
    await wing.machine.apply(history(dossier_id, events))
    row = await readmodel.dossier(wing.pool, dossier_id)
    assert row is not None
    assert (row["status"], row["current_step"], row["step_department"]) == (
        "supplement_requested",
        1,
        "qlkh",
    )
    assert row["supplement_requests"] == 1 and row["steps"][0]["outcome"] == "on_time"
    assert [(t.action, t.id) for t in await fetch_tasks(wing.pool, desk, tasks.tasks)] == [
        ("receive_supplement", str(dossier_id))
    ]

    moved_steps = [
        contract.DossierStep(
            **step.model_dump(exclude={"due_on"}), due_on=step.due_on + timedelta(3)
        )
        for step in due_steps(first)
    ]
    events += [
        contract.DossierSupplementReceived(
            **ids,
            received_at=datetime(first.year, first.month, first.day, 10, tzinfo=TIMEZONE),
            steps=moved_steps,
            due_on=moved_steps[-1].due_on,
            received_by="motcua",
        ),
        contract.DossierDueDateExtended(
            **ids,
            previous_due_on=moved_steps[-1].due_on,
            due_on=moved_steps[-1].due_on + timedelta(days=7),
            reason="Cần xác minh",
            department_id="qlkh",
            issued_on=first,
            issued_by="cv",
        ),
    ]
    await wing.machine.apply(history(dossier_id, events))
    view = DossierView.model_validate(await readmodel.dossier(wing.pool, dossier_id))
    assert view.status == "processing" and view.extended
    assert view.step_due_on == moved_steps[1].due_on.isoformat()
    assert view.steps[0].outcome == "on_time", "a supplement keeps what was done"
    assert (
        view.steps[2].due_on == view.due_on == (moved_steps[-1].due_on + timedelta(7)).isoformat()
    )
    assert "extend_due_date" not in dossier_actions(experts, view.model_dump())

    done_on = first + timedelta(days=2)
    events += [
        step_done(dossier_id, 1, done_on, moved_steps[1].due_on, "early"),
        step_done(dossier_id, 2, done_on, date.fromisoformat(view.due_on), "early"),
        completed(dossier_id, procedure_id, done_on, date.fromisoformat(view.due_on), "early"),
        contract.DossierArchived(**ids, archived_by="motcua"),
    ]
    await wing.machine.apply(history(dossier_id, events))
    final = DossierView.model_validate(await readmodel.dossier(wing.pool, dossier_id))
    assert (final.status, final.outcome, final.current_step) == ("archived", "early", 2)
    assert [s.outcome for s in final.steps] == ["on_time", "early", "early"]


async def test_statistics_and_the_pareto_of_causes_count_what_happened(wing: Any) -> None:
    procedure_id = uuid.uuid4()
    version_id = uuid.uuid4()
    first = today() - timedelta(days=30)
    await wing.machine.apply(
        history(version_id, version_events(version_id, procedure_id, review_on=date(2030, 1, 1)))
    )
    early, on_time, late, open_, overdue = (uuid.uuid4() for _ in range(5))
    due = first + timedelta(days=2)

    def finished(dossier_id: uuid.UUID, code: str, done_on: date, outcome: str) -> list[Any]:
        return [
            filed(dossier_id, procedure_id, code, first),
            completed(dossier_id, procedure_id, done_on, due, outcome),
        ]

    late_output = contract.NonconformingOutputRecorded(
        dossier_id=str(late),
        unit_id=UNIT,
        procedure_id=str(procedure_id),
        step=1,
        kind="late",
        cause="workload",
        note="Nhiều hồ sơ",
    )
    await wing.machine.apply(
        [
            *history(early, finished(early, "K-1", first, "early")),
            *history(on_time, finished(on_time, "K-2", due, "on_time")),
            *history(late, [*finished(late, "K-3", due + timedelta(1), "late"), late_output]),
            *history(open_, [filed(open_, procedure_id, "K-4", today())]),
            *history(
                overdue,
                [
                    filed(overdue, procedure_id, "K-5", first),
                    contract.DossierSupplementRequested(
                        dossier_id=str(overdue),
                        unit_id=UNIT,
                        reason="Thiếu",
                        requested_on=first,
                        requested_by="cv",
                    ),
                ],
            ),
        ]
    )
    found = await readmodel.statistics(wing.pool, UNIT, first, today(), today())
    assert len(found) == 1
    figures = {k: found[0][k] for k in ("received", "early", "on_time", "late", "open", "overdue")}
    # K-5 waits for its supplement past its due date; K-4 came in today.
    assert figures == {
        "received": 5,
        "early": 1,
        "on_time": 1,
        "late": 1,
        "open": 2,
        "overdue": 1,
    }
    later = await readmodel.statistics(wing.pool, UNIT, first + timedelta(1), today(), today())
    assert later[0]["received"] == 1, "only what was received in the period counts"
    assert found[0]["supplement_requests"] == 1 and found[0]["code"] == "QT-05"

    pareto = await readmodel.pareto(wing.pool, UNIT, date(2000, 1, 1), date(2100, 1, 1), None)
    assert [(p["cause"], p["outputs"], p["cumulative_percent"]) for p in pareto] == [
        ("workload", 1, 100.0)
    ]
    board, total = await readmodel.dossiers(wing.pool, UNIT, statuses=["processing"])
    assert total == 1 and board[0]["code"] == "K-4"


async def test_a_role_step_waits_for_that_role(wing: Any) -> None:
    procedure_id, dossier_id = uuid.uuid4(), uuid.uuid4()
    first = today()
    events = [
        filed(dossier_id, procedure_id, "K-9", first),
        step_done(dossier_id, 0, first, first, "on_time"),
        step_done(dossier_id, 1, first, first + timedelta(1), "early"),
    ]
    await wing.machine.apply(history(dossier_id, events))
    leader = principal("giamdoc", UNIT_LEADER)
    assert [(t.action, t.id) for t in await fetch_tasks(wing.pool, leader, tasks.tasks)] == [
        ("complete_step", str(dossier_id))
    ]
    row = await readmodel.dossier(wing.pool, dossier_id)
    assert row is not None and dossier_actions(leader, row) >= {"complete_step", "return"}
    assert not dossier_actions(principal("cv", STAFF, "qlkh"), row)
