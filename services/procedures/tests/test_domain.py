"""Procedures and their versions: every transition and rule, no I/O."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from qms_procedures.domain import (
    MAX_STEP_DAYS,
    Form,
    Procedure,
    ProcedureContent,
    ProcedureVersion,
    Step,
    procedure_id,
)
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

UNIT = "so-tttt"
TODAY = date(2026, 3, 2)
SECRETARY = stamp("thuky", UNIT)
LEADER = stamp("giamdoc", UNIT)
RECEPTION = Step("Tiếp nhận", "mot-cua", "", 1)
APPRAISAL = Step("Thẩm định", "phong-cn", "", 3)
SIGNING = Step("Ký duyệt", "", "unit_leader", 1)
HANDOVER = Step("Trả kết quả", "mot-cua", "", 1)
FORM = Form("Tờ khai", "BM-01", "1.0", "ab" * 32, 1024)


def content(**changes: Any) -> ProcedureContent:
    values: dict[str, Any] = {
        "name": "Cấp giấy phép hoạt động",
        "scope": "Bộ phận một cửa và phòng chuyên môn",
        "steps": (RECEPTION, APPRAISAL, SIGNING, HANDOVER),
        "forms": (FORM,),
        "review_on": date(2027, 3, 1),
    }
    return ProcedureContent(**{**values, **changes})


def drafted(**changes: Any) -> ProcedureVersion:
    procedure = Procedure.register(code="QT-01", stamp=SECRETARY)
    number = procedure.add_version(SECRETARY)
    return ProcedureVersion.draft(
        procedure=procedure, number=number, content=content(**changes), today=TODAY, stamp=SECRETARY
    )


def submitted() -> ProcedureVersion:
    version = drafted()
    version.submit(SECRETARY)
    return version


def approved() -> ProcedureVersion:
    version = submitted()
    version.approve(LEADER)
    return version


def published() -> ProcedureVersion:
    version = approved()
    version.publish(on=TODAY, stamp=SECRETARY)
    return version


def returned() -> ProcedureVersion:
    version = submitted()
    version.return_for_revision("Thiếu biểu mẫu", LEADER)
    return version


def obsolete() -> ProcedureVersion:
    version = published()
    version.make_obsolete(replaced_by="v2", stamp=SECRETARY)
    return version


# Procedure


def test_register_strips_and_upper_cases_the_code() -> None:
    procedure = Procedure.register(code="  qt-01 ", stamp=SECRETARY)
    assert (procedure.code, procedure.unit_id, procedure.status) == ("QT-01", UNIT, "active")
    assert (procedure.versions, procedure.in_force) == (0, None)


def test_the_id_is_derived_from_unit_and_code() -> None:
    first = Procedure.register(code="QT-01", stamp=SECRETARY)
    again = Procedure.register(code=" qt-01", stamp=stamp("khac", UNIT))
    other_unit = Procedure.register(code="QT-01", stamp=stamp("thuky", "so-yte"))
    other_code = Procedure.register(code="QT-02", stamp=SECRETARY)
    assert first.id == again.id == procedure_id(UNIT, "qt-01 ")
    assert other_unit.id != first.id and other_code.id != first.id


def test_register_refuses_a_blank_code() -> None:
    with pytest.raises(InvalidInput) as info:
        Procedure.register(code="  ", stamp=SECRETARY)
    assert info.value.extensions["field"] == "code"


def test_versions_are_numbered_one_two_three() -> None:
    procedure = Procedure.register(code="QT-01", stamp=SECRETARY)
    assert [procedure.add_version(SECRETARY) for _ in range(3)] == [1, 2, 3]
    assert procedure.versions == 3


def test_publish_returns_the_version_it_replaces() -> None:
    procedure = Procedure.register(code="QT-01", stamp=SECRETARY)
    assert procedure.publish("v1", SECRETARY) is None
    assert procedure.publish("v2", SECRETARY) == "v1"
    assert procedure.in_force == "v2"
    *_, event = procedure.collect_events()
    assert isinstance(event, Procedure.VersionPublished)
    assert (vars(event)["version_id"], vars(event)["replaced"]) == ("v2", "v1")


# Drafting and its content


def test_a_draft_belongs_to_its_procedure_and_starts_as_draft() -> None:
    procedure = Procedure.register(code="qt-01", stamp=SECRETARY)
    version = ProcedureVersion.draft(
        procedure=procedure, number=1, content=content(), today=TODAY, stamp=SECRETARY
    )
    assert version.procedure_id == str(procedure.id)
    assert (version.code, version.number, version.unit_id) == ("QT-01", 1, UNIT)
    assert (version.status, version.acknowledged, version.published_on) == ("draft", {}, None)
    assert version.content == content()
    [event] = version.collect_events()
    assert isinstance(event, ProcedureVersion.Drafted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"scope": ""}, "scope"),
        ({"steps": ()}, "steps"),
        ({"steps": (RECEPTION, Step(" ", "mot-cua", "", 1))}, "steps.1.name"),
        ({"steps": (RECEPTION, Step("Xử lý", " ", " ", 1))}, "steps.1.department_id"),
        ({"steps": (Step("Xử lý", "mot-cua", "", 0),)}, "steps.0.working_days"),
        ({"steps": (Step("Xử lý", "mot-cua", "", MAX_STEP_DAYS + 1),)}, "steps.0.working_days"),
        ({"forms": (FORM, Form("Phụ lục", "BM-01", "2.0", "cd" * 32, 10))}, "forms"),
        ({"forms": (Form(" ", "BM-02", "1.0", "cd" * 32, 10),)}, "forms.0.name"),
        ({"forms": (Form("Phụ lục", "", "1.0", "cd" * 32, 10),)}, "forms.0.code"),
        ({"review_on": TODAY}, "review_on"),
        ({"review_on": date(2026, 1, 1)}, "review_on"),
    ],
)
def test_a_draft_refuses_invalid_content(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        drafted(**changes)
    assert info.value.extensions["field"] == field


def test_content_limits_are_inclusive_and_a_role_may_replace_a_department() -> None:
    steps = (Step("Ký", "", "unit_leader", 1), Step("Lưu", "van-thu", "", MAX_STEP_DAYS))
    version = drafted(steps=steps, forms=(), review_on=date(2026, 3, 3))
    assert version.content.working_days == MAX_STEP_DAYS + 1


def test_content_lists_its_departments_once_each_in_step_order() -> None:
    assert content().departments == ("mot-cua", "phong-cn")
    assert content().working_days == 6


# Review through the kit


def test_a_version_is_submitted_returned_revised_and_approved() -> None:
    version = submitted()
    assert (version.status, version.submitted_by) == ("submitted", "thuky")
    assert_rejected(version, lambda: version.approve(SECRETARY), Forbidden)
    assert_rejected(version, lambda: version.return_for_revision("x", SECRETARY), Forbidden)
    assert_rejected(version, lambda: version.return_for_revision(" ", LEADER), InvalidInput)
    version.return_for_revision("Thiếu biểu mẫu", LEADER)
    assert (version.status, version.return_reason) == ("returned", "Thiếu biểu mẫu")
    version.revise(content=content(forms=()), today=TODAY, stamp=SECRETARY)
    assert (version.status, version.content.forms) == ("draft", ())
    version.submit(SECRETARY)
    version.approve(LEADER)
    assert version.status == "approved"


def test_only_a_draft_is_submitted_and_only_a_submitted_version_is_reviewed() -> None:
    version = drafted()
    assert_rejected(version, lambda: version.approve(LEADER), IllegalTransition)
    assert_rejected(version, lambda: version.return_for_revision("x", LEADER), IllegalTransition)
    version.submit(SECRETARY)
    assert_rejected(version, lambda: version.submit(SECRETARY), IllegalTransition)


@pytest.mark.parametrize("make", [submitted, approved, published, obsolete])
def test_revise_is_refused_unless_draft_or_returned(make: Callable[[], ProcedureVersion]) -> None:
    version = make()
    assert_rejected(
        version,
        lambda: version.revise(content=content(), today=TODAY, stamp=SECRETARY),
        IllegalTransition,
    )


@pytest.mark.parametrize("make", [drafted, returned])
def test_revise_checks_the_new_content(make: Callable[[], ProcedureVersion]) -> None:
    version = make()
    error = assert_rejected(
        version,
        lambda: version.revise(content=content(steps=()), today=TODAY, stamp=SECRETARY),
        InvalidInput,
    )
    assert error.extensions["field"] == "steps"  # type: ignore[attr-defined]
    version.revise(content=content(name="Tên mới"), today=TODAY, stamp=SECRETARY)
    assert (version.status, version.content.name) == ("draft", "Tên mới")


# Publication, obsolescence, acknowledgement, periodic review


@pytest.mark.parametrize("make", [drafted, submitted, returned, published, obsolete])
def test_publish_is_refused_unless_approved(make: Callable[[], ProcedureVersion]) -> None:
    version = make()
    assert_rejected(version, lambda: version.publish(on=TODAY, stamp=SECRETARY), IllegalTransition)


def test_publishing_names_the_departments_that_must_read_it() -> None:
    version = approved()
    version.collect_events()
    version.publish(on=date(2026, 3, 5), stamp=SECRETARY)
    assert (version.status, version.published_on) == ("published", date(2026, 3, 5))
    [event] = version.collect_events()
    assert isinstance(event, ProcedureVersion.Published)
    assert vars(event)["departments"] == ("mot-cua", "phong-cn")
    assert vars(event)["on"] == date(2026, 3, 5)


@pytest.mark.parametrize("make", [drafted, submitted, approved, obsolete])
def test_only_a_published_version_becomes_obsolete(make: Callable[[], ProcedureVersion]) -> None:
    version = make()
    assert_rejected(
        version, lambda: version.make_obsolete(replaced_by="v2", stamp=SECRETARY), IllegalTransition
    )


def test_a_published_version_becomes_obsolete_when_replaced() -> None:
    version = published()
    version.make_obsolete(replaced_by="v2", stamp=SECRETARY)
    assert version.status == "obsolete"
    *_, event = version.collect_events()
    assert isinstance(event, ProcedureVersion.Obsoleted)
    assert vars(event)["replaced_by"] == "v2"


def test_each_concerned_department_acknowledges_once() -> None:
    version = published()
    assert version.awaiting_acknowledgement == version.content.departments
    assert version.content.departments == ("mot-cua", "phong-cn")
    version.acknowledge(department_id="phong-cn", stamp=stamp("tp-cn", UNIT))
    assert version.acknowledged == {"phong-cn": "tp-cn"}
    assert version.awaiting_acknowledgement == ("mot-cua",)
    assert_rejected(
        version,
        lambda: version.acknowledge(department_id="phong-cn", stamp=stamp("pp-cn", UNIT)),
        IllegalTransition,
    )
    version.acknowledge(department_id="mot-cua", stamp=stamp("tp-mc", UNIT))
    assert not version.awaiting_acknowledgement
    *_, event = version.collect_events()
    assert isinstance(event, ProcedureVersion.ReadAcknowledged)
    assert vars(event)["department_id"] == "mot-cua"


def test_acknowledgement_needs_a_department_that_the_steps_name() -> None:
    version = published()
    leader = stamp("tp", UNIT)
    assert_rejected(
        version, lambda: version.acknowledge(department_id=None, stamp=leader), Forbidden
    )
    error = assert_rejected(
        version, lambda: version.acknowledge(department_id="ke-toan", stamp=leader), InvalidInput
    )
    assert error.extensions["field"] == "department_id"  # type: ignore[attr-defined]


@pytest.mark.parametrize("make", [approved, obsolete])
def test_acknowledgement_is_refused_unless_published(make: Callable[[], ProcedureVersion]) -> None:
    version = make()
    assert_rejected(
        version,
        lambda: version.acknowledge(department_id="mot-cua", stamp=LEADER),
        IllegalTransition,
    )


def test_a_periodic_review_moves_the_next_review_date() -> None:
    version = published()
    before = version.content
    version.record_periodic_review(
        note="Còn phù hợp", next_review_on=date(2028, 3, 1), today=date(2027, 3, 1), stamp=LEADER
    )
    assert version.content.review_on == date(2028, 3, 1)
    assert (version.content.steps, version.content.forms) == (before.steps, before.forms)
    assert version.status == "published"
    *_, event = version.collect_events()
    assert isinstance(event, ProcedureVersion.PeriodicReviewRecorded)
    assert vars(event)["note"] == "Còn phù hợp"


@pytest.mark.parametrize(
    ("note", "next_review_on", "field"),
    [
        ("Còn phù hợp", date(2027, 3, 1), "next_review_on"),
        ("Còn phù hợp", date(2027, 2, 1), "next_review_on"),
        (" ", date(2028, 3, 1), "note"),
    ],
)
def test_a_periodic_review_needs_a_note_and_a_later_date(
    note: str, next_review_on: date, field: str
) -> None:
    version = published()
    error = assert_rejected(
        version,
        lambda: version.record_periodic_review(
            note=note, next_review_on=next_review_on, today=date(2027, 3, 1), stamp=LEADER
        ),
        InvalidInput,
    )
    assert error.extensions["field"] == field  # type: ignore[attr-defined]


@pytest.mark.parametrize("make", [approved, obsolete])
def test_a_periodic_review_is_refused_unless_published(
    make: Callable[[], ProcedureVersion],
) -> None:
    version = make()
    assert_rejected(
        version,
        lambda: version.record_periodic_review(
            note="Ổn", next_review_on=date(2028, 1, 1), today=TODAY, stamp=LEADER
        ),
        IllegalTransition,
    )


def test_a_version_rebuilds_from_its_events() -> None:
    version = published()
    version.acknowledge(department_id="mot-cua", stamp=stamp("tp-mc", UNIT))
    copy: Any = None
    for event in version.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, ProcedureVersion)
    assert (copy.status, copy.acknowledged, copy.content) == (
        "published",
        {"mot-cua": "tp-mc"},
        version.content,
    )


def test_a_blank_department_is_no_department_to_acknowledge() -> None:
    steps = (RECEPTION, Step("Ký duyệt", "  ", "unit_leader", 1))
    version = drafted(steps=steps)
    assert version.content.departments == ("mot-cua",)
