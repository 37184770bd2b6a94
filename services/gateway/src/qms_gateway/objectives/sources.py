"""The statistics a target can follow (its `source`), as the pages name and offer them.

A form's select says a source in one value: "" (progress by hand), "<kind>" (every procedure
of the unit) or "<kind>:<procedure id>". The unit's procedures come from the procedures wing's
read model: those with a version published (in force or since replaced), named by their
newest version's code and name.
"""

from typing import Any

from qms_gateway.frame.store import Db
from qms_gateway.procedures import readmodel as procedures

#: What each kind of statistic is called.
KINDS = {"dossiers_on_time": "tỷ lệ hồ sơ đúng hạn", "satisfaction": "tỷ lệ hài lòng"}
BY_HAND = "Nhập tay"
#: Procedures under which dossiers could be filed.
_FILED_UNDER = ["published", "obsolete"]

#: Procedure id -> "code name".
Procedures = dict[str, str]


async def unit_procedures(db: Db, unit_id: str) -> Procedures:
    found: Procedures = {}
    for version in await procedures.versions(db, unit_id, statuses=_FILED_UNDER):
        # Newest version of each procedure first.
        found.setdefault(str(version["procedure_id"]), f"{version['code']} {version['name']}")
    return found


def label(source: dict[str, Any] | None, names: Procedures) -> str:
    """How a page names a target's source: "Tự động: tỷ lệ hồ sơ đúng hạn — QT-05 Cấp
    phép…", "Tự động: tỷ lệ hài lòng", or "Nhập tay"."""
    if not source:
        return BY_HAND
    kind = KINDS.get(source["kind"], source["kind"])
    procedure_id = source.get("procedure_id")
    if procedure_id:
        return f"Tự động: {kind} — {names.get(procedure_id, procedure_id)}"
    if source["kind"] == "dossiers_on_time":
        return f"Tự động: {kind} — mọi quy trình"
    return f"Tự động: {kind}"


def choice_of(source: dict[str, Any] | None) -> str:
    """A source as the form's select holds it."""
    if not source:
        return ""
    procedure_id = source.get("procedure_id")
    return f"{source['kind']}:{procedure_id}" if procedure_id else str(source["kind"])


def parse_choice(choice: str) -> dict[str, Any] | None:
    """The select's value as the command's `source`; ValueError for a value it never offers."""
    if not choice:
        return None
    kind, _, procedure_id = choice.partition(":")
    if kind not in KINDS:
        raise ValueError(choice)
    return {"kind": kind, "procedure_id": procedure_id or None}


def choices(names: Procedures, *chosen: str) -> list[tuple[str, str]]:
    """What the select offers: by hand; on-time dossiers of every procedure or of one; the
    unit's satisfaction. A source already chosen stays offered (a procedure since removed)."""
    offered = [
        ("", f"{BY_HAND} (cập nhật tiến độ bằng tay)"),
        ("dossiers_on_time", label({"kind": "dossiers_on_time"}, names)),
        *(
            (
                f"dossiers_on_time:{procedure_id}",
                label({"kind": "dossiers_on_time", "procedure_id": procedure_id}, names),
            )
            for procedure_id in names
        ),
        ("satisfaction", label({"kind": "satisfaction"}, names)),
    ]
    values = {value for value, _ in offered}
    for value in chosen:
        if value not in values:
            try:
                offered.append((value, label(parse_choice(value), names)))
            except ValueError:
                continue
            values.add(value)
    return offered
