"""``/_gridtwin/`` (the URL ``serve`` prints): an index of the control plane, as HTML or JSON,
under the control plane's access rule (admin token; the pages also for this machine)."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from gridtwin.api import admin, admin_docs
from gridtwin.api.app import create_app
from tests.conftest import make_world

pytestmark = pytest.mark.timeout(120)

ADMIN = "admin-token-for-tests-0123456789"
A = {"Authorization": f"Bearer {ADMIN}"}
ROUTES = {(m, r.path) for r in admin.router.routes if isinstance(r, APIRoute) for m in r.methods}


@pytest.fixture
def world(db_url):
    w = make_world(db_url, admin_token=ADMIN)
    yield w
    w.store.dispose()


@pytest.fixture
def remote(world):
    """A client seen from another machine (Starlette's test peer is not loopback)."""
    with TestClient(create_app(world), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def local(world):
    with TestClient(create_app(world), base_url="http://127.0.0.1:8080",
                    client=("127.0.0.1", 50000), raise_server_exceptions=False) as c:
        yield c


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k in ("href", "src") and v]


def test_the_index_lists_every_route_with_its_summary_and_links_to_docs_and_dashboard(remote):
    for path in ("/_gridtwin/", "/_gridtwin"):
        page = remote.get(path, headers={**A, "Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        for method, route in ROUTES:
            doc = admin_docs.ROUTES[(method, route)]
            assert f"<code>{route}</code>" in page.text
            assert escape(doc.summary) in page.text, route
    parser = Links()
    parser.feed(page.text)
    assert {"/", "/_gridtwin/docs", "/_gridtwin/openapi.json"} <= set(parser.hrefs)
    assert "admin token" in page.text


def test_the_index_as_json_has_one_entry_per_route(remote):
    r = remote.get("/_gridtwin/", headers={**A, "Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    index = r.json()["response"]
    listed = {(e["method"], e["path"]): e for e in index["routes"]}
    assert set(listed) == ROUTES
    for key, entry in listed.items():
        assert entry["summary"] == admin_docs.ROUTES[key].summary
        assert entry["admin_token"] is (key[1] != "/_gridtwin/health")
    assert {"href": "/_gridtwin/docs", "title": "API reference (this server's OpenAPI document)"} \
        in index["links"]
    assert any(link["href"] == "/" for link in index["links"])


def test_from_another_machine_the_index_needs_the_admin_token(remote):
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = remote.get("/_gridtwin/", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"] == "invalid bearer token"
        assert "admin token" in r.json()["error_description"]


def test_from_this_machine_the_pages_open_without_a_token_but_not_the_data(local):
    assert local.get("/_gridtwin/").status_code == 200
    assert local.get("/_gridtwin/docs").status_code == 200
    assert local.get("/_gridtwin/openapi.json").status_code == 401
    assert local.get("/_gridtwin/clock").status_code == 401
    # through a proxy, or named by another host (DNS rebinding): not this machine
    assert local.get("/_gridtwin/", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert local.get("/_gridtwin/", headers={"Host": "evil.example"}).status_code == 401


def test_without_the_control_plane_the_index_is_absent(db_url):
    world = make_world(db_url, enable_admin=False, admin_token=ADMIN)
    try:
        with TestClient(create_app(world)) as c:
            assert c.get("/_gridtwin/", headers=A).status_code == 404
    finally:
        world.store.dispose()


def test_a_route_without_documentation_is_refused():
    router = APIRouter(prefix="/_gridtwin")

    @router.get("/undocumented")
    def undocumented() -> None:
        return None

    with pytest.raises(LookupError, match="/_gridtwin/undocumented"):
        admin_docs.apply(router)
