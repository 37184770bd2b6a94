"""The risk pages in a real browser: a plan approved, a risk identified, assessed, treated,
re-assessed by a department leader, closed by the secretary; the register and the heat map."""

import re
import uuid

import httpx
from playwright.sync_api import expect

from tests.conftest import RISK_PLAN, UNIT, risk_entry
from tests.portal_browser import (
    DEPARTMENT_LEADER,
    LEADER,
    SECRETARY,
    SUPERVISOR,
    Person,
    serious_violations,
)


def approved_plan(secretary: Person, leader: Person, title: str) -> str:
    page = secretary.page
    page.goto("/rui-ro/ke-hoach/moi")
    page.fill("#title", "")
    page.fill("#method-high_from", "3")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#loi")).to_contain_text("Tên kế hoạch")
    secretary.shot("20-ke-hoach-loi")
    page.fill("#title", title)
    for field, text in (
        ("#scope", "Quy trình một cửa"),
        ("#objectives", "Giải quyết hồ sơ đúng hạn"),
        ("#resources", "Tổ ISO"),
    ):
        page.fill(field, text)
    page.fill("#method-high_from", "10")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo kế hoạch")
    expect(page.locator("figure.chart svg")).to_have_count(1)
    page.get_by_role("button", name="Trình phê duyệt").click()
    plan = page.url.split("?")[0]
    leader.page.goto("/viec-cua-toi")
    leader.page.get_by_role("row", name=re.compile(title)).get_by_role("link").click()
    leader.page.get_by_role("button", name="Phê duyệt").click()
    expect(leader.page.get_by_role("status")).to_contain_text("Đã phê duyệt kế hoạch")
    secretary.shot("21-ke-hoach")
    return plan


def test_a_risk_from_identification_to_closure(people: dict[str, Person]) -> None:
    secretary, leader = people[SECRETARY], people[LEADER]
    owner = people[DEPARTMENT_LEADER]
    suffix = uuid.uuid4().hex[:6]
    plan_title = f"Kế hoạch rủi ro {suffix}"
    approved_plan(secretary, leader, plan_title)

    page = owner.page
    page.goto("/rui-ro")
    page.get_by_role("link", name="Nhận diện rủi ro, cơ hội").click()
    page.select_option("#plan_id", label=plan_title)
    page.get_by_role("button", name="Đưa vào sổ đăng ký").click()
    expect(page.locator("#loi")).to_contain_text("Nguyên nhân")
    title = f"Thất lạc hồ sơ giấy {suffix}"
    page.fill("#title", title)
    page.fill("#process", "QT-MC-02")
    page.fill("#cause", "Sổ giao nhận thủ công")
    page.fill("#consequence", "Công dân phải nộp lại hồ sơ")
    page.get_by_role("button", name="Đưa vào sổ đăng ký").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhận diện")
    entry = page.url.split("?")[0]

    page.select_option("#danh-gia-likelihood", "4")
    page.select_option("#danh-gia-severity", "4")
    page.get_by_role("button", name="Ghi nhận đánh giá").click()
    expect(page.locator("main dl.details").first).to_contain_text("4 × 4 = 16 điểm · Cao")
    owner.shot("22-danh-gia")

    page.get_by_role("link", name="Lập kế hoạch xử lý").click()
    page.fill("#actions-0-description", "Dùng sổ giao nhận điện tử")
    page.fill("#actions-0-due_date", "15/12/2026")
    page.fill("#monitor_on", "31/12/2026")
    page.get_by_role("button", name="Thêm hành động").click()
    expect(page.locator("#actions-1-description")).to_be_visible()
    page.get_by_role("button", name="Xóa hành động 2").click()
    expect(page.locator("#actions-1-description")).to_have_count(0)
    page.get_by_role("button", name="Lưu kế hoạch xử lý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu kế hoạch xử lý")

    page.get_by_text("Ghi nhận hoàn thành a1").click()
    page.fill("#evidence-a1", "Quyết định áp dụng sổ điện tử")
    page.get_by_role("button", name="Ghi nhận hoàn thành").click()
    expect(page.locator("main")).to_contain_text("Đã hoàn thành ngày")
    page.get_by_text("Đánh giá lại sau xử lý").click()
    page.get_by_role("button", name="Ghi nhận đánh giá lại").click()
    expect(page.locator("#loi")).to_contain_text("Khả năng xảy ra")
    page.select_option("#danh-gia-lai-likelihood", "1")
    page.select_option("#danh-gia-lai-severity", "2")
    page.get_by_role("button", name="Ghi nhận đánh giá lại").click()
    expect(page.locator("main")).to_contain_text("chấp nhận được")
    # Closing is the secretary's: not offered to the department leader.
    expect(page.get_by_role("button", name="Đóng")).to_have_count(0)
    owner.shot("23-danh-gia-lai")

    secretary.page.goto("/viec-cua-toi")
    secretary.page.get_by_role("row", name=re.compile(title)).get_by_role("link").click()
    assert secretary.page.url.startswith(entry)
    secretary.page.fill("#close-note", "Đã kiểm soát")
    secretary.page.get_by_role("button", name="Đóng", exact=True).click()
    expect(secretary.page.get_by_role("status")).to_contain_text("Đã đóng")
    history = secretary.page.locator("ol.history")
    for label in ("Nhận diện", "Đánh giá", "Lập kế hoạch xử lý", "Đánh giá lại", "Đóng"):
        expect(history).to_contain_text(label)
    expect(history).to_contain_text(DEPARTMENT_LEADER)
    secretary.shot("24-da-dong")

    secretary.page.goto("/rui-ro?q=THAT+LAC+HO+SO&muc=low")
    expect(secretary.page.locator("main table")).to_contain_text(title)
    secretary.page.goto("/rui-ro?q=that+lac&muc=critical")
    expect(secretary.page.locator("main")).not_to_contain_text(title)
    secretary.page.goto("/rui-ro/ban-do-nhiet")
    secretary.page.select_option("#ke_hoach", label=plan_title)
    secretary.page.get_by_role("button", name="Xem").click()
    expect(secretary.page.locator(".matrices svg")).to_have_count(2)
    secretary.page.get_by_text("Số liệu dạng bảng").click()
    rows = secretary.page.locator("details table tbody tr")
    expect(rows).to_have_text([re.compile(r"4 × 4\s*1\s*0"), re.compile(r"1 × 2\s*0\s*1")])
    secretary.shot("25-ban-do-nhiet")

    supervisor = people[SUPERVISOR]
    supervisor.page.goto("/giam-sat")
    expect(supervisor.page.locator("main table")).to_contain_text("Rủi ro trên mức chấp nhận")


def test_risk_pages_are_accessible_and_fit_a_phone(
    people: dict[str, Person],
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    plan = gateway.post(f"/api/v1/units/{UNIT}/risk-plans", json=RISK_PLAN, headers=secretary)
    pid = plan.json()["id"]
    gateway.post(f"/api/v1/risk-plans/{pid}/submit", headers=secretary)
    gateway.post(f"/api/v1/risk-plans/{pid}/approve", headers=leader)
    body = risk_entry(pid, "opportunity", "Số hóa hồ sơ lưu trữ")
    entry = gateway.post(f"/api/v1/units/{UNIT}/risks", json=body, headers=department_leader)
    assert entry.status_code == 201, entry.text
    person = people[SECRETARY]
    found = {}
    pages = (
        "/rui-ro",
        f"/rui-ro/{entry.json()['id']}",
        "/rui-ro/ke-hoach",
        f"/rui-ro/ke-hoach/{pid}",
        "/rui-ro/ke-hoach/moi",
        "/rui-ro/ban-do-nhiet",
    )
    for path in pages:
        person.page.goto(path)
        found[path] = serious_violations(person.page)
    assert {path: v for path, v in found.items() if v} == {}

    person.page.set_viewport_size({"width": 360, "height": 740})
    for path, step in (
        ("/rui-ro", "26-dien-thoai-so-dang-ky"),
        (f"/rui-ro/{entry.json()['id']}", "27-dien-thoai-rui-ro"),
        ("/rui-ro/ban-do-nhiet", "28-dien-thoai-ban-do"),
    ):
        person.page.goto(path)
        assert person.page.evaluate("document.documentElement.scrollWidth") <= 360
        person.shot(step)
