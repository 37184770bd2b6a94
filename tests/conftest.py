"""Session fixtures: one real stack (PostgreSQL, the Kafka-protocol broker, every service).

PostgreSQL: a fresh database (see qms_local.stack.scratch_database). Broker:
QMS_TEST_KAFKA_BOOTSTRAP, else the development broker started here.
"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from qms_local.demo import PLAN as DEMO_PLAN
from qms_local.demo import DemoPeople
from qms_local.stack import Stack, isolated_stack
from tests.portal_browser import ARTIFACTS, CHROMIUM, QUIET, Person

UNIT = "so-khcn"
#: The department of the `department_leader` fixture.
DEPARTMENT = "quan-ly-khoa-hoc"
#: Who seeds the demo records of another unit than the stack's demo one (made-up people but
#: its secretary and leader), for the tests of `make run`'s seeding.
STP = "so-tu-phap"


def _made_up(sub: str, name: str, role: str, department_id: str) -> dict[str, Any]:
    return {
        "sub": sub,
        "name": name,
        "unit_id": STP,
        "roles": [role],
        "department_id": department_id,
    }


STP_PEOPLE = DemoPeople(
    secretary={"sub": "thuky-stp"},
    leader={"sub": "giamdoc-stp"},
    department_leader=_made_up("tp-stp", "Trưởng phòng", "department_leader", "hanh-chinh-tu-phap"),
    department_id="hanh-chinh-tu-phap",
    auditors=(
        _made_up("dgv-stp", "Đánh giá viên Văn phòng", "auditor", "van-phong"),
        _made_up("dgv2-stp", "Đánh giá viên Hành chính", "auditor", "hanh-chinh-tu-phap"),
    ),
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    from the first browser test to the session's end, where `asyncio.run` (the fault tests',
    the stack's broker restart) cannot run."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with isolated_stack("qms-test-") as running:
        yield running


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run `make test` (it installs Debian's "
            "`chromium`), or `apt-get install chromium`, or set QMS_CHROMIUM to its path"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET)
        yield launched
        launched.close()


@pytest.fixture
def people(browser: Browser, stack: Stack) -> Iterator[dict[str, Person]]:
    """Opened on demand: people["Nguyễn Thị Thư"] signs in as that demo user."""
    opened: dict[str, Person] = {}

    class Opener(dict[str, Person]):
        def __missing__(self, name: str) -> Person:
            person = Person(browser, stack.gateway_url, name or None)
            opened[name] = person
            self[name] = person
            return person

    yield Opener()
    for person in opened.values():
        person.close()


def token_for(
    client: httpx.Client,
    sub: str,
    roles: list[str],
    unit_id: str = UNIT,
    department_id: str | None = None,
) -> dict[str, str]:
    reply = client.post(
        "/auth/dev-token",
        json={
            "sub": sub,
            "name": sub,
            "unit_id": unit_id,
            "roles": roles,
            "department_id": department_id,
        },
    )
    reply.raise_for_status()
    return {"authorization": f"Bearer {reply.json()['access_token']}"}


@pytest.fixture(scope="session")
def secretary(gateway: httpx.Client) -> dict[str, str]:
    return token_for(gateway, "thuky", ["iso_secretary"], department_id="van-phong")


@pytest.fixture(scope="session")
def leader(gateway: httpx.Client) -> dict[str, str]:
    return token_for(gateway, "giamdoc", ["unit_leader"])


@pytest.fixture(scope="session")
def department_leader(gateway: httpx.Client) -> dict[str, str]:
    return token_for(gateway, "truongphong", ["department_leader"], department_id=DEPARTMENT)


def objective_body(title: str = "Giải quyết hồ sơ đúng hạn", year: int = 2026) -> dict[str, object]:
    return {
        "year": year,
        "title": title,
        "targets": [
            {
                "statement": "100% hồ sơ giải quyết đúng hạn",
                "indicator": "Tỷ lệ hồ sơ đúng hạn",
                "target_value": 100,
                "unit_of_measure": "%",
                "deadline": f"{year}-12-31",
                "department_id": "quan-ly-khoa-hoc",
                "action_plan": "Theo dõi hằng tuần trên iGate",
            },
            {
                "statement": "Tối đa 2 khiếu nại mỗi năm",
                "indicator": "Số khiếu nại",
                "target_value": 2,
                "unit_of_measure": "vụ",
                "direction": "at_most",
                "deadline": f"{year}-12-31",
                "department_id": "van-phong",
                "action_plan": "Tiếp nhận và phản hồi trong 3 ngày",
            },
        ],
    }


#: A valid risk plan body: the demo's.
RISK_PLAN = DEMO_PLAN


def risk_entry(plan_id: str, kind: str, title: str, department: str = DEPARTMENT) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "kind": kind,
        "title": title,
        "process": "QT-MC-01",
        "cause": "Thiếu người",
        "consequence": "Trễ hạn",
        "department_id": department,
    }
