"""Form files through the gateway: the secretary's upload, forwarded as it came with her token,
and anyone's download of a form by its hash, asked with the gateway's own identity."""

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post

from qms_contracts.procedures import MAX_FORM_FILE_BYTES, SERVICE
from qms_gateway.upstream import Reply, Upstream
from qms_runtime.auth import bearer_token
from qms_runtime.command_routes import FileName, Sha256, UnitId
from qms_runtime.edge import BINARY_BODY
from qms_runtime.principal import Principal

#: The largest body of an upload: the file alone, or in the editor's form with its fields.
MAX_UPLOAD_BYTES = MAX_FORM_FILE_BYTES + 64 * 1024


def passed_on(reply: Reply) -> Response[bytes]:
    """The service's answer as it gave it: a file (its name kept), or problem details."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if reply.disposition and reply.status_code == 200:
        headers |= {
            "Content-Disposition": reply.disposition,
            "Cache-Control": "public, max-age=31536000, immutable",
        }
    return Response(
        reply.content,
        status_code=reply.status_code,
        media_type=reply.content_type or "application/octet-stream",
        headers=headers,
    )


async def upload_file(
    upstream: Upstream, token: str, unit_id: str, name: str, media_type: str, content: bytes
) -> Reply:
    """A form's file sent to the service as the secretary (pages and API alike)."""
    return await upstream.forward(
        SERVICE,
        "POST",
        f"/api/v1/units/{unit_id}/form-files?{urlencode({'name': name})}",
        content,
        {"authorization": f"Bearer {token}", "content-type": media_type},
    )


async def download_file(upstream: Upstream, sha256: str) -> Reply:
    return await upstream.forward(
        SERVICE,
        "GET",
        f"/api/v1/form-files/{sha256}",
        b"",
        {"authorization": f"Bearer {upstream.service_token()}"},
    )


class FormFilesController(Controller):
    path = "/api/v1"
    tags = ["Biểu mẫu của quy trình"]

    @post(
        "/units/{unit_id:str}/form-files",
        status_code=201,
        operation_id="upload_form_file",
        summary="Tải lên tệp biểu mẫu (nội dung tệp là thân yêu cầu; thư ký ISO)",
        description="Trả SHA-256 và kích thước để ghi vào biểu mẫu của phiên bản quy trình; "
        "tệp đã có (cùng nội dung) thì trả tệp đó. Tối đa 20 MB.",
        request_max_body_size=MAX_UPLOAD_BYTES,
        opt={BINARY_BODY: True},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        unit_id: UnitId,
        name: FileName,
        principal: Principal,
        upstream: Upstream,
    ) -> Response[bytes]:
        token = bearer_token(request.headers.get("authorization"))
        media_type = request.headers.get("content-type", "")
        body = await request.body()
        return passed_on(await upload_file(upstream, token, unit_id, name, media_type, body))

    @get(
        "/public/form-files/{sha256:str}",
        operation_id="public_form_file",
        summary="Tải về tệp biểu mẫu của quy trình theo SHA-256 (công khai)",
    )
    async def download(self, sha256: Sha256, upstream: Upstream) -> Response[bytes]:
        return passed_on(await download_file(upstream, sha256))
