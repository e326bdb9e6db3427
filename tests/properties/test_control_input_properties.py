"""Malformed site descriptions, knobs and events never get a 500, and a refused one changes
nothing stored (issue 12). Both backends.

Each example starts from a valid body and replaces a few members, at any depth, with
arbitrary JSON (huge numbers, long text, wrong nesting).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridtwin.domain.events import EventType
from tests.integration.admin_input import BASE_SITE, SITE_ID, WC_DIN, Admin, admin_world

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

NEW_ID = 1_000_000_000_000_099
EXAMPLES = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
            | st.sampled_from([10**20, -(10**20), 2**63, 10**400, 0, -1, 1.5, 1e308])
            | st.floats(allow_nan=True, allow_infinity=True)
            | st.text(max_size=12) | st.text(min_size=65, max_size=300))
JSON = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)

SITE_PATHS: list[tuple[Any, ...]] = [
    ("type",), ("name",), ("time_zone",), ("energy_site_id",), ("installation_date",),
    ("profile",), ("sky",), ("owner",), ("step_s",), ("allow_unrealistic",), ("signed_commands",),
    ("tariff",), ("location",), ("location", "latitude"), ("solar",), ("solar", "azimuth"),
    ("solar", "dc_kw"), ("solar", "inverter_ac_w"), ("load", "weights"), ("load", "daily_kwh"),
    ("generator",), ("generator", "rated_w"), ("generator", "stop_pct"), ("limits", "max_import_w"),
    ("batteries",), ("batteries", 0, "max_charge_w"), ("batteries", 0, "count"),
    ("batteries", 0, "model"), ("wall_connectors", 0, "breaker_a"), ("wall_connectors", 0, "din"),
    ("wall_connectors", 0, "group_limit_w"), ("settings",), ("settings", "default_real_mode"),
    ("initial", "app_pct"), ("components", "tou_capable"), ("components", "x"),
    ("quirks", "no_history"), ("tariff", "currency"), ("solar", "solar"), ("dc_kw",),
]
EVENT_MEMBERS = ["at", "end", "duration_s", "din", "vehicle_id", "vin", "energy_wh",
                 "scheduled_start", "max_power_w", "power_w", "sky", "date", "params"]
KNOBS = ["app_pct", "profile", "signed_commands", "quirks", "settings", "components", "sky",
         "owner", "x"]


def _put(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set ``doc[path]`` to value, making the containers on the way."""
    for i, key in enumerate(path[:-1]):
        nxt: Any = [{}] if isinstance(path[i + 1], int) else {}
        if isinstance(doc, list):
            doc = doc[key] if key < len(doc) and isinstance(doc[key], dict | list) else nxt
        else:
            if not isinstance(doc.get(key), dict | list):
                doc[key] = nxt
            doc = doc[key]
    if isinstance(doc, list):
        doc[:1] = [value]
    else:
        doc[path[-1]] = value


@st.composite
def site_descriptions(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {**BASE_SITE, "energy_site_id": NEW_ID, "wall_connectors": [{"din": "w2"}],
                           "batteries": [{"model": "powerwall_2"}]}
    for path in draw(st.lists(st.sampled_from(SITE_PATHS), min_size=1, max_size=3)):
        _put(doc, path, draw(JSON))
    return doc


@st.composite
def event_bodies(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([t.value for t in EventType]) | JSON)
    body = {"type": kind, "din": WC_DIN} if draw(st.booleans()) else {"type": kind}
    for key in draw(st.lists(st.sampled_from(EVENT_MEMBERS), max_size=3)):
        body[key] = draw(JSON)
    return body


def _check(admin: Admin, method: str, path: str, body: Any) -> int:
    before = admin.fingerprint()
    # json.dumps writes NaN and Infinity as the bare words some clients send.
    reply = admin.client.request(method, f"/_gridtwin{path}", content=json.dumps(body).encode(),
                                 headers={**admin.headers, "Content-Type": "application/json"})
    assert reply.status_code < 500, (body, reply.text)
    if 400 <= reply.status_code < 500:
        assert reply.json()["response"] is None and reply.json()["error"], reply.text
        assert admin.fingerprint() == before, body
    # Whatever was accepted, the site still answers (nothing poisoned it).
    assert admin.get(f"/sites/{SITE_ID}").status_code == 200
    return int(reply.status_code)


def test_malformed_site_descriptions_never_500_and_refusals_store_nothing(backend_url):
    with admin_world(backend_url) as admin:
        @EXAMPLES
        @given(site_descriptions())
        def check(doc: dict[str, Any]) -> None:
            if _check(admin, "POST", "/sites", doc) == 200:
                admin.client.delete(f"/_gridtwin/sites/{doc['energy_site_id']}", headers=admin.headers)
            assert admin.get("/sites").status_code == 200

        check()


def test_malformed_patches_never_500_and_refusals_change_nothing(backend_url):
    with admin_world(backend_url) as admin:
        @EXAMPLES
        @given(st.dictionaries(st.sampled_from(KNOBS), JSON, min_size=1, max_size=3))
        def check(body: dict[str, Any]) -> None:
            _check(admin, "PATCH", f"/sites/{SITE_ID}", body)

        check()


def test_malformed_events_never_500_and_refusals_store_nothing(backend_url):
    with admin_world(backend_url) as admin:
        @EXAMPLES
        @given(event_bodies(), st.booleans())
        def check(body: dict[str, Any], every_site: bool) -> None:
            if every_site:
                _check(admin, "POST", "/events", {**body, "sites": "all"})
            else:
                _check(admin, "POST", f"/sites/{SITE_ID}/events", body)

        check()
