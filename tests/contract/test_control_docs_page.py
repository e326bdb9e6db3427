"""``/_gridtwin/docs`` and ``/_gridtwin/`` work offline: every asset and link they reference
is served by gridtwin itself (no CDN), and the docs page renders the whole OpenAPI document."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.api.reference.model import operations
from gridtwin.web import attach as attach_dashboard
from tests.conftest import make_world

pytestmark = pytest.mark.timeout(120)

ADMIN = "admin-token-for-tests-0123456789"
A = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def client(db_url):
    world = make_world(db_url, admin_token=ADMIN)
    try:  # as gridtwin serve builds it: API, control plane and dashboard
        with TestClient(attach_dashboard(create_app(world), world)) as c:
            yield c
    finally:
        world.store.dispose()


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.refs.append((tag, name, value))
            if name == "id" and value:
                self.ids.add(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.mark.parametrize("page", ["/_gridtwin/docs", "/_gridtwin/"])
def test_every_reference_of_the_page_is_served_by_gridtwin(client, page):
    r = client.get(page, headers=A)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    parsed = References()
    parsed.feed(r.text)
    assert parsed.refs, "the page links to nothing"
    fetched = 0
    for tag, attr, value in parsed.refs:
        if value.startswith("#"):
            assert value[1:] in parsed.ids, f"{page}: dangling anchor {value}"
        elif value.startswith("data:"):
            assert tag == "link", value  # only the icon is inline
        else:
            assert value.startswith("/") and not value.startswith("//"), \
                f"{page}: <{tag} {attr}={value!r}> is not served by gridtwin"
            target = value.split("#")[0]
            assert client.get(target, headers=A).status_code == 200, value
            fetched += 1
    assert fetched >= 3  # dashboard, docs, openapi.json
    assert "<script" not in r.text
    assert "url(" not in "".join(parsed.styles)  # the style loads nothing either
    # The browser applies the inline style only if its hash is in the policy.
    policy = r.headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256("".join(parsed.styles).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "http" not in policy


def test_the_docs_page_shows_every_operation_with_bodies_examples_and_errors(client):
    doc = client.get("/_gridtwin/openapi.json", headers=A).json()
    page = client.get("/_gridtwin/docs", headers=A).text
    ops = operations(doc)
    assert len(ops) == sum(len(item) for item in doc["paths"].values()) > 50
    for op in ops:
        assert f'id="{op.anchor}"' in page, op.path
        assert escape(op.summary) in page, op.path
        for reply in op.replies:
            assert f"<b>{reply.status}</b> {escape(reply.text)}" in page, (op.path, reply.status)
    advance = doc["paths"]["/_gridtwin/clock/advance"]["post"]
    example = advance["requestBody"]["content"]["application/json"]["example"]
    assert escape(json.dumps(example, indent=2)) in page
    assert re.search(r"<td><code>seconds</code></td><td>number</td>", page)
    # an emulated route: its query parameters and its reply schema's errors
    assert re.search(r"<td><code>kind</code></td><td>[^<]*, in query</td>", page)
    assert "<b>401</b>" in page and "<b>429</b>" in page
