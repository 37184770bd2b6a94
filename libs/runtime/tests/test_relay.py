"""The outbox relay against PostgreSQL and the development broker: order, takeover, wake-ups."""

import asyncio
import time

from prometheus_client import REGISTRY

from qms_runtime.relay import OutboxRelay
from qms_runtime.service import EventSourcedService
from qms_runtime.settings import ServiceSettings


async def test_a_relay_publishes_everything_in_order_with_deterministic_ids(harness) -> None:
    app = harness.application()
    harness.save(app, things=3, notes=4)
    relay = harness.relay(app)
    harness.start(relay)
    await harness.eventually(lambda: relay.connected)
    harness.save(app, things=2, notes=2)

    expected, last_id = harness.expected(app)
    await harness.eventually(lambda: relay.position == last_id)
    envelopes = await harness.read(len(expected))

    assert [envelope.id for envelope in envelopes] == expected
    assert relay.role == "leader"
    assert await harness.stored_position() == last_id


async def test_a_standby_is_ready_and_takes_over_when_the_leader_stops(harness) -> None:
    leader, standby = harness.relay(harness.application()), harness.relay(harness.application())
    leader_task = harness.start(leader)
    await harness.eventually(lambda: leader.connected)
    harness.start(standby)
    await asyncio.sleep(0.3)

    assert (leader.role, standby.role) == ("leader", "standby")
    await readiness(harness, standby)
    app = harness.application()
    harness.save(app)
    await harness.eventually(lambda: leader.position == harness.expected(app)[1])

    leader_task.cancel()
    await harness.eventually(lambda: standby.connected)
    harness.save(app)

    expected, last_id = harness.expected(app)
    await harness.eventually(lambda: standby.position == last_id)
    # The leader stopped between batches: the standby went on exactly where it ended.
    assert [envelope.id for envelope in await harness.read(len(expected))] == expected
    assert await harness.stored_position() == last_id


async def readiness(harness, relay: OutboxRelay) -> None:
    """What /health/ready asks of the relay (raises when not ready)."""
    service = EventSourcedService(
        name="test",
        settings=ServiceSettings(),
        application=harness.application(),
        mapper=harness.mapper,
        reactions={},
        event_commands={},
    )
    service.relay = relay
    await service.broker()


async def test_a_leader_that_loses_its_lock_connection_hands_over(harness) -> None:
    mapped: dict[str, list[str]] = {"first": [], "second": []}

    def mapper_of(name: str):
        def mapper(domain_event):
            mapped[name].append(f"{domain_event.originator_id}:{domain_event.originator_version}")
            return harness.mapper(domain_event)

        return mapper

    first = harness.relay(harness.application(), mapper_of("first"))
    second = harness.relay(harness.application(), mapper_of("second"))
    harness.start(first)
    await harness.eventually(lambda: first.connected)
    harness.start(second)
    app = harness.application()
    harness.save(app)
    await harness.eventually(lambda: first.position == harness.expected(app)[1])

    killed = await harness.pool.fetchval(
        "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_stat_activity a "
        "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1",
        f"qms-relay {harness.topic}",
    )
    assert killed == 1
    assert await harness.eventually(lambda: first.role == "standby") < 0.5
    mapped_by_first = len(mapped["first"])
    await harness.eventually(lambda: second.connected, within=3)
    harness.save(app)

    expected, last_id = harness.expected(app)
    await harness.eventually(lambda: second.position == last_id)
    envelopes = await harness.read(len(expected))
    assert len(mapped["first"]) == mapped_by_first
    assert first.role == "standby"
    assert {envelope.id for envelope in envelopes} == set(expected)
    # At most the batch in flight at the loss goes out twice (same ids: consumers drop it).
    assert len(envelopes) - len(expected) <= OutboxRelay.BATCH
    assert await harness.stored_position() == last_id


async def test_a_save_on_another_replica_wakes_the_leader(harness) -> None:
    relay = harness.relay(harness.application())
    # Only a NOTIFY can wake it this soon: the poll would take 30 s.
    relay.IDLE_SECONDS = 30.0
    harness.start(relay)
    await harness.eventually(lambda: relay.connected)
    await asyncio.sleep(0.1)

    other_replica = harness.application()
    harness.save(other_replica, things=1, notes=0)
    saved_at = time.monotonic()
    expected, last_id = harness.expected(other_replica)
    await harness.eventually(lambda: relay.position == last_id, within=2)

    assert time.monotonic() - saved_at < 0.5
    assert [envelope.id for envelope in await harness.read(len(expected))] == expected


async def test_failures_are_counted_and_retried_without_skipping_an_event(harness) -> None:
    app = harness.application()
    harness.save(app)
    expected, last_id = harness.expected(app)
    attempts = 0

    def flaky(domain_event):
        nonlocal attempts
        if domain_event.originator_version == 2 and attempts < 2:
            attempts += 1
            raise RuntimeError("mapping failed")
        return harness.mapper(domain_event)

    relay = harness.relay(app, flaky)
    harness.start(relay)
    await harness.eventually(lambda: relay.position == last_id)

    assert relay.failures == 2
    labels = {"topic": harness.topic, "kind": "other"}
    assert REGISTRY.get_sample_value("qms_relay_failures_total", labels) == 2
    assert [envelope.id for envelope in await harness.read(len(expected))] == expected
