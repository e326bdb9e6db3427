"""The SDK's calendar_history kind methods (power, soe, self_consumption,
time_of_use_energy, savings) against the real app in-process, sync and async."""

from __future__ import annotations

import asyncio

import httpx
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.client import AsyncClient, Client
from gridtwin.client.types import (
    PowerHistory,
    SavingsItem,
    SelfConsumptionHistory,
    SoeHistory,
    TouLabelHistory,
)
from gridtwin.core import jsonio
from gridtwin.services.emulator.presets import _pge_tariff

YESTERDAY = "2025-07-14T23:59:59-07:00"


def test_sync_client_history_kinds(world, site, token):
    with world.store.tx() as tx:
        tx.insert_tariff(site.energy_site_id, site.installation_s, jsonio.dumps(_pge_tariff()))
    with TestClient(create_app(world)) as http:
        es = Client("http://testserver", token, http_client=http).energy_site(site.energy_site_id)
        energy = es.energy_history("day", end_date=YESTERDAY).time_series
        assert energy is not None
        power = es.power_history(end_date=YESTERDAY)
        assert isinstance(power, PowerHistory) and power.time_series is not None
        assert len(power.time_series) == 288
        for p, e in zip(power.time_series, energy, strict=True):
            assert p.timestamp == e.timestamp
            assert p.solar_power == 12 * e.solar_energy_exported
            assert p.load_power == 12 * e.total_home_usage
        soe = es.soe_history(end_date=YESTERDAY)
        assert isinstance(soe, SoeHistory) and soe.time_series is not None
        assert [s.timestamp for s in soe.time_series] == [e.timestamp for e in energy[::3]]
        shares = es.self_consumption_history("week")
        assert isinstance(shares, SelfConsumptionHistory) and shares.time_series is not None
        day = shares.time_series[0]
        home = sum(e.total_home_usage for e in energy)
        assert day.solar == 100 * sum(e.consumer_energy_imported_from_solar for e in energy) / home
        tou = es.time_of_use_energy_history(end_date=YESTERDAY)
        assert list(tou) == ["off_peak", "partial_peak", "peak"]
        assert all(isinstance(v, TouLabelHistory) for v in tou.values())
        assert sum(v.time_series[0].solar_energy_exported for v in tou.values()) == sum(
            e.solar_energy_exported for e in energy)
        savings = es.savings_history("week")
        assert [type(s) for s in savings] == [SavingsItem, SavingsItem]
        assert savings[0].currency == "USD" and savings[0].timestamp.utcoffset().total_seconds() == 0


def test_async_client_history_kinds(world, site, token):
    app = create_app(world)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient("http://testserver", token, transport=transport) as client:
            es = client.energy_site(site.energy_site_id)
            power = await es.power_history("day")
            soe = await es.soe_history("day")
            assert power.time_series is not None and soe.time_series is not None
            assert len(power.time_series) == 144 and len(soe.time_series) == 48
            shares = await es.self_consumption_history("day")
            assert shares.time_series is not None and len(shares.time_series) == 1
            assert await es.time_of_use_energy_history() == {}
            assert await es.savings_history() == []

    asyncio.run(scenario())
