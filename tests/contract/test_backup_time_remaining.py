"""backup_time_remaining (wire-format §13) follows what the home draws, load spikes included."""

from __future__ import annotations

from gridtwin.services.emulator.events import create_event
from gridtwin.sim.engine import energy_left_wh
from gridtwin.sim.environment import site_environment
from tests.conftest import NOW_S


def _hours(client, auth, site) -> float:
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/backup_time_remaining", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()["response"]["time_remaining_hours"]


def _energy_left_wh(client, auth, site) -> float:
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth)
    return r.json()["response"]["energy_left"]


def test_quiet_home_uses_the_past_hours_mean(client, auth, site):
    env = site_environment(site, NOW_S - 3600, 61, 60)
    load_w = max(float(env.home_load_w[:60].mean()), float(env.home_load_w[60]))
    left = _energy_left_wh(client, auth, site)
    assert _hours(client, auth, site) == round(left / load_w, 2)


def test_a_load_spike_that_has_just_begun_shortens_it_at_once(client, auth, site, world):
    before = _hours(client, auth, site)
    create_event(world, site.energy_site_id, {"type": "load_spike", "power_w": 8000, "duration_s": 3600})
    after = _hours(client, auth, site)
    env = site_environment(site, NOW_S, 1, 60)
    left = _energy_left_wh(client, auth, site)
    assert after == round(left / (float(env.home_load_w[0]) + 8000), 2)
    assert after < before / 4


def test_energy_left_matches_the_engine(client, auth, site, world):
    from gridtwin.services.sites import view_site
    view = view_site(world, None, site.energy_site_id)
    assert abs(_energy_left_wh(client, auth, site) - energy_left_wh(site, view.state.energy_wh)) <= 1
