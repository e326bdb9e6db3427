"""A real ``gridtwin serve`` driven by the ``tesla-fleet-api`` package (1.5.0), unchanged.

Asserts values, not just success: read-back of every command, the live_status identities,
the history identities, and the client's own exceptions for 401, 403, 404 and 400.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta

import aiohttp
import pytest
from tesla_fleet_api import TeslaFleetApi
from tesla_fleet_api import exceptions as tfe

from tests.integration.server_process import running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

PGE = {
    "version": 1, "code": "PGE-EV2-A", "name": "EV2-A", "utility": "PG&E", "currency": "USD",
    "daily_charges": [{"name": "Charge", "amount": 0}],
    "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {}}, "Winter": {"rates": {}}},
    "energy_charges": {
        "ALL": {"rates": {"ALL": 0}},
        "Summer": {"rates": {"PARTIAL_PEAK": 0.4138, "ON_PEAK": 0.4305, "OFF_PEAK": 0.2451}},
        "Winter": {"rates": {"PARTIAL_PEAK": 0.4471, "ON_PEAK": 0.5576, "OFF_PEAK": 0.2451}},
    },
    "seasons": {
        name: {"fromMonth": fm, "fromDay": 1, "toMonth": tm, "toDay": td, "tou_periods": {
            "OFF_PEAK": {"periods": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                                      "fromMinute": 0, "toHour": 15, "toMinute": 0}]},
            "PARTIAL_PEAK": {"periods": [
                {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 15, "fromMinute": 0,
                 "toHour": 16, "toMinute": 0},
                {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 21, "fromMinute": 0,
                 "toHour": 0, "toMinute": 0}]},
            "ON_PEAK": {"periods": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 16,
                                     "fromMinute": 0, "toHour": 21, "toMinute": 0}]},
        }}
        for name, fm, tm, td in (("Summer", 10, 5, 31), ("Winter", 6, 9, 30))
    },
}


def mint(db: str, *args: str) -> str:
    """A token from ``gridtwin token create``; minted before the async client opens, since
    a blocking call inside it stalls its pooled keep-alive connection past the server's
    keep-alive timeout and the next request then fails on a busy machine."""
    out = subprocess.run(
        [sys.executable, "-m", "gridtwin.cli.main", "token", "create", "--db", db, *args],
        capture_output=True, text=True, check=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    token = out.stdout.strip()
    assert token.count(".") == 2 and "\n" not in token
    return token


def identities(b: dict) -> None:
    assert b["solar_energy_exported"] == (b["grid_energy_exported_from_solar"]
        + b["battery_energy_imported_from_solar"] + b["consumer_energy_imported_from_solar"])
    assert b["grid_energy_imported"] == (b["battery_energy_imported_from_grid"]
        + b["consumer_energy_imported_from_grid"])
    assert b["battery_energy_exported"] == (b["grid_energy_exported_from_battery"]
        + b["consumer_energy_imported_from_battery"])


async def drive(base: str, token: str, read_only_token: str, stranger_token: str) -> None:
    async with aiohttp.ClientSession() as session:
        api = TeslaFleetApi(session, access_token=token, server=base)
        assert await api.status() == "ok"
        products = (await api.products())["response"]
        assert len(products) == 1
        site_id = products[0]["energy_site_id"]
        site = api.energySites.create(site_id)

        info = (await site.site_info())["response"]
        assert info["installation_time_zone"] == "America/Los_Angeles"
        assert info["battery_count"] == 2

        live = (await site.live_status())["response"]
        assert live["load_power"] == (live["solar_power"] + live["battery_power"]
                                      + live["grid_power"] + live["generator_power"])
        assert live["percentage_charged"] == live["energy_left"] / live["total_pack_energy"] * 100

        await site.backup(37)
        assert (await site.site_info())["response"]["backup_reserve_percent"] == 37
        await site.operation("autonomous")
        assert (await site.site_info())["response"]["default_real_mode"] == "autonomous"
        await site.storm_mode(False)
        assert (await site.site_info())["response"]["user_settings"]["storm_mode_enabled"] is False
        await site.grid_import_export(True, "never")
        comp = (await site.site_info())["response"]["components"]
        assert comp["disallow_charge_from_grid_with_solar_installed"] is True
        assert comp["customer_preferred_export_rule"] == "never"
        await site.time_of_use_settings(PGE)  # the client wraps it in tariff_content_v2
        assert (await site.site_info())["response"]["tariff_content_v2"] == PGE
        with pytest.raises(tfe.InvalidField):
            await site.off_grid_vehicle_charging_reserve(50)  # demo site lacks the feature
        with pytest.raises(tfe.InvalidField):
            await site.backup(150)
        assert (await site.site_info())["response"]["backup_reserve_percent"] == 37

        today = (await site.energy_history("day"))["response"]
        assert today["installation_time_zone"] == "America/Los_Angeles"
        assert today["time_series"], "the demo site has history today"
        for bucket in today["time_series"]:
            identities(bucket)
        week = (await site.energy_history("week"))["response"]["time_series"]
        for bucket in week:
            identities(bucket)
        backups = (await site.backup_history("lifetime"))["response"]
        assert backups["total_events"] == len(backups["events"])
        now = datetime.now().astimezone()
        charges = (await site.charge_history(
            (now - timedelta(days=7)).isoformat(timespec="seconds"),
            now.isoformat(timespec="seconds")))["response"]
        assert isinstance(charges["charge_history"], list)

        with pytest.raises(tfe.NotFound):
            await api.energySites.create(123456789).site_info()

        bad = TeslaFleetApi(session, access_token=token[:-3] + "abc", server=base)
        with pytest.raises(tfe.OAuthExpired):
            await bad.energySites.create(site_id).live_status()

        read_only = TeslaFleetApi(session, access_token=read_only_token, server=base)
        with pytest.raises(tfe.Forbidden):
            await read_only.energySites.create(site_id).backup(20)
        assert (await read_only.energySites.create(site_id).live_status())["response"]

        stranger = TeslaFleetApi(session, access_token=stranger_token, server=base)
        assert (await stranger.products())["response"] == []
        with pytest.raises(tfe.NotFound):
            await stranger.energySites.create(site_id).live_status()


def test_tesla_fleet_api_against_real_server(tmp_path):
    db = str(tmp_path / "e2e.db")
    with running_server(db) as server:
        read_only = mint(db, "--user", "demo", "--scopes", "openid,energy_device_data")
        stranger = mint(db, "--user", "stranger")
        asyncio.run(drive(server.base_url, server.token, read_only, stranger))
