"""Targets that follow a statistic, on in-memory persistence: the procedures' events counted
once and in any order, a replay that changes nothing, subscription at dissemination, what the
world sees of it."""

import itertools
import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from qms_contracts import Envelope, IntegrationEvent
from qms_contracts import objectives as contract
from qms_contracts.procedures import DossierCompleted, SatisfactionRated
from qms_objectives.application import ObjectivesApplication
from qms_objectives.domain import INDICATOR_ACTOR, IndicatorSource, Objective, TargetSpec
from qms_objectives.indicator import Indicator
from qms_objectives.publishing import MAPPER
from qms_objectives.reactions import EVENT_COMMANDS, observe
from qms_runtime.errors import InvalidInput, VersionConflict
from qms_runtime.principal import ISO_SECRETARY, UNIT_LEADER
from qms_runtime.testing import context, delivered

UNIT = "so-khcn"
SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
PROCEDURE = str(uuid.uuid4())
OTHER_PROCEDURE = str(uuid.uuid4())
ON_TIME = IndicatorSource("dossiers_on_time", PROCEDURE)
ALL_ON_TIME = IndicatorSource("dossiers_on_time")
SATISFACTION = IndicatorSource("satisfaction")


@pytest.fixture
def app() -> ObjectivesApplication:
    return ObjectivesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def target(target_id: str, source: IndicatorSource | None) -> TargetSpec:
    return TargetSpec(
        target_id,
        "Chỉ tiêu",
        "Tỷ lệ",
        90.0,
        "%",
        "at_least",
        date(2026, 12, 31),
        "vp",
        "Theo dõi",
        source,
    )


def disseminated(app: ObjectivesApplication, *targets: TargetSpec) -> uuid.UUID:
    draft = app.draft_objective(SECRETARY, UNIT, year=2026, title="M", targets=targets)
    app.submit(SECRETARY, Objective, draft.id, None)
    app.approve(LEADER, Objective, draft.id, None)
    app.disseminate_objective(SECRETARY, draft.id, None, ("vp",))
    return draft.id


Message = tuple[Envelope, IntegrationEvent]


def completed(
    outcome: str,
    *,
    procedure: str = PROCEDURE,
    received_on: date = date(2026, 3, 2),
    done_on: date = date(2026, 3, 9),
    unit: str = UNIT,
) -> Message:
    dossier = uuid.uuid4()
    event = DossierCompleted(
        dossier_id=str(dossier),
        unit_id=unit,
        procedure_id=procedure,
        received_on=received_on,
        done_on=done_on,
        due_on=date(2026, 3, 9),
        outcome=outcome,
        completed_by="tp",
    )
    envelope, _ = delivered(dossier, 9, event, unit_id=unit, actor="tp")
    return envelope, event


def rated(level: str, *, at: datetime = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)) -> Message:
    rating = uuid.uuid4()
    event = SatisfactionRated(
        rating_id=str(rating),
        unit_id=UNIT,
        dossier_id=str(uuid.uuid4()),
        procedure_id=PROCEDURE,
        level=level,
        comment="",
        rated_at=at,
    )
    envelope, _ = delivered(rating, 1, event, unit_id=UNIT, actor="cong-dan")
    return envelope, event


def deliver(app: ObjectivesApplication, *messages: Message) -> None:
    """As the consumer hands them over: the event command of each event's class."""
    for envelope, event in messages:
        EVENT_COMMANDS[type(event)](app, envelope, event)


def latest(app: ObjectivesApplication, objective_id: uuid.UUID, target_id: str) -> Any:
    objective = app.load(Objective, objective_id)
    return objective.latest_value(target_id)


def stored(app: ObjectivesApplication) -> int:
    events, _ = app.notifications_after(0, 100_000)
    return len(events)


def test_completions_and_ratings_record_the_statistics_on_the_targets(
    app: ObjectivesApplication,
) -> None:
    objective_id = disseminated(
        app,
        target("t1", ON_TIME),
        target("t2", SATISFACTION),
        target("t3", ALL_ON_TIME),
        target("t4", None),
    )
    deliver(
        app,
        completed("early"),
        completed("on_time"),
        completed("late", done_on=date(2026, 3, 20)),
        completed("late", procedure=OTHER_PROCEDURE),
        # Another year's dossier, another unit's: counted elsewhere.
        completed("on_time", received_on=date(2025, 12, 30)),
        completed("late", unit="so-khac"),
        rated("satisfied"),
        rated("acceptable"),
        rated("satisfied"),
    )
    assert latest(app, objective_id, "t1") == round(100 * 2 / 3, 1) == 66.7
    assert latest(app, objective_id, "t2") == 66.7
    assert latest(app, objective_id, "t3") == 50.0
    assert latest(app, objective_id, "t4") is None
    objective = app.load(Objective, objective_id)
    entries = objective.progress["t1"]
    # The second on-time dossier left the figure as it was that day: no second entry.
    assert [entry.value for entry in entries] == [100.0, 66.7]
    assert entries[-1].as_of == date(2026, 3, 20) and entries[-1].by == INDICATOR_ACTOR
    assert all(entry.source_event_id for entry in entries)
    last_year = app.load(Indicator, Indicator.id_for(UNIT, ON_TIME, 2025))
    assert (last_year.total, last_year.subscribers) == (1, [])


def test_an_event_twice_or_replayed_changes_nothing(app: ObjectivesApplication) -> None:
    objective_id = disseminated(app, target("t1", ON_TIME), target("t2", ALL_ON_TIME))
    messages = [completed("early"), completed("late"), rated("satisfied")]
    deliver(app, *messages)
    before = stored(app)
    deliver(app, messages[1])  # delivered again after a crash
    deliver(app, *messages)  # the broker lost its log: everything again
    assert stored(app) == before
    assert latest(app, objective_id, "t1") == latest(app, objective_id, "t2") == 50.0


def test_events_in_any_order_give_the_same_values(app: ObjectivesApplication) -> None:
    messages = [
        completed("early", done_on=date(2026, 3, 3)),
        completed("late", done_on=date(2026, 4, 1)),
        completed("on_time", done_on=date(2026, 3, 9)),
        completed("late", procedure=OTHER_PROCEDURE, done_on=date(2026, 2, 1)),
        rated("not_satisfied"),
        rated("satisfied", at=datetime(2026, 5, 1, tzinfo=UTC)),
    ]
    finals = set()
    for order in [*itertools.islice(itertools.permutations(messages), 0, None, 97), messages[::-1]]:
        fresh = ObjectivesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        objective_id = disseminated(
            fresh, target("t1", ON_TIME), target("t2", ALL_ON_TIME), target("t3", SATISFACTION)
        )
        deliver(fresh, *order)
        objective = fresh.load(Objective, objective_id)
        finals.add(
            tuple(
                (objective.latest_value(t), max(e.as_of for e in objective.progress[t]))
                for t in ("t1", "t2", "t3")
            )
        )
    assert finals == {
        ((66.7, date(2026, 4, 1)), (50.0, date(2026, 4, 1)), (50.0, date(2026, 5, 1)))
    }


def test_a_target_disseminated_later_takes_what_was_counted_at_once(
    app: ObjectivesApplication,
) -> None:
    deliver(app, completed("early"), completed("late", done_on=date(2026, 3, 12)))
    objective_id = disseminated(app, target("t1", ON_TIME), target("t2", SATISFACTION))
    objective = app.load(Objective, objective_id)
    assert [(e.value, e.as_of) for e in objective.progress["t1"]] == [(50.0, date(2026, 3, 12))]
    assert objective.progress["t2"] == []  # nothing counted yet
    deliver(app, completed("on_time"), rated("satisfied"))
    assert latest(app, objective_id, "t1") == 66.7
    assert latest(app, objective_id, "t2") == 100.0
    indicator = app.load(Indicator, Indicator.id_for(UNIT, ON_TIME, 2026))
    assert indicator.subscribers == [(str(objective_id), "t1")]


def test_an_evaluated_objective_takes_no_more_values(app: ObjectivesApplication) -> None:
    objective_id = disseminated(app, target("t1", ON_TIME))
    deliver(app, completed("early"))
    app.evaluate_objective(LEADER, objective_id, None, overrides={}, note="")
    version = app.load(Objective, objective_id).version
    deliver(app, completed("late"))
    assert app.load(Objective, objective_id).version == version
    assert app.load(Indicator, Indicator.id_for(UNIT, ON_TIME, 2026)).value == 50.0


def test_no_progress_by_hand_on_a_target_that_follows_a_statistic(
    app: ObjectivesApplication,
) -> None:
    objective_id = disseminated(app, target("t1", ON_TIME), target("t2", None))
    with pytest.raises(InvalidInput) as refused:
        app.record_progress(
            SECRETARY, objective_id, None, target_id="t1", value=1, as_of=date(2026, 5, 1), note=""
        )
    assert refused.value.status == 422 and refused.value.extensions == {"field": "target_id"}
    app.record_progress(
        SECRETARY, objective_id, None, target_id="t2", value=1, as_of=date(2026, 5, 1), note=""
    )


def test_a_concurrent_change_makes_the_count_start_again(
    app: ObjectivesApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    objective_id = disseminated(app, target("t1", ON_TIME))
    deliver(app, completed("early"))
    save = app.save_or_conflict
    conflicts = iter([True])

    def once_in_conflict(*aggregates: Any) -> None:
        if next(conflicts, False):
            deliver(app, completed("late"))  # another event of the unit saved meanwhile
            raise VersionConflict("concurrent")
        save(*aggregates)

    monkeypatch.setattr(app, "save_or_conflict", once_in_conflict)
    deliver(app, completed("on_time"))
    assert app.load(Indicator, Indicator.id_for(UNIT, ON_TIME, 2026)).total == 3
    assert latest(app, objective_id, "t1") == 66.7


def test_what_the_world_sees_of_an_automatic_progress(app: ObjectivesApplication) -> None:
    objective_id = disseminated(app, target("t1", ON_TIME), target("t2", None))
    envelope, event = completed("early")
    observe(app, envelope, event)
    app.record_progress(
        SECRETARY, objective_id, None, target_id="t2", value=3, as_of=date(2026, 5, 1), note=""
    )
    events, _ = app.notifications_after(0, 1000)
    published = [MAPPER(e) for e in events]
    progress = [
        item.payload
        for item in published
        if item is not None and isinstance(item.payload, contract.TargetProgressRecorded)
    ]
    assert [(p.target_id, p.value, p.recorded_by, p.source_event_id) for p in progress] == [
        ("t1", 100.0, INDICATOR_ACTOR, envelope.id),
        ("t2", 3.0, "thuky", None),
    ]
    assert progress[0].source == contract.IndicatorSource(
        kind="dossiers_on_time", procedure_id=PROCEDURE
    )
    drafted = next(
        item.payload
        for item in published
        if item is not None and isinstance(item.payload, contract.ObjectiveDrafted)
    )
    assert [t.source for t in drafted.targets] == [progress[0].source, None]
    # An indicator counts inside the service: none of its events leave.
    indicators = {e.originator_id for e in events if isinstance(e, Indicator.Event)}
    assert indicators and all(MAPPER(e) is None for e in events if e.originator_id in indicators)


def test_random_orders_and_duplicates_of_many_events(app: ObjectivesApplication) -> None:
    shuffle = random.Random(11).shuffle
    outcomes = ["early", "on_time", "late"]
    messages = [completed(outcomes[n % 3], done_on=date(2026, 3, 1 + n % 28)) for n in range(60)]
    objective_id = disseminated(app, target("t1", ON_TIME))
    stream = [*messages, *messages[::3]]
    shuffle(stream)
    deliver(app, *stream)
    assert latest(app, objective_id, "t1") == round(100 * 40 / 60, 1)
    entries = app.load(Objective, objective_id).progress["t1"]
    # An entry each time the figure or its day moved, never two alike in a row.
    assert 1 < len(entries) <= 60
    assert all(
        (before.value, before.as_of) != (after.value, after.as_of)
        for before, after in itertools.pairwise(entries)
    )
