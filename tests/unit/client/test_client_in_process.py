"""The SDK against the real app in-process: AsyncClient over httpx.ASGITransport, Client
over Starlette's TestClient. No sockets."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.client import AsyncClient, Client, InvalidField, NotFound, Unauthorized
from gridtwin.client.types import BatteryProduct, LiveStatus


def test_async_client_reads_and_commands_over_asgi_transport(world, site, token):
    app = create_app(world)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient("http://testserver", token, admin_token=world.admin_token,
                               transport=transport) as client:
            products = await client.products()
            assert isinstance(products[0], BatteryProduct)
            assert await client.energy_site_ids() == [site.energy_site_id]
            energy_site = client.energy_site(site.energy_site_id)
            live = await energy_site.live_status()
            assert isinstance(live, LiveStatus)
            assert live.load_power == (live.solar_power + live.battery_power + live.grid_power
                                       + live.generator_power)
            assert (await energy_site.backup(35)).message == "Updated"
            assert (await energy_site.site_info()).backup_reserve_percent == 35
            history = await energy_site.energy_history("day")
            assert history.period == "day" and history.time_series
            assert (await client.control.clock()).mode == "frozen"
            with pytest.raises(InvalidField) as bad:
                await energy_site.operation("turbo")
            assert "default_real_mode" in bad.value.messages
            with pytest.raises(NotFound):
                await client.energy_site(42).site_info()
            assert await client.status() == "ok"

    asyncio.run(scenario())


def test_sync_client_over_starlette_testclient(world, site, token):
    with TestClient(create_app(world)) as http:
        client = Client("http://testserver", token, http_client=http)
        assert client.region().region == "na"
        info = client.energy_site(site.energy_site_id).site_info()
        assert info.installation_time_zone == "America/Los_Angeles"
        assert not info.components.disallow_charge_from_grid_with_solar_installed
        client.energy_site(site.energy_site_id).grid_import_export(
            disallow_charge_from_grid_with_solar_installed=True,
            customer_preferred_export_rule="never")
        comps = client.energy_site(site.energy_site_id).site_info().components
        assert comps.present("non_export_configured") and comps.non_export_configured
        assert not comps.grid_charging_allowed
        with pytest.raises(Unauthorized):
            Client("http://testserver", "not-a-token", http_client=http).products()
        client.close()  # a caller-owned http client stays open
        assert client.status() == "ok"


def test_control_sites_follows_the_pages_of_the_site_list(world, monkeypatch):
    from gridtwin.services.emulator import admin_sites
    from gridtwin.services.provision import create_site
    from tests.conftest import test_site_spec

    ids = [create_site(world, "alice", test_site_spec(index=i, days=0)).energy_site_id
           for i in range(5)]
    monkeypatch.setattr(admin_sites, "DEFAULT_PAGE", 2)  # three pages: 2, 2, 1
    with TestClient(create_app(world)) as http:
        client = Client("http://testserver", None, admin_token=world.admin_token,
                        http_client=http)
        assert [s.energy_site_id for s in client.control.sites()] == ids
        first = http.get("/_gridtwin/sites", headers={
            "Authorization": f"Bearer {world.admin_token}"}).json()
        assert first["count"] == 2 and first["next_cursor"]

    async def read_all() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(world))
        async with AsyncClient("http://testserver", None, admin_token=world.admin_token,
                               transport=transport) as client:
            return [s.energy_site_id for s in await client.control.sites()]

    assert asyncio.run(read_all()) == ids
