"""The procedure editor: a new procedure (its first version, as a draft), a draft or returned
version revised, and the next version of a published procedure drafted from the one in force.
Steps and forms are repeated rows ("Thêm bước", "Xóa bước"); a step is done by a department of
the unit or, without one, by a role."""

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from pydantic import BaseModel

from qms_contracts.inputs import CommandReply
from qms_contracts.procedures import FORM_FILE_TYPES
from qms_contracts.procedures_commands import ProcedureInput, ProcedureVersionInput
from qms_gateway.frame import directory
from qms_gateway.frame.forwarding import Forwarder
from qms_gateway.portal.access import record_in_view, unit_in_view
from qms_gateway.portal.commands import Refusal, expected_version, refused, renamed
from qms_gateway.portal.forms import Errors, day, edit_rows, read_rows, text, whole
from qms_gateway.portal.pages import ROLE_LABELS, page
from qms_gateway.portal.session import Session, signed_in
from qms_gateway.procedures import readmodel
from qms_gateway.procedures.actions import may_draft, version_actions
from qms_gateway.procedures.form_file_routes import MAX_UPLOAD_BYTES, upload_file
from qms_gateway.procedures.pages import COMMANDS, PROCEDURES, Text
from qms_gateway.upstream import Upstream
from qms_runtime.clock import today
from qms_runtime.edge import BINARY_BODY
from qms_runtime.errors import Forbidden
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, STAFF, UNIT_LEADER

#: The roles a step may name instead of a department.
STEP_ROLES = (UNIT_LEADER, ISO_SECRETARY, DEPARTMENT_LEADER, STAFF)
DEPARTMENT, ROLE = "phong", "vai-tro"
STEP_FIELDS = ("name", "performer", "working_days")
FORM_FIELDS = ("name", "code", "version", "sha256", "size")
#: What the error summary calls each part of a field's path ("Bước 2 · Thời hạn").
FIELD_LABELS = {
    "code": "Mã",
    "name": "Tên",
    "scope": "Phạm vi áp dụng",
    "review_on": "Hạn rà soát định kỳ",
    "steps": "Bước",
    "performer": "Thực hiện",
    "working_days": "Thời hạn",
    "forms": "Biểu mẫu",
    "version": "Lần ban hành",
    "file": "Tệp",
}
#: A form's files with the rest of the editor: a few forms of the service's largest size.
MAX_EDITOR_BYTES = 4 * MAX_UPLOAD_BYTES


def performer(step: dict[str, Any]) -> str:
    """A step's department or role as the form's one choice names it."""
    if step.get("department_id"):
        return f"{DEPARTMENT}:{step['department_id']}"
    return f"{ROLE}:{step['role']}" if step.get("role") else ""


def _blank_step() -> dict[str, Any]:
    return dict.fromkeys(STEP_FIELDS, "")


def _blank_form() -> dict[str, Any]:
    return dict.fromkeys(FORM_FIELDS, "")


def _whole(typed: str, name: str, errors: Errors) -> int | str:
    """A whole-number field: the number, or the text as typed with an error beside it."""
    typed = typed.strip()
    if not typed:
        errors[name] = "Chưa nhập"
        return typed
    number = whole(typed)
    if number is None:
        errors[name] = "Phải là số nguyên, ví dụ 3"
        return typed
    return number


def read_content(form: FormMultiDict, errors: Errors) -> dict[str, Any]:
    """The editor's fields as typed (numbers parsed, else kept as typed with an error)."""

    def step(prefix: str, row_errors: Errors) -> dict[str, Any]:
        days = f"{prefix}working_days"
        return {
            "name": text(form, f"{prefix}name"),
            "performer": text(form, f"{prefix}performer"),
            "working_days": _whole(text(form, days), days, row_errors),
        }

    def form_row(prefix: str, row_errors: Errors) -> dict[str, Any]:
        size = text(form, f"{prefix}size").strip()
        return {
            "name": text(form, f"{prefix}name"),
            "code": text(form, f"{prefix}code"),
            "version": text(form, f"{prefix}version"),
            # The file kept so far (hidden fields); a file chosen now replaces it.
            "sha256": text(form, f"{prefix}sha256").strip().lower(),
            "size": whole(size) or "",
        }

    return {
        "code": text(form, "code"),
        "name": text(form, "name"),
        "scope": text(form, "scope"),
        "review_on": day(form, "review_on", errors),
        "steps": read_rows(form, "steps", errors, step),
        "forms": read_rows(form, "forms", errors, form_row),
    }


def command_body(values: dict[str, Any], errors: Errors, *, with_code: bool) -> dict[str, Any]:
    """The content as the command's body: a step's one choice as its department or role (none
    chosen: an error beside it)."""
    steps = []
    for index, step in enumerate(values["steps"]):
        kind, _, chosen = step["performer"].partition(":")
        if not chosen or kind not in (DEPARTMENT, ROLE):
            errors.setdefault(f"steps.{index}.performer", "Chọn phòng hoặc vai trò thực hiện")
        steps.append(
            {
                "name": step["name"],
                "department_id": chosen if kind == DEPARTMENT else "",
                "role": chosen if kind == ROLE else "",
                "working_days": step["working_days"],
            }
        )
    body = {
        "name": values["name"],
        "scope": values["scope"],
        "review_on": values["review_on"],
        "steps": steps,
        "forms": values["forms"],
    }
    return {"code": values["code"], **body} if with_code else body


#: A chosen file's media type by its extension, for browsers that send none or a generic one.
MEDIA_TYPES_BY_EXTENSION = {
    extension: media_type for media_type, extension in FORM_FILE_TYPES.items()
} | {".jpeg": "image/jpeg"}
ACCEPTED_FILES = ",".join(sorted(MEDIA_TYPES_BY_EXTENSION))


def chosen_file(filename: str, content_type: str) -> tuple[str, str]:
    """A chosen file's name without any folder (older browsers send the whole path) and its
    media type: the browser's, or the extension's when the browser sent a generic one."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in ("", "application/octet-stream"):
        extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        media_type = MEDIA_TYPES_BY_EXTENSION.get(extension, media_type)
    return name, media_type


def chosen_files(form: FormMultiDict) -> list[UploadFile | None]:
    """The file chosen in each form row (None: none), in the rows' order."""

    def chosen(prefix: str, _: Errors) -> dict[str, Any]:
        found = form.get(f"{prefix}file")
        return {"file": found if isinstance(found, UploadFile) and found.filename else None}

    return [row["file"] for row in read_rows(form, "forms", {}, chosen)]


async def upload_chosen_files(
    upstream: Upstream,
    user: Session,
    unit_id: str,
    form: FormMultiDict,
    values: dict[str, Any],
    errors: Errors,
) -> None:
    """Each form row's chosen file sent to the service (kept once per content): its hash and
    size fill the row; a refused file, or a row with none, has its error beside the file."""
    for index, (row, chosen) in enumerate(zip(values["forms"], chosen_files(form), strict=True)):
        if chosen is not None:
            name, media_type = chosen_file(chosen.filename, chosen.content_type)
            reply = await upload_file(
                upstream, user.token, unit_id, name, media_type, await chosen.read()
            )
            if reply.status_code == 201:
                stored = reply.json()
                row["sha256"], row["size"] = stored["sha256"], stored["size"]
            else:
                errors[f"forms.{index}.file"] = str(
                    reply.json().get("detail", "Không tải lên được")
                )
        elif not row["sha256"]:
            errors[f"forms.{index}.file"] = "Chọn tệp biểu mẫu"


def form_field(key: str) -> str:
    """The form's field of an error the command's model or the service names: a step's
    department or role is the step's one choice, "performer"; a form's hash and size are
    its file's."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "steps" and parts[2] in ("department_id", "role"):
        return f"steps.{parts[1]}.performer"
    if len(parts) == 3 and parts[0] == "forms" and parts[2] in ("sha256", "size"):
        return f"forms.{parts[1]}.file"
    return key


def content_of(version: dict[str, Any]) -> dict[str, Any]:
    """A version's content as the editor shows it."""
    return {
        "code": version["code"],
        "name": version["name"],
        "scope": version["scope"],
        "review_on": version["review_on"],
        "steps": [
            {"name": s["name"], "performer": performer(s), "working_days": s["working_days"]}
            for s in version["steps"]
        ],
        "forms": [{field: f[field] for field in FORM_FIELDS} for f in version["forms"]],
    }


def performers(
    departments: dict[str, str], steps: list[dict[str, Any]]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices of a step's performer, departments then roles; a department or role a step
    already names is kept even if the unit no longer lists it."""
    named = {f"{DEPARTMENT}:{d}": name for d, name in departments.items()}
    roles = {f"{ROLE}:{r}": f"{ROLE_LABELS.get(r, r)} (theo vai trò)" for r in STEP_ROLES}
    for step in steps:
        kind, _, chosen = str(step["performer"]).partition(":")
        if kind == DEPARTMENT and step["performer"] not in named:
            named[step["performer"]] = chosen
        if kind == ROLE and step["performer"] not in roles:
            roles[step["performer"]] = ROLE_LABELS.get(chosen, chosen)
    return [("Phòng thực hiện", list(named.items())), ("Vai trò thực hiện", list(roles.items()))]


class ProcedureEditorPages(Controller):
    path = PROCEDURES
    include_in_schema = False

    @get("/moi")
    async def new_page(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        don_vi: Text | None = None,
    ) -> Template:
        user = signed_in(request, session)
        unit_id = await self._drafting_unit(pool, user, don_vi)
        values = {
            "code": "",
            "name": "",
            "scope": "",
            "review_on": (today() + timedelta(days=365)).isoformat(),
            "steps": [_blank_step()],
            "forms": [],
        }
        return await self._form(pool, user, unit_id, values, mode="new")

    @post("/moi", request_max_body_size=MAX_EDITOR_BYTES, opt={BINARY_BODY: True})
    async def draft(
        self,
        request: Request[Any, Any, Any],
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        form = await request.form()
        unit_id = await self._drafting_unit(pool, user, text(form, "don_vi") or None)
        errors: Errors = {}
        values = read_content(form, errors)
        await upload_chosen_files(upstream, user, unit_id, form, values, errors)
        if self._edited(form, values):
            return await self._form(pool, user, unit_id, values, mode="new")
        outcome = await self._send(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/units/{unit_id}/procedures",
            ProcedureInput,
            command_body(values, errors, with_code=True),
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(pool, user, unit_id, values, mode="new", refusal=outcome)
        return Redirect(f"{PROCEDURES}/{outcome.id}?kq=soan", status_code=303)

    @get("/{record_id:uuid}/sua")
    async def revise_page(
        self,
        request: Request[Any, Any, Any],
        record_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        version = await self._version(pool, user, record_id, "revise")
        return await self._form(
            pool, user, version["unit_id"], content_of(version), mode="revise", version=version
        )

    @post("/{record_id:uuid}/sua", request_max_body_size=MAX_EDITOR_BYTES, opt={BINARY_BODY: True})
    async def revise(
        self,
        request: Request[Any, Any, Any],
        record_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        version = await self._version(pool, user, record_id, None)
        form = await request.form()
        errors: Errors = {}
        values = {**read_content(form, errors), "code": version["code"]}
        await upload_chosen_files(upstream, user, version["unit_id"], form, values, errors)
        expected = expected_version(form)
        if self._edited(form, values):
            return await self._form(
                pool, user, version["unit_id"], values, "revise", version, expected
            )
        outcome = await self._send(
            forwarder,
            pool,
            user,
            "PUT",
            f"/api/v1/procedure-versions/{record_id}",
            ProcedureVersionInput,
            command_body(values, errors, with_code=False),
            errors,
            expected,
            record_id,
        )
        if isinstance(outcome, Refusal):
            # Shown on the version as it is now: a stale form is sent again on its new version.
            version = await self._version(pool, user, record_id, None)
            return await self._form(
                pool, user, version["unit_id"], values, "revise", version, expected, outcome
            )
        return Redirect(f"{PROCEDURES}/{record_id}?kq=sua", status_code=303)

    @get("/{record_id:uuid}/phien-ban-moi")
    async def next_version_page(
        self,
        request: Request[Any, Any, Any],
        record_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
    ) -> Template:
        user = signed_in(request, session)
        version = await self._version(pool, user, record_id, "new_version")
        values = content_of(version)
        if values["review_on"] <= today().isoformat():
            values["review_on"] = (today() + timedelta(days=365)).isoformat()
        return await self._form(pool, user, version["unit_id"], values, "next", version)

    @post(
        "/{record_id:uuid}/phien-ban-moi",
        request_max_body_size=MAX_EDITOR_BYTES,
        opt={BINARY_BODY: True},
    )
    async def draft_next_version(
        self,
        request: Request[Any, Any, Any],
        record_id: uuid.UUID,
        session: Session | None,
        pool: asyncpg.Pool,
        forwarder: Forwarder,
        upstream: Upstream,
    ) -> Template | Redirect:
        user = signed_in(request, session)
        version = await self._version(pool, user, record_id, "new_version")
        form = await request.form()
        errors: Errors = {}
        values = {**read_content(form, errors), "code": version["code"]}
        await upload_chosen_files(upstream, user, version["unit_id"], form, values, errors)
        if self._edited(form, values):
            return await self._form(pool, user, version["unit_id"], values, "next", version)
        # The procedure's own version (If-Match) is not in the read model: none is sent, and
        # two drafts at once still conflict in the service.
        outcome = await self._send(
            forwarder,
            pool,
            user,
            "POST",
            f"/api/v1/procedures/{version['procedure_id']}/versions",
            ProcedureVersionInput,
            command_body(values, errors, with_code=False),
            errors,
        )
        if isinstance(outcome, Refusal):
            return await self._form(
                pool, user, version["unit_id"], values, "next", version, refusal=outcome
            )
        return Redirect(f"{PROCEDURES}/{outcome.id}?kq=phien-ban-moi", status_code=303)

    @staticmethod
    def _edited(form: FormMultiDict, values: dict[str, Any]) -> bool:
        """A row added or removed: the form is drawn again, not sent."""
        return edit_rows(form, values["steps"], "step", _blank_step) or edit_rows(
            form, values["forms"], "form", _blank_form
        )

    @staticmethod
    async def _send(
        forwarder: Forwarder,
        pool: asyncpg.Pool,
        user: Session,
        method: str,
        path: str,
        model: type[BaseModel],
        body: dict[str, Any],
        errors: Errors,
        expected: int | None = None,
        record_id: uuid.UUID | None = None,
    ) -> CommandReply | Refusal:
        outcome = await COMMANDS.send_form(
            forwarder, pool, user, method, path, model, body, errors, expected, record_id
        )
        return renamed(outcome, form_field) if isinstance(outcome, Refusal) else outcome

    @staticmethod
    async def _drafting_unit(pool: asyncpg.Pool, user: Session, requested: str | None) -> str:
        unit_id = await unit_in_view(pool, user.principal, requested)
        if not may_draft(user.principal, unit_id):
            raise Forbidden("Chỉ thư ký ISO của đơn vị soạn quy trình mới")
        return unit_id

    @staticmethod
    async def _version(
        pool: asyncpg.Pool, user: Session, record_id: uuid.UUID, action: str | None
    ) -> dict[str, Any]:
        """The version, if the person may read it and (`action`) take that action on it."""
        version = await record_in_view(
            pool, user.principal, await readmodel.version(pool, record_id)
        )
        if action is not None and action not in version_actions(user.principal, version):
            raise Forbidden(
                "Phiên bản này không sửa được (chỉ dự thảo hoặc bị trả lại, do thư ký ISO)"
                if action == "revise"
                else "Chỉ thư ký ISO soạn phiên bản mới từ phiên bản đang có hiệu lực"
            )
        return version

    async def _form(
        self,
        pool: asyncpg.Pool,
        user: Session,
        unit_id: str,
        values: dict[str, Any],
        mode: str,
        version: dict[str, Any] | None = None,
        expected: int | None = None,
        refusal: Refusal | None = None,
    ) -> Template:
        unit = await directory.unit(pool, unit_id) or {}
        departments = directory.department_names(unit)
        if version is None:
            heading = f"Soạn quy trình mới — {unit.get('name', unit_id)}"
        elif mode == "revise":
            heading = f"Sửa dự thảo {version['code']} (lần {version['number']})"
        else:
            heading = f"Soạn phiên bản mới của {version['code']}"
        return page(
            "procedures/editor.html",
            user,
            unit=unit,
            heading=heading,
            mode=mode,
            version=version,
            values=values,
            accepted_files=ACCEPTED_FILES,
            performers=performers(departments, values["steps"]),
            expected=expected or (version["version"] if version else None),
            **refused(refusal, FIELD_LABELS),
        )
