"""``POST /api/1/energy_sites/{id}/command`` (grpc_command) through the real app."""

from __future__ import annotations

import pytest

from gridtwin.services.auth import mint_access_token
from gridtwin.services.emulator.events import create_event, list_events
from tests.conftest import NOW_S


def cmd(client, site, auth, category, request, params=None, **extra):
    body = {"command_type": "grpc_command", "command_properties": {
        "message": {category: {request: params or {}}}, "identifier_type": 1, **extra}}
    return client.post(f"/api/1/energy_sites/{site.energy_site_id}/command", headers=auth, json=body)


def reply(r, category, name):
    assert r.status_code == 200, r.text
    return r.json()["response"]["message"]["Payload"][category]["Message"][name]


def info(client, site, auth):
    return client.get(f"/api/1/energy_sites/{site.energy_site_id}/site_info", headers=auth).json()["response"]


def test_system_info_matches_site_info_gateway(client, site, auth):
    body = reply(cmd(client, site, auth, "common", "get_system_info_request"), "Common", "GetSystemInfoResponse")
    gw = info(client, site, auth)["components"]["gateways"][0]
    assert body["din"] == gw["din"] == site.gateway_din
    assert body["device_id"] == {"part_number": gw["part_number"], "serial_number": gw["serial_number"]}
    assert body["firmware_version"]["version"] == gw["firmware_version"] == info(client, site, auth)["version"]


def test_teg_config_matches_site_info(client, site, auth):
    body = reply(cmd(client, site, auth, "teg", "get_config_request"), "Teg", "GetConfigResponse")["config"]
    si = info(client, site, auth)
    assert body["battery_count"] == si["battery_count"] == len(body["batteries"])
    assert body["nameplate_energy_wh"] == si["nameplate_energy"]
    assert sum(b["nameplate_energy_wh"] for b in body["batteries"]) == si["nameplate_energy"]
    assert body["backup_reserve_percent"] == si["backup_reserve_percent"]
    assert [b["din"] for b in body["batteries"]] == [b["din"] for b in si["components"]["batteries"]]


def test_networking_and_update_checks(client, site, auth):
    net = reply(cmd(client, site, auth, "common", "get_networking_status_request"),
                "Common", "GetNetworkingStatusResponse")
    assert net["eth"]["connectivity_status"]["connected_internet"] is True
    assert net["wifi"]["enabled"] is False
    internet = reply(cmd(client, site, auth, "common", "check_internet_request"), "Common", "CheckInternetResponse")
    assert internet == net
    assert reply(cmd(client, site, auth, "common", "check_for_update_request"), "Common", "CheckForUpdateResponse") == {}
    assert reply(cmd(client, site, auth, "common", "check_for_update_urgency_request"),
                 "Common", "CheckForUpdateUrgencyResponse") == {}


def test_schedule_get_cancel_backup_event_is_a_real_island(client, site, auth, world):
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert "manual_backup_event" not in events
    start = NOW_S + 600
    params = {"scheduling_info": {"start_time": "2025-07-15T19:10:00Z", "duration_seconds": 3600, "priority": 7}}
    assert reply(cmd(client, site, auth, "teg", "schedule_manual_backup_event_request", params),
                 "Teg", "ScheduleManualBackupEventResponse") == {}
    islands = [e for e in list_events(world, {"site_id": str(site.energy_site_id)}) if e["type"] == "island"]
    assert [(e["start"], e["end"], e["state"]) for e in islands] == [(start, start + 3600, "pending")]
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert events["manual_backup_event"] == {"scheduling_info": {
        "start_time": {"seconds": start}, "duration_seconds": 3600, "priority": 7}}
    # Scheduling again replaces the pending event.
    cmd(client, site, auth, "teg", "schedule_manual_backup_event_request",
        {"scheduling_info": {"duration_seconds": 120}})
    islands = [e for e in list_events(world, {"site_id": str(site.energy_site_id)}) if e["type"] == "island"]
    assert [(e["start"], e["end"]) for e in islands] == [(NOW_S, NOW_S + 120)]
    assert reply(cmd(client, site, auth, "teg", "cancel_manual_backup_event_request"),
                 "Teg", "CancelManualBackupEventResponse") == {}
    islands = [e for e in list_events(world, {"site_id": str(site.energy_site_id)}) if e["type"] == "island"]
    assert all(e["state"] == "done" and e["end"] == NOW_S for e in islands)
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert "manual_backup_event" not in events


def test_backup_priority_is_a_uint64(client, site, auth):
    """The largest uint64 priority is kept exactly; one more, a negative or a bool, is a 400."""
    top = 2**64 - 1
    r = cmd(client, site, auth, "teg", "schedule_manual_backup_event_request",
            {"scheduling_info": {"duration_seconds": 600, "priority": top}})
    assert reply(r, "Teg", "ScheduleManualBackupEventResponse") == {}
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert events["manual_backup_event"]["scheduling_info"]["priority"] == top
    for bad in (top + 1, -1, True):
        r = cmd(client, site, auth, "teg", "schedule_manual_backup_event_request",
                {"scheduling_info": {"duration_seconds": 600, "priority": bad}})
        assert r.status_code == 400, bad
        assert "teg.schedule_manual_backup_event_request.scheduling_info.priority" in r.json()["messages"]


def test_backup_events_list_stored_off_grid_periods(client, site, auth, world):
    create_event(world, site.energy_site_id, {"type": "grid_outage", "at": NOW_S, "duration_s": 900})
    world.clock.advance(1800)  # type: ignore[attr-defined]
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    history = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history",
                         params={"kind": "backup"}, headers=auth).json()["response"]["events"]
    assert [(e["scheduling_info"]["start_time"]["seconds"], e["scheduling_info"]["duration_seconds"])
            for e in events["backup_events"]] == [(NOW_S, 900)]
    assert [e["duration"] for e in history] == [900]
    assert events["backup_events"][0]["name"] == "grid_outage"


def test_set_island_mode_is_acknowledged_without_effect(client, site, auth, world):
    before = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth).json()
    r = cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    assert reply(r, "Teg", "SetIslandModeResponse") == {}
    after = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth).json()
    assert after["response"]["grid_status"] == before["response"]["grid_status"] == "Active"
    assert [e for e in list_events(world, {"site_id": str(site.energy_site_id)}) if e["type"] == "island"] == []
    with world.store.tx() as tx:
        assert tx.command_log(site.energy_site_id)[-1]["command"] == "set_island_mode_request"
    bad = cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 4})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_field"


def live(client, site, auth):
    return client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth).json()["response"]


def islands(world, site):
    return [e for e in list_events(world, {"site_id": str(site.energy_site_id)}) if e["type"] == "island"]


def sign(client, world, site, on=True):
    admin = {"Authorization": f"Bearer {world.admin_token}"}
    r = client.patch(f"/_gridtwin/sites/{site.energy_site_id}", headers=admin, json={"signed_commands": on})
    assert r.status_code == 200 and r.json()["response"]["signed_commands"] is on, r.text


@pytest.mark.timeout(120)
def test_signed_island_mode_islands_until_reconnect(client, site, auth, world):
    sign(client, world, site)
    assert live(client, site, auth)["island_status"] == "on_grid"
    r = cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    assert reply(r, "Teg", "SetIslandModeResponse") == {}
    assert [(e["start"], e["end"], e["state"]) for e in islands(world, site)] == [(NOW_S, None, "active")]
    world.clock.advance(900)  # type: ignore[attr-defined]
    status = live(client, site, auth)
    assert (status["island_status"], status["grid_status"], status["grid_power"]) == (
        "off_grid_intentional", "Inactive", 0)
    # The battery carries the home: what the load takes beyond solar comes from it.
    assert status["battery_power"] == status["load_power"] - status["solar_power"] - status["generator_power"]
    # Off grid again changes nothing; it is no manual backup, so cancelling one leaves it.
    cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    assert len(islands(world, site)) == 1
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert "manual_backup_event" not in events
    cmd(client, site, auth, "teg", "cancel_manual_backup_event_request")
    world.clock.advance(300)  # type: ignore[attr-defined]
    assert live(client, site, auth)["island_status"] == "off_grid_intentional"
    r = cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 1})
    assert reply(r, "Teg", "SetIslandModeResponse") == {}
    assert [(e["end"], e["state"]) for e in islands(world, site)] == [(NOW_S + 1200, "done")]
    world.clock.advance(300)  # type: ignore[attr-defined]
    status = live(client, site, auth)
    assert (status["island_status"], status["grid_status"]) == ("on_grid", "Active")
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert [(b["scheduling_info"]["start_time"]["seconds"], b["scheduling_info"]["duration_seconds"])
            for b in events["backup_events"]] == [(NOW_S, 1200)]


@pytest.mark.timeout(120)
def test_signed_requests_that_do_not_open_the_contactor(client, site, auth, world):
    """Mode 2 (a preference) and mode 6 without force are acknowledged without effect,
    as on real gateways; reconnecting an on-grid site is a no-op."""
    sign(client, world, site)
    for params in ({"mode": 2, "force": True}, {"mode": 6, "force": False}, {"mode": 6}, {"mode": 1}):
        r = cmd(client, site, auth, "teg", "set_island_mode_request", params)
        assert reply(r, "Teg", "SetIslandModeResponse") == {}, params
    world.clock.advance(300)  # type: ignore[attr-defined]
    assert islands(world, site) == [] and live(client, site, auth)["island_status"] == "on_grid"
    for bad, path in (({"mode": 4, "force": True}, "mode"), ({"mode": 6, "force": "yes"}, "force"),
                      ({"mode": True}, "mode")):
        r = cmd(client, site, auth, "teg", "set_island_mode_request", bad)
        assert r.status_code == 400 and r.json()["error"] == "invalid_field", bad
        assert f"teg.set_island_mode_request.{path}" in r.json()["messages"]
    assert islands(world, site) == []


@pytest.mark.timeout(120)
def test_manual_backup_and_forced_island_are_separate(client, site, auth, world):
    """Scheduling a manual backup neither replaces nor ends the forced island, and
    reconnecting leaves the scheduled backup."""
    sign(client, world, site)
    cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    cmd(client, site, auth, "teg", "schedule_manual_backup_event_request",
        {"scheduling_info": {"start_time": NOW_S + 3600, "duration_seconds": 600}})
    assert sorted((e["start"], e["end"]) for e in islands(world, site)) == [
        (NOW_S, None), (NOW_S + 3600, NOW_S + 4200)]
    cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 1})
    assert [(e["start"], e["state"]) for e in islands(world, site) if e["state"] != "done"] == [
        (NOW_S + 3600, "pending")]
    events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"), "Teg", "GetBackupEventsResponse")
    assert events["manual_backup_event"]["scheduling_info"]["start_time"] == {"seconds": NOW_S + 3600}


@pytest.mark.timeout(120)
def test_island_ended_at_its_start_leaves_no_backup_period(client, site, auth, world):
    """Off grid and straight back (or a backup scheduled now and cancelled) with no time
    between: live_status read it islanded, yet no off-grid period is left in the history."""
    sign(client, world, site)
    for off, on in ((("set_island_mode_request", {"mode": 6, "force": True}),
                     ("set_island_mode_request", {"mode": 1})),
                    (("schedule_manual_backup_event_request", {}),
                     ("cancel_manual_backup_event_request", {}))):
        cmd(client, site, auth, "teg", *off)
        assert live(client, site, auth)["island_status"] == "off_grid_intentional"
        cmd(client, site, auth, "teg", *on)
        world.clock.advance(300)  # type: ignore[attr-defined]
        assert live(client, site, auth)["island_status"] == "on_grid"
        events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"),
                       "Teg", "GetBackupEventsResponse")
        assert events["backup_events"] == [], off


def test_signed_off_grid_needs_backup(client, site, auth, world):
    sign(client, world, site)
    admin = {"Authorization": f"Bearer {world.admin_token}"}
    client.patch(f"/_gridtwin/sites/{site.energy_site_id}", headers=admin, json={"components": {"backup": False}})
    r = cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    assert r.status_code == 400 and r.json()["messages"] == {"site": ["site has no backup"]}
    assert islands(world, site) == []


def test_signed_commands_knob(client, site, world, db_url):
    """The knob is stored in the site's spec and shown in its state; a bad value, on PATCH
    or in a new site's description, is a 400 naming it and changes nothing."""
    from tests.fingerprint import world_fingerprint

    admin = {"Authorization": f"Bearer {world.admin_token}"}
    path = f"/_gridtwin/sites/{site.energy_site_id}"
    assert client.get(path, headers=admin).json()["response"]["signed_commands"] is False
    before = world_fingerprint(db_url)
    for bad in ("yes", 1, None, [True], {"on": True}):
        r = client.patch(path, headers=admin, json={"signed_commands": bad, "app_pct": 90})
        assert r.status_code == 400, bad
        body = r.json()
        assert body["response"] is None and body["error"] == "invalid_field"
        assert body["messages"] == {"signed_commands": ["must be true or false"]}
        new = {"energy_site_id": 4242, "time_zone": "America/Los_Angeles", "signed_commands": bad}
        r = client.post("/_gridtwin/sites", headers=admin, json=new)
        assert r.status_code == 400 and "site.signed_commands" in r.json()["messages"], bad
    assert world_fingerprint(db_url) == before
    sign(client, world, site)
    assert client.get(path, headers=admin).json()["response"]["signed_commands"] is True
    with world.store.tx() as tx:
        assert '"signed_commands":true' in tx.get_site(site.energy_site_id).spec_json.replace(" ", "")
    sign(client, world, site, on=False)
    with world.store.tx() as tx:
        assert "signed_commands" not in tx.get_site(site.energy_site_id).spec_json  # the default is not stored
    r = client.post("/_gridtwin/sites", headers=admin, json={
        "energy_site_id": 4242, "time_zone": "America/Los_Angeles", "signed_commands": True})
    assert r.status_code == 200 and r.json()["response"]["signed_commands"] is True


def test_unknown_request_is_400_never_404(client, site, auth):
    r = cmd(client, site, auth, "common", "factory_reset_request")
    assert r.status_code == 400
    body = r.json()
    assert body["response"] is None and body["error"] == "invalid_field"
    assert "unsupported request" in body["error_description"]
    for bad in ({}, {"command_type": "signed_command"}, {"command_type": "grpc_command", "command_properties": {
            "message": {"teg": {}}}}, {"command_type": "grpc_command", "command_properties": {
            "message": {"teg": {"get_config_request": {}}}, "identifier_type": 3}}):
        r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/command", headers=auth, json=bad)
        assert r.status_code == 400, bad
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/command", headers=auth, content=b"[1]")
    assert r.status_code == 400


def test_scopes_and_ownership(client, site, world):
    reader = {"Authorization": f"Bearer {mint_access_token(world, 'alice', ['energy_device_data']).access_token}"}
    assert cmd(client, site, reader, "teg", "get_backup_events_request").status_code == 200
    r = cmd(client, site, reader, "teg", "cancel_manual_backup_event_request")
    assert r.status_code == 403 and r.json()["error"] == "Unauthorized missing scopes energy_cmds"
    nobody = {"Authorization": f"Bearer {mint_access_token(world, 'alice', ['openid']).access_token}"}
    r = cmd(client, site, nobody, "teg", "get_backup_events_request")
    assert r.status_code == 403 and r.json()["error"] == "Unauthorized missing scopes energy_cmds"
    from gridtwin.services.auth import ensure_user
    ensure_user(world, "mallory")
    other = {"Authorization": f"Bearer {mint_access_token(world, 'mallory').access_token}"}
    assert cmd(client, site, other, "teg", "get_backup_events_request").status_code == 404
    assert client.post("/api/1/energy_sites/1/command", headers=other, content=b"junk").status_code == 404


def test_scheduled_backup_islands_the_simulated_site(client, site, auth, world):
    live = f"/api/1/energy_sites/{site.energy_site_id}/live_status"
    assert client.get(live, headers=auth).json()["response"]["island_status"] == "on_grid"
    cmd(client, site, auth, "teg", "schedule_manual_backup_event_request",
        {"scheduling_info": {"duration_seconds": 1800}})
    world.clock.advance(600)  # type: ignore[attr-defined]
    status = client.get(live, headers=auth).json()["response"]
    assert status["island_status"] != "on_grid" and status["grid_power"] == 0
    cmd(client, site, auth, "teg", "cancel_manual_backup_event_request")
    world.clock.advance(300)  # type: ignore[attr-defined]
    assert client.get(live, headers=auth).json()["response"]["island_status"] == "on_grid"


def test_solar_only_site_has_no_gateway(client, world):
    from dataclasses import replace

    from gridtwin.domain.site import SiteKind
    from gridtwin.services.provision import create_site
    from tests.conftest import test_site_spec
    spec = create_site(world, "sol", replace(test_site_spec(index=1), kind=SiteKind.SOLAR, batteries=()))
    auth = {"Authorization": f"Bearer {mint_access_token(world, 'sol').access_token}"}
    r = cmd(client, spec, auth, "common", "get_system_info_request")
    assert r.status_code == 400 and "Tesla Energy Gateway" in r.json()["error_description"]


def test_backup_event_cycle_on_each_backend(backend_url):
    """Schedule, list and cancel a manual backup on SQLite and PostgreSQL."""
    from starlette.testclient import TestClient

    from gridtwin.api.app import create_app
    from gridtwin.services.provision import create_site
    from tests.conftest import make_world, test_site_spec

    world = make_world(backend_url)
    try:
        spec = create_site(world, "alice", test_site_spec())
        auth = {"Authorization": f"Bearer {mint_access_token(world, 'alice').access_token}"}
        with TestClient(create_app(world), raise_server_exceptions=False) as client:
            create_event(world, spec.energy_site_id, {"type": "grid_outage", "at": NOW_S, "duration_s": 600})
            cmd(client, spec, auth, "teg", "schedule_manual_backup_event_request",
                {"scheduling_info": {"start_time": NOW_S + 3600, "duration_seconds": 900, "priority": 2}})
            world.clock.advance(1200)  # type: ignore[attr-defined]
            events = reply(cmd(client, spec, auth, "teg", "get_backup_events_request"),
                           "Teg", "GetBackupEventsResponse")
            assert events["manual_backup_event"]["scheduling_info"] == {
                "start_time": {"seconds": NOW_S + 3600}, "duration_seconds": 900, "priority": 2}
            assert [(b["scheduling_info"]["start_time"]["seconds"], b["scheduling_info"]["duration_seconds"],
                     b["name"]) for b in events["backup_events"]] == [(NOW_S, 600, "grid_outage")]
            cmd(client, spec, auth, "teg", "cancel_manual_backup_event_request")
            events = reply(cmd(client, spec, auth, "teg", "get_backup_events_request"),
                           "Teg", "GetBackupEventsResponse")
            assert "manual_backup_event" not in events and len(events["backup_events"]) == 1
            # Scheduled now and cancelled at once: its stored open period is dropped.
            cmd(client, spec, auth, "teg", "schedule_manual_backup_event_request", {})
            assert client.get(f"/api/1/energy_sites/{spec.energy_site_id}/live_status",
                              headers=auth).json()["response"]["island_status"] == "off_grid_intentional"
            cmd(client, spec, auth, "teg", "cancel_manual_backup_event_request")
            world.clock.advance(600)  # type: ignore[attr-defined]
            events = reply(cmd(client, spec, auth, "teg", "get_backup_events_request"),
                           "Teg", "GetBackupEventsResponse")
            assert len(events["backup_events"]) == 1
    finally:
        world.store.dispose()


@pytest.mark.timeout(120)
def test_island_closed_when_the_site_loses_its_backup(client, site, auth, world):
    """Off grid for ten minutes, then the site's backup removed (``components``): the
    stored off-grid period ends at that instant, still a manual island, and does not grow
    with the clock; the site is back on grid."""
    sign(client, world, site)
    admin = {"Authorization": f"Bearer {world.admin_token}"}
    cmd(client, site, auth, "teg", "set_island_mode_request", {"mode": 6, "force": True})
    world.clock.advance(600)  # type: ignore[attr-defined]
    assert live(client, site, auth)["island_status"] == "off_grid_intentional"
    r = client.patch(f"/_gridtwin/sites/{site.energy_site_id}", headers=admin,
                     json={"components": {"backup": False}})
    assert r.status_code == 200, r.text
    for _ in range(2):
        world.clock.advance(900)  # type: ignore[attr-defined]
        assert live(client, site, auth)["island_status"] == "on_grid"
        events = reply(cmd(client, site, auth, "teg", "get_backup_events_request"),
                       "Teg", "GetBackupEventsResponse")["backup_events"]
        assert [(e["name"], e["scheduling_info"]["duration_seconds"]) for e in events] == [
            ("manual_backup", 600)], events
