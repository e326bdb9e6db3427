"""The control plane drives the world; effects are checked through /api/1 (emulator.md).

Uses the in-process helper ``gridtwin.testing.running_gridtwin`` (a real uvicorn server)
and the ``tesla-fleet-api`` client.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import aiohttp
import httpx
import pytest
from tesla_fleet_api import TeslaFleetApi
from tesla_fleet_api import exceptions as tfe

from gridtwin.client.control import ControlError
from gridtwin.services.emulator.presets import preset
from gridtwin.testing import running_gridtwin
from tests.waits import HTTP_TIMEOUT_S

pytestmark = pytest.mark.server

FIELDS_SUMMED = ("solar_energy_exported", "grid_energy_imported", "battery_energy_exported",
                 "consumer_energy_imported_from_grid", "consumer_energy_imported_from_solar",
                 "consumer_energy_imported_from_battery", "grid_energy_exported_from_solar")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _client_call(base: str, token: str, site_id: int, method: str, *args: Any) -> Any:
    async with aiohttp.ClientSession() as session:
        api = TeslaFleetApi(session, access_token=token, server=base)
        site = api.energySites.create(site_id)
        return await getattr(site, method)(*args)


def test_outage_islands_the_site_and_records_a_backup_event():
    with running_gridtwin() as gt:
        event = gt.control.outage(gt.site_id, duration_s=2 * 3600)
        live = run(_client_call(gt.base_url, gt.token, gt.site_id, "live_status"))["response"]
        assert live["island_status"] == "off_grid_unintentional"
        assert live["grid_status"] == "Inactive"
        assert live["grid_power"] == 0
        assert live["load_power"] == (live["solar_power"] + live["battery_power"]
                                      + live["generator_power"])
        gt.control.advance(3 * 3600)
        live = run(_client_call(gt.base_url, gt.token, gt.site_id, "live_status"))["response"]
        assert live["island_status"] == "on_grid" and live["grid_status"] == "Active"
        backups = run(_client_call(gt.base_url, gt.token, gt.site_id, "backup_history",
                                   "lifetime"))["response"]
        assert backups["total_events"] == 1
        assert backups["events"][0]["duration"] == 2 * 3600
        assert backups["events"][0]["timestamp"] == "2025-07-15T12:00:00-07:00"
        listed = gt.control.events(site_id=gt.site_id)
        assert [e["id"] for e in listed] == [event["id"]] and listed[0]["state"] == "done"


def test_advancing_30_days_grows_month_history_by_the_simulated_energy():
    with running_gridtwin(start="2025-07-01T00:00:00-07:00") as gt:
        before = httpx.get(gt.url("calendar_history"), headers=gt.headers,
                           params={"kind": "energy", "period": "month"}, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert before["time_series"] is None  # nothing yet on the first instant of July
        assert gt.control.advance(30 * 86_400)["now"] > 0
        after = httpx.get(gt.url("calendar_history"), headers=gt.headers,
                          params={"kind": "energy", "period": "month"}, timeout=HTTP_TIMEOUT_S).json()["response"]
        days = after["time_series"]
        assert len(days) == 30
        # The month's days equal the sum of every day's 5-minute buckets.
        for day_index in (0, 14, 29):
            date = days[day_index]["timestamp"][:10]
            five = httpx.get(gt.url("calendar_history"), headers=gt.headers, params={
                "kind": "energy", "period": "day", "end_date": f"{date}T12:00:00-07:00"}, timeout=HTTP_TIMEOUT_S
            ).json()["response"]["time_series"]
            for field in FIELDS_SUMMED:
                assert days[day_index][field] == sum(b[field] for b in five), (date, field)
        # The energy is what the site simulated: solar in July, home load every day.
        assert all(d["solar_energy_exported"] > 10_000 for d in days)
        assert all(d["total_home_usage"] > 10_000 for d in days)


def test_rate_limit_fault_raises_the_clients_rate_limited_error():
    with running_gridtwin() as gt:
        rule = gt.control.add_fault(template="rate_limited", match={"endpoint": "live_status"},
                                    count=1)
        assert rule["action"]["status"] == 429
        with pytest.raises(tfe.RateLimited) as info:
            run(_client_call(gt.base_url, gt.token, gt.site_id, "live_status"))
        assert info.value.data == {"reset": "30", "after": "30"}
        # count=1: the next call goes through; other endpoints never matched.
        assert run(_client_call(gt.base_url, gt.token, gt.site_id, "live_status"))["response"]
        journal = gt.control.requests(endpoint="live_status")
        assert [e["status"] for e in journal] == [429, 200]
        assert journal[0]["fault_rule"] == rule["id"]
        assert "Bearer" not in str(journal[0]["headers"])


@pytest.mark.parametrize(("template", "status", "error"), [
    ("stale_site", 500, tfe.InternalServerError), ("device_offline", 408, tfe.VehicleOffline),
    ("unregistered", 412, tfe.PreconditionFailed), ("wrong_region", 421, tfe.InvalidRegion),
    ("unavailable", 503, tfe.ServiceUnavailable)])
def test_fault_templates_map_to_client_errors(template, status, error):
    with running_gridtwin() as gt:
        gt.control.add_fault(template=template, match={"site_id": gt.site_id})
        r = httpx.get(gt.url("site_info"), headers=gt.headers, timeout=HTTP_TIMEOUT_S)
        assert r.status_code == status and r.json()["response"] is None
        with pytest.raises(error):
            run(_client_call(gt.base_url, gt.token, gt.site_id, "site_info"))


def test_silent_ack_drops_the_command():
    with running_gridtwin() as gt:
        gt.control.add_fault(template="silent_ack", match={"endpoint": "backup"})
        r = run(_client_call(gt.base_url, gt.token, gt.site_id, "backup", 77))
        assert r == {"response": {"code": 201, "message": "Updated"}}
        info = httpx.get(gt.url("site_info"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert info["backup_reserve_percent"] == 20


def test_reset_returns_the_world_to_its_seeded_state_byte_for_byte():
    with running_gridtwin() as gt:
        paths = ["site_info", "live_status", "calendar_history?kind=energy&period=week"]
        before = [httpx.get(gt.url(p), headers=gt.headers, timeout=HTTP_TIMEOUT_S).content for p in paths]
        gt.control.outage(gt.site_id, duration_s=600)
        run(_client_call(gt.base_url, gt.token, gt.site_id, "backup", 90))
        gt.control.advance(86_400)
        changed = [httpx.get(gt.url(p), headers=gt.headers, timeout=HTTP_TIMEOUT_S).content for p in paths]
        assert changed != before
        loaded = gt.control.reset()
        token = next(iter(loaded["tokens"].values()))
        after = [httpx.get(gt.url(p), headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S).content
                 for p in paths]
        assert after == before


def test_two_servers_with_the_same_seed_answer_identically():
    bodies = []
    for _ in range(2):
        with running_gridtwin(seed=7) as gt:
            gt.control.event(gt.site_id, "ev_plug_in", energy_wh=8000)
            gt.control.advance(2 * 3600)
            answers = [httpx.get(gt.url(p), headers=gt.headers, timeout=HTTP_TIMEOUT_S).content for p in (
                "live_status", "site_info", "calendar_history?kind=energy&period=day",
                "telemetry_history?kind=charge")]
            bodies.append((gt.site_id, answers))
    assert bodies[0] == bodies[1]


def test_state_export_import_reproduces_every_read():
    with running_gridtwin() as gt:
        gt.control.outage(gt.site_id, duration_s=1800)
        gt.control.advance(3600)
        paths = ["site_info", "live_status", "calendar_history?kind=energy&period=day",
                 "calendar_history?kind=backup"]
        before = [httpx.get(gt.url(p), headers=gt.headers, timeout=HTTP_TIMEOUT_S).content for p in paths]
        snapshot = gt.control.export_state(secrets=True)  # its tokens move with it
        with running_gridtwin(seed=3, start="2025-01-01T00:00:00Z") as other:
            other.control.import_state(snapshot)
            after = [httpx.get(other.url(p, gt.site_id), headers=gt.headers, timeout=HTTP_TIMEOUT_S).content
                     for p in paths]
        assert after == before


def test_control_plane_needs_the_admin_token_and_validates_bodies():
    with running_gridtwin() as gt:
        assert httpx.get(f"{gt.base_url}/_gridtwin/health", timeout=HTTP_TIMEOUT_S).json()["response"]["status"] == "ok"
        r = httpx.get(f"{gt.base_url}/_gridtwin/clock", timeout=HTTP_TIMEOUT_S)
        assert r.status_code == 401 and r.json()["response"] is None
        r = httpx.get(f"{gt.base_url}/_gridtwin/clock", headers=gt.headers, timeout=HTTP_TIMEOUT_S)
        assert r.status_code == 401
        with pytest.raises(ControlError) as bad:
            gt.control.event(gt.site_id, "grid_outage", at="2020-01-01T00:00:00Z")
        assert bad.value.status == 400 and "at" in bad.value.body["messages"]
        with pytest.raises(ControlError):
            gt.control.event(gt.site_id, "volcano")
        with pytest.raises(ControlError):
            gt.control.advance(401 * 86_400)
        with pytest.raises(ControlError):
            gt.control.set_clock("frozen", now="2020-01-01T00:00:00Z")
        assert gt.control.clock()["mode"] == "frozen"


def test_storm_alert_sets_storm_mode_active_and_charges():
    with running_gridtwin() as gt:
        gt.control.event(gt.site_id, "storm_alert", end="+PT6H")
        gt.control.advance(600)
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert live["storm_mode_active"] is True
        assert live["battery_power"] <= 0  # no discharge during Storm Watch
        httpx.post(gt.url("storm_mode"), headers=gt.headers, json={"enabled": False}, timeout=HTTP_TIMEOUT_S)
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert live["storm_mode_active"] is False


def test_ev_session_shows_in_live_status_and_charge_history():
    with running_gridtwin() as gt:
        gt.control.event(gt.site_id, "ev_plug_in", energy_wh=5000, vin="5YJ3E1EA7KF000042")
        gt.control.advance(300)
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        wc = live["wall_connectors"][0]
        assert wc["wall_connector_state"] == 1 and wc["wall_connector_power"] > 0
        assert wc["vin"] == "5YJ3E1EA7KF000042" and wc["wall_connector_fault_state"] == 8
        gt.control.advance(3 * 3600)
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
        assert live["wall_connectors"][0]["wall_connector_state"] == 4
        history = httpx.get(gt.url("telemetry_history"), headers=gt.headers,
                            params={"kind": "charge"}, timeout=HTTP_TIMEOUT_S).json()["response"]["charge_history"]
        assert len(history) == 1 and history[0]["energy_added_wh"] == 5000


def test_readme_three_line_example(gridtwin):
    gridtwin.control.outage(gridtwin.site_id, duration_s=3600)
    live = httpx.get(gridtwin.url("live_status"), headers=gridtwin.headers, timeout=HTTP_TIMEOUT_S).json()["response"]
    assert live["island_status"] == "off_grid_unintentional"


def test_rate_limits_answer_429_with_integer_retry_after():
    with running_gridtwin() as gt:
        r = httpx.put(f"{gt.base_url}/_gridtwin/rate-limits",
                      headers={"Authorization": "Bearer gridtwin-test-admin-token"},
                      json={"rules": [{"name": "live", "match": {"endpoint": "live_status"},
                                       "key": "user+site", "limit": 2, "window_s": 60}]}, timeout=HTTP_TIMEOUT_S)
        assert r.status_code == 200
        first = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S)
        assert first.headers["ratelimit-limit"] == "2" and first.headers["ratelimit-remaining"] == "1"
        assert httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).status_code == 200
        third = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S)
        assert third.status_code == 429
        assert third.json()["error"] == "rate_limited"
        assert int(third.headers["retry-after"]) >= 1
        assert third.headers["retry-after"] == third.headers["ratelimit-reset"]
        # Other endpoints and other sites' buckets are untouched.
        assert httpx.get(gt.url("site_info"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).status_code == 200
        with pytest.raises(tfe.RateLimited):
            run(_client_call(gt.base_url, gt.token, gt.site_id, "live_status"))
        r = httpx.put(f"{gt.base_url}/_gridtwin/rate-limits",
                      headers={"Authorization": "Bearer gridtwin-test-admin-token"},
                      json={"preset": "off"}, timeout=HTTP_TIMEOUT_S)
        assert httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).status_code == 200
        assert "ratelimit-limit" not in httpx.get(gt.url("live_status"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).headers


def test_reset_one_site_rebuilds_it_and_leaves_the_others():
    doc = preset("multi_site", 0, "2025-07-15T12:00:00-07:00")
    doc["clock"]["mode"] = "frozen"
    with running_gridtwin(scenario=doc) as gt:
        alice = gt.tokens["alice:default"]
        battery, solar = 1000000000000001, 1000000000000002
        h = {"Authorization": f"Bearer {alice}"}
        urls = [gt.url(p, s) for s in (battery, solar) for p in ("site_info", "live_status")]
        before = [httpx.get(u, headers=h, timeout=HTTP_TIMEOUT_S).content for u in urls]
        gt.control.outage(battery, duration_s=600)
        gt.control.outage(solar, duration_s=600)
        httpx.post(gt.url("backup", battery), headers=h, json={"backup_reserve_percent": 75}, timeout=HTTP_TIMEOUT_S)
        gt.control.reset(scope="site", site_id=battery)
        after = [httpx.get(u, headers=h, timeout=HTTP_TIMEOUT_S).content for u in urls]
        assert after[:2] == before[:2]  # the battery site is as loaded
        assert after[3] != before[3]    # the solar site kept its outage
        assert gt.control.events(site_id=battery) == []
        with pytest.raises(ControlError):
            gt.control.reset(scope="site", site_id=123)


@pytest.mark.parametrize("name", ["dst_spring_forward", "dst_fall_back", "dst_half_hour"])
def test_running_gridtwin_loads_a_preset_at_its_own_start(name: str):
    start = preset(name)["clock"]["start"]  # site-local noon on the DST-change day
    with running_gridtwin(preset_name=name) as gt:
        assert gt.control.clock()["now"] == int(datetime.fromisoformat(start).timestamp())
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=120).json()["response"]
        assert live["timestamp"] == start


def test_running_gridtwin_starts_a_preset_without_a_start_at_the_default():
    with running_gridtwin() as gt:  # demo: its own start is "now"; the helper pins it
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=120).json()["response"]
        assert live["timestamp"] == "2025-07-15T12:00:00-07:00"
    with running_gridtwin("sunny_export", start="2025-07-01T09:00:00-07:00") as gt:
        live = httpx.get(gt.url("live_status"), headers=gt.headers, timeout=120).json()["response"]
        assert live["timestamp"] == "2025-07-01T09:00:00-07:00"
