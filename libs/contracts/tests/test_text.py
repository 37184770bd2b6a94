"""Text PostgreSQL and JSON can store: what `find_unstorable` refuses, and where."""

import pytest
from pydantic import ValidationError

from qms_contracts.inputs import CommandInput
from qms_contracts.text import find_unstorable, unstorable_character


class NoteIn(CommandInput):
    note: str
    tags: list[str] = []


@pytest.mark.parametrize(
    "data",
    [
        "Mục tiêu chất lượng 2026 😀",
        {"title": "Sở KH&CN", "targets": [{"a": ["x", 1, None, 2.5]}]},
        ["", {}, []],
        42,
        None,
    ],
)
def test_storable_data_passes(data: object) -> None:
    assert find_unstorable(data) is None


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ("a\x00b", "NUL"),
        ("\ud800", "U+D800"),
        ("x\udfff", "U+DFFF"),
        ({"ok": ["fine", {"deep": "\x00"}]}, "NUL"),
        ({"k\x00ey": "value"}, "NUL"),
        (("tuple", "\ud83d"), "U+D83D"),
    ],
)
def test_unstorable_text_is_found_in_values_keys_and_nesting(data: object, found: str) -> None:
    problem = find_unstorable(data)
    assert problem is not None and found in problem


def test_nesting_past_the_bound_is_refused() -> None:
    nested: object = "x"
    for _ in range(100):
        nested = [nested]
    assert find_unstorable(nested) == "dữ liệu lồng nhau quá sâu"


def test_a_surrogate_pair_is_one_storable_character() -> None:
    assert unstorable_character("😀") is None
    assert (
        unstorable_character("\ud83d\ude00".encode("utf-16", "surrogatepass").decode("utf-16"))
        is None
    )


def test_command_input_refuses_unstorable_text() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        NoteIn.model_validate({"note": "a\x00"})
    with pytest.raises(ValidationError, match="U\\+D800"):
        NoteIn.model_validate({"note": "ok", "tags": ["\ud800"]})
    assert NoteIn.model_validate({"note": "  Ghi chú  "}).note == "Ghi chú"
