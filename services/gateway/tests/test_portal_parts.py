"""The portal's parts with no browser: folding for search, Vietnamese numbers and dates,
form errors in Vietnamese, the actions each role is offered."""

import pytest

from qms_contracts.objectives_commands import DraftObjectiveInput
from qms_gateway.frame import search
from qms_gateway.objectives.actions import document_actions, objective_actions
from qms_gateway.portal.formatting import input_number, parse_number, vi_date, vi_number
from qms_gateway.portal.forms import checked
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER, Principal


def test_search_ignores_marks_and_case_and_escapes_like() -> None:
    assert search.fold("NĂNG LỰC") == search.fold("nang luc") == "nang luc"
    assert search.fold("Đường") == "duong"
    assert search.like_patterns("  ") is None
    assert search.like_patterns("50%_ nang") == ["%50\\%\\_%", "%nang%"]


def test_numbers_and_dates_are_vietnamese() -> None:
    assert vi_number(1234.5) == "1.234,5"
    assert input_number(1000.0) == "1000"
    assert parse_number(input_number(95.5)) == 95.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("95.5") == 95.5
    with pytest.raises(ValueError, match="chín"):
        parse_number("chín mươi")
    assert vi_date("2026-03-01") == "01/03/2026"
    assert vi_date("2026-03-01T20:30:00+00:00") == "02/03/2026"


def test_form_errors_name_their_field_in_vietnamese() -> None:
    body, errors = checked(DraftObjectiveInput, {"year": "1990", "title": "", "targets": []})
    assert body is None
    assert errors == {
        "year": "Phải lớn hơn hoặc bằng 2000",
        "title": "Không được để trống",
        "targets": "Cần ít nhất 1 mục",
    }


def _person(*roles: str, sub: str = "someone", department: str | None = None) -> Principal:
    return Principal(sub, sub, frozenset({"so-khcn"}), frozenset(roles), department)


def _objective(status: str, submitted_by: str | None = None) -> dict[str, object]:
    return {
        "unit_id": "so-khcn",
        "status": status,
        "submitted_by": submitted_by,
        "targets": [{"target_id": "t1", "department_id": "quan-ly-khoa-hoc"}],
    }


def test_each_role_is_offered_only_what_the_service_allows() -> None:
    secretary, leader = _person(ISO_SECRETARY, sub="thuky"), _person(UNIT_LEADER)
    assert objective_actions(secretary, _objective("draft")) == {"revise", "submit"}
    assert objective_actions(leader, _objective("draft")) == set()
    assert objective_actions(leader, _objective("submitted", "thuky")) == {"approve", "return"}
    both = _person(ISO_SECRETARY, UNIT_LEADER, sub="thuky")
    assert "approve" not in objective_actions(both, _objective("submitted", "thuky"))
    assert objective_actions(secretary, _objective("approved")) == {"disseminate"}
    own = _person(DEPARTMENT_LEADER, department="quan-ly-khoa-hoc")
    other = _person(DEPARTMENT_LEADER, department="van-phong")
    assert objective_actions(own, _objective("disseminated")) == {"progress"}
    assert objective_actions(other, _objective("disseminated")) == set()
    assert document_actions(secretary, _objective("approved")) == {"publish"}
    outsider = Principal("x", "x", frozenset({"so-tu-phap"}), frozenset({ISO_SECRETARY}))
    assert objective_actions(outsider, _objective("draft")) == set()
