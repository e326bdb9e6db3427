"""The ``browser`` fixture: headless Chromium through Playwright, or a skip that says why."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
EXPECT_TIMEOUT_MS = 120_000
"""How long an ``expect`` waits for the page (Playwright's default is 5 s). The page's
first poll simulates the site, which on a loaded machine took longer than 5 s; each test
is bounded by pytest-timeout instead, like tests/waits.py's HTTP timeout."""
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (run scripts/install-browser)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
