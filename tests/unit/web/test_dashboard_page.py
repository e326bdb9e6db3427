"""The dashboard page: its assets (favicon included) are all served by gridtwin, its
settings line uses the controls' words, and the live reply carries the clock."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.web import attach
from gridtwin.web.routes import STATIC

HEADER = {"X-Gridtwin-Dashboard": "1"}


@pytest.fixture
def http(world, site):
    with TestClient(attach(create_app(world), world), base_url="http://127.0.0.1:8080",
                    client=("127.0.0.1", 50000)) as c:
        yield c


class Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "src" in found or "href" in found:
            self.refs.append((tag, found))


def test_every_asset_of_the_page_is_served_and_there_is_a_favicon(http):
    page = http.get("/")
    refs = Refs()
    refs.feed(page.text)
    icons = [a for tag, a in refs.refs if tag == "link" and a.get("rel") == "icon"]
    assert len(icons) == 1
    for _tag, attrs in refs.refs:
        url = attrs.get("src") or attrs.get("href") or ""
        assert url.startswith("/dashboard/static/"), url
        assert http.get(url).status_code == 200, url
    icon = http.get(str(icons[0]["href"]))
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")


def test_the_settings_line_uses_the_words_of_the_controls():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    line = re.search(r'<div class="current">(.*?)</div>', html, re.S)
    assert line is not None
    words = re.findall(r"([A-Z][A-Za-z ]+?) <strong", line.group(1))
    labels = set(re.findall(r"<label[^>]*>(?:<input[^>]*> )?([^<]+?)(?: \(%\))?</label>", html))
    assert words == ["Backup reserve", "Operating mode", "Storm Watch", "Export", "Grid charging"]
    assert set(words) <= labels, sorted(set(words) - labels)


def test_the_live_reply_carries_the_clock_mode_and_rate(http, site):
    live = http.get(f"/dashboard/api/sites/{site.energy_site_id}/live", headers=HEADER).json()
    assert live["clock"] == {"mode": "frozen", "rate": 1.0}
