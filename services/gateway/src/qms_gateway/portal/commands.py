"""Commands from pages: the same forwarding and read-your-writes path as the API's."""

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar.datastructures import FormMultiDict
from pydantic import BaseModel

from qms_contracts.inputs import CommandReply, ReturnInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.portal.forms import Errors, checked, day, field_names, text, whole
from qms_gateway.portal.session import Session
from qms_runtime.command_routes import UNIT_PREFIX_HEADER
from qms_runtime.errors import NotFound, QmsError, VersionConflict

#: A unit's command (`/api/v1/units/<unit>/…`): the API adds the unit's dossier-code prefix.
_UNIT_COMMAND = re.compile(r"^/api/v1/units/([^/?]+)/")


class CommandRefused(QmsError):
    """The owning service refused a command from a page: its problem details, as a page."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(str(problem.get("detail", "Không thực hiện được")))
        self.status = status
        self.title = str(problem.get("title", "Không thực hiện được"))
        self.type = str(problem.get("type", QmsError.type))
        self.problem = problem

    def errors(self) -> Errors:
        """The refusal as form errors: beside the field it names, else above the form."""
        found: Errors = {}
        for error in self.problem.get("errors", []):
            key = str(error.get("key", "")).removeprefix("data.")
            found.setdefault(key, str(error.get("message", "")))
        field = self.problem.get("field")
        found.setdefault(str(field) if field else "", self.detail)
        return found


@dataclass(frozen=True)
class Refusal:
    """Why a form is shown again instead of going on: errors beside its fields (422) or above
    them (a step the record's state refuses, 409), or a stale version (409) with what changed
    since the form was opened."""

    status: int
    errors: Errors
    conflict: dict[str, Any] | None = None


#: How a step's form is read into its command's body (a typed field's error into `Errors`).
FormReader = Callable[[FormMultiDict, Errors], dict[str, Any]]


def fields(*texts: str, dates: tuple[str, ...] = ()) -> FormReader:
    """A form read as text fields and date fields (a date typed wrong: an error beside it)."""

    def read(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
        data: dict[str, Any] = {name: text(form, name) for name in texts}
        data.update({name: day(form, name, errors) for name in dates})
        return data

    return read


NO_FIELDS = fields()


@dataclass(frozen=True)
class PageStep:
    """A step a record's page posts: its command (the last part of its path under the
    record's), the command's body model (None: no body), and how the form is read."""

    command: str
    model: type[BaseModel] | None = None
    read: FormReader = NO_FIELDS


#: The reviewed-record kit's steps as pages post them.
REVIEW_STEPS = {
    "trinh": PageStep("submit"),
    "duyet": PageStep("approve"),
    "tra-lai": PageStep("return", ReturnInput, fields("reason")),
}


@dataclass(frozen=True)
class PageCommands:
    """One wing's commands from its pages, sent as the signed-in user through the same
    forwarding and read-your-writes path as the API's."""

    service: str
    #: How the wing's records' history names each event type, for a stale form's changes.
    history_labels: Mapping[str, str]

    async def send(
        self,
        forwarder: Forwarder,
        pool: asyncpg.Pool,
        session: Session,
        method: str,
        path: str,
        body: BaseModel | None = None,
        expected_version: int | None = None,
        record_id: uuid.UUID | None = None,
    ) -> CommandReply | Refusal:
        """The command's result once the read model holds it; a Refusal the form shows
        (409, 422); any other refusal raised, to be shown as a page."""
        headers = {
            "authorization": f"Bearer {session.token}",
            "content-type": "application/json",
            "accept": "application/json",
            "x-correlation-id": str(uuid.uuid4()),
        }
        if expected_version is not None:
            headers["if-match"] = f'"{expected_version}"'
        unit = _UNIT_COMMAND.match(path)
        # As the API's forwarding does: the service numbers a unit's dossiers with it.
        prefix = await directory.code_prefix(pool, unit.group(1)) if unit else None
        if prefix and prefix.isascii() and prefix.isprintable():
            headers[UNIT_PREFIX_HEADER.lower()] = prefix
        content = body.model_dump_json(exclude_none=True).encode() if body is not None else b""
        sent = await forwarder.send(self.service, method, path, content, headers)
        if sent.result is not None:
            return sent.result
        try:
            problem = json.loads(sent.reply.content)
        except ValueError:
            problem = {"detail": "Dịch vụ trả lời không đọc được"}
        refused = CommandRefused(sent.reply.status_code, problem)
        if refused.status not in (409, 422):
            raise refused
        stale = refused.type == VersionConflict.type
        if stale and expected_version is not None and record_id is not None:
            changes = await history(
                pool, record_id, self.history_labels, after_version=expected_version
            )
            seen = {"seen": expected_version, "changes": changes, "detail": refused.detail}
            return Refusal(409, {}, seen)
        return Refusal(refused.status, refused.errors())

    async def send_step(
        self,
        forwarder: Forwarder,
        pool: asyncpg.Pool,
        session: Session,
        steps: Mapping[str, PageStep],
        step: str,
        record: str,
        record_id: uuid.UUID,
        form: FormMultiDict,
    ) -> CommandReply | Refusal:
        """Step `step` of `steps` (404 if there is none) on the record whose API path is
        `record`, on the version the form was opened on."""
        if step not in steps:
            raise NotFound(f"Không có thao tác '{step}'")
        chosen = steps[step]
        errors: Errors = {}
        data = chosen.read(form, errors)
        return await self.send_form(
            forwarder,
            pool,
            session,
            "POST",
            f"{record}/{chosen.command}",
            chosen.model,
            data,
            errors,
            expected_version(form),
            record_id,
        )

    async def send_form(
        self,
        forwarder: Forwarder,
        pool: asyncpg.Pool,
        session: Session,
        method: str,
        path: str,
        model: type[BaseModel] | None,
        data: dict[str, Any],
        errors: Errors | None = None,
        expected_version: int | None = None,
        record_id: uuid.UUID | None = None,
    ) -> CommandReply | Refusal:
        """A form's command: its fields checked with the command's own input model (no body
        when `model` is None) together with the errors the form's parsing found (`errors`);
        sent only if none, else a Refusal the form shows."""
        found = dict(errors or {})
        body = None
        if model is not None:
            body, invalid_fields = checked(model, data)
            found = invalid_fields | found
        if found:
            return Refusal(422, found)
        return await self.send(
            forwarder, pool, session, method, path, body, expected_version, record_id
        )


def renamed(refusal: Refusal, rename: Callable[[str], str]) -> Refusal:
    """The refusal with each error under the form's name of its field (a command's field path
    is not always the form's: an error inside a row's object belongs beside the row's field).
    An error the form already put under its own field's name is the one kept there."""
    errors = {key: message for key, message in refusal.errors.items() if rename(key) == key}
    for key, message in refusal.errors.items():
        errors.setdefault(rename(key), message)
    return Refusal(refusal.status, errors, refusal.conflict)


def refused(refusal: Refusal | None, labels: Mapping[str, str]) -> dict[str, Any]:
    """What a page shows of a refusal (none: nothing): the errors, the names of their fields
    (`labels` name each part of a field's path), a stale form's changes, the status."""
    errors = refusal.errors if refusal else {}
    return {
        "errors": errors,
        "error_fields": field_names(errors, labels),
        "conflict": refusal.conflict if refusal else None,
        "status_code": refusal.status if refusal else 200,
    }


def expected_version(form: FormMultiDict) -> int | None:
    """The version the form was opened on (its hidden `expected_version`)."""
    typed = form.get("expected_version")
    return whole(typed) if isinstance(typed, str) else None
