"""Form files through the gateway, on the real PostgreSQL: uploaded by the secretary, named by
hash in a published version, downloaded by anyone, kept across a restart of the service."""

import hashlib

import httpx

from qms_local.demo import procedure_body
from qms_local.stack import Stack
from tests.conftest import UNIT

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_form_file_uploaded_named_published_and_downloaded(
    stack: Stack,
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    content = "Mẫu đơn đề nghị xác nhận\n".encode() + bytes(range(256)) * 64

    def upload(who: dict[str, str], body: bytes, media_type: str, status: int) -> dict[str, str]:
        reply = gateway.post(
            f"/api/v1/units/{UNIT}/form-files",
            params={"name": "Đơn đề nghị.docx"},
            content=body,
            headers={**who, "Content-Type": media_type},
        )
        assert reply.status_code == status, reply.text
        found: dict[str, str] = reply.json()
        return found

    stored = upload(secretary, content, DOCX, 201)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    assert (stored["size"], stored["media_type"]) == (len(content), DOCX)
    assert upload(secretary, content, DOCX, 201) == stored  # the same file is kept once
    assert upload(department_leader, content, DOCX, 403)["status"] == 403
    assert upload(secretary, b"<script>alert(1)</script>", "text/html", 422)["status"] == 422
    assert upload(secretary, b"", DOCX, 422)["status"] == 422

    body = procedure_body("QT-BM", "Có biểu mẫu", [("Tiếp nhận", "", "staff", 1)])
    body["forms"] = [
        {
            "name": "Đơn đề nghị",
            "code": "BM-01",
            "version": "1",
            "sha256": stored["sha256"],
            "size": stored["size"],
        }
    ]
    version = gateway.post(f"/api/v1/units/{UNIT}/procedures", json=body, headers=secretary)
    assert version.status_code == 201, version.text
    version_id = version.json()["id"]
    for who, step in ((secretary, "submit"), (leader, "approve"), (secretary, "publish")):
        reply = gateway.post(f"/api/v1/procedure-versions/{version_id}/{step}", headers=who)
        assert reply.status_code == 200, reply.text
    public = gateway.get(f"/api/v1/public/units/{UNIT}/procedures").json()
    [form] = next(p for p in public if p["id"] == version_id)["forms"]
    assert form["sha256"] == stored["sha256"]

    def download() -> httpx.Response:
        return gateway.get(f"/api/v1/public/form-files/{form['sha256']}")

    got = download()
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-type"].startswith(DOCX)
    assert "attachment" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert gateway.get(f"/api/v1/public/form-files/{'0' * 64}").status_code == 404
    assert gateway.get("/api/v1/public/form-files/not-a-hash").status_code in (400, 404, 422)

    service = stack.service("procedures")
    service.stop()
    service.start()
    service.wait_ready()
    assert download().content == content
