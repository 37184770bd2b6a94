"""Citizens' pages in a real browser: a visitor sends feedback from a unit's public page and
follows it; the secretary assigns it from her tasks; the department's leader answers and makes
the answer public, which the visitor then reads; the desk prints a result's rating slip and an
apology letter, and the visitor rates the dossier with the slip's codes."""

import re
import uuid
from datetime import datetime, timedelta

import httpx
from playwright.sync_api import expect

from qms_local.demo import procedure_body
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE, today
from tests.conftest import UNIT
from tests.portal_browser import DEPARTMENT_LEADER, SECRETARY, Person, serious_violations


def one_step_dossiers(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str], count: int
) -> list[dict[str, str]]:
    """Dossiers of a procedure whose one step is the leader's signature, through the API."""
    body = procedure_body(
        f"QT-{uuid.uuid4().hex[:6]}", "Ký xác nhận", [("Ký", "", "unit_leader", 3)]
    )
    version = gateway.post(f"/api/v1/units/{UNIT}/procedures", json=body, headers=secretary)
    version_id = version.json()["id"]
    for who, step in ((secretary, "submit"), (leader, "approve"), (secretary, "publish")):
        reply = gateway.post(f"/api/v1/procedure-versions/{version_id}/{step}", headers=who)
        assert reply.status_code == 200, reply.text
    filed = []
    for n in range(count):
        reply = gateway.post(
            f"/api/v1/units/{UNIT}/dossiers",
            json={
                "version_id": version_id,
                "subject": f"Xác nhận số {n + 1}",
                "applicant_name": "Lê Thị Dân",
                "applicant_contact": "0987654321",
                "received_at": datetime.now(TIMEZONE).replace(hour=9, minute=0).isoformat(),
            },
            headers=secretary,
        )
        assert reply.status_code == 201, reply.text
        filed.append(reply.json())
    return filed


def at_phone_width(person: Person, *paths: str) -> None:
    person.page.set_viewport_size({"width": 360, "height": 740})
    for path in paths:
        person.page.goto(path)
        assert person.page.evaluate("document.documentElement.scrollWidth") <= 360, path
    person.page.set_viewport_size({"width": 1100, "height": 900})


def test_a_citizen_sends_feedback_and_reads_the_published_answer(
    people: dict[str, Person],
) -> None:
    visitor, secretary, head = people[""], people[SECRETARY], people[DEPARTMENT_LEADER]
    title = f"Phòng chờ thiếu ghế {uuid.uuid4().hex[:6]}"
    page = visitor.page
    page.goto(f"/don-vi/{UNIT}")
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator("#loi")).to_contain_text("Tiêu đề")
    visitor.shot("70-gop-y-loi")
    assert serious_violations(page) == []
    page.select_option("#kind", "suggestion")
    page.fill("#title", title)
    page.fill("#content", "Đề nghị bố trí thêm ghế ở phòng chờ của bộ phận một cửa.")
    page.fill("#sender_name", "Lê Thị Dân")
    page.fill("#sender_contact", "le.dan@example.vn")
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("status")).to_contain_text("Đơn vị đã nhận")
    expect(page.locator("main")).to_contain_text("Mới tiếp nhận")
    receipt = page.url
    visitor.shot("71-gop-y-da-gui")
    assert serious_violations(page) == []

    secretary.page.goto("/viec-cua-toi")
    secretary.page.get_by_role("row", name=re.compile(title)).get_by_role("link").first.click()
    secretary.page.select_option("#assign-department", "quan-ly-khoa-hoc")
    secretary.page.get_by_role("button", name="Giao", exact=True).click()
    expect(secretary.page.get_by_role("status")).to_contain_text("Đã giao phòng trả lời")

    head.page.goto("/viec-cua-toi")
    head.page.get_by_role("row", name=re.compile(title)).get_by_role("link").first.click()
    item = head.page.url
    head.page.get_by_role("link", name="xem liên hệ").click()
    expect(head.page.locator("main")).to_contain_text("le.dan@example.vn")
    head.page.goto(item)
    head.page.fill("#answer-text", "Đơn vị đã bố trí thêm mười ghế. Cảm ơn ông/bà.")
    head.page.get_by_label("Công khai câu trả lời trên cổng thông tin").check()
    head.page.get_by_role("button", name="Gửi trả lời").click()
    expect(head.page.get_by_role("status")).to_contain_text("Đã trả lời")
    head.shot("72-phan-anh-da-tra-loi")
    assert serious_violations(head.page) == []

    page.goto(receipt)
    expect(page.locator("main")).to_contain_text("Đơn vị đã bố trí thêm mười ghế")
    page.goto(f"/don-vi/{UNIT}")
    expect(page.locator("#y-kien").locator("..")).to_contain_text(title)
    at_phone_width(visitor, f"/don-vi/{UNIT}/gop-y", receipt)


def test_a_citizen_rates_a_result_with_the_printed_slip(
    people: dict[str, Person],
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
) -> None:
    done, late = one_step_dossiers(gateway, secretary, leader, 2)
    signed = gateway.post(
        f"/api/v1/dossiers/{done['id']}/complete-step",
        json={"note": "Đã ký", "done_on": today().isoformat()},
        headers=leader,
    )
    assert signed.status_code == 200, signed.text
    new_due = WorkingCalendar().first_counted_day(datetime.now(TIMEZONE) + timedelta(days=20))
    extended = gateway.post(
        f"/api/v1/dossiers/{late['id']}/extend-due-date",
        json={"new_due_on": new_due.isoformat(), "reason": "Chờ ý kiến của sở ngành"},
        headers=leader,
    )
    assert extended.status_code == 200, extended.text

    desk, visitor = people[SECRETARY], people[""]
    desk.page.goto(f"/ho-so/{late['id']}")
    desk.page.get_by_role("link", name="In phiếu xin lỗi và hẹn lại ngày trả kết quả").click()
    letter = desk.page.locator("main")
    expect(letter).to_contain_text("xin lỗi Ông/Bà")
    expect(letter).to_contain_text(new_due.strftime("%d/%m/%Y"))
    expect(letter).to_contain_text("Chờ ý kiến của sở ngành")
    desk.shot("73-phieu-xin-loi")
    assert serious_violations(desk.page) == []

    desk.page.goto(f"/ho-so/{done['id']}")
    desk.page.get_by_role("link", name="In phiếu đánh giá mức độ hài lòng").click()
    secret = desk.page.locator(".secret").inner_text()
    expect(desk.page.locator("main")).to_contain_text(done["code"])
    desk.shot("74-phieu-danh-gia")

    page = visitor.page
    page.goto(f"/don-vi/{UNIT}")
    page.get_by_role("link", name=re.compile("Đánh giá mức độ hài lòng")).click()
    page.fill("#code", done["code"])
    page.fill("#secret", "AAAAAAAAAA")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#loi")).to_contain_text("Mã đánh giá")
    visitor.shot("75-danh-gia-loi")
    assert serious_violations(page) == []
    page.fill("#secret", secret)
    page.fill("#comment", "Cán bộ hướng dẫn tận tình.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn bạn đã đánh giá")
    visitor.shot("76-danh-gia-xong")
    at_phone_width(visitor, f"/don-vi/{UNIT}/danh-gia", f"/don-vi/{UNIT}")
