"""Bad events and event queries are refused with the field named, and store nothing (issue 12).

Lengths and ranges are checked at the edge, so PostgreSQL never refuses a value (a
100-character ``vehicle_id`` used to poison the site: every later read was a 500).
"""

from __future__ import annotations

import pytest

from tests.integration.admin_input import SITE_ID, WC_DIN, admin_world, assert_refused

pytestmark = pytest.mark.timeout(120)

BAD_EVENTS = {
    "vehicle_id_100": ({"type": "ev_plug_in", "vehicle_id": "v" * 100}, "vehicle_id"),
    "vehicle_id_object": ({"type": "ev_plug_in", "vehicle_id": {"a": 1}}, "vehicle_id"),
    "vin_long": ({"type": "ev_plug_in", "vin": "V" * 100}, "vin"),
    "din_long": ({"type": "ev_plug_in", "din": "d" * 100}, "din"),
    "din_list": ({"type": "ev_unplug", "din": [WC_DIN]}, "din"),
    "at_1e20": ({"type": "grid_outage", "at": 10**20}, "at"),
    "at_negative_far": ({"type": "grid_outage", "at": -(10**20)}, "at"),
    "at_float": ({"type": "grid_outage", "at": 1.5e18}, "at"),
    "at_duration_huge": ({"type": "grid_outage", "at": "+P99999999999D"}, "at"),
    "end_1e20": ({"type": "grid_outage", "end": 10**20}, "end"),
    "end_list": ({"type": "storm_alert", "end": [1]}, "end"),
    "type_list": ({"type": ["grid_outage"]}, "type"),
    "type_missing": ({}, "type"),
    "duration_text": ({"type": "grid_outage", "duration_s": "3600"}, "duration_s"),
    "energy_huge": ({"type": "ev_plug_in", "energy_wh": 10**30}, "energy_wh"),
    "scheduled_far": ({"type": "ev_plug_in", "scheduled_start": 10**20}, "scheduled_start"),
    "sky_date_list": ({"type": "sky", "sky": "clear", "date": ["2025-07-16"]}, "date"),
    "sky_date_far": ({"type": "sky", "sky": "clear", "date": "0001-01-01"}, "date"),
    "sky_value_list": ({"type": "sky", "sky": ["clear"], "date": "2025-07-16"}, "sky"),
    "power_text": ({"type": "load_spike", "power_w": "9", "duration_s": 60}, "power_w"),
    "unknown_member": ({"type": "grid_outage", "params": {"duration_s": 60}}, "params"),
    "foreign_member": ({"type": "grid_outage", "energy_wh": 5}, "energy_wh"),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_bad_event_is_refused_and_stores_nothing(backend_url, case):
    body, path = BAD_EVENTS[case]
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        assert_refused(admin.post(f"/sites/{SITE_ID}/events", body), path)
        assert admin.fingerprint() == before
        assert admin.get(f"/sites/{SITE_ID}").status_code == 200


def test_long_vehicle_id_never_poisons_the_site(backend_url):
    with admin_world(backend_url) as admin:
        reply = admin.post(f"/sites/{SITE_ID}/events",
                           {"type": "ev_plug_in", "vehicle_id": "v" * 100, "energy_wh": 5000})
        assert reply.status_code == 400
        ok = admin.post(f"/sites/{SITE_ID}/events",
                        {"type": "ev_plug_in", "vehicle_id": "v" * 64, "energy_wh": 5000})
        assert ok.status_code == 200, ok.text
        advanced = admin.post("/clock/advance", {"seconds": 3600})
        assert advanced.status_code == 200, advanced.text
        state = admin.get(f"/sites/{SITE_ID}").json()["response"]
        assert [s["vehicle_id"] for s in state["sessions"]] == ["v" * 64]


def test_event_for_every_site_is_all_or_nothing(backend_url):
    with admin_world(backend_url) as admin:
        other = {"energy_site_id": SITE_ID + 1, "time_zone": "UTC", "owner": "alice",
                 "installation_date": "2025-07-15T00:00:00Z", "wall_connectors": [{"din": "other-wc"}]}
        assert admin.post("/sites", other).status_code == 200
        before = admin.fingerprint()
        # The din names the first site's connector only: the second site refuses it.
        reply = admin.post("/events", {"sites": "all", "type": "ev_plug_in", "din": WC_DIN})
        assert_refused(reply, "din")
        assert admin.fingerprint() == before
        assert_refused(admin.post("/events", {"sites": [SITE_ID, 5], "type": "grid_outage"}), "sites")
        assert_refused(admin.post("/events", {"sites": "x" * 5000, "type": "grid_outage"}), "sites")
        assert admin.fingerprint() == before
        both = admin.post("/events", {"sites": "all", "type": "grid_outage", "duration_s": 60})
        assert both.status_code == 200
        assert sorted(e["site_id"] for e in both.json()["response"]) == [SITE_ID, SITE_ID + 1]


@pytest.mark.parametrize(("query", "path"), [
    ("site_id=" + "1" * 30, "site_id"),
    ("site_id=abc", "site_id"),
    ("state=sleeping", "state"),
])
def test_bad_event_query_is_refused(backend_url, query, path):
    with admin_world(backend_url) as admin:
        assert_refused(admin.get(f"/events?{query}"), path)


def test_event_query_filters(backend_url):
    with admin_world(backend_url) as admin:
        made = admin.post(f"/sites/{SITE_ID}/events", {"type": "grid_outage", "at": "+PT1H"}).json()["response"]
        listed = admin.get(f"/events?site_id={SITE_ID}&state=pending").json()["response"]
        assert [e["id"] for e in listed] == [made["id"]]
        assert admin.get(f"/events?site_id={SITE_ID + 1}").json()["response"] == []
        assert admin.get("/events?state=done").json()["response"] == []


def test_deleting_an_unknown_event_is_404(backend_url):
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        assert admin.client.delete("/_gridtwin/events/" + "e" * 500, headers=admin.headers).status_code == 404
        assert admin.fingerprint() == before
