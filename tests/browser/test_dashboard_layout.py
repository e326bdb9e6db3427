"""The dashboard at desktop and phone widths in headless Chromium: no sideways overflow,
the clock and the settings in the controls' words, a refused value reset in its input,
and an outage injected through the control plane shown as a red banner.

Skipped (with the reason) when /usr/bin/chromium or Playwright is missing, like
test_dashboard.py (fixture in conftest.py); ``scripts/install-browser`` installs both.
"""

from __future__ import annotations

import pytest

from gridtwin.testing import running_gridtwin

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIDTHS = (1400, 390)
OUTAGE_RED = "rgb(198, 40, 40)"  # --outage in style.css


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def _shot(page, path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_layout_at_two_widths_and_the_outage_banner(browser, tmp_path):
    from playwright.sync_api import expect

    with running_gridtwin() as gt:
        pages = {}
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{gt.base_url}/")
            expect(page.locator("#flow-solar")).not_to_have_text("–")
            expect(page.locator("#clock-mode")).to_have_text("frozen")
            # the settings line shows the option label the control shows
            mode = page.locator("#mode-input option:checked").text_content()
            expect(page.locator("#setting-mode")).to_have_text(mode or "?")
            expect(page.locator("#outage-banner")).to_be_hidden()
            scroll, inner = _overflow(page)
            assert scroll <= inner, f"{width} px: the page is {scroll} px wide"
            _shot(page, tmp_path / f"dashboard-{width}.png")
            pages[width] = page

        phone = pages[390]
        phone.fill("#reserve-input", "150")
        phone.click("#reserve-set")
        expect(phone.locator("#status")).to_contain_text("must be an integer 0-100")
        expect(phone.locator("#reserve-input")).to_have_value("20")  # back to the site's value
        phone.fill("#outage-input", "0")
        phone.click("#outage-form button")
        expect(phone.locator("#status")).to_contain_text("duration_s")
        expect(phone.locator("#outage-input")).to_have_value("60")  # the last accepted value

        gt.control.outage(gt.site_id, duration_s=3600)
        for width, page in pages.items():
            banner = page.locator("#outage-banner")
            expect(banner).to_be_visible()  # at the page's next 3 s live poll
            expect(banner).to_contain_text("Grid outage")
            expect(page.locator("#flow-grid-note")).to_have_text("OUTAGE · off grid")
            assert banner.evaluate("b => getComputedStyle(b).backgroundColor") == OUTAGE_RED
            tile = page.locator(".tile.grid")
            assert tile.evaluate("t => getComputedStyle(t).borderTopColor") == OUTAGE_RED
            scroll, inner = _overflow(page)
            assert scroll <= inner, f"{width} px with the banner: {scroll} px wide"
            _shot(page, tmp_path / f"dashboard-outage-{width}.png")
