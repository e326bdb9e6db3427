"""The per-worker view cache never serves a stale site: two worlds on one database stand in
for two workers; a write through one is seen at once through the other."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.auth import mint_access_token
from gridtwin.services.emulator.events import create_event
from gridtwin.services.provision import create_site
from tests.conftest import make_world, test_site_spec


@pytest.fixture
def two_workers(backend_url):
    # Workers share the clock and check site versions in the database (serve --workers N).
    a, b = make_world(backend_url, shared_clock=True), make_world(backend_url, shared_clock=True)
    site = create_site(a, "alice", test_site_spec())
    token = mint_access_token(a, "alice").access_token
    with TestClient(create_app(a)) as ca, TestClient(create_app(b)) as cb:
        yield site, {"Authorization": f"Bearer {token}"}, ca, cb, b
    a.store.dispose()
    b.store.dispose()


def test_a_write_through_one_worker_is_seen_by_the_other(two_workers):
    site, auth, ca, cb, b = two_workers
    base = f"/api/1/energy_sites/{site.energy_site_id}"
    for c in (ca, cb):  # both workers cache the view at this instant
        assert c.get(f"{base}/site_info", headers=auth).json()["response"]["backup_reserve_percent"] == 20
    assert cb.post(f"{base}/backup", headers=auth, json={"backup_reserve_percent": 64}).status_code == 200
    assert ca.get(f"{base}/site_info", headers=auth).json()["response"]["backup_reserve_percent"] == 64
    live_before = ca.get(f"{base}/live_status", headers=auth).json()["response"]
    assert live_before["island_status"] == "on_grid"
    create_event(b, site.energy_site_id, {"type": "grid_outage", "duration_s": 600})
    live = ca.get(f"{base}/live_status", headers=auth).json()["response"]
    assert live["island_status"] == "off_grid_unintentional" and live["grid_power"] == 0


def test_cached_reads_are_identical_to_fresh_ones(two_workers):
    site, auth, ca, cb, _ = two_workers
    base = f"/api/1/energy_sites/{site.energy_site_id}"
    for path in ("live_status", "site_info", "site_status"):
        first = ca.get(f"{base}/{path}", headers=auth).content
        assert ca.get(f"{base}/{path}", headers=auth).content == first  # cache hit
        assert cb.get(f"{base}/{path}", headers=auth).content == first  # other worker, fresh


def test_single_process_cache_follows_every_write_path(world, site, client, auth):
    """One process, frozen clock: views are cached without a database check, so every
    write path must drop them (commands, events, knobs, tariffs, deletion)."""
    from gridtwin.services.emulator.admin_sites import delete_site, patch_site
    from gridtwin.services.emulator.events import create_event, delete_event

    base = f"/api/1/energy_sites/{site.energy_site_id}"

    def live():
        return client.get(f"{base}/live_status", headers=auth)

    first = live().json()["response"]
    assert live().json()["response"] == first  # served from the cache
    event = create_event(world, site.energy_site_id, {"type": "grid_outage"})
    assert live().json()["response"]["island_status"] == "off_grid_unintentional"
    delete_event(world, event["id"])
    assert live().json()["response"]["island_status"] == "on_grid"
    patch_site(world, site.energy_site_id, {"app_pct": 100})
    assert live().json()["response"]["percentage_charged"] == 100
    client.post(f"{base}/storm_mode", headers=auth, json={"enabled": False})
    assert client.get(f"{base}/site_info", headers=auth).json()["response"][
        "user_settings"]["storm_mode_enabled"] is False
    delete_site(world, site.energy_site_id)
    assert live().status_code == 404
