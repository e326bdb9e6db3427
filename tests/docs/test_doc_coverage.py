"""The reference documents name everything the code offers: routes, templates, presets, events."""

from __future__ import annotations

import re

import pytest

from tests.docs.snippets import ROOT

pytestmark = pytest.mark.timeout(120)

CONTROL = (ROOT / "docs" / "control-plane.md").read_text()
PRESETS_DOC = (ROOT / "docs" / "presets.md").read_text()
RECIPES = (ROOT / "docs" / "recipes.md").read_text()


def test_every_control_plane_route_is_in_the_index():
    from gridtwin.api import admin

    index = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", CONTROL, re.M))
    routes = {(method, route.path) for route in admin.router.routes
              for method in getattr(route, "methods", ()) if method != "HEAD"}
    assert routes <= index, f"undocumented: {sorted(routes - index)}"
    pages = {"/_gridtwin/", "/_gridtwin/docs", "/_gridtwin/openapi.json"}  # api/control_pages.py
    documented_only = {(m, p) for m, p in index - routes if p not in pages}
    assert not documented_only, f"documented but not served: {sorted(documented_only)}"


def test_every_fault_template_event_type_and_rate_limit_preset_is_described():
    from gridtwin.domain.events import EventType
    from gridtwin.services.emulator.faults import TEMPLATES
    from gridtwin.services.emulator.ratelimit import PRESETS

    for name in TEMPLATES:
        assert f"| `{name}` |" in CONTROL, name
    for kind in EventType:
        assert f"| `{kind.value}` |" in CONTROL, kind
    for preset in PRESETS:
        assert f"`{preset}`" in CONTROL, preset


def test_every_preset_has_a_row():
    from gridtwin.services.emulator.presets import PRESETS

    rows = set(re.findall(r"^\| `([a-z_]+)` \|", PRESETS_DOC, re.M))
    assert rows == set(PRESETS)


def test_every_site_knob_is_described():
    from gridtwin.services.emulator import admin_sites

    for knob in admin_sites._KNOBS:
        assert f"| `{knob}` |" in CONTROL, knob


def test_every_environment_variable_is_listed():
    settings = (ROOT / "src" / "gridtwin" / "core" / "settings.py").read_text()
    cli = "\n".join(p.read_text() for p in (ROOT / "src" / "gridtwin" / "cli").glob("*.py"))
    for name in set(re.findall(r"GRIDTWIN_[A-Z_]+", settings + cli)):
        assert f"`{name}`" in RECIPES, name


def _paragraph(text: str, needle: str) -> str:
    """The blank-line-separated paragraph of ``text`` that holds ``needle``."""
    found = [p for p in text.split("\n\n") if needle in p]
    assert len(found) == 1, (needle, len(found))
    return found[0]


def test_what_the_doc_says_about_no_admin_is_what_the_server_does(db_url):
    from starlette.testclient import TestClient

    from gridtwin.api.app import create_app
    from tests.conftest import make_world

    said = _paragraph(CONTROL, "--no-admin")
    paths = set(re.findall(r"`(/_gridtwin[^`]*)`", said))
    assert {"/_gridtwin/openapi.json", "/_gridtwin/docs"} <= paths, said
    assert "answers 404" in said and "remain," not in said and "remain (" not in said
    world = make_world(db_url, enable_admin=False, admin_token="a" * 32)
    try:
        with TestClient(create_app(world)) as client:
            for path in sorted(paths):
                got = client.get(path, headers={"Authorization": "Bearer " + "a" * 32})
                assert got.status_code == 404, (path, got.status_code)
    finally:
        world.store.dispose()


def test_rate_limit_buckets_are_documented_as_shared_by_every_worker():
    said = _paragraph(CONTROL, "token bucket")
    assert "own buckets" not in said
    assert "shared by every worker" in said and "in the database" in said
