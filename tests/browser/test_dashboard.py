"""The dashboard in a real browser: headless Chromium driven by Playwright.

Skipped (with the reason) when /usr/bin/chromium or Playwright is missing (the fixture
``browser`` is in conftest.py); ``scripts/install-browser`` installs both, and CI runs it
first.
"""

from __future__ import annotations

import httpx
import pytest

from gridtwin.testing import running_gridtwin
from tests.waits import HTTP_TIMEOUT_S

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_reserve_set_on_the_page_reaches_site_info(browser, tmp_path):
    from playwright.sync_api import expect

    with running_gridtwin("tou_peak_export") as gt:
        # The site's first read simulates it from its installation (seconds on a busy
        # machine): done here, so the page's own reads find it warm.
        httpx.get(gt.url("live_status"), headers=gt.headers, timeout=300).raise_for_status()
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{gt.base_url}/")
        expect(page.locator("#setting-reserve")).to_have_text("20 %", timeout=60_000)
        expect(page.locator("#flow-solar")).not_to_have_text("–")
        expect(page.locator("#tariff-grid table td").first).to_be_visible()
        expect(page.locator("#energy-chart svg rect").first).to_be_attached()

        page.fill("#reserve-input", "42")
        page.click("#reserve-set")
        expect(page.locator("#status")).to_have_text("Backup reserve set to 42 %")
        expect(page.locator("#setting-reserve")).to_have_text("42 %")
        info = httpx.get(gt.url("site_info"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert info["backup_reserve_percent"] == 42

        page.fill("#reserve-input", "150")
        page.click("#reserve-set")
        expect(page.locator("#status")).to_contain_text("must be an integer 0-100")
        expect(page.locator("#setting-reserve")).to_have_text("42 %")

        shot = tmp_path / "dashboard.png"
        page.fill("#reserve-input", "42")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
