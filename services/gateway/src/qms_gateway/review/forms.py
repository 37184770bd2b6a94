"""The review pages' forms: what a person typed, as the review commands' bodies.

The notice lists the twelve inputs of 9.3.2, each with a check to include it and the
departments that report on it; the command numbers the included items (`agenda.0…`), the form
names them by topic (`agenda.<topic>…`), so that an error finds its item. The conclusion's
outputs are repeated rows whose optional action is two fields of the row.
"""

import re
from typing import Any

from litestar.datastructures import FormMultiDict

from qms_gateway.portal.commands import Refusal, renamed
from qms_gateway.portal.forms import Errors, chosen, day, read_rows, text
from qms_gateway.review.actions import TOPICS

NOTICE_LABELS = {
    "year": "Năm",
    "title": "Tiêu đề",
    "agenda": "Chương trình họp",
    **TOPICS,
    "department_ids": "Các phòng phải báo cáo",
    "guidance": "Yêu cầu đối với báo cáo",
    "report_deadline": "Hạn gửi báo cáo",
    "meeting_date": "Ngày họp dự kiến",
}
CONCLUSION_LABELS = {
    "summary": "Kết luận chung",
    "outputs": "Đầu ra",
    "kind": "Loại đầu ra",
    "description": "Nội dung",
    "owner_department_id": "Phòng thực hiện hành động",
    "due_date": "Hạn hoàn thành",
    "corrective_action_needed": "Cần hành động khắc phục",
    "department_id": "Phòng liên quan",
}
_AGENDA_POSITION = re.compile(r"^agenda\.(\d+)(\..+)?$")
_OUTPUT_ACTION = re.compile(r"^(outputs\.\d+)\.action(\..+)?$")


def notice_values(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    return {
        "year": text(form, "year"),
        "title": text(form, "title"),
        "agenda": {
            topic: {
                "included": bool(text(form, f"agenda.{topic}.included")),
                "department_ids": chosen(form, f"agenda.{topic}.department_ids"),
                "guidance": text(form, f"agenda.{topic}.guidance"),
            }
            for topic in TOPICS
        },
        "report_deadline": day(form, "report_deadline", errors),
        "meeting_date": day(form, "meeting_date", errors),
    }


def notice_form_values(review: dict[str, Any]) -> dict[str, Any]:
    """A notice as its form shows it."""
    agenda = {item["topic"]: item for item in review["agenda"]}
    return {
        "year": review["year"],
        "title": review["title"],
        "agenda": {
            topic: {
                "included": topic in agenda,
                "department_ids": agenda.get(topic, {}).get("department_ids", []),
                "guidance": agenda.get(topic, {}).get("guidance", ""),
            }
            for topic in TOPICS
        },
        "report_deadline": review["report_deadline"],
        "meeting_date": review["meeting_date"],
    }


def blank_notice(year: int) -> dict[str, Any]:
    """Every input of 9.3.2 on the agenda (the standard asks for each), no department yet."""
    return {
        "year": year,
        "title": f"Họp xem xét của lãnh đạo năm {year}",
        "agenda": {
            topic: {"included": True, "department_ids": [], "guidance": ""} for topic in TOPICS
        },
        "report_deadline": "",
        "meeting_date": "",
    }


def included(values: dict[str, Any]) -> list[str]:
    return [topic for topic, item in values["agenda"].items() if item["included"]]


def notice_body(values: dict[str, Any], drafting: bool) -> dict[str, Any]:
    """The command's body: the included items, in the standard's order; the year only when
    drafting (a revision keeps it)."""
    agenda = values["agenda"]
    kept = values if drafting else {k: v for k, v in values.items() if k != "year"}
    return {
        **kept,
        "agenda": [
            {
                "topic": topic,
                "department_ids": agenda[topic]["department_ids"],
                "guidance": agenda[topic]["guidance"],
            }
            for topic in included(values)
        ],
    }


def notice_refusal(refusal: Refusal, values: dict[str, Any]) -> Refusal:
    """Each agenda item's errors named by its topic, as the form names it (an error on the
    item itself or its topic, beside its check)."""
    topics = included(values)

    def rename(key: str) -> str:
        found = _AGENDA_POSITION.match(key)
        if not found or int(found[1]) >= len(topics):
            return key
        field = found[2] if found[2] and found[2] != ".topic" else ".included"
        return f"agenda.{topics[int(found[1])]}{field}"

    return renamed(refusal, rename)


def meeting_values(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    """The participants one per line."""
    return {
        "held_on": day(form, "held_on", errors),
        "chair": text(form, "chair"),
        "participants": [
            line.strip() for line in text(form, "participants").splitlines() if line.strip()
        ],
        "minutes": text(form, "minutes"),
    }


def meeting_refusal(refusal: Refusal) -> Refusal:
    """A participant's error is shown beside the participants' field."""
    return renamed(refusal, lambda key: re.sub(r"^participants\.\d+$", "participants", key))


def output_rows(form: FormMultiDict, errors: Errors) -> list[dict[str, Any]]:
    """The outputs as typed; a due date only when one is typed (an output may have no action)."""

    def output(name: str, row_errors: Errors) -> dict[str, Any]:
        typed_due = text(form, f"{name}due_date").strip()
        return {
            "kind": text(form, f"{name}kind"),
            "description": text(form, f"{name}description"),
            "owner_department_id": text(form, f"{name}owner_department_id"),
            "due_date": day(form, f"{name}due_date", row_errors) if typed_due else "",
            "corrective_action_needed": bool(text(form, f"{name}corrective_action_needed")),
            "department_id": text(form, f"{name}department_id"),
        }

    return read_rows(form, "outputs", errors, output)


def blank_output() -> dict[str, Any]:
    return {
        "kind": "improvement",
        "description": "",
        "owner_department_id": "",
        "due_date": "",
        "corrective_action_needed": False,
        "department_id": "",
    }


def output_form_rows(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drafted outputs as the form shows them."""
    return [
        {
            "kind": o["kind"],
            "description": o["description"],
            "owner_department_id": o["action"]["owner_department_id"] if o["action"] else "",
            "due_date": o["action"]["due_date"] if o["action"] else "",
            "corrective_action_needed": o["corrective_action_needed"],
            "department_id": o["department_id"] or "",
        }
        for o in outputs
    ]


def conclusion_body(summary: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """An output has an action when a department or a due date is given for it."""

    def output(row: dict[str, Any]) -> dict[str, Any]:
        action = None
        if row["owner_department_id"] or row["due_date"]:
            action = {"owner_department_id": row["owner_department_id"]}
            if row["due_date"]:
                action["due_date"] = row["due_date"]
        return {
            "kind": row["kind"],
            "description": row["description"],
            "action": action,
            "corrective_action_needed": row["corrective_action_needed"],
            "department_id": row["department_id"] or None,
        }

    return {"summary": summary, "outputs": [output(row) for row in rows]}


def conclusion_refusal(refusal: Refusal) -> Refusal:
    """An error of an output's action is shown beside the row's field (`outputs.0.due_date`)."""

    def rename(key: str) -> str:
        found = _OUTPUT_ACTION.match(key)
        return f"{found[1]}{found[2] or '.owner_department_id'}" if found else key

    return renamed(refusal, rename)
