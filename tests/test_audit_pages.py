"""The audit pages in a real browser, each step by whoever does it: a programme approved, a
round planned (an auditor on their own department refused) and approved, a finding recorded
by its auditor and acknowledged by the audited department, the round concluded, and the
nonconformity the finding opened taken through corrective action to its closure."""

import re

from playwright.sync_api import Page, expect

from tests.portal_browser import (
    AUDITOR,
    AUDITOR_OF_SCIENCE,
    DEPARTMENT_LEADER,
    LEADER,
    SECRETARY,
    SUPERVISOR,
    Person,
    serious_violations,
)
from tests.test_nonconformity_pages import implement, plan_action, timeline_is, verify


def approve(leader: Person, record: str, notice: str) -> None:
    leader.page.goto(record)
    leader.page.get_by_role("button", name="Phê duyệt").click()
    expect(leader.page.get_by_role("status")).to_contain_text(notice)


#: The auditors' user ids, which the plan form's choices carry.
SUBS = {AUDITOR: "danhgiavien", AUDITOR_OF_SCIENCE: "danhgiavien2"}


def plan_round(page: Page, lead_of_science: str) -> None:
    """Both visits today (Kế hoạch - Tài chính, then Quản lý khoa học, as the unit lists its
    departments), led by Ngô Thị Kiểm and by `lead_of_science`."""
    for index, lead in ((0, AUDITOR_OF_SCIENCE), (1, lead_of_science)):
        page.select_option(f"#visits-{index}-lead", SUBS[lead])
        page.fill(f"#visits-{index}-day", "25/11/2026")
    page.get_by_role("button", name="Lưu dự thảo").click()


def test_a_finding_to_its_round_conclusion(people: dict[str, Person]) -> None:
    secretary, leader = people[SECRETARY], people[LEADER]
    page = secretary.page
    page.goto("/danh-gia-noi-bo")
    page.get_by_role("link", name="Soạn chương trình năm").click()
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#loi")).to_contain_text("Mục tiêu đánh giá")
    page.fill("#objectives", "Đánh giá sự phù hợp trước khi công bố lại")
    page.fill("#scope", "Quy trình của hai phòng")
    page.uncheck("input[name=department_ids][value=van-phong]")
    page.uncheck("input[name=department_ids][value=tieu-chuan-do-luong]")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo chương trình")
    page.get_by_role("button", name="Trình phê duyệt").click()
    programme = page.url.split("?")[0]
    approve(leader, programme, "Đã phê duyệt chương trình")

    page.goto(programme)
    page.get_by_role("link", name=re.compile("Lập kế hoạch đợt")).click()
    page.get_by_role("button", name="Thêm lịch đánh giá").click()
    expect(page.locator("#visits-2-department_id")).to_be_visible()
    page.get_by_role("button", name="Xóa lịch 3").click()
    expect(page.locator("#visits-2-department_id")).to_have_count(0)
    plan_round(page, AUDITOR_OF_SCIENCE)
    # An auditor is never planned on their own department: said beside the field.
    expect(page.locator("#visits-1-lead-error")).to_contain_text(
        f"{AUDITOR_OF_SCIENCE} không được đánh giá phòng của mình"
    )
    secretary.shot("30-ke-hoach-danh-gia-loi")
    plan_round(page, AUDITOR)
    expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo kế hoạch đợt")
    page.get_by_role("button", name="Trình phê duyệt").click()
    plan = page.url.split("?")[0]
    approve(leader, plan, "Đã phê duyệt")

    auditor = people[AUDITOR]
    auditor.page.goto("/viec-cua-toi")
    expect(auditor.page.locator("main")).to_contain_text("Ghi nhận phát hiện đánh giá")
    auditor.page.goto(plan)
    schedule = auditor.page.locator("table.schedule")
    expect(schedule).to_contain_text(AUDITOR)
    expect(schedule).to_contain_text("Phòng Quản lý khoa học")
    # Only the department the auditor audits takes their findings.
    expect(auditor.page.get_by_text("Ghi nhận phát hiện tại", exact=False)).to_have_count(1)
    auditor.page.get_by_text("Ghi nhận phát hiện tại Phòng Quản lý khoa học").click()
    form = "#phat-hien-quan-ly-khoa-hoc"
    auditor.page.select_option(f"{form}-kind", "minor")
    auditor.page.fill(f"{form}-evidence", "2/15 hồ sơ trễ hạn, chưa có văn bản xin lỗi")
    auditor.page.get_by_role("button", name="Ghi nhận phát hiện").click()
    expect(auditor.page.locator("#loi")).to_contain_text("Điều khoản")
    expect(auditor.page.locator(f"{form}-evidence")).to_have_value(re.compile("2/15 hồ sơ"))
    auditor.page.fill(f"{form}-clause", "8.5.1")
    auditor.page.get_by_role("button", name="Ghi nhận phát hiện").click()
    expect(auditor.page.get_by_role("status")).to_contain_text("Đã ghi nhận phát hiện")
    expect(auditor.page.get_by_role("link", name="sự không phù hợp")).to_have_count(1)

    # The leader may not conclude while a finding waits for its department.
    leader.page.goto(plan)
    expect(leader.page.get_by_role("button", name="Kết luận")).to_have_count(0)
    owner = people[DEPARTMENT_LEADER]
    owner.page.goto(plan)
    owner.page.fill("#note-f1", "Phòng đồng ý, sẽ khắc phục")
    owner.page.get_by_role("button", name="Xác nhận f1").click()
    expect(owner.page.get_by_role("status")).to_contain_text("Đã xác nhận phát hiện")
    expect(owner.page.locator("main table").nth(1)).to_contain_text("Đã xác nhận")

    leader.page.goto(plan)
    leader.page.select_option("#outcome", "improvement_actions")
    leader.page.get_by_role("button", name="Kết luận").click()
    expect(leader.page.get_by_role("status")).to_contain_text("Đã kết luận đợt đánh giá")
    expect(leader.page.locator("main")).to_contain_text("Thực hiện hành động cải tiến")
    history = leader.page.locator("ol.history")
    for label in ("Ghi nhận phát hiện", "Phòng xác nhận phát hiện", "Kết luận đợt đánh giá"):
        expect(history).to_contain_text(label)
    leader.shot("31-ket-luan-danh-gia")
    assert serious_violations(leader.page) == []

    # The nonconformity the finding opened, from its link to its closure.
    owner.page.goto(plan)
    owner.page.get_by_role("link", name="sự không phù hợp").click()
    record = owner.page.url
    expect(owner.page.locator("main dl.details").first).to_contain_text("Đánh giá nội bộ")
    plan_action(owner.page, "Nhắc hạn tự động trên phần mềm một cửa", "Không ai theo dõi hạn")
    expect(owner.page.get_by_role("status")).to_contain_text("Đã lưu hành động khắc phục")
    implement(owner.page, "Phần mềm đã gửi nhắc hạn từ tuần này")
    page.goto(record)
    verify(page, True, "Không còn hồ sơ trễ hạn")
    page.get_by_role("button", name="Đóng", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã đóng sự không phù hợp")
    timeline_is(
        page,
        [
            "Mở sự không phù hợp",
            "Lập hành động khắc phục",
            "Đã thực hiện hành động khắc phục",
            "Kiểm tra hiệu lực",
            "Đóng",
        ],
    )
    secretary.shot("32-khong-phu-hop-tu-danh-gia-da-dong")

    # The audit pages pass axe and fit a phone, the figure-7 schedule included.
    pages = {
        "/danh-gia-noi-bo": "33-dien-thoai-chuong-trinh",
        programme: "34-dien-thoai-chuong-trinh-chi-tiet",
        plan: "35-dien-thoai-ke-hoach-danh-gia",
        f"/danh-gia-noi-bo/ke-hoach/moi?chuong_trinh={programme.rsplit('/', 1)[1]}": (
            "36-dien-thoai-lap-ke-hoach"
        ),
    }
    page.set_viewport_size({"width": 360, "height": 740})
    for path, step in pages.items():
        page.goto(path)
        assert serious_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        secretary.shot(step)

    supervisor = people[SUPERVISOR]
    supervisor.page.goto("/giam-sat")
    expect(supervisor.page.locator("main table")).to_contain_text("Đợt đánh giá đã kết luận")
