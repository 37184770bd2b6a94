"""HTTP API of form files: the secretary uploads a form's file (its body as is) before naming
it in a version by hash and size; anyone the gateway lets through downloads it."""

import re
from typing import Any
from urllib.parse import quote

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.status_codes import HTTP_201_CREATED

from qms_contracts.procedures import FORM_FILE_TYPES, MAX_FORM_FILE_BYTES
from qms_procedures.form_files import read, store
from qms_runtime.command_routes import FileName, Sha256, UnitId
from qms_runtime.edge import BINARY_BODY
from qms_runtime.errors import InvalidInput, NotFound
from qms_runtime.principal import ISO_SECRETARY, Principal

FORMS_TAG = "Biểu mẫu của quy trình"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def media_type_of(content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in FORM_FILE_TYPES:
        raise InvalidInput(
            "Biểu mẫu phải là PDF, Word, Excel, OpenDocument hoặc ảnh PNG, JPEG",
            field="Content-Type",
        )
    return media_type


def file_response(described: dict[str, Any], content: bytes) -> Response[bytes]:
    name = quote(described["name"])
    return Response(
        content,
        media_type=described["media_type"],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )


class FormFilesController(Controller):
    path = "/api/v1"
    tags = [FORMS_TAG]

    @post(
        "/units/{unit_id:str}/form-files",
        status_code=HTTP_201_CREATED,
        operation_id="upload_form_file",
        summary="Tải lên tệp biểu mẫu (nội dung tệp là thân yêu cầu; thư ký ISO)",
        description="Trả SHA-256 và kích thước để ghi vào biểu mẫu của phiên bản quy trình; "
        "tệp đã có (cùng nội dung) thì trả tệp đó. Tối đa 20 MB.",
        request_max_body_size=MAX_FORM_FILE_BYTES,
        opt={BINARY_BODY: True},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        unit_id: UnitId,
        name: FileName,
        principal: Principal,
        pool: asyncpg.Pool,
    ) -> dict[str, Any]:
        principal.require(unit_id, ISO_SECRETARY)
        media_type = media_type_of(request.headers.get("content-type", ""))
        if _UNSAFE_NAME.search(name):
            raise InvalidInput("Tên tệp có ký tự không hợp lệ", field="name")
        content = await request.body()
        if not content:
            raise InvalidInput("Tệp rỗng", field="body")
        return await store(
            pool, content, media_type=media_type, name=name, unit_id=unit_id, by=principal.sub
        )

    @get(
        "/form-files/{sha256:str}",
        operation_id="download_form_file",
        summary="Tải về tệp biểu mẫu theo SHA-256",
    )
    async def download(
        self, sha256: Sha256, principal: Principal, pool: asyncpg.Pool
    ) -> Response[bytes]:
        found = await read(pool, sha256)
        if found is None:
            raise NotFound("Không có tệp biểu mẫu này")
        return file_response(*found)
