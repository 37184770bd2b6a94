"""The audit wing on PostgreSQL, without Kafka: projection, reads, supervision, tasks."""

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from qms_contracts import IntegrationEvent
from qms_contracts import audit as contract
from qms_gateway.audit import WING, audit_status, readmodel, tasks
from qms_gateway.audit.actions import auditing, nonconformity_actions, plan_actions, to_acknowledge
from qms_gateway.audit.views import AuditPlanView, AuditProgrammeView, NonconformityView
from qms_gateway.frame import directory
from qms_gateway.frame.routes import collect_tasks
from qms_gateway.frame.tasks import fetch_tasks
from qms_runtime.clock import today
from qms_runtime.principal import (
    AUDITOR,
    DEPARTMENT_LEADER,
    ISO_SECRETARY,
    UNIT_LEADER,
    Principal,
)
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
PAST = today() - timedelta(days=3)
FUTURE = today() + timedelta(days=30)
LEAD = contract.Auditor(sub="dgv", name="Đánh giá viên", department_id="van-phong")


@pytest.fixture
async def wing(run_wing: Any) -> AsyncIterator[Any]:
    async with run_wing(WING) as running:
        yield running


def history(aggregate_id: uuid.UUID, payloads: list[IntegrationEvent]) -> list[Message]:
    return [delivered(aggregate_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


def programme_events(programme_id: uuid.UUID, year: int = 2026) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"programme_id": str(programme_id), "unit_id": UNIT}
    content: dict[str, Any] = {
        "year": year,
        "objectives": "Đánh giá sự phù hợp của HTQLCL",
        "scope": "Toàn bộ các phòng",
        "criteria": "TCVN ISO 9001:2015",
        "department_ids": ["qlkh", "tai-chinh"],
        "period_start": date(year, 3, 1),
        "period_end": date(year, 11, 30),
        "planned_rounds": 1,
    }
    return [
        contract.AuditProgrammeDrafted(**ids, **content),
        contract.AuditProgrammeSubmitted(**ids, submitted_by="thuky"),
        contract.AuditProgrammeReturned(**ids, reason="Thiếu phòng", returned_by="giamdoc"),
        contract.AuditProgrammeRevised(**ids, **{**content, "planned_rounds": 2}),
        contract.AuditProgrammeSubmitted(**ids, submitted_by="thuky"),
        contract.AuditProgrammeApproved(**ids, approved_by="giamdoc"),
    ]


def visit(department_id: str) -> contract.Visit:
    return contract.Visit(
        department_id=department_id,
        day=date(2026, 4, 10),
        slot="08:00–10:00",
        lead=LEAD,
        team=[],
        auditees=["Trưởng phòng"],
        criteria="Quy trình của phòng",
        checklist=[contract.ChecklistItem(clause="8.5.1", question="Hồ sơ có đúng hạn?")],
    )


def plan_events(plan_id: uuid.UUID, programme_id: uuid.UUID) -> list[IntegrationEvent]:
    """Drafted, approved, two findings (the minor one on qlkh), qlkh's acknowledged."""
    ids: dict[str, Any] = {"plan_id": str(plan_id), "unit_id": UNIT}
    return [
        contract.AuditPlanDrafted(
            **ids,
            programme_id=str(programme_id),
            round=1,
            visits=[visit("qlkh"), visit("tai-chinh")],
        ),
        contract.AuditPlanSubmitted(**ids, submitted_by="thuky"),
        contract.AuditPlanApproved(**ids, approved_by="giamdoc"),
        contract.FindingRecorded(
            **ids,
            finding_id="f1",
            department_id="qlkh",
            kind="minor",
            clause="8.5.1",
            evidence="Hai hồ sơ trễ hạn",
            recorded_by="dgv",
        ),
        contract.FindingRecorded(
            **ids,
            finding_id="f2",
            department_id="tai-chinh",
            kind="conformity",
            clause="",
            evidence="Đúng quy trình",
            recorded_by="dgv",
        ),
        contract.FindingAcknowledged(**ids, finding_id="f1", acknowledged_by="tp"),
    ]


def nonconformity_events(nc_id: uuid.UUID, due: date) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"nonconformity_id": str(nc_id), "unit_id": UNIT}
    return [
        contract.NonconformityOpened(
            **ids,
            source="complaint",
            department_id="qlkh",
            description="Công dân phản ánh hồ sơ trễ hạn",
            clause="8.2.1",
            opened_by="thuky",
        ),
        contract.CorrectiveActionPlanned(
            **ids,
            correction="Xin lỗi công dân",
            root_cause="Thiếu nhắc hạn",
            action="Nhắc hạn tự động",
            owner_department_id="van-phong",
            due_date=due,
            attempt=1,
            planned_by="tp",
        ),
    ]


def verification(nc_id: uuid.UUID, effective: bool) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"nonconformity_id": str(nc_id), "unit_id": UNIT}
    return [
        contract.CorrectiveActionImplemented(
            **ids, evidence="Đã cấu hình", implemented_on=PAST, implemented_by="vp"
        ),
        contract.EffectivenessVerified(
            **ids,
            effective=effective,
            note="Theo dõi 1 tháng",
            verified_on=today(),
            verified_by="thuky",
        ),
    ]


def principal(sub: str, role: str, department: str | None = None) -> Principal:
    return Principal(sub, sub, frozenset({UNIT}), frozenset({role}), department)


async def test_a_programme_and_its_round_give_their_rows(wing: Any) -> None:
    programme_id, plan_id = uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [
            *reversed(history(programme_id, programme_events(programme_id))),
            *history(plan_id, plan_events(plan_id, programme_id)),
        ]
    )
    programme = AuditProgrammeView.model_validate(
        await readmodel.programme(wing.pool, programme_id)
    )
    assert (programme.status, programme.version, programme.planned_rounds) == ("approved", 6, 2)
    assert programme.title == "Chương trình đánh giá nội bộ năm 2026"
    assert programme.department_ids == ["qlkh", "tai-chinh"] and programme.return_reason is None

    plan = AuditPlanView.model_validate(await readmodel.plan(wing.pool, plan_id))
    assert (plan.status, plan.version, plan.round) == ("approved", 6, 1)
    assert [v.department_id for v in plan.visits] == ["qlkh", "tai-chinh"]
    assert plan.visits[0].lead.sub == "dgv" and plan.visits[0].checklist[0].clause == "8.5.1"
    assert [(f.finding_id, f.kind, f.acknowledged) for f in plan.findings] == [
        ("f1", "minor", True),
        ("f2", "conformity", False),
    ]
    assert plan.findings[0].acknowledged_by == "tp"
    assert [p["id"] for p in await readmodel.plans(wing.pool, programme_id)] == [str(plan_id)]


async def test_a_nonconformity_reopened_then_closed(wing: Any) -> None:
    nc_id = uuid.uuid4()
    ids: dict[str, Any] = {"nonconformity_id": str(nc_id), "unit_id": UNIT}
    events = [
        *nonconformity_events(nc_id, PAST),
        *verification(nc_id, effective=False),
        contract.NonconformityReopened(**ids, reopened_by="thuky"),
    ]
    await wing.machine.apply(history(nc_id, events))
    reopened = NonconformityView.model_validate(await readmodel.nonconformity(wing.pool, nc_id))
    assert (reopened.status, reopened.source, reopened.version) == ("reopened", "complaint", 5)
    assert reopened.action is not None and reopened.action.evidence == "Đã cấu hình"

    second = contract.CorrectiveActionPlanned(
        **ids,
        correction="Rà soát lại",
        root_cause="Nhắc hạn gửi sai người",
        action="Gửi cho người xử lý",
        owner_department_id="qlkh",
        due_date=PAST,
        attempt=2,
        planned_by="thuky",
    )
    rest = [
        second,
        *verification(nc_id, effective=True),
        contract.NonconformityClosed(**ids, note="Có hiệu lực", closed_by="thuky"),
    ]
    await wing.machine.apply(history(nc_id, [*events, *rest]))
    closed = NonconformityView.model_validate(await readmodel.nonconformity(wing.pool, nc_id))
    assert closed.status == "closed" and closed.closed_at is not None
    assert closed.action is not None and (closed.action.attempt, closed.action.action) == (
        2,
        "Gửi cho người xử lý",
    )
    found, total = await readmodel.nonconformities(wing.pool, UNIT, status="open")
    assert (found, total) == ([], 0)
    found, total = await readmodel.nonconformities(wing.pool, UNIT, patterns=["%tre han%"])
    assert total == 1 and found[0]["id"] == str(nc_id)


async def test_supervision_and_missing_programmes_count_the_year(wing: Any) -> None:
    async with wing.pool.acquire() as connection:
        for unit_id in (UNIT, "xa-a"):
            await directory.upsert_unit(connection, {"unit_id": unit_id, "name": unit_id})
    programme_id, plan_id, nc_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids: dict[str, Any] = {"plan_id": str(plan_id), "unit_id": UNIT}
    await wing.machine.apply(
        [
            *history(programme_id, programme_events(programme_id)),
            *history(
                plan_id,
                [
                    *plan_events(plan_id, programme_id),
                    contract.FindingAcknowledged(**ids, finding_id="f2", acknowledged_by="tp2"),
                    contract.AuditConcluded(
                        **ids, outcome="results_confirmed", concluded_by="giamdoc"
                    ),
                ],
            ),
            *history(nc_id, nonconformity_events(nc_id, FUTURE)),
        ]
    )
    assert await audit_status(wing.pool, [UNIT, "xa-a"], 2026) == {
        UNIT: ["Đã duyệt", "1", "1"],
        "xa-a": ["Chưa có", "0", "0"],
    }
    assert (await audit_status(wing.pool, [UNIT], 2027))[UNIT] == ["Chưa có", "0", "1"]
    assert await readmodel.units_without_programme(wing.pool, [UNIT, "xa-a"], 2026) == ["xa-a"]


async def test_tasks_follow_each_role(wing: Any) -> None:
    programme_id, plan_id, drafted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    overdue, due, done = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [
            *history(programme_id, programme_events(programme_id)),
            *history(plan_id, plan_events(plan_id, programme_id)),
            *history(drafted, programme_events(drafted, 2027)[:2]),
            *history(overdue, nonconformity_events(overdue, PAST)),
            *history(due, [*nonconformity_events(due, today()), *verification(due, True)][:3]),
            *history(done, [*nonconformity_events(done, PAST), *verification(done, True)]),
        ]
    )

    def found(tasks_: list[Any]) -> set[tuple[str, str]]:
        return {(t.action, t.id) for t in tasks_}

    leader = await fetch_tasks(wing.pool, principal("giamdoc", UNIT_LEADER), tasks.tasks)
    assert found(leader) == {("approve", str(drafted))}
    secretary = await fetch_tasks(wing.pool, principal("thuky", ISO_SECRETARY), tasks.tasks)
    assert found(secretary) == {
        ("implement", str(overdue)),
        ("verify", str(due)),
        ("close", str(done)),
    }
    auditor = await fetch_tasks(wing.pool, principal("dgv", AUDITOR), tasks.tasks)
    assert found(auditor) == {("record_finding", str(plan_id)), ("verify", str(due))}
    unplanned = await fetch_tasks(wing.pool, principal("dgv2", AUDITOR), tasks.tasks)
    assert found(unplanned) == {("verify", str(due))}
    # tai-chinh's finding f2 waits for its leader; the actions belong to van-phong.
    finance = await fetch_tasks(
        wing.pool, principal("tc", DEPARTMENT_LEADER, "tai-chinh"), tasks.tasks
    )
    assert found(finance) == {("acknowledge", str(plan_id))}
    office = await fetch_tasks(
        wing.pool, principal("vp", DEPARTMENT_LEADER, "van-phong"), tasks.tasks
    )
    assert found(office) == {("implement", str(overdue))}

    pages = {
        t.page
        for t in await collect_tasks(
            wing.pool, principal("tc", DEPARTMENT_LEADER, "tai-chinh"), [WING]
        )
    }
    assert pages == {f"/danh-gia-noi-bo/ke-hoach/{plan_id}"}


async def test_pages_offer_what_the_service_allows(wing: Any) -> None:
    programme_id, plan_id, nc_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await wing.machine.apply(
        [
            *history(programme_id, programme_events(programme_id)),
            *history(plan_id, plan_events(plan_id, programme_id)),
            *history(nc_id, nonconformity_events(nc_id, FUTURE)),
        ]
    )
    plan = await readmodel.plan(wing.pool, plan_id)
    assert plan is not None
    assert auditing(principal("dgv", AUDITOR), plan) == ["qlkh", "tai-chinh"]
    assert auditing(principal("khac", AUDITOR), plan) == []
    assert [
        f["finding_id"]
        for f in to_acknowledge(principal("tc", DEPARTMENT_LEADER, "tai-chinh"), plan)
    ] == ["f2"]
    assert "conclude" not in plan_actions(principal("giamdoc", UNIT_LEADER), plan)

    nc = await readmodel.nonconformity(wing.pool, nc_id)
    assert nc is not None
    office = principal("vp", DEPARTMENT_LEADER, "van-phong")
    assert nonconformity_actions(office, nc, today()) == {"implement"}
    assert nonconformity_actions(principal("tp", DEPARTMENT_LEADER, "qlkh"), nc, today()) == {
        "plan_action"
    }
    assert nonconformity_actions(principal("thuky", ISO_SECRETARY), nc, today()) == {
        "plan_action",
        "implement",
    }
