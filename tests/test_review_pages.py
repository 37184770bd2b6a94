"""The management review pages in a real browser, each step by whoever does it: the secretary
drafts the notice (a deadline after the meeting refused beside its field), the leader approves
it, the secretary issues it; the department leaders report (one revises), consolidation is
refused while a report is missing and allowed once all are in; the meeting; the conclusion with
one output and its action, approved by the leader; the action done by its department and
verified by the secretary; then the year's ISO activity data and the supervisor's column."""

import re
import uuid
from datetime import timedelta

import httpx
from playwright.sync_api import Page, expect

from qms_contracts.review_reads import IsoReport, ReviewEvidence
from qms_runtime.clock import today
from qms_runtime.web import PROBLEM_JSON
from tests.conftest import UNIT, objective_body
from tests.portal_browser import (
    DEPARTMENT_LEADER,
    LEADER,
    SECRETARY,
    SUPERVISOR,
    Person,
    serious_violations,
)

LIST = "/xem-xet-lanh-dao"
#: Of Kế hoạch - Tài chính (Lê Văn Trưởng leads Quản lý khoa học).
FINANCE_LEADER = "Đinh Văn Tài"
#: The items on the agenda: who reports on each.
AGENDA = {
    "objective_achievement": ["quan-ly-khoa-hoc", "ke-hoach-tai-chinh"],
    "nonconformities": [],
    "audit_results": ["quan-ly-khoa-hoc"],
}


def day(offset: int = 0) -> str:
    return (today() + timedelta(days=offset)).strftime("%d/%m/%Y")


def notice_is(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def draft_notice(page: Page) -> None:
    """The agenda: three of the twelve inputs, with the departments that report on each."""
    page.goto(LIST)
    page.get_by_role("link", name="Soạn thông báo họp xem xét").click()
    for box in page.locator("input[name$='.included']").all():
        topic = (box.get_attribute("name") or "").split(".")[1]
        box.set_checked(topic in AGENDA)
        for department in AGENDA.get(topic, []):
            page.check(f"input[name='agenda.{topic}.department_ids'][value='{department}']")
    page.fill("#agenda-audit_results-guidance", "Kết quả các đợt đánh giá trong năm")
    page.fill("#meeting_date", day())


def report(person: Person, review: str, topic: str, content: str) -> None:
    person.page.goto(review)
    person.page.fill(f"#bao-cao-{topic}-content", content)
    person.page.locator(f"#noi-dung-{topic} button[type=submit]").click()
    notice_is(person.page, "Đã gửi báo cáo của phòng")


def approved_objective(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str], title: str
) -> None:
    """An objective of the year approved: a fact of the year's evidence."""
    body = objective_body(title, today().year)
    drafted = gateway.post(f"/api/v1/units/{UNIT}/objectives", json=body, headers=secretary)
    assert drafted.status_code == 201, drafted.text
    objective = f"/api/v1/objectives/{drafted.json()['id']}"
    assert gateway.post(f"{objective}/submit", headers=secretary).is_success
    assert gateway.post(f"{objective}/approve", headers=leader).is_success


def test_a_review_from_its_notice_to_verified_actions(
    people: dict[str, Person],
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
) -> None:
    objective = f"Giải quyết hồ sơ khoa học đúng hạn {uuid.uuid4().hex[:6]}"
    approved_objective(gateway, secretary, leader, objective)
    clerk, chief = people[SECRETARY], people[LEADER]
    science, finance = people[DEPARTMENT_LEADER], people[FINANCE_LEADER]

    # The notice: a deadline after the meeting is refused beside its field, what was typed stays.
    page = clerk.page
    draft_notice(page)
    page.fill("#report_deadline", day(1))
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#report_deadline-error")).to_have_text(
        "Hạn gửi báo cáo phải trước ngày họp"
    )
    expect(page.locator("#loi")).to_contain_text("Hạn gửi báo cáo")
    expect(page.locator("input[name='agenda.resources.included']")).not_to_be_checked()
    expect(page.locator("#agenda-audit_results-guidance")).to_have_value(re.compile("Kết quả"))
    clerk.shot("40-thong-bao-xem-xet-loi")
    page.fill("#report_deadline", day())
    page.get_by_role("button", name="Lưu dự thảo").click()
    notice_is(page, "Đã lưu dự thảo thông báo")
    review = page.url.split("?")[0]
    review_id = review.rsplit("/", 1)[1]
    page.get_by_role("button", name="Trình phê duyệt").click()
    notice_is(page, "Đã trình lãnh đạo phê duyệt")

    chief.page.goto("/viec-cua-toi")
    expect(chief.page.locator("main")).to_contain_text("Phê duyệt thông báo họp xem xét")
    chief.page.goto(review)
    chief.page.get_by_role("button", name="Phê duyệt").click()
    notice_is(chief.page, "Đã phê duyệt thông báo")
    page.goto(review)
    page.get_by_role("button", name="Gửi thông báo đến các phòng").click()
    notice_is(page, "Đã gửi thông báo")

    # Quản lý khoa học reports on its two items, and revises one before consolidation.
    science.page.goto("/viec-cua-toi")
    expect(science.page.locator("main")).to_contain_text("Gửi báo cáo cho họp xem xét")
    report(science, review, "objective_achievement", "Đạt 3/4 mục tiêu của phòng")
    report(science, review, "audit_results", "Một điểm không phù hợp nhẹ, đã khắc phục")
    science.page.get_by_text("Sửa báo cáo của phòng").first.click()
    science.page.fill("#bao-cao-objective_achievement-content", "Đạt 4/4 mục tiêu của phòng")
    science.page.locator("#noi-dung-objective_achievement button[type=submit]").click()
    notice_is(science.page, "Đã gửi báo cáo của phòng")
    expect(science.page.locator("#noi-dung-objective_achievement")).to_contain_text("đã sửa")
    # Who else owes a report sees no form for another department's item.
    expect(science.page.locator("#noi-dung-nonconformities form")).to_have_count(0)

    # One report missing before the deadline: no consolidation, said plainly; the API refuses.
    page.goto(review)
    missing = page.locator("#tong-hop + div")
    expect(missing).to_contain_text("Còn 1 báo cáo chưa gửi")
    expect(missing).to_contain_text("Phòng Kế hoạch - Tài chính — Mức độ đạt được các mục tiêu")
    expect(page.get_by_role("button", name="Tổng hợp báo cáo")).to_have_count(0)
    refused = gateway.post(
        f"/api/v1/reviews/{review_id}/consolidate", json={"summary": "Sớm"}, headers=secretary
    )
    assert refused.status_code == 409, refused.text
    assert "Còn 1 báo cáo chưa gửi" in refused.json()["detail"]

    finance.page.goto("/viec-cua-toi")
    task = finance.page.locator(f"main a[href='{LIST}/{review_id}']")
    expect(task).to_have_text("Gửi báo cáo cho họp xem xét của lãnh đạo")
    report(finance, review, "objective_achievement", "Giải ngân đúng tiến độ 95%")

    page.goto(review)
    expect(page.locator("#tong-hop + p")).to_have_text("Đã nhận đủ báo cáo.")
    page.fill("#summary", "Các phòng đạt mục tiêu; một điểm không phù hợp nhẹ đã khắc phục")
    page.get_by_role("button", name="Tổng hợp báo cáo").click()
    notice_is(page, "Đã tổng hợp báo cáo")
    page.fill("#chair", LEADER)
    page.fill("#participants", f"{LEADER}, Giám đốc\n{DEPARTMENT_LEADER}\n{FINANCE_LEADER}")
    page.fill("#minutes", "Hệ thống quản lý chất lượng phù hợp và có hiệu lực.")
    page.get_by_role("button", name="Ghi biên bản họp").click()
    notice_is(page, "Đã ghi biên bản họp")

    # The conclusion: rows added and removed; one output with its action.
    page.get_by_role("link", name="Soạn kết luận").click()
    page.get_by_role("button", name="Thêm đầu ra").click()
    expect(page.locator("#outputs-1-description")).to_be_visible()
    page.get_by_role("button", name="Xóa đầu ra 2").click()
    expect(page.locator("#outputs-1-description")).to_have_count(0)
    page.fill("#summary", "Duy trì hệ thống; số hóa sổ theo dõi hồ sơ")
    page.fill("#outputs-0-description", "Số hóa sổ theo dõi hồ sơ của phòng")
    page.select_option("#outputs-0-owner_department_id", "quan-ly-khoa-hoc")
    page.fill("#outputs-0-due_date", day())
    # A corrective action needs the department concerned: the service says so beside it.
    page.check("#outputs-0-corrective_action_needed")
    page.get_by_role("button", name="Lưu và trình lãnh đạo phê duyệt").click()
    expect(page.locator("#outputs-0-department_id-error")).to_have_text(
        "Cần hành động khắc phục thì phải ghi phòng liên quan"
    )
    expect(page.locator("#outputs-0-due_date")).to_have_value(day())
    assert serious_violations(page) == []
    page.select_option("#outputs-0-department_id", "ke-hoach-tai-chinh")
    page.get_by_role("button", name="Lưu và trình lãnh đạo phê duyệt").click()
    notice_is(page, "Đã lưu dự thảo kết luận")
    expect(page.get_by_role("button", name="Phê duyệt kết luận")).to_have_count(0)

    chief.page.goto("/viec-cua-toi")
    expect(chief.page.locator("main")).to_contain_text("Phê duyệt kết luận xem xét")
    # Returned once with its reason; the secretary finds the outputs as drafted and sends it again.
    chief.page.goto(review)
    chief.page.get_by_text("Trả lại kèm lý do").click()
    chief.page.fill("#reason", "Ghi rõ phòng phối hợp")
    chief.page.get_by_role("button", name="Trả lại").click()
    notice_is(chief.page, "Đã trả lại kết luận kèm lý do")
    page.goto(review)
    expect(page.locator("main .problem")).to_contain_text("Ghi rõ phòng phối hợp")
    page.get_by_role("link", name="Sửa kết luận").click()
    expect(page.locator("#outputs-0-owner_department_id")).to_have_value("quan-ly-khoa-hoc")
    page.fill("#outputs-0-description", "Số hóa sổ theo dõi hồ sơ, phối hợp với Văn phòng Sở")
    page.get_by_role("button", name="Lưu và trình lãnh đạo phê duyệt").click()
    notice_is(page, "Đã lưu dự thảo kết luận")
    chief.page.goto(review)
    chief.page.get_by_role("button", name="Phê duyệt kết luận").click()
    notice_is(chief.page, "Đã phê duyệt kết luận")

    science.page.goto("/viec-cua-toi")
    expect(science.page.locator("main")).to_contain_text("Thực hiện hành động sau xem xét")
    science.page.goto(review)
    science.page.fill("#hoan-thanh-o1-evidence", "Sổ theo dõi điện tử dùng từ tuần này")
    science.page.get_by_role("button", name="Ghi nhận hoàn thành").click()
    notice_is(science.page, "Đã ghi nhận hoàn thành hành động")
    expect(science.page.get_by_role("button", name="Xác nhận hành động")).to_have_count(0)

    page.goto(review)
    page.fill("#xac-nhan-o1-note", "Đã kiểm tra sổ điện tử")
    page.get_by_role("button", name="Xác nhận hành động").click()
    notice_is(page, "Đã xác nhận hành động")
    expect(page.locator("main .status").first).to_have_text("Đã kết luận")
    expect(page.locator("#dau-ra-o1")).to_contain_text("Đã xác nhận")
    # The output's corrective action: the nonconformity the audit service opened for it.
    page.locator("#dau-ra-o1").get_by_role("link", name="Sự không phù hợp").click()
    expect(page.locator("main dl.details").first).to_contain_text("Đầu ra o1 của cuộc xem xét")
    page.goto(review)
    history = page.locator("ol.history")
    for label in (
        "Phòng sửa báo cáo",
        "Tổng hợp báo cáo",
        "Phê duyệt kết luận",
        "Xác nhận hành động",
    ):
        expect(history).to_contain_text(label)
    # The evidence beside the item that asks for it: the objective approved this year.
    expect(page.locator("#noi-dung-objective_achievement details.evidence")).to_contain_text(
        objective
    )
    clerk.shot("41-xem-xet-lanh-dao")
    assert serious_violations(page) == []

    # The year's ISO activity data: the review held, with its events.
    page.goto(f"{LIST}/bao-cao-nam?nam={today().year}")
    held = page.locator(f"#xem-xet ~ ul li:has(a[href='{LIST}/{review_id}'])")
    expect(held).to_contain_text("đã kết luận, 1 đầu ra")
    expect(held.locator("code")).to_have_count(2)
    expect(page.locator("#muc-tieu ~ ul li", has_text=objective).locator("code")).to_have_count(2)
    clerk.shot("42-so-lieu-hoat-dong-iso")
    assert serious_violations(page) == []

    for path in (review, f"{LIST}/bao-cao-nam"):
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.set_viewport_size({"width": 1100, "height": 900})

    # The same two reads through the gateway's API: the review service's answers, as given.
    pack = gateway.get(f"/api/v1/reviews/{review_id}/evidence", headers=secretary)
    assert pack.status_code == 200, pack.text
    item = ReviewEvidence.model_validate(pack.json()).agenda[0]
    assert item.objectives is not None
    assert objective in [o.title for o in item.objectives.objectives]
    year = gateway.get(f"/api/v1/units/{UNIT}/iso-report/{today().year}", headers=secretary)
    assert review_id in [
        str(r.review_id) for r in IsoReport.model_validate(year.json()).reviews_held
    ]
    unknown = gateway.get(f"/api/v1/reviews/{uuid.uuid4()}/evidence", headers=secretary)
    assert (unknown.status_code, unknown.headers["content-type"]) == (404, PROBLEM_JSON)
    other = gateway.get(f"/api/v1/units/so-tu-phap/iso-report/{today().year}", headers=secretary)
    assert other.status_code == 403 and other.json()["title"]

    supervisor = people[SUPERVISOR]
    supervisor.page.goto("/giam-sat")
    expect(supervisor.page.locator("main table")).to_contain_text("Xem xét của lãnh đạo")
    expect(supervisor.page.locator("main table")).to_contain_text("Đã họp")
    # A supervisor reads the unit's review, without the unit's own evidence or year's data
    # (the review service answers those to the unit only), and is not told to reload.
    supervisor.page.goto(f"{LIST}/{review_id}")
    expect(supervisor.page.locator("h1")).to_be_visible()
    expect(supervisor.page.locator("main")).not_to_contain_text("Chưa lấy được bằng chứng")
    supervisor.page.goto(f"{LIST}?don_vi={UNIT}&trang_thai=khong-co")
    expect(supervisor.page.get_by_role("status")).to_contain_text("khong-co")
    expect(supervisor.page.get_by_role("link", name=re.compile("Số liệu hoạt động"))).to_have_count(
        0
    )


def test_review_pages_are_accessible_and_fit_a_phone(people: dict[str, Person]) -> None:
    person = people[SECRETARY]
    found = {}
    for path in (LIST, f"{LIST}/moi", f"{LIST}/bao-cao-nam"):
        person.page.goto(path)
        found[path] = serious_violations(person.page)
    assert {path: v for path, v in found.items() if v} == {}
    person.page.set_viewport_size({"width": 360, "height": 740})
    for path, step in ((LIST, "43-xem-xet-dien-thoai"), (f"{LIST}/moi", "44-thong-bao-dien-thoai")):
        person.page.goto(path)
        assert person.page.evaluate("document.documentElement.scrollWidth") <= 360
        person.shot(step)
