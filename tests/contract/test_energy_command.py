"""``POST /api/1/energy_sites/{id}/command`` (grpc_command) through the real app."""

from __future__ import annotations

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
    finally:
        world.store.dispose()
