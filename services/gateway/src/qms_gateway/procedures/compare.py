"""What changed from one version of a procedure to another: its fields (name, scope, periodic
review), its steps added, removed or changed (time limit, department or role, name in place)
and their order, its forms added, removed or changed (name, version, file). No I/O.

Steps have no ids: a step is the same step in both versions when its name is the same (spaces
and case aside; repeated names pair in order); of the steps left, one removed and one added at
the same position are the same step renamed. Forms are the same form when their code is.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from qms_gateway.portal.formatting import vi_date

Status = Literal["added", "removed", "changed"]
#: How a step's performer is named: its department's name, else its role's.
Performer = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Change:
    """One field, before and after, as a person reads it."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    """A step or a form added, removed or changed; its positions (from 1) in each version."""

    status: Status
    name: str
    before: int | None
    after: int | None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Comparison:
    fields: tuple[Change, ...]
    steps: tuple[ItemChange, ...]
    #: The order of the steps both versions have, when it changed.
    order: Change | None
    forms: tuple[ItemChange, ...]
    same_steps: int
    same_forms: int

    @property
    def empty(self) -> bool:
        return not (self.fields or self.steps or self.order or self.forms)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _by_role_or_department(step: Mapping[str, Any]) -> str:
    return str(step["department_id"] or step["role"])


def _days(value: Any) -> str:
    return f"{value} ngày làm việc"


def _short_hash(value: Any) -> str:
    return f"{str(value)[:12]}…" if value else ""


def _bytes(value: Any) -> str:
    return f"{value} byte"


def _changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    fields: Sequence[tuple[str, str, Callable[[Any], str]]],
) -> tuple[Change, ...]:
    return tuple(
        Change(label, show(old[name]), show(new[name]))
        for name, label, show in fields
        if old[name] != new[name]
    )


def _pair_steps(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> list[tuple[int | None, int | None]]:
    """(old index, new index) of each step: matched by name, then renamed in place; the rest
    removed (new None) or added (old None). In the new version's order, removed ones last."""
    unmatched_new: dict[str, list[int]] = {}
    for index, step in enumerate(new):
        unmatched_new.setdefault(_key(step["name"]), []).append(index)
    of_new: dict[int, int] = {}
    left_old: list[int] = []
    for index, step in enumerate(old):
        waiting = unmatched_new.get(_key(step["name"]))
        if waiting:
            of_new[waiting.pop(0)] = index
        else:
            left_old.append(index)
    left_new = sorted(i for indexes in unmatched_new.values() for i in indexes)
    for index in list(left_old):
        if index in left_new:
            of_new[index] = index
            left_old.remove(index)
            left_new.remove(index)
    pairs: list[tuple[int | None, int | None]] = [
        (of_new.get(index), index) for index in range(len(new))
    ]
    return pairs + [(index, None) for index in left_old]


def compare_versions(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    performer: Performer = _by_role_or_department,
) -> Comparison:
    """The changes from `old` to `new` (read-model rows of two versions of one procedure)."""
    fields = _changes(
        old,
        new,
        (("name", "Tên quy trình", str), ("scope", "Phạm vi áp dụng", str)),
    )
    if old.get("review_on") != new.get("review_on"):
        fields += (
            Change("Hạn rà soát định kỳ", vi_date(old["review_on"]), vi_date(new["review_on"])),
        )

    steps: list[ItemChange] = []
    same_steps = 0
    kept_order: list[tuple[int, int]] = []
    for before, after in _pair_steps(old["steps"], new["steps"]):
        if before is None and after is not None:
            steps.append(ItemChange("added", new["steps"][after]["name"], None, after + 1))
            continue
        if after is None and before is not None:
            steps.append(ItemChange("removed", old["steps"][before]["name"], before + 1, None))
            continue
        assert before is not None and after is not None
        was, now = old["steps"][before], new["steps"][after]
        kept_order.append((before, after))
        changes = _changes(was, now, (("name", "Tên bước", str),))
        if performer(was) != performer(now):
            changes += (Change("Thực hiện", performer(was), performer(now)),)
        changes += _changes(was, now, (("working_days", "Thời hạn", _days),))
        if changes:
            steps.append(ItemChange("changed", now["name"], before + 1, after + 1, changes))
        else:
            same_steps += 1

    order = None
    by_old = [after for _, after in sorted(kept_order)]
    if by_old != sorted(by_old):
        names_before = [old["steps"][before]["name"] for before, _ in sorted(kept_order)]
        names_after = [new["steps"][after]["name"] for after in sorted(by_old)]
        order = Change("Thứ tự các bước", " → ".join(names_before), " → ".join(names_after))

    forms: list[ItemChange] = []
    same_forms = 0
    old_forms = {form["code"]: (index, form) for index, form in enumerate(old["forms"])}
    new_codes = {form["code"] for form in new["forms"]}
    for index, form in enumerate(new["forms"]):
        label = f"{form['code']} — {form['name']}"
        if form["code"] not in old_forms:
            forms.append(ItemChange("added", label, None, index + 1))
            continue
        before_index, was = old_forms[form["code"]]
        changes = _changes(
            was,
            form,
            (
                ("name", "Tên biểu mẫu", str),
                ("version", "Lần ban hành", str),
                ("sha256", "Tệp (SHA-256)", _short_hash),
                ("size", "Kích thước", _bytes),
            ),
        )
        if changes:
            forms.append(ItemChange("changed", label, before_index + 1, index + 1, changes))
        else:
            same_forms += 1
    forms += [
        ItemChange("removed", f"{form['code']} — {form['name']}", index + 1, None)
        for index, form in enumerate(old["forms"])
        if form["code"] not in new_codes
    ]
    return Comparison(tuple(fields), tuple(steps), order, tuple(forms), same_steps, same_forms)
