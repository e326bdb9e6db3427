"""The profiles through real clients, unchanged (docs/profiles.md): tesla-fleet-api 1.5.0
and pypowerwall's Fleet API mode against the ``observed_firmware`` preset, then the same
site switched to ``documented``.

tesla-fleet-api sends whatever number its caller passes (Home Assistant passes an int,
scripts often a float); pypowerwall's ``set_reserve(level: float)`` sends the float as is.
"""

from __future__ import annotations

import asyncio
import json
import warnings

import aiohttp
import pytest
from tesla_fleet_api import TeslaFleetApi
from tesla_fleet_api import exceptions as tfe

from gridtwin.testing import RunningGridtwin, running_gridtwin

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fleetapi = pytest.importorskip("pypowerwall.fleetapi.fleetapi")
    pw_fleet = pytest.importorskip("pypowerwall.fleetapi.pypowerwall_fleetapi")


def ack(message: str) -> dict[str, object]:
    return {"response": {"code": 201, "message": message}}


async def _tesla_fleet_api(gt: RunningGridtwin, profile: str) -> None:
    async with aiohttp.ClientSession() as session:
        api = TeslaFleetApi(session, access_token=gt.token, server=gt.base_url)
        site = api.energySites.create(gt.site_id)
        observed = profile == "observed"
        backup_ack = ack("Backup reserve updated" if observed else "Updated")

        assert await site.backup(90) == backup_ack
        assert (await site.site_info())["response"]["backup_reserve_percent"] == (80 if observed else 90)
        assert await site.backup(35.0) == backup_ack  # a whole-number float is an integer
        assert (await site.site_info())["response"]["backup_reserve_percent"] == 35
        assert await site.operation("autonomous") == ack(
            "Operation mode updated" if observed else "Updated")
        assert await site.storm_mode(False) == ack("Updated")
        with pytest.raises(tfe.InvalidField):
            await site.backup(35.5)
        assert (await site.site_info())["response"]["backup_reserve_percent"] == 35


def _pypowerwall(gt: RunningGridtwin, tmp_path, profile: str) -> None:
    (tmp_path / ".pypowerwall.fleetapi").write_text(json.dumps({
        "CLIENT_ID": "x", "CLIENT_SECRET": "x", "DOMAIN": "example.invalid",
        "REDIRECT_URI": "http://localhost", "AUDIENCE": gt.base_url, "partner_token": "",
        "partner_account": {}, "access_token": gt.token, "refresh_token": "",
        "site_id": gt.site_id,
    }))
    observed = profile == "observed"
    api = fleetapi.FleetAPI(configfile=str(tmp_path / ".pypowerwall.fleetapi"))
    reply = api.set_battery_reserve(85.0)
    assert reply == ack("Backup reserve updated" if observed else "Updated")
    assert api.get_battery_reserve(force=True) == (80 if observed else 85)
    # pypowerwall's Powerwall-level path: set_reserve(level: float) -> /api/operation.
    client = pw_fleet.PyPowerwallFleetAPI(None, siteid=gt.site_id, authpath=str(tmp_path))
    result = client.post_api_operation(payload={"backup_reserve_percent": 20.0})
    assert result["set_backup_reserve_percent"]["result"] == reply
    assert api.get_battery_reserve(force=True) == 20
    # A fraction (pypowerwall's `set -current` sends the charge level) is refused:
    # pypowerwall logs the 400 and returns None; the reserve is unchanged.
    assert api.set_battery_reserve(63.27) is None
    assert api.get_battery_reserve(force=True) == 20


@pytest.mark.parametrize("profile", ["observed", "documented"])
def test_profiles_through_tesla_fleet_api_and_pypowerwall(tmp_path, profile):
    with running_gridtwin("observed_firmware") as gt:
        if profile == "documented":
            gt.control.patch_site(gt.site_id, profile="documented")
        assert gt.control.site(gt.site_id).profile == profile
        asyncio.run(_tesla_fleet_api(gt, profile))
        _pypowerwall(gt, tmp_path, profile)
