"""The procedures pages in a real browser: a dossier through its steps, each person finding it
in their tasks; a return with its cause; the board, the procedure's page and its history."""

import re
import uuid
from datetime import datetime

import httpx
from playwright.sync_api import expect

from qms_local.demo import procedure_body
from qms_runtime.clock import TIMEZONE, today
from tests.conftest import DEPARTMENT, UNIT
from tests.portal_browser import LEADER, SECRETARY, STAFF, Person, serious_violations


def filed_dossier(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str], subject: str
) -> str:
    """A procedure published and a dossier filed under it, through the API."""
    code = f"QT-{uuid.uuid4().hex[:6]}"
    steps = [
        ("Tiếp nhận", "van-phong", "", 1),
        ("Thẩm định", DEPARTMENT, "", 3),
        ("Ký", "", "unit_leader", 1),
    ]
    body = procedure_body(code, "Xác nhận kết quả", steps)
    version = gateway.post(f"/api/v1/units/{UNIT}/procedures", json=body, headers=secretary)
    version_id = version.json()["id"]
    for who, step in ((secretary, "submit"), (leader, "approve"), (secretary, "publish")):
        reply = gateway.post(f"/api/v1/procedure-versions/{version_id}/{step}", headers=who)
        assert reply.status_code == 200, reply.text
    dossier = gateway.post(
        f"/api/v1/units/{UNIT}/dossiers",
        json={
            "version_id": version_id,
            "subject": subject,
            "applicant_name": "Nguyễn Văn A",
            "applicant_contact": "0901234567",
            "received_at": datetime.now(TIMEZONE).replace(hour=9, minute=0).isoformat(),
        },
        headers=secretary,
    )
    assert dossier.status_code == 201, dossier.text
    code: str = dossier.json()["code"]
    return code


def open_task(person: Person, subject: str) -> None:
    person.page.goto("/viec-cua-toi")
    person.page.get_by_role("row", name=re.compile(subject)).get_by_role("link").first.click()


def test_a_dossier_through_its_steps(
    people: dict[str, Person],
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
) -> None:
    subject = f"Hồ sơ xác nhận {uuid.uuid4().hex[:6]}"
    code = filed_dossier(gateway, secretary, leader, subject)
    desk, expert, head = people[SECRETARY], people[STAFF], people[LEADER]

    open_task(desk, subject)
    page = desk.page
    expect(page.locator("h1")).to_have_text(f"Hồ sơ {code}")
    page.fill("#done_on", "31/02/2026")
    page.get_by_role("button", name="Hoàn thành bước").click()
    expect(page.locator("#loi")).to_contain_text("Ngày thực hiện")
    desk.shot("60-ho-so-loi")
    page.fill("#done_on", today().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Hoàn thành bước").click()
    expect(page.get_by_role("status")).to_contain_text("Đã hoàn thành bước")
    desk.shot("61-ho-so-buoc-1")

    open_task(expert, subject)
    page = expert.page
    page.get_by_text("Trả về bước trước").click()
    page.fill("#return-reason", "Thiếu chữ ký người nộp")
    page.select_option("#return-cause", "missing_documents")
    page.get_by_role("button", name="Trả về").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trả hồ sơ về bước trước")
    expect(page.locator("main")).to_contain_text("Trả về bước trước")

    open_task(desk, subject)
    desk.page.get_by_role("button", name="Hoàn thành bước").click()
    open_task(expert, subject)
    expert.page.get_by_role("button", name="Hoàn thành bước").click()
    expect(expert.page.get_by_role("status")).to_contain_text("Đã hoàn thành bước")

    open_task(head, subject)
    head.page.get_by_role("button", name="Hoàn thành bước").click()
    expect(head.page.locator("main")).to_contain_text("Đã có kết quả")
    head.shot("62-ho-so-ket-qua")

    open_task(desk, subject)
    desk.page.get_by_role("button", name="Trả kết quả và lưu trữ").click()
    expect(desk.page.get_by_role("status")).to_contain_text("Đã lưu trữ hồ sơ")
    expect(desk.page.locator("main")).to_contain_text("Ghi nhận sản phẩm không phù hợp")
    assert serious_violations(desk.page) == []

    desk.page.goto(f"/ho-so?q={code}")
    expect(desk.page.get_by_role("status")).to_have_text("1 hồ sơ")
    desk.shot("63-bang-ho-so")
    assert serious_violations(desk.page) == []
    desk.page.get_by_role("link", name=code).click()
    desk.page.get_by_role("link", name=re.compile("lần ban hành 1")).click()
    expect(desk.page.locator("main")).to_contain_text("Đang hiệu lực")
    assert serious_violations(desk.page) == []
    for path in ("/ho-so", desk.page.url):
        desk.page.set_viewport_size({"width": 360, "height": 740})
        desk.page.goto(path)
        assert desk.page.evaluate("document.documentElement.scrollWidth") <= 360, path
    desk.shot("64-quy-trinh-360")
