"""Demo records for `make run`: an approved risk plan and register entries at every stage, an
approved audit programme with its first round under way, an issued management review notice,
two published internal procedures with dossiers at different steps.

Sent through the gateway's API as the demo people would (development tokens), so that the
records have their real histories. Seeding a unit that already has a plan does nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from qms_runtime.clock import TIMEZONE
from qms_runtime.clock import today as vietnam_today


@dataclass(frozen=True)
class DemoPeople:
    """The development-token claims of who seeds: seeded users' `sub`, or made-up users."""

    secretary: dict[str, Any]
    leader: dict[str, Any]
    department_leader: dict[str, Any]
    #: The department leader's department, which owns the entries and their actions.
    department_id: str
    #: Two auditors' claims (at least sub, name and department_id): the first, of another
    #: department, audits the department leader's; the second, of that one, audits the first's.
    auditors: tuple[dict[str, Any], dict[str, Any]]


#: The demo unit's people (demo_units.json).
SO_KHCN = DemoPeople(
    secretary={"sub": "thuky"},
    leader={"sub": "giamdoc"},
    department_leader={"sub": "truongphong"},
    department_id="quan-ly-khoa-hoc",
    auditors=(
        {"sub": "danhgiavien", "name": "Hoàng Văn Đánh", "department_id": "ke-hoach-tai-chinh"},
        {"sub": "danhgiavien2", "name": "Ngô Thị Kiểm", "department_id": "quan-ly-khoa-hoc"},
    ),
)

PLAN = {
    "title": "Kế hoạch đánh giá rủi ro và cơ hội năm 2026",
    "scope": "Các quy trình giải quyết thủ tục hành chính qua bộ phận một cửa và quy trình "
    "quản lý nhiệm vụ khoa học và công nghệ",
    "objectives": "Nhận diện, đánh giá và xử lý các rủi ro, cơ hội ảnh hưởng tới việc giải "
    "quyết hồ sơ đúng hạn và sự hài lòng của tổ chức, công dân",
    "resources": "Tổ thư ký ISO, lãnh đạo các phòng; 2 buổi họp mỗi quý",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "method": {
        "medium_from": 5,
        "high_from": 10,
        "critical_from": 17,
        "acceptance_level": "medium",
    },
}


class _Seeder:
    def __init__(self, client: httpx.Client, unit_id: str, people: DemoPeople) -> None:
        self.client = client
        self.unit_id = unit_id
        self.department_id = people.department_id
        self.tokens = {
            "secretary": self._token(people.secretary),
            "leader": self._token(people.leader),
            "department_leader": self._token(people.department_leader),
            "auditor": self._token(people.auditors[0]),
        }

    def _token(self, claims: dict[str, Any]) -> dict[str, str]:
        reply = self.client.post("/auth/dev-token", json=claims)
        reply.raise_for_status()
        return {"authorization": f"Bearer {reply.json()['access_token']}"}

    def send(self, who: str, path: str, body: dict[str, Any] | None = None) -> str:
        """A command through the gateway; the record's id."""
        reply = self.client.post(f"/api/v1{path}", json=body, headers=self.tokens[who])
        reply.raise_for_status()
        record_id: str = reply.json()["id"]
        return record_id

    def has(self, listed: str) -> bool:
        """Whether the unit has any record in `listed` (e.g. "risk-plans")."""
        reply = self.client.get(
            f"/api/v1/units/{self.unit_id}/{listed}", headers=self.tokens["secretary"]
        )
        reply.raise_for_status()
        return bool(reply.json())

    def identify(self, plan_id: str, kind: str, title: str, process: str, why: str) -> str:
        cause, consequence = why.split(" → ")
        body = {
            "plan_id": plan_id,
            "kind": kind,
            "title": title,
            "process": process,
            "cause": cause,
            "consequence": consequence,
            "department_id": self.department_id,
        }
        return self.send("department_leader", f"/units/{self.unit_id}/risks", body)

    def step(
        self, entry_id: str, action: str, body: dict[str, Any], who: str = "department_leader"
    ) -> None:
        self.send(who, f"/risks/{entry_id}/{action}", body)

    def action(self, description: str, due: date) -> dict[str, str]:
        return {
            "description": description,
            "owner_department_id": self.department_id,
            "due_date": due.isoformat(),
        }

    def treated_and_reassessed(
        self,
        entry_id: str,
        option: str,
        action: str,
        today: date,
        inherent: tuple[int, int],
        residual: tuple[int, int],
    ) -> None:
        """Assessed, one action planned and done, re-assessed at `residual`."""
        self.step(entry_id, "assess", dict(zip(("likelihood", "severity"), inherent, strict=True)))
        done_on = today - timedelta(days=10)
        self.step(
            entry_id,
            "treatment",
            {
                "option": option,
                "actions": [self.action(action, today - timedelta(days=7))],
                "monitor_on": (today + timedelta(days=90)).isoformat(),
            },
        )
        self.step(
            entry_id,
            "actions/complete",
            {
                "action_id": "a1",
                "evidence": "Báo cáo kết quả thực hiện",
                "completed_on": done_on.isoformat(),
            },
        )
        self.step(
            entry_id, "reassess", dict(zip(("likelihood", "severity"), residual, strict=True))
        )


def seed_risk_demo(gateway_url: str, unit_id: str = "so-khcn", people: DemoPeople = SO_KHCN) -> str:
    """An approved plan and five entries: identified; assessed; in treatment with an overdue
    action; re-assessed, to be closed; closed. Returns what it did, for the console."""
    today = vietnam_today()
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        seed = _Seeder(client, unit_id, people)
        if seed.has("risk-plans"):
            return f"Đơn vị {unit_id} đã có kế hoạch đánh giá rủi ro: không thêm dữ liệu mẫu."
        plan = seed.send("secretary", f"/units/{unit_id}/risk-plans", PLAN)
        seed.send("secretary", f"/risk-plans/{plan}/submit")
        seed.send("leader", f"/risk-plans/{plan}/approve")
        seed.identify(
            plan,
            "risk",
            "Hồ sơ thẩm định nhiệm vụ khoa học bị trễ hạn",
            "QT-KHCN-01",
            "Hội đồng thẩm định khó bố trí lịch họp → Hồ sơ quá hạn trên iGate",
        )
        lost = seed.identify(
            plan,
            "risk",
            "Thất lạc hồ sơ giấy khi chuyển giữa các phòng",
            "QT-KHCN-02",
            "Sổ giao nhận hồ sơ ghi chép thủ công → Phải yêu cầu công dân nộp lại hồ sơ",
        )
        seed.step(lost, "assess", {"likelihood": 4, "severity": 4})
        mistakes = seed.identify(
            plan,
            "risk",
            "Sai sót khi cập nhật kết quả giải quyết lên iGate",
            "QT-MC-01",
            "Nhập liệu thủ công từ phiếu giấy → Công dân tra cứu thấy sai trạng thái hồ sơ",
        )
        seed.step(mistakes, "assess", {"likelihood": 3, "severity": 4})
        trained_on = today - timedelta(days=21)
        seed.step(
            mistakes,
            "treatment",
            {
                "option": "reduce",
                "actions": [
                    seed.action(
                        "Tập huấn cán bộ theo bảng kiểm nhập liệu", today - timedelta(days=20)
                    ),
                    seed.action(
                        "Đối chiếu iGate với sổ theo dõi hằng tuần", today - timedelta(days=5)
                    ),
                ],
                "monitor_on": (today + timedelta(days=60)).isoformat(),
            },
        )
        seed.step(
            mistakes,
            "actions/complete",
            {
                "action_id": "a1",
                "evidence": f"Biên bản tập huấn ngày {trained_on:%d/%m/%Y}",
                "completed_on": trained_on.isoformat(),
            },
        )
        digitise = seed.identify(
            plan,
            "opportunity",
            "Số hóa hồ sơ lưu trữ để tra cứu nhanh",
            "QT-VP-03",
            "Đã có kho dữ liệu dùng chung của tỉnh → Rút ngắn thời gian tra cứu hồ sơ cũ",
        )
        seed.treated_and_reassessed(
            digitise, "exploit", "Số hóa hồ sơ năm 2020–2025", today, (3, 3), (2, 2)
        )
        outage = seed.identify(
            plan,
            "risk",
            "Mất dữ liệu do sự cố máy chủ",
            "QT-VP-05",
            "Máy chủ đặt tại phòng, không sao lưu ngoài → Gián đoạn dịch vụ công trực tuyến",
        )
        seed.treated_and_reassessed(
            outage, "transfer", "Chuyển máy chủ lên trung tâm dữ liệu tỉnh", today, (2, 5), (1, 5)
        )
        seed.step(
            outage, "close", {"note": "Rủi ro đã chuyển giao, theo dõi hằng năm"}, "secretary"
        )
    return f"Đã tạo kế hoạch đánh giá rủi ro mẫu và 5 rủi ro, cơ hội cho đơn vị {unit_id}."


def audit_programme(year: int, department_ids: list[str]) -> dict[str, Any]:
    """A unit's yearly internal audit programme over `department_ids`."""
    return {
        "year": year,
        "objectives": "Xác định mức độ phù hợp và hiệu lực của hệ thống quản lý chất lượng "
        "theo TCVN ISO 9001:2015 trước khi công bố lại",
        "scope": "Các quy trình nội bộ và quy trình giải quyết thủ tục hành chính của các phòng",
        "criteria": "TCVN ISO 9001:2015; các quy trình nội bộ đã ban hành",
        "department_ids": department_ids,
        "period_start": f"{year}-03-01",
        "period_end": f"{year}-11-30",
        "planned_rounds": 1,
    }


def audit_visit(
    department_id: str, day: date, lead: dict[str, str], clause: str, question: str
) -> dict[str, Any]:
    return {
        "department_id": department_id,
        "day": day.isoformat(),
        "slot": "08:00–10:00",
        "lead": lead,
        "team": [],
        "auditees": ["Lãnh đạo phòng", "Chuyên viên phụ trách"],
        "criteria": "TCVN ISO 9001:2015; quy trình nội bộ của phòng",
        "checklist": [{"clause": clause, "question": question}],
    }


def seed_audit_demo(
    gateway_url: str, unit_id: str = "so-khcn", people: DemoPeople = SO_KHCN
) -> str:
    """This year's programme approved; round 1 approved with a visit to the department
    leader's department, where the auditor recorded a minor nonconformity."""
    today = vietnam_today()
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        seed = _Seeder(client, unit_id, people)
        if seed.has("audit-programmes"):
            return f"Đơn vị {unit_id} đã có chương trình đánh giá nội bộ: không thêm dữ liệu mẫu."
        first, second = (
            {name: a[name] for name in ("sub", "name", "department_id")} for a in people.auditors
        )
        department_ids = [people.department_id, first["department_id"]]
        programme = seed.send(
            "secretary",
            f"/units/{unit_id}/audit-programmes",
            audit_programme(today.year, department_ids),
        )
        seed.send("secretary", f"/audit-programmes/{programme}/submit")
        seed.send("leader", f"/audit-programmes/{programme}/approve")
        plan = seed.send(
            "secretary",
            f"/audit-programmes/{programme}/plans",
            {
                "round": 1,
                "visits": [
                    audit_visit(
                        people.department_id,
                        today,
                        first,
                        "8.5.1",
                        "Hồ sơ nhiệm vụ khoa học có được giải quyết đúng hạn không?",
                    ),
                    audit_visit(
                        first["department_id"],
                        today + timedelta(days=1),
                        second,
                        "7.5.3",
                        "Tài liệu, hồ sơ có được kiểm soát theo quy định không?",
                    ),
                ],
            },
        )
        seed.send("secretary", f"/audit-plans/{plan}/submit")
        seed.send("leader", f"/audit-plans/{plan}/approve")
        seed.send(
            "auditor",
            f"/audit-plans/{plan}/findings",
            {
                "department_id": people.department_id,
                "kind": "minor",
                "clause": "8.5.1",
                "evidence": "2/15 hồ sơ thẩm định nhiệm vụ khoa học quý III trễ hạn, "
                "chưa có văn bản xin lỗi công dân",
            },
        )
    return (
        f"Đã tạo chương trình đánh giá nội bộ năm {today.year} và kế hoạch đợt 1 đang "
        f"đánh giá cho đơn vị {unit_id}."
    )


def review_notice(year: int, today: date, department_id: str) -> dict[str, Any]:
    """A management review notice: the 9.3.2 inputs, `department_id` reporting on three."""
    meeting = min(today + timedelta(days=21), date(year, 12, 31))
    return {
        "year": year,
        "title": f"Thông báo họp xem xét của lãnh đạo năm {year}",
        "agenda": [
            {"topic": "objective_achievement", "department_ids": [department_id]},
            {"topic": "audit_results", "department_ids": [department_id]},
            {"topic": "nonconformities", "department_ids": []},
            {
                "topic": "customer_feedback",
                "department_ids": [department_id],
                "guidance": "Phản ánh, kiến nghị của tổ chức, công dân trong năm",
            },
        ],
        "report_deadline": min(today + timedelta(days=14), meeting).isoformat(),
        "meeting_date": meeting.isoformat(),
    }


def seed_review_demo(
    gateway_url: str, unit_id: str = "so-khcn", people: DemoPeople = SO_KHCN
) -> str:
    """This year's review notice, approved and issued: the department leader's reports wait."""
    today = vietnam_today()
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        seed = _Seeder(client, unit_id, people)
        if seed.has("reviews"):
            return f"Đơn vị {unit_id} đã có cuộc xem xét của lãnh đạo: không thêm dữ liệu mẫu."
        notice = review_notice(today.year, today, people.department_id)
        review = seed.send("secretary", f"/units/{unit_id}/reviews", notice)
        seed.send("secretary", f"/reviews/{review}/submit")
        seed.send("leader", f"/reviews/{review}/approve")
        seed.send("secretary", f"/reviews/{review}/issue")
    return (
        f"Đã ban hành thông báo họp xem xét của lãnh đạo năm {today.year} cho đơn vị {unit_id}: "
        "các phòng gửi báo cáo."
    )


def procedure_body(code: str, name: str, steps: list[tuple[str, str, str, int]]) -> dict[str, Any]:
    """A procedure's first version: steps as (name, department, role, working days)."""
    return {
        "code": code,
        "name": name,
        "scope": f"Áp dụng cho hồ sơ {name.lower()} tiếp nhận tại Văn phòng Sở",
        "steps": [
            {"name": step, "department_id": department, "role": role, "working_days": days}
            for step, department, role, days in steps
        ],
        "forms": [],
        "review_on": (vietnam_today() + timedelta(days=365)).isoformat(),
    }


def demo_procedures(department_id: str) -> list[dict[str, Any]]:
    """Two procedures whose middle step is `department_id`'s."""
    return [
        procedure_body(
            "QT-05",
            "Xác nhận kết quả nhiệm vụ khoa học và công nghệ không dùng ngân sách",
            [
                ("Tiếp nhận, kiểm tra hồ sơ", "van-phong", "", 1),
                ("Thẩm định hồ sơ", department_id, "", 5),
                ("Phê duyệt, ký xác nhận", "", "unit_leader", 1),
            ],
        ),
        procedure_body(
            "QT-07",
            "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
            [
                ("Tiếp nhận hồ sơ", "van-phong", "", 1),
                ("Thẩm định, đề xuất", department_id, "", 7),
                ("Ký giấy chứng nhận", "", "unit_leader", 2),
            ],
        ),
    ]


def seed_procedures_demo(
    gateway_url: str, unit_id: str = "so-khcn", people: DemoPeople = SO_KHCN
) -> str:
    """Two published procedures and dossiers at the desk, at appraisal, waiting for a
    supplement and completed."""
    now = datetime.now(TIMEZONE).replace(microsecond=0)
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        seed = _Seeder(client, unit_id, people)
        if seed.has("procedure-versions"):
            return f"Đơn vị {unit_id} đã có quy trình nội bộ: không thêm dữ liệu mẫu."
        versions = []
        for body in demo_procedures(people.department_id):
            version = seed.send("secretary", f"/units/{unit_id}/procedures", body)
            seed.send("secretary", f"/procedure-versions/{version}/submit")
            seed.send("leader", f"/procedure-versions/{version}/approve")
            seed.send("secretary", f"/procedure-versions/{version}/publish")
            versions.append(version)
        applicants = ["Viện Nghiên cứu Nông nghiệp", "Công ty TNHH Công nghệ Xanh"]
        dossiers = [
            seed.send(
                "secretary",
                f"/units/{unit_id}/dossiers",
                {
                    "version_id": versions[index % 2],
                    "subject": f"Hồ sơ của {applicants[index % 2]} số {index + 1}",
                    "applicant_name": applicants[index % 2],
                    "applicant_contact": f"09{index:08d}",
                    "received_at": now.isoformat(),
                },
            )
            for index in range(4)
        ]
        done = {"note": "Hồ sơ đầy đủ", "done_on": now.date().isoformat()}
        for dossier in dossiers[1:]:
            seed.send("secretary", f"/dossiers/{dossier}/complete-step", done)
        seed.send(
            "department_leader",
            f"/dossiers/{dossiers[2]}/supplement-request",
            {"reason": "Bổ sung bản sao quyết định thành lập"},
        )
        for _ in range(2):
            seed.send("secretary", f"/dossiers/{dossiers[3]}/complete-step", done)
    return (
        f"Đã ban hành 2 quy trình nội bộ và tiếp nhận 4 hồ sơ cho đơn vị {unit_id} "
        "(chờ tiếp nhận, đang thẩm định, chờ bổ sung, đã có kết quả)."
    )
