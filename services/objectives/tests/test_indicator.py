"""Unit tests of indicators and the targets that follow them: counting, duplicates,
subscription, automatic progress, and no progress by hand on such a target. No I/O."""

import uuid
from datetime import UTC, date, datetime

import pytest

from qms_contracts.procedures import DossierCompleted, SatisfactionRated
from qms_objectives.domain import (
    INDICATOR_ACTOR,
    IndicatorSource,
    Objective,
    ProgressEntry,
    TargetSpec,
)
from qms_objectives.indicator import Indicator, Observation
from qms_objectives.indicators import INDICATOR_SOURCES
from qms_runtime.errors import InvalidInput, QmsError
from qms_runtime.testing import assert_rejected, stamp

ON_TIME = IndicatorSource("dossiers_on_time", "proc-1")
SATISFACTION = IndicatorSource("satisfaction")


def target(target_id: str, source: IndicatorSource | None) -> TargetSpec:
    return TargetSpec(
        target_id,
        "Giải quyết đúng hạn",
        "Tỷ lệ",
        95.0,
        "%",
        "at_least",
        date(2026, 12, 31),
        "vp",
        "Theo dõi",
        source,
    )


def disseminated(*targets: TargetSpec) -> Objective:
    objective = Objective.draft(year=2026, title="M", targets=targets, stamp=stamp("thuky"))
    objective.submit(stamp=stamp("thuky"))
    objective.approve(stamp=stamp("giamdoc"))
    objective.disseminate(department_ids=("vp",), stamp=stamp("thuky"))
    return objective


def test_an_indicator_counts_each_event_once_and_rounds_as_the_statistics() -> None:
    indicator = Indicator.open("unit-1", ON_TIME, 2026)
    assert (indicator.value, indicator.as_of) == (None, None)
    assert indicator.count("e1", favourable=True, day=date(2026, 3, 2))
    assert indicator.count("e2", favourable=False, day=date(2026, 3, 5))
    assert indicator.count("e3", favourable=True, day=date(2026, 3, 4))
    # Delivered again: nothing recorded.
    version = indicator.version
    assert not indicator.count("e2", favourable=False, day=date(2026, 3, 5))
    assert indicator.version == version
    assert (indicator.favourable, indicator.total, indicator.value) == (2, 3, 66.7)
    # As of the latest day counted, whatever order the events came in.
    assert indicator.as_of == date(2026, 3, 5) and indicator.last_event_id == "e3"


def test_an_indicator_id_is_its_unit_kind_procedure_and_year() -> None:
    one = Indicator.id_for("unit-1", ON_TIME, 2026)
    assert one == Indicator.open("unit-1", ON_TIME, 2026).id
    assert one == Indicator.id_for("unit-1", IndicatorSource("dossiers_on_time", "proc-1"), 2026)
    others = {
        Indicator.id_for("unit-2", ON_TIME, 2026),
        Indicator.id_for("unit-1", ON_TIME, 2027),
        Indicator.id_for("unit-1", IndicatorSource("dossiers_on_time"), 2026),
        Indicator.id_for("unit-1", IndicatorSource("satisfaction", "proc-1"), 2026),
    }
    assert one not in others and len(others) == 4


def test_a_target_subscribes_once() -> None:
    indicator = Indicator.open("unit-1", ON_TIME, 2026)
    objective_id = uuid.uuid4()
    assert indicator.subscribe(objective_id, "t1")
    assert not indicator.subscribe(objective_id, "t1")
    assert indicator.subscribe(objective_id, "t2")
    assert indicator.subscribers == [(str(objective_id), "t1"), (str(objective_id), "t2")]


def test_an_observation_of_a_procedure_counts_for_it_and_for_the_whole_unit() -> None:
    observation = Observation("unit-1", "satisfaction", "proc-1", 2026, True, date(2026, 1, 2))
    assert observation.indicators() == [IndicatorSource("satisfaction", "proc-1"), SATISFACTION]
    unit_wide = Observation("unit-1", "satisfaction", None, 2026, True, date(2026, 1, 2))
    assert unit_wide.indicators() == [SATISFACTION]


def test_the_sources_observe_as_the_gateway_counts() -> None:
    completed = DossierCompleted(
        dossier_id="d1",
        unit_id="unit-1",
        procedure_id="proc-1",
        received_on=date(2025, 12, 30),
        done_on=date(2026, 1, 6),
        due_on=date(2026, 1, 5),
        outcome="late",
        completed_by="tp",
    )
    # Counted in the year it was received, known on the day it was done.
    assert INDICATOR_SOURCES[DossierCompleted](completed) == [
        Observation("unit-1", "dossiers_on_time", "proc-1", 2025, False, date(2026, 1, 6))
    ]
    on_time = completed.model_copy(update={"outcome": "on_time"})
    assert INDICATOR_SOURCES[DossierCompleted](on_time)[0].favourable
    rated = SatisfactionRated(
        rating_id="r1",
        unit_id="unit-1",
        dossier_id="d1",
        procedure_id="proc-1",
        level="satisfied",
        comment="",
        # 31/12/2026 18:00 UTC is 1 January 2027 in Vietnam.
        rated_at=datetime(2026, 12, 31, 18, 0, tzinfo=UTC),
    )
    assert INDICATOR_SOURCES[SatisfactionRated](rated) == [
        Observation("unit-1", "satisfaction", "proc-1", 2027, True, date(2027, 1, 1))
    ]
    acceptable = rated.model_copy(update={"level": "acceptable"})
    assert not INDICATOR_SOURCES[SatisfactionRated](acceptable)[0].favourable


def test_a_sourced_target_takes_no_progress_by_hand() -> None:
    objective = disseminated(target("t1", ON_TIME), target("t2", None))
    error = assert_rejected(
        objective,
        lambda: objective.record_progress(
            target_id="t1", value=90, as_of=date(2026, 5, 1), note="", stamp=stamp("thuky")
        ),
        InvalidInput,
    )
    assert isinstance(error, QmsError) and error.extensions == {"field": "target_id"}
    assert "tự động" in error.detail
    objective.record_progress(
        target_id="t2", value=90, as_of=date(2026, 5, 1), note="", stamp=stamp("thuky")
    )
    assert [entry.source_event_id for entry in objective.progress["t2"]] == [None]


def test_a_statistic_records_once_per_event_while_disseminated() -> None:
    objective = disseminated(target("t1", ON_TIME), target("t2", None))
    auto = stamp(INDICATOR_ACTOR)
    assert objective.record_indicator(
        target_id="t1", value=50.0, as_of=date(2026, 5, 1), source_event_id="e1", stamp=auto
    )
    assert not objective.record_indicator(
        target_id="t1", value=50.0, as_of=date(2026, 5, 1), source_event_id="e1", stamp=auto
    )
    assert objective.progress["t1"] == [
        ProgressEntry(50.0, date(2026, 5, 1), "", INDICATOR_ACTOR, "e1")
    ]
    [recorded] = [e for e in objective.collect_events() if type(e).__name__ == "ProgressRecorded"]
    assert (recorded.source, recorded.source_event_id) == (ON_TIME, "e1")  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput):  # a target that follows no statistic
        objective.record_indicator(
            target_id="t2", value=1.0, as_of=date(2026, 5, 1), source_event_id="e2", stamp=auto
        )
    objective.evaluate(overrides={}, note="", stamp=stamp("giamdoc"))
    assert not objective.record_indicator(
        target_id="t1", value=60.0, as_of=date(2026, 6, 1), source_event_id="e3", stamp=auto
    )
    assert objective.latest_value("t1") == 50.0


def test_a_source_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        Objective.draft(
            year=2026,
            title="M",
            targets=(target("t1", IndicatorSource("complaints")),),
            stamp=stamp("thuky"),
        )
    assert info.value.extensions["field"] == "targets.source"
