"""The objectives wing on PostgreSQL, without Kafka: projection, views, tasks."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from qms_contracts import IntegrationEvent
from qms_contracts import objectives as contract
from qms_gateway.frame.routes import collect_tasks
from qms_gateway.frame.tasks import TASKS_PER_STEP, fetch_tasks
from qms_gateway.objectives import WING, readmodel, tasks
from qms_gateway.objectives.views import DocumentView, ObjectiveView
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def message(aggregate_id: uuid.UUID, version: int, payload: IntegrationEvent) -> Message:
    return delivered(aggregate_id, version, payload, unit_id=UNIT)


def target(target_id: str, department_id: str) -> contract.Target:
    return contract.Target(
        target_id=target_id,
        statement="Đúng hạn",
        indicator="Tỷ lệ",
        target_value=95,
        unit_of_measure="%",
        direction="at_least",
        deadline=date(2026, 12, 31),
        department_id=department_id,
        action_plan="Theo dõi",
    )


def objective_history(objective_id: uuid.UUID) -> list[Message]:
    ids: dict[str, Any] = {"objective_id": str(objective_id), "unit_id": UNIT}
    payloads: list[IntegrationEvent] = [
        contract.ObjectiveDrafted(
            **ids, year=2026, title="Mục tiêu", targets=[target("t1", "vp"), target("t2", "kh")]
        ),
        contract.ObjectiveSubmitted(**ids, submitted_by="thuky"),
        contract.ObjectiveReturned(**ids, reason="Thiếu số liệu", returned_by="giamdoc"),
        contract.ObjectiveRevised(
            **ids, title="Mục tiêu 2", targets=[target("t1", "vp"), target("t2", "kh")]
        ),
        contract.ObjectiveSubmitted(**ids, submitted_by="thuky"),
        contract.ObjectiveApproved(**ids, approved_by="giamdoc"),
        contract.ObjectiveDisseminated(**ids, department_ids=["vp", "kh"]),
        contract.TargetProgressRecorded(
            **ids, target_id="t2", value=80, as_of=date(2026, 3, 1), recorded_by="tp"
        ),
        contract.TargetProgressRecorded(
            **ids, target_id="t2", value=97, as_of=date(2026, 6, 1), note="Q2", recorded_by="tp"
        ),
    ]
    return [message(objective_id, n, p) for n, p in enumerate(payloads, start=1)]


async def test_an_objective_history_in_one_batch_gives_its_row(wing: Any) -> None:
    objective_id = uuid.uuid4()
    history = objective_history(objective_id)
    # Delivered shuffled and twice: the machine orders and drops duplicates.
    await wing.machine.apply([*reversed(history), *history])
    row = await readmodel.objective(wing.pool, objective_id)
    view = ObjectiveView.model_validate(row)
    assert view.version == 9 and view.status == "disseminated" and view.title == "Mục tiêu 2"
    assert view.return_reason is None and view.submitted_by == "thuky"
    assert view.department_ids == ["vp", "kh"]
    assert [t.target_id for t in view.targets] == ["t1", "t2"]
    assert view.targets[0].progress == []
    assert [(p.value, p.note) for p in view.targets[1].progress] == [(80, ""), (97, "Q2")]
    assert await wing.machine.version_of(objective_id) == 9


async def test_policy_versions_and_supersession(wing: Any) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    batch: list[Message] = []
    for number, document_id in enumerate((first, second), start=1):
        ids: dict[str, Any] = {"document_id": str(document_id), "unit_id": UNIT}
        ids["version_number"] = number
        steps: list[IntegrationEvent] = [
            contract.QualityPolicyDrafted(**ids, title=f"Chính sách {number}", content="Nội dung"),
            contract.QualityPolicySubmitted(**ids, submitted_by="thuky"),
            contract.QualityPolicyApproved(**ids, approved_by="giamdoc"),
            contract.QualityPolicyPublished(**ids, supersedes=str(first) if number == 2 else None),
        ]
        batch += [message(document_id, n, p) for n, p in enumerate(steps, start=1)]
    superseded: dict[str, Any] = {"document_id": str(first), "unit_id": UNIT, "version_number": 1}
    batch.append(
        message(first, 5, contract.QualityPolicySuperseded(**superseded, superseded_by=str(second)))
    )
    await wing.machine.apply(batch)
    found = await readmodel.documents(wing.pool, UNIT, "policy")
    views = [DocumentView.model_validate(item) for item in found]
    assert [(v.version_number, v.status) for v in views] == [(2, "published"), (1, "superseded")]
    assert await readmodel.documents(wing.pool, UNIT, "context") == []


async def test_tasks_follow_the_rows_by_role(wing: Any) -> None:
    waiting, disseminated = uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply([*objective_history(waiting)[:2], *objective_history(disseminated)])
    pool = wing.pool

    def principal(sub: str, role: str, department: str | None = None) -> Principal:
        return Principal(sub, sub, frozenset({UNIT}), frozenset({role}), department)

    leader = await fetch_tasks(pool, principal("giamdoc", UNIT_LEADER), tasks.tasks)
    assert [(t.action, t.id) for t in leader] == [("approve", str(waiting))]
    # Whoever submitted is never asked to approve, even holding the leader role.
    assert await fetch_tasks(pool, principal("thuky", UNIT_LEADER), tasks.tasks) == []
    secretary = await fetch_tasks(pool, principal("thuky", ISO_SECRETARY), tasks.tasks)
    assert [(t.action, t.id) for t in secretary] == [("evaluate", str(disseminated))]
    own = await fetch_tasks(pool, principal("tp", DEPARTMENT_LEADER, "kh"), tasks.tasks)
    assert [(t.action, t.id) for t in own] == [("record_progress", str(disseminated))]
    assert await fetch_tasks(pool, principal("tp", DEPARTMENT_LEADER, "khac"), tasks.tasks) == []


async def test_my_tasks_list_the_oldest_of_each_step_and_count_them_all(wing: Any) -> None:
    drafts = [uuid.uuid4() for _ in range(TASKS_PER_STEP + 5)]
    await wing.machine.apply([objective_history(d)[0] for d in drafts])
    await wing.machine.apply([objective_history(d)[1] for d in drafts[:3]])
    pool = wing.pool
    secretary = Principal("thuky", "thuky", frozenset({UNIT}), frozenset({ISO_SECRETARY}), None)

    found = await collect_tasks(pool, secretary, [WING])
    waiting = len(drafts) - 3
    assert len(found) == TASKS_PER_STEP
    assert {(t.action, t.waiting, t.step_page) for t in found} == {
        ("submit", waiting, "/muc-tieu?trang_thai=draft")
    }
    assert {t.page for t in found} <= {f"/muc-tieu/{d}" for d in drafts[3:]}
    # Submitted by thuky: another leader approves them, never thuky holding the role too.
    leader = Principal("giamdoc", "giamdoc", frozenset({UNIT}), frozenset({UNIT_LEADER}), None)
    approvals = await collect_tasks(pool, leader, [WING])
    assert sorted(t.id for t in approvals) == sorted(str(d) for d in drafts[:3])
    assert {t.waiting for t in approvals} == {3}
    both = Principal("thuky", "thuky", frozenset({UNIT}), frozenset({UNIT_LEADER}), None)
    assert await collect_tasks(pool, both, [WING]) == []
