"""Fault tests: each ends with every event in the gateway read model exactly once."""

import asyncio
import json
import time
import uuid
from datetime import date

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from qms_contracts import Envelope, encode, events_topic
from qms_contracts.objectives import ObjectiveApproved
from qms_local.demo import procedure_body, review_notice
from qms_local.stack import Stack
from tests.conftest import DEPARTMENT, RISK_PLAN, UNIT, objective_body, risk_entry
from tests.consistency import assert_consistent

NO_WAIT = {"wait": "false"}


def _disseminated_objective(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> str:
    oid: str = gateway.post(
        f"/api/v1/units/{UNIT}/objectives",
        json=objective_body("Mục tiêu thử lỗi"),
        headers=secretary,
    ).json()["id"]
    for step, who in (("submit", secretary), ("approve", leader)):
        assert gateway.post(f"/api/v1/objectives/{oid}/{step}", headers=who).status_code == 200
    disseminated = gateway.post(
        f"/api/v1/objectives/{oid}/disseminate",
        json={"department_ids": ["van-phong", "quan-ly-khoa-hoc"]},
        headers=secretary,
    )
    assert disseminated.status_code == 200
    return oid


def _commands(gateway: httpx.Client, secretary: dict[str, str], oid: str, count: int) -> None:
    """A mix of new aggregates and appends to one, without waiting for the read model."""
    for index in range(count):
        if index % 2:
            reply = gateway.post(
                f"/api/v1/units/{UNIT}/objectives",
                params=NO_WAIT,
                json=objective_body(f"Mục tiêu {uuid.uuid4().hex[:6]}"),
                headers=secretary,
            )
            assert reply.status_code == 201, reply.text
        else:
            reply = gateway.post(
                f"/api/v1/objectives/{oid}/targets/t1/progress",
                params=NO_WAIT,
                json={"value": index, "as_of": "2026-07-01"},
                headers=secretary,
            )
            assert reply.status_code == 200, reply.text


@pytest.fixture(scope="module")
def risk_plan(gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]) -> str:
    """An approved risk plan of the unit, for risk commands."""
    plan = gateway.post(f"/api/v1/units/{UNIT}/risk-plans", json=RISK_PLAN, headers=secretary)
    assert plan.status_code == 201, plan.text
    pid: str = plan.json()["id"]
    for step, who in (("submit", secretary), ("approve", leader)):
        assert gateway.post(f"/api/v1/risk-plans/{pid}/{step}", headers=who).status_code == 200
    return pid


def _risk_commands(
    gateway: httpx.Client, department_leader: dict[str, str], plan_id: str, count: int
) -> None:
    """New entries, and assessments appended to the first, without waiting for the read model."""
    first = ""
    for index in range(count):
        if index % 2 == 0:
            reply = gateway.post(
                f"/api/v1/units/{UNIT}/risks",
                params=NO_WAIT,
                json=risk_entry(plan_id, "risk", f"Rủi ro {uuid.uuid4().hex[:6]}"),
                headers=department_leader,
            )
            assert reply.status_code == 201, reply.text
            first = first or reply.json()["id"]
        else:
            reply = gateway.post(
                f"/api/v1/risks/{first}/assess",
                params=NO_WAIT,
                json={"likelihood": 1 + index % 5, "severity": 3},
                headers=department_leader,
            )
            assert reply.status_code == 200, reply.text


def _audit_commands(gateway: httpx.Client, secretary: dict[str, str], count: int) -> None:
    """Nonconformities opened by hand, and corrective actions planned (and re-planned) on the
    first, without waiting for the read model."""
    first = ""
    for index in range(count):
        if index % 2 == 0:
            reply = gateway.post(
                f"/api/v1/units/{UNIT}/nonconformities",
                params=NO_WAIT,
                json={
                    "source": "process_monitoring",
                    "department_id": "van-phong",
                    "description": f"Hồ sơ trễ hạn {uuid.uuid4().hex[:6]}",
                },
                headers=secretary,
            )
            assert reply.status_code == 201, reply.text
            first = first or reply.json()["id"]
        else:
            reply = gateway.post(
                f"/api/v1/nonconformities/{first}/action",
                params=NO_WAIT,
                json={
                    "correction": "Trả kết quả ngay",
                    "root_cause": "Không theo dõi hạn",
                    "action": f"Theo dõi hạn, lần {index}",
                    "owner_department_id": "van-phong",
                    "due_date": "2026-12-31",
                },
                headers=secretary,
            )
            assert reply.status_code == 200, reply.text


def _review_commands(gateway: httpx.Client, secretary: dict[str, str], count: int) -> None:
    """Review notices drafted, and the first revised again and again, without waiting for the
    read model."""
    first, version = "", 0
    for index in range(count):
        notice = review_notice(2026, date(2026, 12, 1), "van-phong")
        if index % 2 == 0:
            reply = gateway.post(
                f"/api/v1/units/{UNIT}/reviews", params=NO_WAIT, json=notice, headers=secretary
            )
            assert reply.status_code == 201, reply.text
            if not first:
                first, version = reply.json()["id"], reply.json()["version"]
        else:
            revised = {k: v for k, v in notice.items() if k != "year"}
            reply = gateway.put(
                f"/api/v1/reviews/{first}",
                params=NO_WAIT,
                json={**revised, "title": f"Thông báo, bản {index}"},
                headers={**secretary, "if-match": f'"{version}"'},
            )
            assert reply.status_code == 200, reply.text
            version = reply.json()["version"]


def _procedure_commands(gateway: httpx.Client, secretary: dict[str, str], count: int) -> None:
    """Procedures drafted under new codes, without waiting for the read model."""
    for _ in range(count):
        body = procedure_body(f"QT-{uuid.uuid4().hex[:8]}", "Thử", [("Tiếp nhận", "", "staff", 1)])
        reply = gateway.post(
            f"/api/v1/units/{UNIT}/procedures", params=NO_WAIT, json=body, headers=secretary
        )
        assert reply.status_code == 201, reply.text


def _complaints(gateway: httpx.Client, secretary: dict[str, str], count: int) -> None:
    """Complaints sent from the portal, assigned and raised as nonconformities: the audit
    service's consumer opens one per complaint."""
    for _ in range(count):
        sent = gateway.post(
            f"/api/v1/public/units/{UNIT}/feedback",
            params=NO_WAIT,
            json={
                "kind": "complaint",
                "subject_kind": "unit",
                "title": "Trễ hẹn",
                "content": "Trễ hẹn không báo trước",
                "sender_name": "Người dân",
                "sender_contact": "0900000000",
            },
            # An address of its own each: the daily limit is per address.
            headers={"X-Forwarded-For": f"2001:db8:{uuid.uuid4().hex[:4]}::1"},
        )
        assert sent.status_code == 201, sent.text
        item = f"/api/v1/feedback/{sent.json()['id']}"
        for step, body in (
            ("assign", {"department_id": DEPARTMENT}),
            ("nonconformity", {"description": "Trễ hẹn không báo trước"}),
        ):
            reply = gateway.post(f"{item}/{step}", params=NO_WAIT, json=body, headers=secretary)
            assert reply.status_code == 200, reply.text


@pytest.fixture
def dev_broker(stack: Stack) -> Stack:
    if stack.broker is None:
        pytest.skip("needs the development broker started by the tests")
    return stack


def test_broker_paused_while_commands_go_on(
    dev_broker: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
    risk_plan: str,
) -> None:
    oid = _disseminated_objective(gateway, secretary, leader)
    assert dev_broker.broker is not None
    dev_broker.broker.pause()
    try:
        started = time.monotonic()
        _commands(gateway, secretary, oid, 8)
        _risk_commands(gateway, department_leader, risk_plan, 6)
        _audit_commands(gateway, secretary, 6)
        _review_commands(gateway, secretary, 4)
        time.sleep(max(0.0, 6 - (time.monotonic() - started)))
    finally:
        dev_broker.broker.resume()
    assert_consistent(dev_broker)


def test_broker_restarted_empty_while_commands_go_on(
    dev_broker: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
    risk_plan: str,
) -> None:
    oid = _disseminated_objective(gateway, secretary, leader)
    _commands(gateway, secretary, oid, 4)
    _risk_commands(gateway, department_leader, risk_plan, 4)
    _audit_commands(gateway, secretary, 4)
    _review_commands(gateway, secretary, 4)
    dev_broker.restart_broker_empty()
    _commands(gateway, secretary, oid, 6)
    _risk_commands(gateway, department_leader, risk_plan, 4)
    _audit_commands(gateway, secretary, 4)
    _review_commands(gateway, secretary, 4)
    assert_consistent(dev_broker, timeout=180)
    # And the system keeps working afterwards. The gateway may still be dropping the relays'
    # republished events as duplicates (the whole session's log): a new record can wait
    # behind them longer than read-your-writes does, but it comes.
    reply = gateway.post(
        f"/api/v1/units/{UNIT}/objectives", json=objective_body(), headers=secretary
    )
    assert reply.status_code == 201
    record = f"/api/v1/objectives/{reply.json()['id']}"
    deadline = time.monotonic() + 60
    while gateway.get(record, headers=secretary).status_code != 200:
        assert time.monotonic() < deadline, "the new record never reached the read model"
        time.sleep(0.2)


@pytest.mark.parametrize("killed", ["objectives", "risk", "audit", "review", "procedures"])
def test_service_killed_between_save_and_publish(
    killed: str,
    dev_broker: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
    risk_plan: str,
) -> None:
    oid = _disseminated_objective(gateway, secretary, leader)
    assert dev_broker.broker is not None
    service = dev_broker.service(killed)
    # With the broker paused, commands are saved but cannot be published yet.
    dev_broker.broker.pause()
    try:
        if killed == "risk":
            _risk_commands(gateway, department_leader, risk_plan, 6)
        elif killed == "audit":
            # Its consumer too: objectives' events it takes nothing from, then its own.
            _commands(gateway, secretary, oid, 2)
            _complaints(gateway, secretary, 2)
            _audit_commands(gateway, secretary, 6)
        elif killed == "review":
            # Its consumer too: the objectives' and audit's events it keeps as evidence.
            _commands(gateway, secretary, oid, 2)
            _audit_commands(gateway, secretary, 2)
            _review_commands(gateway, secretary, 6)
        elif killed == "procedures":
            _procedure_commands(gateway, secretary, 6)
            _complaints(gateway, secretary, 2)
        else:
            # Its consumer too: the procedures' events it counts in its indicators.
            _procedure_commands(gateway, secretary, 2)
            _commands(gateway, secretary, oid, 6)
        service.stop(kill=True)
    finally:
        dev_broker.broker.resume()
    service.start()
    service.wait_ready()
    assert_consistent(dev_broker)


def test_gateway_killed_while_consuming(
    dev_broker: Stack, gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> None:
    oid = _disseminated_objective(gateway, secretary, leader)
    service = dev_broker.service("gateway")
    # Commands go straight to the owning service, so they keep coming while the gateway dies.
    with httpx.Client(base_url=dev_broker.service("objectives").url, timeout=30) as objectives:
        for index in range(40):
            reply = objectives.post(
                f"/api/v1/objectives/{oid}/targets/t1/progress",
                json={"value": index, "as_of": "2026-08-01"},
                headers=secretary,
            )
            assert reply.status_code == 200, reply.text
            if index == 15:
                service.stop(kill=True)
    service.start()
    service.wait_ready()
    assert_consistent(dev_broker)


async def _dead_letters(bootstrap: str, marker: bytes, expected: int) -> list[dict[str, str]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[dict[str, str]] = []
    try:
        partitions = [
            TopicPartition("qms.gateway.dlq.v1", p)
            for p in consumer.partitions_for_topic("qms.gateway.dlq.v1") or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + 60
        while len(found) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found += [
                    {name: value.decode() for name, value in record.headers}
                    for record in records
                    if record.key == marker
                ]
    finally:
        await consumer.stop()
    return found


async def _publish_poison(bootstrap: str, marker: bytes, service: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            events_topic(service),
            b"{not json",
            key=marker,
            headers=[("content-type", b"application/json")],
        )
        aggregate = str(uuid.uuid4())
        envelope = Envelope(
            id=str(uuid.uuid4()),
            source="/qms/test",
            type=f"qms.{service}.RecordTeleported.v1",
            subject=aggregate,
            time="2026-11-23T00:00:00Z",
            unitid=UNIT,
            actor="test",
            aggregateversion=1,
            correlationid="c",
            causationid="c",
        )
        payload = ObjectiveApproved(objective_id=aggregate, unit_id=UNIT, approved_by="x")
        record = encode(envelope, payload)
        await producer.send_and_wait(
            events_topic(service), record.value, key=marker, headers=record.headers
        )
    finally:
        await producer.stop()


@pytest.mark.parametrize("service", ["objectives", "risk", "audit", "review", "procedures"])
def test_malformed_and_unknown_messages_go_to_the_dlq(
    service: str, stack: Stack, gateway: httpx.Client, secretary: dict[str, str]
) -> None:
    marker = f"poison-{uuid.uuid4()}".encode()
    asyncio.run(_publish_poison(stack.kafka_bootstrap, marker, service))
    dead = asyncio.run(_dead_letters(stack.kafka_bootstrap, marker, 2))
    errors = sorted(letter["qms_dlq_error"] for letter in dead)
    assert len(errors) == 2, errors
    assert any("RecordTeleported" in error for error in errors)
    assert any("CloudEvents" in error or "readable" in error for error in errors)
    assert all(letter["qms_dlq_topic"] == events_topic(service) for letter in dead)
    # Consumption went on.
    reply = gateway.post(
        f"/api/v1/units/{UNIT}/objectives", json=objective_body(), headers=secretary
    )
    assert reply.status_code == 201
    assert reply.headers["QMS-Read-Model"] == "current"
    assert json.loads(reply.text)["status"] == "draft"
    assert_consistent(stack)


def test_whole_stack_restarted_keeps_every_record(
    dev_broker: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
    risk_plan: str,
) -> None:
    """Like stopping `make run` and starting it again: same database, a new empty broker."""
    oid = _disseminated_objective(gateway, secretary, leader)
    _commands(gateway, secretary, oid, 4)
    _risk_commands(gateway, department_leader, risk_plan, 4)
    assert dev_broker.broker is not None
    for process in dev_broker.services.values():
        process.stop()
    dev_broker.broker.kill()
    dev_broker.broker.start()
    dev_broker.start_services()
    assert gateway.get(f"/api/v1/objectives/{oid}", headers=secretary).json()["status"] == (
        "disseminated"
    )
    assert_consistent(dev_broker)
