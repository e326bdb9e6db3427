"""tesla-fleet-api's gateway (grpc_command) and user methods against a real ``gridtwin serve``."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from tesla_fleet_api import TeslaFleetApi
from tesla_fleet_api import exceptions as tfe
from tesla_fleet_api.const import EnergyIslandMode

from tests.integration.server_process import running_server
from tests.integration.test_fleet_client_e2e import mint

pytestmark = [pytest.mark.server, pytest.mark.slow]

ADMIN = "gateway-test-admin-token"


def payload(reply: dict, category: str, name: str) -> dict:
    body: dict = reply["response"]["message"]["Payload"][category]["Message"][name]
    return body


async def drive(base: str, token: str, db: str) -> None:
    # Minted first: a pooled keep-alive connection can go stale while the CLI starts.
    reader_token = mint(db, "--user", "demo", "--scopes", "energy_device_data")
    async with aiohttp.ClientSession() as session:
        api = TeslaFleetApi(session, access_token=token, server=base)
        site_id = (await api.products())["response"][0]["energy_site_id"]
        site = api.energySites.create(site_id)
        info = (await site.site_info())["response"]
        gateway = info["components"]["gateways"][0]

        system = payload(await site.get_system_info(), "Common", "GetSystemInfoResponse")
        assert system["din"] == gateway["din"] == info["id"]
        assert system["firmware_version"]["version"] == info["version"]
        assert system["device_id"]["serial_number"] == gateway["serial_number"]

        config = payload(await site.get_teg_config(), "Teg", "GetConfigResponse")["config"]
        assert config["battery_count"] == info["battery_count"]
        assert config["nameplate_energy_wh"] == info["nameplate_energy"]

        networking = await site.get_networking_status()  # the client's own unwrapping
        assert networking["eth"]["connectivity_status"]["connected_internet"] is True
        internet = payload(await site.check_internet(), "Common", "CheckInternetResponse")
        assert internet == networking
        assert payload(await site.check_for_update(), "Common", "CheckForUpdateResponse") == {}
        assert payload(await site.check_for_update_urgency(), "Common",
                       "CheckForUpdateUrgencyResponse") == {}

        events = payload(await site.get_backup_events(), "Teg", "GetBackupEventsResponse")
        assert "manual_backup_event" not in events
        await site.schedule_backup_event(duration_seconds=5400, priority=3)
        events = payload(await site.get_backup_events(), "Teg", "GetBackupEventsResponse")
        manual = events["manual_backup_event"]["scheduling_info"]
        assert manual["duration_seconds"] == 5400 and manual["priority"] == 3
        await site.cancel_backup_event()
        events = payload(await site.get_backup_events(), "Teg", "GetBackupEventsResponse")
        assert "manual_backup_event" not in events

        for call in (site.go_off_grid(), site.reconnect_grid(),
                     site.set_island_mode(EnergyIslandMode.OFF_GRID, force=False)):
            assert payload(await call, "Teg", "SetIslandModeResponse") == {}
        assert (await site.live_status())["response"]["island_status"] == "on_grid"

        with pytest.raises(tfe.TeslaFleetError) as err:
            await site.wifi_scan()
        assert err.value.status == 400

        me = (await api.user.me())["response"]
        assert me["full_name"] == "demo" and me["email"].startswith("demo@")
        assert (await api.user.feature_config())["response"]["signaling"]["enabled"] is False
        assert (await api.user.orders())["response"] == []

        reader = TeslaFleetApi(session, access_token=reader_token, server=base)
        reader_site = reader.energySites.create(site_id)
        assert payload(await reader_site.get_backup_events(), "Teg", "GetBackupEventsResponse") is not None
        with pytest.raises(tfe.TeslaFleetError) as err:
            await reader_site.cancel_backup_event()
        assert err.value.status == 403


@pytest.mark.timeout(240)
def test_gateway_and_user_methods_against_real_server(tmp_path):
    db = str(tmp_path / "gateway.db")
    with running_server(db) as server:
        asyncio.run(drive(server.base_url, server.token, db))


async def live(site) -> dict:
    status: dict = (await site.live_status())["response"]
    return status


async def drive_island_mode(base: str, token: str) -> None:
    """go_off_grid / reconnect_grid: no effect unsigned (the default), a real intentional
    island with the site's signed_commands switch on."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    async with aiohttp.ClientSession() as session:
        api = TeslaFleetApi(session, access_token=token, server=base)
        site_id = (await api.products())["response"][0]["energy_site_id"]
        site = api.energySites.create(site_id)

        async def switch(on: bool) -> None:
            async with session.patch(f"{base}/_gridtwin/sites/{site_id}", headers=admin,
                                     json={"signed_commands": on}) as r:
                assert r.status == 200, await r.text()
                assert (await r.json())["response"]["signed_commands"] is on

        assert payload(await site.go_off_grid(), "Teg", "SetIslandModeResponse") == {}
        status = await live(site)
        assert (status["island_status"], status["grid_status"]) == ("on_grid", "Active")

        await switch(True)
        assert payload(await site.go_off_grid(), "Teg", "SetIslandModeResponse") == {}
        status = await live(site)
        assert (status["island_status"], status["grid_status"], status["grid_power"]) == (
            "off_grid_intentional", "Inactive", 0)
        # The battery carries the home (no generator on the demo site).
        assert status["battery_power"] == status["load_power"] - status["solar_power"]
        events = payload(await site.get_backup_events(), "Teg", "GetBackupEventsResponse")
        assert "manual_backup_event" not in events  # off grid is no manual backup

        assert payload(await site.reconnect_grid(), "Teg", "SetIslandModeResponse") == {}
        status = await live(site)
        assert (status["island_status"], status["grid_status"]) == ("on_grid", "Active")

        await switch(False)
        await site.go_off_grid()
        assert (await live(site))["island_status"] == "on_grid"


@pytest.mark.timeout(240)
def test_island_mode_needs_the_signed_commands_switch(tmp_path):
    db = str(tmp_path / "island.db")
    with running_server(db, extra_env={"GRIDTWIN_ADMIN_TOKEN": ADMIN}) as server:
        asyncio.run(drive_island_mode(server.base_url, server.token))
