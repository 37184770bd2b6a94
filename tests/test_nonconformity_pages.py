"""The nonconformity pages in a real browser (ISO 9001 10.2): the secretary opens one from a
complaint, the department leader plans the corrective action and records it done, the
secretary finds it not effective (it reopens), a second action is planned, done and found
effective, and the secretary closes it; the timeline shows each step."""

import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from qms_runtime.clock import today
from tests.conftest import DEPARTMENT, UNIT
from tests.portal_browser import DEPARTMENT_LEADER, SECRETARY, STAFF, Person, serious_violations

LIST = "/khong-phu-hop"


def status_is(page: Page, label: str) -> None:
    expect(page.locator("main .status").first).to_have_text(label)


def timeline_is(page: Page, labels: list[str]) -> None:
    """The timeline's steps, oldest first."""
    steps = page.locator("ol.timeline > li > p strong")
    expect(steps).to_have_text(labels)


def plan_action(page: Page, action: str, root_cause: str) -> None:
    page.fill("#correction", "Xin lỗi và trả kết quả cho công dân ngay trong ngày")
    page.fill("#root_cause", root_cause)
    page.fill("#action", action)
    page.fill("#due_date", today().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu hành động khắc phục").click()


def implement(page: Page, evidence: str) -> None:
    page.fill("#evidence", evidence)
    page.get_by_role("button", name="Ghi nhận đã thực hiện").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận thực hiện")
    status_is(page, "Đã thực hiện")


def verify(page: Page, effective: bool, note: str) -> None:
    page.check(f"input[name=effective][value={'true' if effective else 'false'}]")
    page.fill("#kiem-tra-note", note)
    page.get_by_role("button", name="Ghi nhận kết quả kiểm tra").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận kết quả kiểm tra hiệu lực")


def test_a_nonconformity_from_a_complaint_to_closure(people: dict[str, Person]) -> None:
    secretary, owner, staff = people[SECRETARY], people[DEPARTMENT_LEADER], people[STAFF]
    description = f"Trả kết quả thủ tục cấp phép chậm 5 ngày so với hẹn {uuid.uuid4().hex[:6]}"

    # The secretary opens it by hand; a missing description is refused, the choices kept.
    page = secretary.page
    page.goto(LIST)
    page.get_by_role("link", name="Mở sự không phù hợp").click()
    page.select_option("#department_id", DEPARTMENT)
    page.fill("#clause", "8.2.1")
    page.get_by_role("button", name="Mở sự không phù hợp").click()
    expect(page.locator("#loi")).to_contain_text("Mô tả: Không được để trống")
    expect(page.locator("#department_id")).to_have_value(DEPARTMENT)
    expect(page.locator("#clause")).to_have_value("8.2.1")
    expect(page.locator("#source")).to_have_value("complaint")
    page.fill("#description", description)
    page.get_by_role("button", name="Mở sự không phù hợp").click()
    expect(page.get_by_role("status")).to_contain_text("Đã mở sự không phù hợp")
    status_is(page, "Đang mở")
    expect(page.locator("main dl.details").first).to_contain_text("Khiếu nại, phản ánh")
    expect(page.locator("main dl.details").first).to_contain_text("Phòng Quản lý khoa học")
    timeline_is(page, ["Mở sự không phù hợp"])
    record = page.url.split("?")[0]
    secretary.shot("khong-phu-hop-1-mo")

    # A staff member of the department reads it and is offered nothing.
    staff.page.goto(record)
    status_is(staff.page, "Đang mở")
    expect(staff.page.locator("main form")).to_have_count(0)

    # The department's leader finds it in their tasks and plans the action; an empty root
    # cause is refused in Vietnamese and what was typed stays.
    page = owner.page
    page.goto("/viec-cua-toi")
    page.get_by_role("row", name=re.compile(description)).get_by_role("link").click()
    assert page.url.startswith(record)
    expect(page.locator("#owner_department_id")).to_have_value(DEPARTMENT)
    plan_action(page, "Theo dõi hạn trả kết quả hằng ngày trên phần mềm một cửa", "")
    expect(page.locator("#loi")).to_contain_text("Nguyên nhân gốc: Không được để trống")
    expect(page.locator("#root_cause-error")).to_have_text("Không được để trống")
    expect(page.locator("#action")).to_have_value(
        "Theo dõi hạn trả kết quả hằng ngày trên phần mềm một cửa"
    )
    expect(page.locator("#due_date")).to_have_value(today().strftime("%d/%m/%Y"))
    owner.shot("khong-phu-hop-2-loi")
    plan_action(
        page, "Theo dõi hạn trả kết quả hằng ngày trên phần mềm một cửa", "Không ai theo dõi hạn"
    )
    expect(page.get_by_role("status")).to_contain_text("Đã lưu hành động khắc phục")
    status_is(page, "Đã lập hành động")
    expect(page.locator("#hanh-dong")).to_have_text("Hành động khắc phục lần 1")
    timeline_is(page, ["Mở sự không phù hợp", "Lập hành động khắc phục"])
    expect(page.locator("ol.timeline")).to_contain_text("Không ai theo dõi hạn")

    # The owner department's leader records it done; verifying is not theirs.
    implement(page, "Sổ theo dõi hạn đã lập từ tuần 1")
    expect(page.get_by_role("button", name="Ghi nhận kết quả kiểm tra")).to_have_count(0)
    expect(page.locator("#hanh-dong + dl")).to_contain_text("Sổ theo dõi hạn đã lập từ tuần 1")

    # The secretary finds it not effective: without a choice it is refused, the note kept;
    # then it reopens and asks for a new action.
    page = secretary.page
    page.goto(record)
    page.fill("#kiem-tra-note", "Tháng sau vẫn còn 3 hồ sơ trễ hạn")
    page.get_by_role("button", name="Ghi nhận kết quả kiểm tra").click()
    expect(page.locator("#loi")).to_contain_text("Hiệu lực: Phải chọn có hoặc không")
    expect(page.locator("#kiem-tra-note")).to_have_value("Tháng sau vẫn còn 3 hồ sơ trễ hạn")
    verify(page, False, "Tháng sau vẫn còn 3 hồ sơ trễ hạn")
    status_is(page, "Mở lại")
    expect(page.locator("main .problem")).to_contain_text("chưa có hiệu lực")
    timeline_is(
        page,
        [
            "Mở sự không phù hợp",
            "Lập hành động khắc phục",
            "Đã thực hiện hành động khắc phục",
            "Kiểm tra hiệu lực",
            "Mở lại: hành động chưa có hiệu lực",
        ],
    )
    expect(page.locator("ol.timeline > li").nth(3).locator("dd").first).to_have_text("Không")
    secretary.shot("khong-phu-hop-3-mo-lai")

    # A new action: the form starts from the one in force. The secretary's copy of the page
    # goes stale when the leader saves first.
    page = owner.page
    page.goto(record)
    expect(page.locator("#root_cause")).to_have_value("Không ai theo dõi hạn")
    plan_action(
        page,
        "Phần mềm một cửa nhắc hạn tự động trước 2 ngày",
        "Theo dõi thủ công dễ sót hồ sơ",
    )
    expect(page.locator("#hanh-dong")).to_have_text("Hành động khắc phục lần 2")
    status_is(page, "Đã lập hành động")
    secretary.page.fill("#root_cause", "Thiếu người")
    secretary.page.get_by_role("button", name="Lưu hành động khắc phục").click()
    expect(secretary.page.locator(".conflict")).to_contain_text("Lập hành động khắc phục")
    expect(secretary.page.locator(".conflict")).to_contain_text(DEPARTMENT_LEADER)

    # This time the secretary records it done, finds it effective and closes it.
    page = secretary.page
    page.goto(record)
    implement(page, "Nhật ký nhắc hạn của phần mềm một cửa")
    verify(page, True, "Ba tháng không còn hồ sơ trễ hạn")
    status_is(page, "Đã kiểm tra hiệu lực")
    page.fill("#dong-note", "Đã loại bỏ nguyên nhân")
    page.get_by_role("button", name="Đóng", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã đóng sự không phù hợp")
    status_is(page, "Đã đóng")
    expect(page.locator("main form")).to_have_count(0)
    timeline_is(
        page,
        [
            "Mở sự không phù hợp",
            "Lập hành động khắc phục",
            "Đã thực hiện hành động khắc phục",
            "Kiểm tra hiệu lực",
            "Mở lại: hành động chưa có hiệu lực",
            "Lập hành động khắc phục",
            "Đã thực hiện hành động khắc phục",
            "Kiểm tra hiệu lực",
            "Đóng",
        ],
    )
    timeline = page.locator("ol.timeline")
    for said in (SECRETARY, DEPARTMENT_LEADER, "Đã loại bỏ nguyên nhân"):
        expect(timeline).to_contain_text(said)
    # The second action's attempt number, then whether it was effective.
    expect(page.locator("ol.timeline > li").nth(5).locator("dd").first).to_have_text("2")
    expect(page.locator("ol.timeline > li").nth(7).locator("dd").first).to_have_text("Có")
    secretary.shot("khong-phu-hop-4-da-dong")

    # The list: searched without marks, filtered by status.
    page.goto(f"{LIST}?q=TRA+KET+QUA+CHAM&trang_thai=closed&nguon=complaint")
    row = page.get_by_role("row", name=re.compile(description))
    expect(row).to_contain_text("Đã đóng")
    expect(row).to_contain_text("Khiếu nại, phản ánh")
    page.goto(f"{LIST}?q=tra+ket+qua+cham&trang_thai=open")
    expect(page.locator("main")).not_to_contain_text(description)


def test_nonconformity_pages_are_accessible_and_fit_a_phone(
    people: dict[str, Person], gateway: httpx.Client, secretary: dict[str, str]
) -> None:
    body = {
        "source": "process_monitoring",
        "department_id": DEPARTMENT,
        "description": "Tỷ lệ hồ sơ đúng hạn quý I chỉ đạt 92%",
        "clause": "9.1.1",
    }
    opened = gateway.post(f"/api/v1/units/{UNIT}/nonconformities", json=body, headers=secretary)
    assert opened.status_code == 201, opened.text
    nid = opened.json()["id"]
    late = {
        "correction": "Rà soát hồ sơ đang giải quyết",
        "root_cause": "Thiếu người thẩm định",
        "action": "Bổ sung người thẩm định",
        "owner_department_id": DEPARTMENT,
        "due_date": "2020-01-31",
    }
    planned = gateway.post(f"/api/v1/nonconformities/{nid}/action", json=late, headers=secretary)
    assert planned.is_success, planned.text
    person = people[SECRETARY]
    found = {}
    for path in (LIST, f"{LIST}/{nid}", f"{LIST}/moi"):
        person.page.goto(path)
        found[path] = serious_violations(person.page)
    assert {path: v for path, v in found.items() if v} == {}
    person.page.goto(f"{LIST}?nguon=process_monitoring&trang_thai=action_planned")
    row = person.page.get_by_role("row", name=re.compile("đúng hạn quý I"))
    expect(row).to_contain_text("31/01/2020 (quá hạn)")

    person.page.set_viewport_size({"width": 360, "height": 740})
    for path, step in (
        (LIST, "khong-phu-hop-5-dien-thoai-danh-sach"),
        (f"{LIST}/{nid}", "khong-phu-hop-6-dien-thoai-chi-tiet"),
    ):
        person.page.goto(path)
        assert person.page.evaluate("document.documentElement.scrollWidth") <= 360
        person.shot(step)
