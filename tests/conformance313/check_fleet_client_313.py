"""The current tesla-fleet-api and pypowerwall, on Python 3.13, against a real gridtwin.

Run by scripts/conformance313 in .venv313 (no gridtwin installed here): the server's URL,
a token for its demo user, its database and the CLI command come from the environment.
Every energy method of the client is called and its values asserted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys
import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import tesla_fleet_api
from tesla_fleet_api import TeslaFleetApi, get_tariff_periods, unwrap_tariff_v2
from tesla_fleet_api import exceptions as tfe
from tesla_fleet_api.const import EnergyIslandMode

BASE = os.environ["GRIDTWIN_BASE_URL"]
TOKEN = os.environ["GRIDTWIN_TOKEN"]
DB = os.environ["GRIDTWIN_DB"]
CLI = shlex.split(os.environ["GRIDTWIN_CLI"])
LA = ZoneInfo("America/Los_Angeles")

RULE = {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromMinute": 0, "toMinute": 0}
PGE = {
    "version": 1, "code": "PGE-EV2-A", "name": "EV2-A", "utility": "PG&E", "currency": "USD",
    "daily_charges": [{"name": "Charge", "amount": 0}],
    "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {}}},
    "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                       "Summer": {"rates": {"ON_PEAK": 0.5576, "OFF_PEAK": 0.2451}}},
    "seasons": {"Summer": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31, "tou_periods": {
        "OFF_PEAK": {"periods": [{**RULE, "fromHour": 21, "toHour": 16}]},
        "ON_PEAK": {"periods": [{**RULE, "fromHour": 16, "toHour": 21}]},
    }}},
}


def mint(*args: str) -> str:
    out = subprocess.run([*CLI, "token", "create", "--db", DB, *args], capture_output=True,
                         text=True, check=True, timeout=120)
    return out.stdout.strip()


def payload(reply: dict, category: str, name: str) -> dict:
    body: dict = reply["response"]["message"]["Payload"][category]["Message"][name]
    return body


def identities(b: dict) -> None:
    assert b["solar_energy_exported"] == (b["grid_energy_exported_from_solar"]
        + b["battery_energy_imported_from_solar"] + b["consumer_energy_imported_from_solar"])
    assert b["battery_energy_exported"] == (b["grid_energy_exported_from_battery"]
        + b["consumer_energy_imported_from_battery"])


def test_versions():
    assert sys.version_info[:2] == (3, 13)
    from importlib.metadata import version
    assert version("tesla-fleet-api") == "1.18.1"
    assert tesla_fleet_api.TeslaFleetApi is TeslaFleetApi


async def _site(session: aiohttp.ClientSession, token: str = TOKEN):
    api = TeslaFleetApi(session, access_token=token, server=BASE)
    site_id = (await api.products())["response"][0]["energy_site_id"]
    return api, api.energySites.create(site_id)


async def _reads_and_commands() -> None:
    async with aiohttp.ClientSession() as session:
        api, site = await _site(session)
        assert await api.status() == "ok"
        info = (await site.site_info())["response"]
        assert info["installation_time_zone"] == "America/Los_Angeles"
        live = (await site.live_status())["response"]
        assert live["load_power"] == (live["solar_power"] + live["battery_power"]
                                      + live["grid_power"] + live["generator_power"])
        await site.backup(42)
        await site.operation("autonomous")
        await site.storm_mode(False)
        await site.grid_import_export(True, "never")
        await site.time_of_use_settings(PGE)
        info = (await site.site_info())["response"]
        assert info["backup_reserve_percent"] == 42 and info["default_real_mode"] == "autonomous"
        assert info["user_settings"]["storm_mode_enabled"] is False
        assert info["components"]["customer_preferred_export_rule"] == "never"
        assert info["components"]["disallow_charge_from_grid_with_solar_installed"] is True
        assert info["tariff_content_v2"] == PGE
        assert info["tariff_content"]["energy_charges"]["Summer"] == {"ON_PEAK": 0.5576, "OFF_PEAK": 0.2451}
        tariff = unwrap_tariff_v2(await site.site_info())
        peak = get_tariff_periods(tariff, datetime(2025, 7, 15, 17, tzinfo=LA), horizon_hours=24)
        assert peak is not None and peak.buy.price == 0.5576 and peak.buy.period_name == "ON_PEAK"
        assert peak.next_change == datetime(2025, 7, 15, 21, tzinfo=LA)
        night = get_tariff_periods(tariff, datetime(2025, 7, 15, 23, tzinfo=LA))
        assert night is not None and night.buy.price == 0.2451 and peak.currency == "USD"
        with pytest.raises(tfe.TeslaFleetError) as err:
            await site.off_grid_vehicle_charging_reserve(50)  # the demo site lacks the feature
        assert err.value.status == 400
        with pytest.raises(tfe.TeslaFleetError):
            await site.backup(150)
        assert (await site.site_info())["response"]["backup_reserve_percent"] == 42

        day = (await site.energy_history("day"))["response"]
        assert day["time_series"]
        for bucket in day["time_series"]:
            identities(bucket)
        week = (await site.energy_history("week"))["response"]["time_series"]
        total = sum(b["solar_energy_exported"] for b in week)
        assert total >= sum(b["solar_energy_exported"] for b in day["time_series"])
        backups = (await site.backup_history("lifetime"))["response"]
        assert backups["total_events"] == len(backups["events"])
        now = datetime.now().astimezone()
        charges = (await site.charge_history((now - timedelta(days=7)).isoformat(timespec="seconds"),
                                             now.isoformat(timespec="seconds")))["response"]
        assert isinstance(charges["charge_history"], list)


async def _gateway() -> None:
    # Minted first: a pooled keep-alive connection can go stale while the CLI starts.
    reader = mint("--user", "demo", "--scopes", "openid,energy_device_data")
    async with aiohttp.ClientSession() as session:
        api, site = await _site(session)
        info = (await site.site_info())["response"]
        gateway = info["components"]["gateways"][0]
        system = payload(await site.get_system_info(), "Common", "GetSystemInfoResponse")
        assert system["din"] == gateway["din"] == info["id"]
        assert system["firmware_version"]["version"] == info["version"]
        config = payload(await site.get_teg_config(), "Teg", "GetConfigResponse")["config"]
        assert config["battery_count"] == info["battery_count"]
        networking = await site.get_networking_status()
        assert networking["eth"]["connectivity_status"]["connected_tesla"] is True
        assert payload(await site.check_internet(), "Common", "CheckInternetResponse") == networking
        assert payload(await site.check_for_update(), "Common", "CheckForUpdateResponse") == {}
        assert payload(await site.check_for_update_urgency(), "Common",
                       "CheckForUpdateUrgencyResponse") == {}

        assert "manual_backup_event" not in payload(
            await site.get_backup_events(), "Teg", "GetBackupEventsResponse")
        await site.schedule_backup_event(duration_seconds=3600, priority=9)
        manual = payload(await site.get_backup_events(), "Teg",
                         "GetBackupEventsResponse")["manual_backup_event"]["scheduling_info"]
        assert manual["duration_seconds"] == 3600 and manual["priority"] == 9
        await site.cancel_backup_event()
        assert "manual_backup_event" not in payload(
            await site.get_backup_events(), "Teg", "GetBackupEventsResponse")

        # 1.18 refuses the unsigned island commands itself; nothing reaches the server.
        for call in (site.go_off_grid, site.reconnect_grid,
                     lambda: site.set_island_mode(EnergyIslandMode.OFF_GRID)):
            with pytest.raises(tfe.SignedCommandRequired):
                await call()
        # Requests gridtwin does not emulate are a 400, never a 404 on the site path.
        for call in (site.wifi_scan, site.get_device_cert, site.get_cellular_info,
                     site.list_authorized_clients, site.get_signed_commands_public_key):
            with pytest.raises(tfe.TeslaFleetError) as err:
                await call()
            assert err.value.status == 400
        assert (await site.site_info())["response"]["id"] == info["id"]

        me = (await api.user.me())["response"]
        assert me["full_name"] == "demo" and me["email"].startswith("demo@")
        assert (await api.user.feature_config())["response"]["signaling"]["enabled"] is False
        assert (await api.user.orders())["response"] == []
        region = (await api.user.region())["response"]
        assert region["fleet_api_base_url"].startswith("http")

        _, read_site = await _site(session, reader)
        assert payload(await read_site.get_system_info(), "Common", "GetSystemInfoResponse")
        with pytest.raises(tfe.TeslaFleetError) as err:
            await read_site.schedule_backup_event(duration_seconds=60)
        assert err.value.status == 403
        with pytest.raises(tfe.TeslaFleetError) as err:
            await api.energySites.create(123456789).get_system_info()
        assert err.value.status == 404


@pytest.mark.timeout(300)
def test_energy_reads_commands_and_history():
    asyncio.run(_reads_and_commands())


@pytest.mark.timeout(300)
def test_gateway_commands_and_user():
    asyncio.run(_gateway())


@pytest.mark.timeout(300)
def test_pypowerwall_fleetapi(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pypowerwall.fleetapi import fleetapi
    config = tmp_path / ".pypowerwall.fleetapi"
    config.write_text(json.dumps({
        "CLIENT_ID": "x", "CLIENT_SECRET": "x", "DOMAIN": "example.invalid",
        "REDIRECT_URI": "http://localhost", "AUDIENCE": BASE, "partner_token": "",
        "partner_account": {}, "access_token": TOKEN, "refresh_token": "", "site_id": None,
    }))
    pw = fleetapi.FleetAPI(configfile=str(config))
    live = pw.get_live_status(force=True)
    assert live["load_power"] == (live["solar_power"] + live["battery_power"]
                                  + live["grid_power"] + live["generator_power"])
    assert pw.set_battery_reserve(30) is not None
    assert pw.get_battery_reserve(force=True) == 30
    pw.set_operating_mode("self_consumption")
    assert pw.get_operating_mode(force=True) == "self_consumption"
    assert pw.set_time_of_use_settings({"tou_settings": {"tariff_content_v2": PGE}})
    assert pw.get_tariff(force=True)["energy_charges"]["Summer"]["ON_PEAK"] == 0.5576
    # History kinds beyond energy (gridtwin docs/history-kinds.md), today so far: every
    # completed 5-minute bucket's power is 12 x its energy.
    energy = {b["timestamp"]: b for b in pw.get_calendar_history(kind="energy", duration="day")[
        "time_series"]}
    power = pw.get_calendar_history(kind="power", duration="day")["time_series"]
    common = [p for p in power[:-1] if p["timestamp"] in energy][:-1]
    assert common
    for p in common:
        assert p["solar_power"] == 12 * energy[p["timestamp"]]["solar_energy_exported"]
        assert p["load_power"] == (p["solar_power"] + p["battery_power"] + p["grid_power"]
                                   + p["generator_power"])
    soe = pw.get_calendar_history(kind="soe", duration="day")["time_series"]
    assert all(datetime.fromisoformat(s["timestamp"]).minute % 15 == 0 for s in soe)
    assert all(0 <= s["soe"] <= 100 for s in soe)
    (share,) = pw.get_calendar_history(kind="self_consumption", duration="day")["time_series"]
    assert 0 <= share["solar"] + share["battery"] <= 100 + 1e-9
    tou = pw.get_calendar_history(kind="time_of_use_energy", duration="day")
    assert set(tou) == {"off_peak", "peak"}
    (saving,) = pw.get_calendar_history(kind="savings", duration="day")
    assert saving["currency"] == "USD"
