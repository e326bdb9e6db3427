"""The SDK's gateway (command) and users calls against the real app in-process."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.client import AsyncClient, Client, InvalidField
from tests.conftest import NOW_S


def test_sync_gateway_calls_and_users(world, site, token):
    with TestClient(create_app(world)) as http:
        client = Client("http://testserver", token, http_client=http)
        es = client.energy_site(site.energy_site_id)
        system = es.get_system_info()
        assert system.name == "GetSystemInfoResponse" and system.body["din"] == site.gateway_din
        assert es.get_teg_config().body["config"]["battery_count"] == es.site_info().battery_count
        assert es.get_networking_status().body["eth"]["enabled"] is True
        assert es.check_internet().name == "CheckInternetResponse"
        assert es.check_for_update().body == {} and es.check_for_update_urgency().body == {}
        es.schedule_backup_event("2025-07-15T20:00:00Z", 1200, 4)
        manual = es.get_backup_events().body["manual_backup_event"]["scheduling_info"]
        assert manual == {"start_time": {"seconds": NOW_S + 3600}, "duration_seconds": 1200, "priority": 4}
        assert es.cancel_backup_event().name == "CancelManualBackupEventResponse"
        assert "manual_backup_event" not in es.get_backup_events().body
        assert es.set_island_mode(6).name == "SetIslandModeResponse"
        with pytest.raises(InvalidField):
            es.set_island_mode(3)
        with pytest.raises(InvalidField):
            es.gateway_command("common", "wifi_scan_request")
        me = client.me()
        assert me.full_name == "alice" and me.email == "alice@users.gridtwin.invalid"
        assert client.feature_config()["signaling"]["enabled"] is False
        assert client.orders() == []


def test_async_gateway_calls(world, site, token):
    async def scenario():
        transport = httpx.ASGITransport(app=create_app(world))
        async with AsyncClient("http://testserver", token, transport=transport) as client:
            es = client.energy_site(site.energy_site_id)
            assert (await es.get_system_info()).body["din"] == site.gateway_din
            await es.schedule_backup_event(duration_seconds=600)
            events = (await es.get_backup_events()).body
            assert events["manual_backup_event"]["scheduling_info"]["duration_seconds"] == 600
            await es.cancel_backup_event()
            assert "manual_backup_event" not in (await es.get_backup_events()).body
            assert (await client.me()).full_name == "alice"
            assert await client.orders() == []

    asyncio.run(scenario())
