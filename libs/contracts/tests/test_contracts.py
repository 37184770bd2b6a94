"""Tests of the integration-event contracts: envelope, Kafka binding, models and schemas."""

import copy
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from qms_contracts import CONTRACT_MODULES, event_types, model_for_type
from qms_contracts.envelope import (
    Envelope,
    MalformedEvent,
    decode,
    encode,
    event_id,
    from_structured,
    structured,
)
from qms_contracts.objectives import (
    ObjectiveDrafted,
    ObjectiveEvaluated,
    ObjectiveSubmitted,
    QualityPolicyPublished,
    Target,
    TargetResult,
)
from qms_contracts.schemas import (
    SCHEMA_DIR,
    breaking_changes,
    committed_schemas,
    current_schemas,
)

AGGREGATE_ID = uuid.UUID("3b0c2a4e-9d43-4c39-8a0e-0f4f5f2b6a10")


def make_envelope(**overrides: Any) -> Envelope:
    fields: dict[str, Any] = {
        "id": event_id(AGGREGATE_ID, 2),
        "source": "/qms/objectives",
        "type": ObjectiveDrafted.event_type,
        "subject": str(AGGREGATE_ID),
        "time": datetime(2025, 3, 4, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7))),
        "unitid": "unit-1",
        "actor": "Nguyễn Văn Á",
        "aggregateversion": 2,
        "correlationid": "corr-ü-1",
        "causationid": "cmd-1",
    }
    fields.update(overrides)
    return Envelope(**fields)


def make_payload() -> ObjectiveDrafted:
    return ObjectiveDrafted(
        objective_id=str(AGGREGATE_ID),
        unit_id="unit-1",
        year=2025,
        title="Mục tiêu chất lượng năm 2025",
        targets=[
            Target(
                target_id="t1",
                statement="Giải quyết hồ sơ đúng hạn",
                indicator="tỷ lệ hồ sơ đúng hạn",
                target_value=95.5,
                unit_of_measure="%",
                direction="at_least",
                deadline=date(2025, 12, 31),
                department_id="dep-a",
                action_plan="Rà soát hằng tháng",
            )
        ],
    )


# --- (a) event ids -------------------------------------------------------------------------------


def test_event_id_is_deterministic() -> None:
    assert event_id(AGGREGATE_ID, 1) == event_id(AGGREGATE_ID, 1)
    assert event_id(AGGREGATE_ID, 1) == event_id(str(AGGREGATE_ID), 1)
    assert uuid.UUID(event_id(AGGREGATE_ID, 1)).version == 5


def test_event_id_differs_by_version_and_aggregate() -> None:
    other = uuid.UUID("3b0c2a4e-9d43-4c39-8a0e-0f4f5f2b6a11")
    ids = {event_id(AGGREGATE_ID, v) for v in range(1, 50)}
    assert len(ids) == 49
    assert event_id(AGGREGATE_ID, 1) != event_id(other, 1)
    assert event_id(AGGREGATE_ID, 3) != event_id(other, 3)


# --- (b) encode / decode -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "traceparent", [None, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]
)
def test_encode_decode_round_trip(traceparent: str | None) -> None:
    envelope = make_envelope(traceparent=traceparent)
    payload = make_payload()
    record = encode(envelope, payload)

    decoded, data = decode(record.headers, record.value)
    assert decoded == envelope
    assert decoded.time == envelope.time
    assert decoded.time.utcoffset() == timedelta(0)
    assert decoded.aggregateversion == 2
    assert isinstance(decoded.aggregateversion, int)
    assert decoded.traceparent == traceparent
    assert data == payload.model_dump(mode="json")
    assert ObjectiveDrafted.model_validate(data) == payload
    # The dict form of headers is accepted too.
    assert decode(dict(record.headers), record.value) == (decoded, data)


def test_encode_headers_are_ce_or_content_type_and_utf8_text() -> None:
    record = encode(make_envelope(), make_payload())
    names = [name for name, _ in record.headers]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    for name, value in record.headers:
        assert name.startswith("ce_") or name == "content-type", name
        assert isinstance(value, bytes)
        value.decode("utf-8")  # raises if not valid UTF-8
    headers = dict(record.headers)
    assert headers["content-type"] == b"application/json"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_actor"].decode("utf-8") == "Nguyễn Văn Á"
    assert headers["ce_aggregateversion"] == b"2"
    assert headers["ce_time"].decode().endswith("Z")
    assert "ce_traceparent" not in headers
    assert "ce_partitionkey" not in headers


def test_encode_key_is_aggregate_id_and_value_is_json_payload() -> None:
    envelope = make_envelope()
    record = encode(envelope, make_payload())
    assert record.key == str(AGGREGATE_ID).encode()
    assert record.key == envelope.subject.encode()
    assert json.loads(record.value) == make_payload().model_dump(mode="json")


def test_structured_round_trip() -> None:
    envelope, payload = make_envelope(), make_payload()
    document = structured(envelope, payload)
    assert "traceparent" not in document
    assert document["data"] == payload.model_dump(mode="json")
    assert from_structured(json.loads(json.dumps(document))) == (
        envelope,
        payload.model_dump(mode="json"),
    )


# --- (c) malformed messages ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [b"not json", b"{", b"\xff\xfe"])
def test_decode_rejects_non_json_value(value: bytes) -> None:
    record = encode(make_envelope(), make_payload())
    with pytest.raises(MalformedEvent):
        decode(record.headers, value)


def test_decode_rejects_missing_ce_headers() -> None:
    record = encode(make_envelope(), make_payload())
    with pytest.raises(MalformedEvent):
        decode([("content-type", b"application/json")], record.value)
    with pytest.raises(MalformedEvent):
        decode([], record.value)


@pytest.mark.parametrize(
    "header",
    [
        "ce_source",
        "ce_type",
        "ce_subject",
        "ce_unitid",
        "ce_actor",
        "ce_aggregateversion",
        "ce_correlationid",
        "ce_causationid",
        "ce_id",
        "ce_time",
        "ce_specversion",
    ],
)
def test_decode_rejects_missing_required_attribute(header: str) -> None:
    record = encode(make_envelope(), make_payload())
    headers = [(name, value) for name, value in record.headers if name != header]
    with pytest.raises(MalformedEvent):
        decode(headers, record.value)


@pytest.mark.parametrize("value", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_decode_rejects_non_object_payload(value: bytes) -> None:
    record = encode(make_envelope(), make_payload())
    with pytest.raises(MalformedEvent):
        decode(record.headers, value)


def test_from_structured_rejects_bad_documents() -> None:
    document = structured(make_envelope(), make_payload())
    with pytest.raises(MalformedEvent):
        from_structured({**document, "data": [1]})
    without_actor = {k: v for k, v in document.items() if k != "actor"}
    with pytest.raises(MalformedEvent):
        from_structured(without_actor)


def test_malformed_event_is_value_error() -> None:
    assert issubclass(MalformedEvent, ValueError)


# --- (d) models ----------------------------------------------------------------------------------


def test_envelope_is_frozen_and_forbids_extra() -> None:
    envelope = make_envelope()
    with pytest.raises(ValidationError):
        envelope.actor = "someone else"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        make_envelope(unexpected="x")
    with pytest.raises(ValidationError):
        make_envelope(aggregateversion=0)


def test_payload_models_are_frozen_and_forbid_extra() -> None:
    payload = make_payload()
    with pytest.raises(ValidationError):
        payload.title = "khác"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        payload.targets[0].target_value = 1.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ObjectiveSubmitted(objective_id="o", unit_id="u", submitted_by="a", extra="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        TargetResult(target_id="t", achieved=True, last_value=None, bonus=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Target.model_validate({**make_payload().targets[0].model_dump(), "direction": "up"})


@pytest.mark.parametrize("name", list(event_types()))
def test_every_registered_model_is_frozen_and_strict(name: str) -> None:
    model = event_types()[name]
    assert model.event_type == name
    # Owned by the service whose contract module declares it, and named after it.
    assert model.event_type.startswith(f"qms.{model.service}.")
    assert model.service in {module.SERVICE for module in CONTRACT_MODULES}
    assert model_for_type(name) is model
    assert model.model_config.get("frozen") is True
    assert model.model_config.get("extra") == "forbid"


def test_nested_models_are_frozen_and_strict() -> None:
    for model in (Target, TargetResult, Envelope):
        assert model.model_config.get("frozen") is True
        assert model.model_config.get("extra") == "forbid"


def test_model_for_unknown_type() -> None:
    assert model_for_type("qms.nope.Nothing.v1") is None


def test_optional_payload_field_round_trips() -> None:
    event = QualityPolicyPublished(document_id="d", unit_id="u", version_number=1, supersedes=None)
    assert QualityPolicyPublished.model_validate(event.model_dump(mode="json")) == event
    evaluated = ObjectiveEvaluated(
        objective_id="o",
        unit_id="u",
        achieved=False,
        results=[TargetResult(target_id="t", achieved=False, last_value=None)],
        evaluated_by="x",
    )
    assert ObjectiveEvaluated.model_validate_json(evaluated.model_dump_json()) == evaluated


# --- (e) committed schemas -----------------------------------------------------------------------

REGENERATE = "run `python -m qms_contracts.schemas` to regenerate the committed schemas"


def test_committed_schemas_equal_current() -> None:
    committed = committed_schemas()
    current = current_schemas()
    assert committed.keys() == current.keys(), (
        f"schema files differ from event models under {SCHEMA_DIR}: {REGENERATE}"
    )
    for name, schema in current.items():
        assert committed[name] == schema, f"{name}.json is out of date: {REGENERATE}"


def test_committed_schemas_have_no_breaking_changes() -> None:
    current = current_schemas()
    for name, old in committed_schemas().items():
        assert name in current, f"event type {name} was removed; publish a new version instead"
        problems = breaking_changes(old, current[name])
        assert problems == [], f"{name}: breaking changes {problems}; add a new .vN event type"


def test_every_schema_is_breaking_free_against_itself() -> None:
    for schema in current_schemas().values():
        assert breaking_changes(schema, copy.deepcopy(schema)) == []


# --- breaking_changes, synthetic -----------------------------------------------------------------


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


class _InnerV1(BaseModel):
    code: str
    amount: int


class _OuterV1(BaseModel):
    name: str
    count: int
    inner: _InnerV1
    items: list[_InnerV1]
    note: str = ""


def test_unchanged_model_is_not_breaking() -> None:
    assert breaking_changes(schema_of(_OuterV1), schema_of(_OuterV1)) == []


def test_adding_optional_field_is_not_breaking() -> None:
    class Outer(_OuterV1):
        extra: str | None = None
        more: int = 0

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == []


def test_making_field_optional_is_not_flagged() -> None:
    class Outer(BaseModel):
        name: str
        count: int
        inner: _InnerV1
        items: list[_InnerV1]
        note: str = ""

    old = schema_of(Outer)
    new = copy.deepcopy(old)
    new["required"].remove("count")
    assert breaking_changes(old, new) == []


def test_removed_field_is_breaking() -> None:
    class Outer(BaseModel):
        name: str
        inner: _InnerV1
        items: list[_InnerV1]
        note: str = ""

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == ["count: removed"]


def test_retyped_field_is_breaking() -> None:
    class Outer(BaseModel):
        name: str
        count: str
        inner: _InnerV1
        items: list[_InnerV1]
        note: str = ""

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == ["count: type changed"]


@pytest.mark.parametrize(
    ("old_type", "new_type"),
    [
        (int, float),
        (str, date),
        (str, str | None),
        (list[str], list[int]),
        (list[str], str),
    ],
)
def test_retyped_field_variants_are_breaking(old_type: Any, new_type: Any) -> None:
    old = {"type": "object", "properties": {"f": _field(old_type)}, "required": ["f"]}
    new = {"type": "object", "properties": {"f": _field(new_type)}, "required": ["f"]}
    assert breaking_changes(old, new) == ["f: type changed"]


def _field(annotation: Any) -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(annotation).json_schema()
    return schema


def test_newly_required_field_is_breaking() -> None:
    class Outer(BaseModel):
        name: str
        count: int
        inner: _InnerV1
        items: list[_InnerV1]
        note: str  # no default any more

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == ["note: now required"]


def test_new_required_field_is_breaking() -> None:
    class Outer(_OuterV1):
        mandatory: str

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == ["mandatory: now required"]


def _outer_with(inner_model: type[BaseModel]) -> type[BaseModel]:
    class Outer(BaseModel):
        name: str
        count: int
        inner: inner_model  # type: ignore[valid-type]
        items: list[inner_model]  # type: ignore[valid-type]
        note: str = ""

    return Outer


def test_nested_retyped_field_in_defs_model_is_breaking() -> None:
    class Inner(BaseModel):
        code: str
        amount: str

    old, new = schema_of(_OuterV1), schema_of(_outer_with(Inner))
    assert "$defs" in old
    assert "$ref" in old["properties"]["inner"]
    assert sorted(breaking_changes(old, new)) == [
        "inner.amount: type changed",
        "items.amount: type changed",
    ]


def test_nested_removed_field_in_defs_model_is_breaking() -> None:
    class Inner(BaseModel):
        code: str

    assert sorted(breaking_changes(schema_of(_OuterV1), schema_of(_outer_with(Inner)))) == [
        "inner.amount: removed",
        "items.amount: removed",
    ]


def test_nested_newly_required_field_is_breaking() -> None:
    class Inner(BaseModel):
        code: str
        amount: int
        unit: str

    assert sorted(breaking_changes(schema_of(_OuterV1), schema_of(_outer_with(Inner)))) == [
        "inner.unit: now required",
        "items.unit: now required",
    ]


def test_nested_optional_addition_is_not_breaking() -> None:
    class Inner(BaseModel):
        code: str
        amount: int
        unit: str = "%"

    assert breaking_changes(schema_of(_OuterV1), schema_of(_outer_with(Inner))) == []


def test_nested_model_replaced_by_scalar_is_breaking() -> None:
    class Outer(BaseModel):
        name: str
        count: int
        inner: str
        items: list[_InnerV1]
        note: str = ""

    assert breaking_changes(schema_of(_OuterV1), schema_of(Outer)) == ["inner: type changed"]


def test_real_contract_mutation_is_detected() -> None:
    old = ObjectiveDrafted.model_json_schema()
    new = copy.deepcopy(old)
    del new["$defs"]["Target"]["properties"]["deadline"]
    new["$defs"]["Target"]["required"].remove("deadline")
    new["properties"]["year"] = {"type": "string"}
    assert sorted(breaking_changes(old, new)) == ["targets.deadline: removed", "year: type changed"]


def test_nested_change_inside_optional_defs_model_is_breaking() -> None:
    class InnerV2(BaseModel):
        code: str
        amount: str

    class OldOuter(BaseModel):
        inner: _InnerV1 | None = None

    class NewOuter(BaseModel):
        inner: InnerV2 | None = None

    assert breaking_changes(schema_of(OldOuter), schema_of(NewOuter)) == [
        "inner.amount: type changed"
    ]


def test_utc_helper_sanity() -> None:
    # Envelope times given in UTC stay equal after a round trip.
    envelope = make_envelope(time=datetime(2025, 1, 1, tzinfo=UTC))
    decoded, _ = decode(*_parts(encode(envelope, make_payload())))
    assert decoded.time == envelope.time


def _parts(record: Any) -> tuple[list[tuple[str, bytes]], bytes]:
    return record.headers, record.value


@pytest.mark.parametrize("version", [1, 2, 17, 10_000])
def test_event_id_is_the_uuid5_of_aggregate_and_version(version: int) -> None:
    aggregate = uuid.UUID("12345678-1234-5678-1234-567812345678")
    namespace = uuid.UUID("6f1c9f5e-7c1b-4d0c-9a55-2f0e0b8f3a11")
    expected = str(uuid.uuid5(namespace, f"{aggregate}:{version}"))
    assert event_id(aggregate, version) == expected == event_id(str(aggregate), version)
