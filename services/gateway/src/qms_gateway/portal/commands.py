"""Commands from pages: the same forwarding and read-your-writes path as the API's."""

import json
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg
from litestar.datastructures import FormMultiDict
from pydantic import BaseModel

from qms_contracts.inputs import CommandReply
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.frame.history import history
from qms_gateway.portal.forms import Errors
from qms_gateway.portal.session import Session
from qms_runtime.errors import QmsError


class CommandRefused(QmsError):
    """The owning service refused the command: its problem details, shown as a page unless the
    page shows them beside the form (409, 422)."""

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


async def run_command(
    forwarder: Forwarder,
    session: Session,
    service: str,
    method: str,
    path: str,
    body: BaseModel | None = None,
    expected_version: int | None = None,
) -> CommandReply:
    """Send a command as the signed-in user; the read model holds its result on return."""
    headers = {
        "authorization": f"Bearer {session.token}",
        "content-type": "application/json",
        "accept": "application/json",
        "x-correlation-id": str(uuid.uuid4()),
    }
    if expected_version is not None:
        headers["if-match"] = f'"{expected_version}"'
    content = body.model_dump_json(exclude_none=True).encode() if body is not None else b""
    sent = await forwarder.send(service, method, path, content, headers)
    if sent.result is None:
        try:
            problem = json.loads(sent.reply.content)
        except ValueError:
            problem = {"detail": "Dịch vụ trả lời không đọc được"}
        raise CommandRefused(sent.reply.status_code, problem)
    return sent.result


def expected_version(form: FormMultiDict) -> int | None:
    """The version the form was opened on (its hidden `expected_version`)."""
    typed = form.get("expected_version")
    return int(typed) if isinstance(typed, str) and typed.isdigit() else None


async def conflict(
    pool: asyncpg.Pool,
    refused: CommandRefused,
    record_id: uuid.UUID,
    expected: int | None,
    labels: Mapping[str, str],
) -> dict[str, Any] | None:
    """On a stale version (409): what changed since the form was opened, for the page to show."""
    if refused.status != 409 or expected is None:
        return None
    changes = await history(pool, record_id, labels, after_version=expected)
    return {"seen": expected, "changes": changes, "detail": refused.detail}
