"""The portal in a real browser: what a person sees, step by step, with two people at once."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.portal_browser import (
    LEADER,
    SECRETARY,
    STAFF,
    SUPERVISOR,
    Person,
    serious_violations,
)


def fill_target(page: Page, n: int, indicator: str, value: str, department: str) -> None:
    page.fill(f"#targets-{n}-statement", f"Chỉ tiêu về {indicator.lower()}")
    page.fill(f"#targets-{n}-indicator", indicator)
    page.fill(f"#targets-{n}-target_value", value)
    page.fill(f"#targets-{n}-unit_of_measure", "%")
    page.fill(f"#targets-{n}-deadline", "31/12/2026")
    page.select_option(f"#targets-{n}-department_id", department)
    page.fill(f"#targets-{n}-action_plan", "Theo dõi hằng tháng")


def draft_objective(secretary: Person, title: str) -> str:
    page = secretary.page
    page.goto("/muc-tieu/moi")
    page.fill("#title", title)
    fill_target(page, 0, "Tỷ lệ hồ sơ đúng hạn", "95,5", "quan-ly-khoa-hoc")
    page.get_by_role("button", name="Thêm chỉ tiêu").click()
    expect(page.locator("#targets-1-statement")).to_be_visible()
    fill_target(page, 1, "Mức độ hài lòng", "90", "van-phong")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo")
    return page.url.split("?")[0]


def test_objective_workflow_with_two_people(people: dict[str, Person]) -> None:
    secretary, leader = people[SECRETARY], people[LEADER]
    title = f"Nâng cao năng lực phục vụ {uuid.uuid4().hex[:6]}"
    secretary.page.goto("/muc-tieu/moi")
    secretary.page.get_by_role("button", name="Lưu dự thảo").click()
    expect(secretary.page.locator("#loi")).to_contain_text("Không được để trống")
    secretary.shot("01-loi-bieu-mau")

    record = draft_objective(secretary, title)
    secretary.shot("02-du-thao")
    secretary.page.get_by_role("button", name="Trình phê duyệt").click()
    expect(secretary.page.get_by_role("status")).to_contain_text("Đã trình")

    leader.page.goto("/")
    expect(leader.page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    leader.page.get_by_role("row", name=re.compile(title)).get_by_role("link").click()
    expect(leader.page.get_by_role("button", name="Trình phê duyệt")).to_have_count(0)
    leader.page.get_by_text("Trả lại kèm lý do").click()
    leader.page.fill("#reason", "Bổ sung chỉ tiêu về chuyển đổi số")
    leader.page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(leader.page.get_by_role("status")).to_contain_text("Đã trả lại")
    leader.shot("03-tra-lai")

    secretary.page.goto(record)
    expect(secretary.page.locator("main")).to_contain_text("Bổ sung chỉ tiêu về chuyển đổi số")
    secretary.page.get_by_role("link", name="Sửa dự thảo").click()
    secretary.page.fill("#title", f"{title} (sửa)")
    secretary.page.get_by_role("button", name="Lưu bản sửa").click()
    secretary.page.get_by_role("button", name="Trình phê duyệt").click()

    leader.page.goto(record)
    leader.page.get_by_role("button", name="Phê duyệt").click()
    expect(leader.page.get_by_role("status")).to_contain_text("Đã phê duyệt")

    secretary.page.goto(record)
    expect(secretary.page.get_by_label("Phòng Quản lý khoa học")).to_be_checked()
    secretary.page.get_by_role("button", name="Phổ biến").click()
    expect(secretary.page.get_by_role("status")).to_contain_text("Đã phổ biến")
    secretary.page.get_by_text("Cập nhật tiến độ chỉ tiêu 1").click()
    value = secretary.page.locator("input[name=value]").first
    value.fill("80,5")
    secretary.page.locator("input[name=as_of]").first.fill("30/06/2026")
    secretary.page.get_by_role("button", name="Ghi nhận tiến độ").first.click()
    expect(secretary.page.get_by_role("status")).to_contain_text("Đã ghi nhận tiến độ")
    expect(secretary.page.locator("figure.chart svg")).to_have_count(1)
    expect(secretary.page.locator("main")).to_contain_text("80,5 %")
    expect(secretary.page.locator("main")).to_contain_text("30/06/2026")
    history = secretary.page.locator("ol.history")
    expect(history).to_contain_text("Trả lại để sửa")
    expect(history).to_contain_text(LEADER)
    secretary.shot("04-chi-tiet-tien-do")

    visitor = people[""]
    visitor.page.goto("/don-vi/so-khcn")
    expect(visitor.page.locator("main")).to_contain_text(f"{title} (sửa)")
    expect(visitor.page.locator("main figure.chart svg").first).to_be_visible()
    visitor.shot("05-cong-khai-don-vi")


def test_policy_versions_are_published_and_compared(people: dict[str, Person]) -> None:
    secretary, leader = people[SECRETARY], people[LEADER]
    words = uuid.uuid4().hex[:6]

    def new_version(content: str) -> str:
        secretary.page.goto("/chinh-sach/moi")
        secretary.page.fill("#content", content)
        secretary.page.get_by_role("button", name="Lưu dự thảo").click()
        secretary.page.get_by_role("button", name="Trình phê duyệt").click()
        url = secretary.page.url.split("?")[0]
        leader.page.goto(url)
        leader.page.get_by_role("button", name="Phê duyệt").click()
        secretary.page.goto(url)
        secretary.page.get_by_role("button", name="Ban hành").click()
        expect(secretary.page.get_by_role("status")).to_contain_text("Đã ban hành")
        return url

    new_version(f"Chất lượng phục vụ {words}.\nLấy người dân làm trung tâm.")
    newer = new_version(
        f"Chất lượng phục vụ {words}.\nLấy người dân và doanh nghiệp làm trung tâm."
    )
    secretary.page.goto(newer)
    secretary.page.get_by_role("button", name="So sánh").click()
    expect(secretary.page.locator(".compare ins")).to_contain_text("doanh nghiệp")
    secretary.shot("06-so-sanh-chinh-sach")

    visitor = people[""]
    visitor.page.goto("/don-vi/so-khcn")
    expect(visitor.page.locator("#chinh-sach + p + h3 + div")).to_contain_text("doanh nghiệp")
    visitor.page.get_by_role("link", name="Các phiên bản đã ban hành").click()
    expect(visitor.page.locator("main")).to_contain_text("Đã được thay thế")
    expect(visitor.page.locator("main")).to_contain_text(f"Phê duyệt bởi {LEADER}")


def test_stale_form_shows_what_changed_and_applies_again(people: dict[str, Person]) -> None:
    secretary, other_tab = people[SECRETARY], people[SECRETARY].context.new_page()
    record = draft_objective(secretary, f"Mục tiêu sửa đồng thời {uuid.uuid4().hex[:6]}")
    secretary.page.goto(f"{record}/sua")
    other_tab.goto(f"{record}/sua")
    other_tab.fill("#title", "Bản sửa ở thẻ khác")
    other_tab.get_by_role("button", name="Lưu bản sửa").click()

    secretary.page.fill("#title", "Bản sửa của tôi")
    secretary.page.get_by_role("button", name="Lưu bản sửa").click()
    conflict = secretary.page.locator(".conflict")
    expect(conflict).to_contain_text("Hồ sơ đã thay đổi")
    expect(conflict).to_contain_text("Sửa dự thảo")
    expect(secretary.page.locator("#title")).to_have_value("Bản sửa của tôi")
    secretary.shot("07-xung-dot-phien-ban")
    secretary.page.get_by_role("button", name="Lưu bản sửa").click()
    expect(secretary.page.get_by_role("heading", level=1)).to_have_text("Bản sửa của tôi")


def test_forbidden_action_is_not_offered_and_a_crafted_one_is_refused(
    people: dict[str, Person],
) -> None:
    secretary, staff = people[SECRETARY], people[STAFF]
    record = draft_objective(secretary, f"Mục tiêu chỉ để xem {uuid.uuid4().hex[:6]}")
    staff.page.goto(record)
    expect(staff.page.locator("main")).to_contain_text("Dự thảo")
    expect(staff.page.locator("main button")).to_have_count(0)
    csrf = next(c["value"] for c in staff.context.cookies() if c["name"] == "qms_csrf")
    reply = staff.page.request.post(
        f"{record}/trinh",
        form={"_csrf_token": csrf, "expected_version": "1"},
        headers={"accept": "text/html"},
    )
    assert reply.status == 403
    assert "Không có quyền" in reply.text()
    no_token = staff.page.request.post(f"{record}/trinh", form={"expected_version": "1"})
    assert no_token.status == 403


def test_anonymous_visitor_sees_only_what_is_published(people: dict[str, Person]) -> None:
    secretary = people[SECRETARY]
    draft_title = f"Bản nháp không công khai {uuid.uuid4().hex[:6]}"
    draft_objective(secretary, draft_title)
    visitor = people[""]
    visitor.page.goto("/don-vi?q=TU+PHAP")
    expect(visitor.page.get_by_role("heading", name=re.compile("Kết quả"))).to_contain_text(
        "1 đơn vị"
    )
    expect(visitor.page.locator("main")).to_contain_text("Ủy ban nhân dân xã Tân Lập")
    visitor.shot("08-danh-sach-don-vi")
    visitor.page.goto("/don-vi/so-khcn")
    expect(visitor.page).to_have_title(re.compile("Sở Khoa học và Công nghệ"))
    og = visitor.page.locator('meta[property="og:title"]')
    expect(og).to_have_attribute("content", re.compile("Sở Khoa học và Công nghệ"))
    expect(visitor.page.locator("main")).not_to_contain_text(draft_title)
    expect(visitor.page.locator("a[href='/dang-nhap']")).to_have_count(1)


def test_lists_search_without_accents_and_supervisor_sees_units(
    people: dict[str, Person],
) -> None:
    secretary = people[SECRETARY]
    title = f"Năng lực số {uuid.uuid4().hex[:6]}"
    draft_objective(secretary, title)
    for query in ("nang luc so", "NĂNG LỰC SỐ"):
        secretary.page.goto(f"/muc-tieu?q={query}&trang_thai=draft")
        expect(secretary.page.locator("main table")).to_contain_text(title)
    secretary.page.goto("/muc-tieu?q=khong+co+gi+nhu+the")
    expect(secretary.page.locator("main")).to_contain_text("0 mục tiêu")

    supervisor = people[SUPERVISOR]
    supervisor.page.goto("/giam-sat")
    table = supervisor.page.locator("main table")
    expect(table).to_contain_text("Sở Khoa học và Công nghệ")
    expect(table).to_contain_text("Ủy ban nhân dân xã Tân Lập")
    supervisor.shot("09-giam-sat")
    supervisor.page.get_by_role("row", name=re.compile("Sở Khoa học")).get_by_role(
        "link", name="Mục tiêu"
    ).click()
    expect(supervisor.page.locator("main table")).to_contain_text(title)
    expect(supervisor.page.get_by_role("link", name="Soạn mục tiêu mới")).to_have_count(0)


def test_main_pages_have_no_serious_accessibility_violation(people: dict[str, Person]) -> None:
    secretary = people[SECRETARY]
    record = draft_objective(secretary, f"Mục tiêu kiểm tra tiếp cận {uuid.uuid4().hex[:6]}")
    visitor = people[""]
    found = {}
    for person, path in [
        (visitor, "/don-vi"),
        (visitor, "/don-vi/so-khcn"),
        (visitor, "/dang-nhap"),
        (secretary, "/viec-cua-toi"),
        (secretary, "/muc-tieu"),
        (secretary, record),
        (secretary, "/muc-tieu/moi"),
        (secretary, "/chinh-sach"),
    ]:
        person.page.goto(path)
        found[path] = serious_violations(person.page)
    assert {path: v for path, v in found.items() if v} == {}


def test_phone_width_keeps_pages_usable(people: dict[str, Person]) -> None:
    visitor = people[""]
    visitor.page.set_viewport_size({"width": 360, "height": 740})
    visitor.page.goto("/don-vi/so-khcn")
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    visitor.shot("10-dien-thoai-cong-khai")
    secretary = people[SECRETARY]
    secretary.page.set_viewport_size({"width": 360, "height": 740})
    for path, step in [
        ("/muc-tieu", "11-dien-thoai-danh-sach"),
        ("/muc-tieu/moi", "12-dien-thoai-bieu-mau"),
    ]:
        secretary.page.goto(path)
        assert secretary.page.evaluate("document.documentElement.scrollWidth") <= 360
        secretary.shot(step)
