"""Targets that follow a statistic in the objectives wing: their source and automatic progress
in the read model, how the pages name and offer the sources (the unit's procedures from the
procedures wing), the form's rows, and no progress form for such a target."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from litestar.datastructures import FormMultiDict

from qms_contracts import IntegrationEvent
from qms_contracts import objectives as contract
from qms_contracts import procedures as procedures_contract
from qms_contracts.objectives_commands import DraftObjectiveInput
from qms_gateway.objectives import WING, readmodel, sources
from qms_gateway.objectives.actions import objective_actions, progress_targets
from qms_gateway.objectives.pages import _body, _row_field, _targets_from
from qms_gateway.objectives.views import ObjectiveView
from qms_gateway.portal.forms import Errors, checked
from qms_gateway.procedures import WING as PROCEDURES_WING
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, Principal
from qms_runtime.projection import Message
from qms_runtime.testing import delivered

UNIT = "so-khcn"
PROCEDURE = str(uuid.uuid4())
ON_TIME = contract.IndicatorSource(kind="dossiers_on_time", procedure_id=PROCEDURE)
SATISFACTION = contract.IndicatorSource(kind="satisfaction")


@pytest.fixture
async def wings(run_wing: Any) -> AsyncIterator[tuple[Any, Any]]:
    async with run_wing(WING) as objectives, run_wing(PROCEDURES_WING) as procedures:
        yield objectives, procedures


def history(aggregate_id: uuid.UUID, payloads: list[IntegrationEvent]) -> list[Message]:
    return [delivered(aggregate_id, n, p, unit_id=UNIT) for n, p in enumerate(payloads, start=1)]


def target(target_id: str, source: contract.IndicatorSource | None) -> contract.Target:
    return contract.Target(
        target_id=target_id,
        statement="Chỉ tiêu",
        indicator="Tỷ lệ",
        target_value=95,
        unit_of_measure="%",
        direction="at_least",
        deadline=date(2026, 12, 31),
        department_id="vp",
        action_plan="Theo dõi",
        source=source,
    )


def objective_events(objective_id: uuid.UUID) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"objective_id": str(objective_id), "unit_id": UNIT}
    targets = [target("t1", ON_TIME), target("t2", SATISFACTION), target("t3", None)]
    return [
        contract.ObjectiveDrafted(**ids, year=2026, title="Mục tiêu", targets=targets),
        contract.ObjectiveSubmitted(**ids, submitted_by="thuky"),
        contract.ObjectiveApproved(**ids, approved_by="giamdoc"),
        contract.ObjectiveDisseminated(**ids, department_ids=["vp"]),
        contract.TargetProgressRecorded(
            **ids,
            target_id="t1",
            value=66.7,
            as_of=date(2026, 3, 9),
            recorded_by="he-thong",
            source=ON_TIME,
            source_event_id="e-1",
        ),
        contract.TargetProgressRecorded(
            **ids, target_id="t3", value=3, as_of=date(2026, 3, 9), recorded_by="thuky"
        ),
    ]


def procedure_events(version_id: uuid.UUID, code: str, name: str) -> list[IntegrationEvent]:
    ids: dict[str, Any] = {"version_id": str(version_id), "unit_id": UNIT}
    step = procedures_contract.Step(name="Tiếp nhận", department_id="vp", role="", working_days=1)
    return [
        procedures_contract.ProcedureVersionDrafted(
            **ids,
            procedure_id=PROCEDURE if code == "QT-05" else str(uuid.uuid4()),
            code=code,
            number=1,
            name=name,
            scope="Hồ sơ",
            steps=[step],
            forms=[],
            review_on=date(2027, 1, 1),
        ),
        procedures_contract.ProcedureVersionSubmitted(**ids, submitted_by="thuky"),
        procedures_contract.ProcedureVersionApproved(**ids, approved_by="giamdoc"),
        procedures_contract.ProcedurePublished(
            **ids, published_on=date(2026, 3, 2), departments=["vp"], published_by="thuky"
        ),
    ]


async def test_sources_and_automatic_progress_in_the_read_model(wings: Any) -> None:
    objectives, procedures = wings
    objective_id = uuid.uuid4()
    await objectives.machine.apply(history(objective_id, objective_events(objective_id)))
    row = await readmodel.objective(objectives.pool, objective_id)
    assert row is not None
    view = ObjectiveView.model_validate(row)
    assert [t.source.model_dump() if t.source else None for t in view.targets] == [
        {"kind": "dossiers_on_time", "procedure_id": PROCEDURE},
        {"kind": "satisfaction", "procedure_id": None},
        None,
    ]
    assert [(p.value, p.source_event_id) for p in view.targets[0].progress] == [(66.7, "e-1")]
    assert [(p.value, p.source_event_id) for p in view.targets[2].progress] == [(3, None)]

    # Named by the procedures wing's read model: a published procedure, a draft is not one.
    await procedures.machine.apply(
        [
            *history(uuid.uuid4(), procedure_events(uuid.uuid4(), "QT-05", "Cấp phép")),
            *history(uuid.uuid4(), procedure_events(uuid.uuid4(), "QT-09", "Thẩm định")[:1]),
        ]
    )
    names = await sources.unit_procedures(objectives.pool, UNIT)
    assert names == {PROCEDURE: "QT-05 Cấp phép"}
    assert [sources.label(t["source"], names) for t in row["targets"]] == [
        "Tự động: tỷ lệ hồ sơ đúng hạn — QT-05 Cấp phép",
        "Tự động: tỷ lệ hài lòng",
        "Nhập tay",
    ]
    assert sources.label({"kind": "dossiers_on_time"}, names) == (
        "Tự động: tỷ lệ hồ sơ đúng hạn — mọi quy trình"
    )


def test_the_form_offers_each_source_and_keeps_the_one_chosen() -> None:
    names = {PROCEDURE: "QT-05 Cấp phép"}
    gone = str(uuid.uuid4())
    offered = sources.choices(names, "", f"dossiers_on_time:{gone}", "bogus")
    assert [value for value, _ in offered] == [
        "",
        "dossiers_on_time",
        f"dossiers_on_time:{PROCEDURE}",
        "satisfaction",
        f"dossiers_on_time:{gone}",
    ]
    assert dict(offered)[f"dossiers_on_time:{gone}"].endswith(gone)
    for source in (None, ON_TIME.model_dump(), SATISFACTION.model_dump()):
        assert sources.parse_choice(sources.choice_of(source)) == source
    with pytest.raises(ValueError, match="complaints"):
        sources.parse_choice("complaints")


def _row(n: int, source: str) -> dict[str, str]:
    return {
        f"targets.{n}.statement": "Đúng hạn",
        f"targets.{n}.indicator": "Tỷ lệ",
        f"targets.{n}.source": source,
        f"targets.{n}.target_value": "95,5",
        f"targets.{n}.unit_of_measure": "%",
        f"targets.{n}.direction": "at_least",
        f"targets.{n}.deadline": "31/12/2026",
        f"targets.{n}.department_id": "vp",
        f"targets.{n}.action_plan": "Theo dõi",
    }


def test_a_row_source_becomes_the_commands_source() -> None:
    form = FormMultiDict(
        {
            "year": "2026",
            "title": "Mục tiêu",
            **_row(0, f"dossiers_on_time:{PROCEDURE}"),
            **_row(1, "satisfaction"),
            **_row(2, ""),
        }
    )
    errors: Errors = {}
    values = {"year": "2026", "title": "Mục tiêu", "targets": _targets_from(form, errors)}
    assert errors == {}
    body, invalid = checked(DraftObjectiveInput, _body(values))
    assert invalid == {} and body is not None
    assert [t.source.model_dump(mode="json") if t.source else None for t in body.targets] == [
        {"kind": "dossiers_on_time", "procedure_id": PROCEDURE},
        {"kind": "satisfaction", "procedure_id": None},
        None,
    ]
    crafted = FormMultiDict({**_row(0, "complaints"), **_row(1, "dossiers_on_time:not-a-uuid")})
    errors = {}
    rows = _targets_from(crafted, errors)
    assert errors == {"targets.0.source": "Chọn nguồn số liệu trong danh sách"}
    _, invalid = checked(DraftObjectiveInput, _body({"year": 2026, "title": "M", "targets": rows}))
    assert {_row_field(key) for key in invalid} == {"targets.1.source"}


def test_no_progress_form_for_a_target_that_follows_a_statistic() -> None:
    record = {
        "unit_id": UNIT,
        "status": "disseminated",
        "submitted_by": "thuky",
        "targets": [
            {"target_id": "t1", "department_id": "vp", "source": ON_TIME.model_dump()},
            {"target_id": "t2", "department_id": "vp", "source": None},
        ],
    }
    secretary = Principal("thuky", "thuky", frozenset({UNIT}), frozenset({ISO_SECRETARY}), None)
    head = Principal("tp", "tp", frozenset({UNIT}), frozenset({DEPARTMENT_LEADER}), "vp")
    assert progress_targets(secretary, record) == progress_targets(head, record) == {"t2"}
    only_sourced = {**record, "targets": record["targets"][:1]}
    assert "progress" not in objective_actions(head, only_sourced)
