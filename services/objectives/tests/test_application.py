"""The objectives application on in-memory persistence: authorisation, concurrency, publishing."""

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from qms_contracts import model_for_type
from qms_objectives.application import ObjectivesApplication
from qms_objectives.domain import (
    IndicatorSource,
    Objective,
    OrganizationContext,
    QualityPolicy,
    TargetSpec,
)
from qms_objectives.indicator import Observation
from qms_objectives.publishing import AGGREGATES, MAPPER
from qms_runtime.commands import CommandContext
from qms_runtime.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER
from qms_runtime.publishing import event_classes
from qms_runtime.testing import context

UNIT = "so-khcn"


def caller(
    sub: str, *roles: str, unit: str = UNIT, department: str | None = None
) -> CommandContext:
    return context(sub, *roles, unit=unit, department=department)


SECRETARY = caller("thuky", ISO_SECRETARY)
LEADER = caller("giamdoc", UNIT_LEADER)
TARGET = TargetSpec(
    "t1", "Đúng hạn", "Tỷ lệ", 95.0, "%", "at_least", date(2026, 12, 31), "vp", "Kế hoạch"
)


@pytest.fixture
def app() -> ObjectivesApplication:
    return ObjectivesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def full_objective(app: ObjectivesApplication) -> uuid.UUID:
    objective = app.draft_objective(SECRETARY, UNIT, year=2026, title="Mục tiêu", targets=(TARGET,))
    app.submit(SECRETARY, Objective, objective.id, 1)
    app.return_for_revision(LEADER, Objective, objective.id, 2, "Thiếu số liệu")
    app.revise_objective(SECRETARY, objective.id, 3, title="Mục tiêu 2", targets=(TARGET,))
    app.submit(SECRETARY, Objective, objective.id, None)
    app.approve(LEADER, Objective, objective.id, None)
    app.disseminate_objective(SECRETARY, objective.id, None, ("vp",))
    app.record_progress(
        SECRETARY, objective.id, None, target_id="t1", value=97, as_of=date(2026, 6, 1), note=""
    )
    app.evaluate_objective(LEADER, objective.id, None, overrides={}, note="Đạt")
    return objective.id


def publish_twice(
    app: ObjectivesApplication, kind: type[QualityPolicy] | type[OrganizationContext]
) -> None:
    for title in ("Bản 1", "Bản 2"):
        draft = app.draft_document(SECRETARY, UNIT, kind, title=title, content="Nội dung")
        app.submit(SECRETARY, kind, draft.id, None)
        app.approve(LEADER, kind, draft.id, None)
        app.publish_document(SECRETARY, kind, draft.id, None)


def test_whole_objective_workflow_reaches_evaluated(app: ObjectivesApplication) -> None:
    objective = app.read(SECRETARY.principal, Objective, full_objective(app))
    assert objective.status == "evaluated"
    assert objective.achieved is True
    assert objective.version == 9


def test_wrong_role_other_unit_and_stale_version(app: ObjectivesApplication) -> None:
    draft = app.draft_objective(SECRETARY, UNIT, year=2026, title="M", targets=(TARGET,))
    with pytest.raises(Forbidden):
        app.approve(caller("x", ISO_SECRETARY, unit="khac"), Objective, draft.id, None)
    with pytest.raises(Forbidden):
        app.submit(LEADER, Objective, draft.id, None)
    with pytest.raises(VersionConflict):
        app.submit(SECRETARY, Objective, draft.id, 7)
    with pytest.raises(NotFound):
        app.submit(SECRETARY, QualityPolicy, draft.id, None)


def test_department_leader_records_only_their_targets(app: ObjectivesApplication) -> None:
    draft = app.draft_objective(SECRETARY, UNIT, year=2026, title="M", targets=(TARGET,))
    app.submit(SECRETARY, Objective, draft.id, None)
    app.approve(LEADER, Objective, draft.id, None)
    app.disseminate_objective(SECRETARY, draft.id, None, ("vp",))
    other = caller("tp", DEPARTMENT_LEADER, department="khac")
    with pytest.raises(Forbidden):
        app.record_progress(
            other, draft.id, None, target_id="t1", value=1, as_of=date(2026, 1, 2), note=""
        )
    own = caller("tp2", DEPARTMENT_LEADER, department="vp")
    result = app.record_progress(
        own, draft.id, None, target_id="t1", value=1, as_of=date(2026, 1, 2), note=""
    )
    assert result.version == 5


def test_publishing_supersedes_the_version_in_force(app: ObjectivesApplication) -> None:
    publish_twice(app, QualityPolicy)
    events, _ = app.notifications_after(0, 1000)
    policies = {e.originator_id for e in events if isinstance(e, QualityPolicy.Drafted)}
    statuses = sorted(app.read(SECRETARY.principal, QualityPolicy, i).status for i in policies)
    assert statuses == ["published", "superseded"]


def test_every_domain_event_class_has_an_entry_in_the_table() -> None:
    missing = [c.__qualname__ for c in event_classes(*AGGREGATES) if c not in MAPPER.table]
    # Aggregate base classes' generated creation events are never recorded.
    assert [name for name in missing if not name.endswith(".Created")] == []


def test_every_recorded_event_maps_to_a_registered_valid_contract(
    app: ObjectivesApplication,
) -> None:
    full_objective(app)
    publish_twice(app, QualityPolicy)
    publish_twice(app, OrganizationContext)
    events, _ = app.notifications_after(0, 1000)
    published = [MAPPER(event) for event in events]
    outgoing = [item for item in published if item is not None]
    # The objective: 9 events; per kind, two versions of 4 steps and one supersession.
    assert len(outgoing) == 9 + 2 * (2 * 4 + 1)
    for item, event in zip(published, events, strict=True):
        if item is None:
            continue
        model = model_for_type(item.payload.event_type)
        assert model is type(item.payload)
        assert model.model_validate(item.payload.model_dump(mode="json")) == item.payload
        assert item.unit_id == UNIT
        assert item.actor == event.stamp.actor  # type: ignore[attr-defined]
    kinds = {type(item.payload).__name__ for item in outgoing}
    assert {
        "ObjectiveEvaluated",
        "QualityPolicySuperseded",
        "OrganizationContextPublished",
    } <= kinds


def test_each_aggregate_publishes_all_its_events_or_none(app: ObjectivesApplication) -> None:
    """A reader applies an aggregate's versions without gaps: all its events leave, or none
    (an indicator's stay inside; the objectives it feeds publish their progress)."""
    full_objective(app)
    publish_twice(app, QualityPolicy)
    sourced = replace(TARGET, target_id="t2", source=IndicatorSource("satisfaction"))
    objective = app.draft_objective(
        SECRETARY, UNIT, year=2026, title="M", targets=(TARGET, sourced)
    )
    app.submit(SECRETARY, Objective, objective.id, None)
    app.approve(LEADER, Objective, objective.id, None)
    app.disseminate_objective(SECRETARY, objective.id, None, ("vp",))
    seen = Observation(UNIT, "satisfaction", "proc-1", 2026, True, date(2026, 3, 2))
    app.observe("event-1", [seen], "corr")
    events, _ = app.notifications_after(0, 1000)
    leaving: dict[uuid.UUID, set[bool]] = {}
    for event in events:
        leaving.setdefault(event.originator_id, set()).add(MAPPER(event) is not None)
    assert all(len(kinds) == 1 for kinds in leaving.values())
    assert {False} in leaving.values()  # the register and the indicators
    assert app.load(Objective, objective.id).latest_value("t2") == 100.0


# The reviewed-record kit, the same for every kind of record this service keeps.

KINDS = [Objective, QualityPolicy, OrganizationContext]


def drafted(app: ObjectivesApplication, kind: type[Any]) -> uuid.UUID:
    if kind is Objective:
        return app.draft_objective(SECRETARY, UNIT, year=2026, title="M", targets=(TARGET,)).id
    return app.draft_document(SECRETARY, UNIT, kind, title="T", content="C").id


def revise(app: ObjectivesApplication, kind: type[Any], record_id: uuid.UUID) -> None:
    if kind is Objective:
        app.revise_objective(SECRETARY, record_id, None, title="M2", targets=(TARGET,))
    else:
        app.revise_document(SECRETARY, kind, record_id, None, title="T2", content="C2")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_kit_submit_return_revise_approve(app: ObjectivesApplication, kind: type[Any]) -> None:
    record_id = drafted(app, kind)
    app.submit(SECRETARY, kind, record_id, 1)
    app.return_for_revision(LEADER, kind, record_id, 2, "Sửa lại")
    returned = app.read(SECRETARY.principal, kind, record_id)
    assert (returned.status, returned.return_reason) == ("returned", "Sửa lại")
    with pytest.raises(IllegalTransition):
        app.submit(SECRETARY, kind, record_id, None)
    revise(app, kind, record_id)
    app.submit(SECRETARY, kind, record_id, None)
    result = app.approve(LEADER, kind, record_id, None)
    approved = app.read(SECRETARY.principal, kind, record_id)
    assert (approved.status, approved.return_reason, result.version) == ("approved", None, 6)
    assert [type(e).__qualname__ for e in app.events_after(record_id, 0, 10)][1:4] == [
        f"{kind.__name__}.Submitted",
        f"{kind.__name__}.Returned",
        f"{kind.__name__}.Revised",
    ]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_kit_rules_roles_and_duties(app: ObjectivesApplication, kind: type[Any]) -> None:
    record_id = drafted(app, kind)
    with pytest.raises(IllegalTransition):
        app.approve(LEADER, kind, record_id, None)
    with pytest.raises(Forbidden):
        app.submit(LEADER, kind, record_id, None)
    both = caller("thuky", ISO_SECRETARY, UNIT_LEADER)
    app.submit(both, kind, record_id, None)
    with pytest.raises(Forbidden):  # whoever submitted may not review
        app.approve(both, kind, record_id, None)
    with pytest.raises(Forbidden):
        app.return_for_revision(both, kind, record_id, None, "Tự trả")
    with pytest.raises(InvalidInput):
        app.return_for_revision(LEADER, kind, record_id, None, "  ")
    with pytest.raises(VersionConflict):
        app.approve(LEADER, kind, record_id, 1)
    other = next(k for k in KINDS if k is not kind)
    with pytest.raises(NotFound):
        app.approve(LEADER, other, record_id, None)
