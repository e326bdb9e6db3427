"""What a client sees during an outage or an intentional island: live_status's island and
grid status, and an ongoing backup event whose duration grows with the clock."""

from __future__ import annotations

from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.emulator.events import create_event
from tests.conftest import NOW_S


def _live(client, auth, site) -> dict:
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()["response"]


def _backups(client, auth, site) -> dict:
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history", headers=auth,
                   params={"kind": "backup", "period": "lifetime"})
    assert r.status_code == 200, r.text
    return r.json()["response"]


def test_an_ongoing_outage_is_reported_with_its_duration_so_far(client, auth, site, world):
    create_event(world, site.energy_site_id, {"type": "grid_outage", "at": NOW_S, "duration_s": 7200})
    advance_clock(world, {"seconds": 1800})
    live = _live(client, auth, site)
    assert (live["grid_status"], live["island_status"]) == ("Inactive", "off_grid_unintentional")
    events = _backups(client, auth, site)["events"]
    assert [e["duration"] for e in events] == [1800]
    advance_clock(world, {"seconds": 600})
    assert [e["duration"] for e in _backups(client, auth, site)["events"]] == [2400]


def test_an_intentional_island_is_reported_as_such(client, auth, site, world):
    create_event(world, site.energy_site_id, {"type": "island", "at": NOW_S, "duration_s": 3600})
    advance_clock(world, {"seconds": 600})
    live = _live(client, auth, site)
    assert (live["grid_status"], live["island_status"]) == ("Inactive", "off_grid_intentional")
    advance_clock(world, {"seconds": 3600})
    live = _live(client, auth, site)
    assert (live["grid_status"], live["island_status"]) == ("Active", "on_grid")
    assert [e["duration"] for e in _backups(client, auth, site)["events"]] == [3600]
