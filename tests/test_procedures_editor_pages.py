"""The procedure editor and the desk's other pages in a real browser: the secretary drafts a
procedure with two steps, revises it and submits it; the leader approves; the secretary
publishes it and drafts its next version, whose comparison shows the changed step; a dossier is
filed at the desk; the statistics show their charts; an admin sets a day of the calendar."""

import hashlib
import random
import re
import uuid

from playwright.sync_api import Page, expect

from tests.portal_browser import LEADER, SECRETARY, STAFF, Person, serious_violations

ADMIN = "Quản trị hệ thống"


def check_page(person: Person, shot: str) -> None:
    """No serious accessibility finding, and no horizontal scroll at phone width."""
    page = person.page
    assert serious_violations(page) == [], page.url
    person.shot(shot)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    person.shot(f"{shot}-360")
    page.set_viewport_size({"width": 1100, "height": 900})


def fill_step(page: Page, n: int, name: str, performer: str, days: str) -> None:
    page.fill(f"#steps-{n}-name", name)
    page.select_option(f"#steps-{n}-performer", performer)
    page.fill(f"#steps-{n}-working_days", days)


def test_a_procedure_drafted_revised_published_and_compared(people: dict[str, Person]) -> None:
    desk, head, staff = people[SECRETARY], people[LEADER], people[STAFF]
    code = f"QT-{uuid.uuid4().hex[:5].upper()}"
    page = desk.page

    staff.page.goto("/quy-trinh")
    expect(staff.page.get_by_role("link", name="Soạn quy trình mới")).to_have_count(0)

    page.goto("/quy-trinh")
    page.get_by_role("link", name="Soạn quy trình mới").click()
    expect(page.locator("h1")).to_contain_text("Soạn quy trình mới")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#loi")).to_contain_text("Không được để trống")
    expect(page.locator("#loi")).to_contain_text("Bước 1 · Thực hiện")
    desk.shot("80-quy-trinh-moi-loi")

    page.fill("#code", code)
    page.fill("#name", "Xác nhận nhiệm vụ khoa học")
    page.fill("#scope", "Hồ sơ đề nghị xác nhận tiếp nhận tại Văn phòng Sở")
    fill_step(page, 0, "Tiếp nhận hồ sơ", "phong:van-phong", "1")
    page.get_by_role("button", name="Thêm bước").click()
    expect(page.locator("#steps-1-name")).to_be_visible()
    fill_step(page, 1, "Thẩm định", "phong:quan-ly-khoa-hoc", "3")
    page.get_by_role("button", name="Thêm biểu mẫu").click()
    page.fill("#forms-0-code", "BM-01")
    page.fill("#forms-0-name", "Đơn đề nghị xác nhận")
    page.fill("#forms-0-version", "1")
    form_file = "Mẫu đơn đề nghị xác nhận (BM-01)\n".encode() * 40
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#loi")).to_contain_text("Chọn tệp biểu mẫu")
    page.set_input_files(
        "#forms-0-file", files=[{"name": "bm-01.txt", "mimeType": "text/plain", "buffer": b"x"}]
    )
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#forms-0-file-error")).to_contain_text("PDF, Word")
    page.set_input_files(
        "#forms-0-file",
        files=[{"name": "bm-01.pdf", "mimeType": "application/pdf", "buffer": form_file}],
    )
    check_page(desk, "81-quy-trinh-soan")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo quy trình")
    download = page.request.get(
        f"/api/v1/public/form-files/{hashlib.sha256(form_file).hexdigest()}"
    )
    assert download.ok and download.body() == form_file
    expect(page.locator("main")).to_contain_text("Thẩm định")
    version_one = page.url.split("?")[0]

    page.get_by_role("link", name="Sửa", exact=True).click()
    expect(page.locator("#steps-1-working_days")).to_have_value("3")
    assert serious_violations(page) == []
    page.fill("#steps-1-working_days", "4")
    page.get_by_role("button", name="Lưu bản sửa").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu bản sửa")
    expect(page.locator("main")).to_contain_text("4 ngày làm việc")
    page.get_by_role("button", name="Trình phê duyệt").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trình")

    head.page.goto(version_one)
    expect(head.page.get_by_role("link", name="Sửa", exact=True)).to_have_count(0)
    head.page.get_by_role("button", name="Phê duyệt").click()
    expect(head.page.get_by_role("status")).to_contain_text("Đã phê duyệt")

    page.goto(version_one)
    page.get_by_role("button", name="Ban hành").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ban hành")

    page.get_by_role("link", name="Soạn phiên bản mới").click()
    expect(page.locator("#name")).to_have_value("Xác nhận nhiệm vụ khoa học")
    assert serious_violations(page) == []
    expect(page.locator("#forms-0-code")).to_have_value("BM-01")
    page.fill("#steps-1-working_days", "5")
    page.select_option("#steps-1-performer", "vai-tro:unit_leader")
    page.get_by_role("button", name="Lưu dự thảo phiên bản mới").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo phiên bản mới")
    expect(page.locator("h1")).to_contain_text(code)
    assert serious_violations(page) == []

    page.get_by_role("link", name=re.compile("So sánh với lần 1")).click()
    expect(page.locator("h1")).to_have_text(f"So sánh {code}: lần 1 và lần 2")
    changed = page.get_by_role("row", name=re.compile("Thẩm định"))
    expect(changed).to_contain_text("4 ngày làm việc")
    expect(changed).to_contain_text("5 ngày làm việc")
    expect(changed).to_contain_text("Lãnh đạo đơn vị")
    check_page(desk, "82-quy-trinh-so-sanh")

    # The dossier desk: filed under the version in force.
    page.goto("/ho-so")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("h1")).to_contain_text("Tiếp nhận hồ sơ")
    check_page(desk, "83-tiep-nhan-ho-so")
    page.select_option("#version_id", version_one.rsplit("/", 1)[1])
    subject = f"Xác nhận đề tài {uuid.uuid4().hex[:6]}"
    page.fill("#subject", subject)
    page.fill("#applicant_name", "Nguyễn Văn An")
    page.fill("#applicant_contact", "0901234567")
    page.fill("#received_time", "9:30")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã tiếp nhận hồ sơ")
    expect(page.locator("h1")).to_have_text(re.compile(r"^Hồ sơ KHCN-\d{6}-\d+$"))
    expect(page.locator("main")).to_contain_text(subject)
    desk.shot("84-ho-so-moi")
    # Returned once: a nonconforming output, which the statistics' Pareto counts.
    page.get_by_role("button", name="Hoàn thành bước").click()
    expect(page.get_by_role("status")).to_contain_text("Đã hoàn thành bước")
    page.get_by_text("Trả về bước trước").click()
    page.fill("#return-reason", "Thiếu chữ ký người nộp")
    page.select_option("#return-cause", "missing_documents")
    page.get_by_role("button", name="Trả về").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trả hồ sơ về bước trước")

    page.goto("/thong-ke-ho-so")
    expect(page.locator("h1")).to_contain_text("Thống kê hồ sơ")
    expect(page.get_by_role("row", name=re.compile(code))).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    expect(page.locator(f"figure.chart svg[aria-label^='{code}']")).to_have_count(1)
    expect(page.locator("figure.chart svg[aria-label^='Pareto']")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Hồ sơ thiếu thành phần"))).to_be_visible()
    check_page(desk, "85-thong-ke-ho-so")

    # The procedure's own Pareto: its cause raised for corrective action, once.
    page.select_option("#quy_trinh", label=f"{code} — Xác nhận nhiệm vụ khoa học")
    page.get_by_role("button", name="Xem").click()
    cause = page.get_by_role("row", name=re.compile("Hồ sơ thiếu thành phần"))
    cause.get_by_text("Đề nghị khắc phục").click()
    cause.get_by_role("button", name="Gửi đánh giá nội bộ").click()
    expect(page.locator("#loi")).to_contain_text("Phòng khắc phục")
    cause = page.get_by_role("row", name=re.compile("Hồ sơ thiếu thành phần"))
    cause.get_by_label("Phòng khắc phục").select_option("van-phong")
    cause.get_by_role("button", name="Gửi đánh giá nội bộ").click()
    expect(page.locator(".notice")).to_contain_text("Đã đề nghị khắc phục")
    expect(page.get_by_role("row", name=re.compile("Hồ sơ thiếu thành phần"))).to_contain_text(
        "Đã đề nghị khắc phục (Văn phòng Sở)"
    )
    check_page(desk, "87-pareto-de-nghi-khac-phuc")


def test_an_admin_sets_and_clears_a_day_of_the_calendar(people: dict[str, Person]) -> None:
    staff, admin = people[STAFF], people[ADMIN]
    staff.page.goto("/lich-lam-viec")
    expect(staff.page.locator("h1")).to_have_text("Lịch ngày làm việc")
    expect(staff.page.get_by_role("button", name="Đặt ngày")).to_have_count(0)
    expect(staff.page.locator("main")).to_contain_text("Tết Nguyên Đán")

    page = admin.page
    day = f"{random.randint(1, 28):02d}/{random.randint(1, 12):02d}/2098"
    page.goto("/lich-lam-viec")
    page.get_by_role("button", name="Đặt ngày").click()
    expect(page.locator("#loi")).to_contain_text("Ngày")
    page.fill("#day", day)
    page.select_option("#working", "true")
    page.fill("#reason", "Làm bù theo quyết định của tỉnh")
    page.get_by_role("button", name="Đặt ngày").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đặt ngày ngoại lệ")
    row = page.get_by_role("row", name=day)
    expect(row).to_contain_text("Ngày làm bù")
    check_page(admin, "86-lich-lam-viec")

    page.get_by_role("button", name=f"Bỏ ngày ngoại lệ {day}").click()
    expect(page.get_by_role("status")).to_contain_text("Đã bỏ ngày ngoại lệ")
    expect(page.get_by_role("row", name=day)).to_have_count(0)
