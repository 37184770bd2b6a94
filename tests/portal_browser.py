"""A real browser for the portal's tests: Debian's Chromium, driven by Playwright.

`make test` installs Chromium (package `chromium`) when it is missing; without it these tests
fail and say so. Every step's screenshot is kept in .qms/artifacts/screenshots. The fixtures
(`browser`, `people`) are in conftest.py.
"""

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page

from qms_local.stack import WEB_ASSETS

CHROMIUM = Path(os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / ".qms" / "artifacts" / "screenshots"
AXE = WEB_ASSETS / "axe-core" / "axe.min.js"
#: The demo people (deploy/local's demo_units.json), as the sign-in page names them.
SECRETARY, LEADER = "Nguyễn Thị Thư", "Trần Văn Giám"
DEPARTMENT_LEADER, STAFF, SUPERVISOR = "Lê Văn Trưởng", "Phạm Thị Viên", "Đỗ Văn Cấp"
#: Of Kế hoạch - Tài chính and of Quản lý khoa học (the department leader's).
AUDITOR, AUDITOR_OF_SCIENCE = "Hoàng Văn Đánh", "Ngô Thị Kiểm"
# Chromium's own calls home fail on a closed network and slow every start.
QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Person:
    """One person in their own browser context (own cookies), signed in through the page."""

    def __init__(self, browser: Browser, base_url: str, name: str | None = None) -> None:
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, locale="vi-VN", viewport={"width": 1100, "height": 900}
        )
        self.page: Page = self.context.new_page()
        if name is not None:
            self.page.goto("/dang-nhap")
            self.page.get_by_role("button", name=re.compile(name)).click()
            self.page.wait_for_load_state()

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{step}.png"), full_page=True)

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self) -> None:
        self.context.close()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, as `rule: target` lines."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']}: {node['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]
