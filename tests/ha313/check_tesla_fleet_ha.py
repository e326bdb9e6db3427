"""Home Assistant's tesla_fleet integration, set up against a real gridtwin server.

The only thing changed in the client is where tesla-fleet-api sends requests: its
region-to-server table (``tesla_fleet_api.const.SERVERS``) maps the token's region to
gridtwin's URL. Everything else runs as in a real Home Assistant: the config entry with an
OAuth token (gridtwin's own, still valid, so no refresh is attempted), the coordinators'
first refresh, every platform's entities, and service calls that send commands.
Each entity is compared with the reply gridtwin gives when asked directly.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time, timedelta
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jwt
import pytest
import tesla_fleet_api.const
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

DOMAIN = "tesla_fleet"
ENERGY_HISTORY_ENABLED = ("total_home_usage", "total_battery_charge", "total_battery_discharge",
                          "total_solar_generation", "total_grid_energy_exported",
                          "grid_energy_imported")
POWER_KEYS = ("solar_power", "battery_power", "load_power", "grid_power")
MODES = ("autonomous", "backup", "self_consumption")

pytestmark = pytest.mark.usefixtures("socket_enabled")


class Direct:
    """gridtwin's replies fetched without Home Assistant, for comparison."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: str) -> Any:
        async with httpx.AsyncClient(timeout=60) as client:
            reply = await client.get(f"{self.base_url}/api/1/{path}", headers=self.headers,
                                     params=params)
        assert reply.status_code == 200, reply.text
        return reply.json()["response"]

    async def site_id(self) -> int:
        products = await self.get("products")
        return int(next(p for p in products if "energy_site_id" in p)["energy_site_id"])


async def set_up(hass: HomeAssistant, gridtwin: Any,
                 monkeypatch: pytest.MonkeyPatch) -> MockConfigEntry:
    claims = jwt.decode(gridtwin.token, options={"verify_signature": False})
    monkeypatch.setitem(tesla_fleet_api.const.SERVERS, claims["ou_code"].lower(),
                        gridtwin.base_url)
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential("gridtwin-client", "", "gridtwin"), DOMAIN)
    entry = MockConfigEntry(
        domain=DOMAIN, title=claims["sub"], unique_id=claims["sub"], version=1,
        data={"auth_implementation": DOMAIN,
              "token": {"access_token": gridtwin.token, "refresh_token": "unused",
                        "token_type": "Bearer", "expires_at": float(claims["exp"]),
                        "expires_in": int(claims["exp"]) - int(claims["iat"])}},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def entity_id(hass: HomeAssistant, platform: str, site_id: int, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{site_id}-{key}")
    assert found is not None, f"no {platform} entity for {key}"
    return found


def state(hass: HomeAssistant, platform: str, site_id: int, key: str) -> str:
    current = hass.states.get(entity_id(hass, platform, site_id, key))
    assert current is not None, key
    return current.state


def kilo(hass: HomeAssistant, platform: str, site_id: int, key: str) -> float:
    """A power (W) or energy (Wh) entity's state, which Home Assistant shows in kW or kWh."""
    return float(state(hass, platform, site_id, key)) * 1000


def test_versions() -> None:
    assert sys.version_info[:2] == (3, 13)
    assert version("homeassistant") == "2025.4.4"
    assert version("tesla-fleet-api") == "1.0.17"


async def test_entities_show_gridtwin_values(hass: HomeAssistant, gridtwin: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    entry = await set_up(hass, gridtwin, monkeypatch)
    direct = Direct(gridtwin.base_url, gridtwin.token)
    site_id = await direct.site_id()
    live = await direct.get(f"energy_sites/{site_id}/live_status")
    info = await direct.get(f"energy_sites/{site_id}/site_info")

    for key in POWER_KEYS:
        assert kilo(hass, "sensor", site_id, key) == pytest.approx(live[key], abs=1e-6), key
    assert float(state(hass, "sensor", site_id, "percentage_charged")) == pytest.approx(
        live["percentage_charged"])
    assert kilo(hass, "sensor", site_id, "energy_left") == pytest.approx(live["energy_left"])
    assert state(hass, "sensor", site_id, "island_status") == live["island_status"]
    assert state(hass, "binary_sensor", site_id, "storm_mode_active") == (
        "on" if live["storm_mode_active"] else "off")
    assert state(hass, "binary_sensor", site_id, "backup_capable") == (
        "on" if live["backup_capable"] else "off")
    # Mid-afternoon on the demo site: the sun is up and the house draws power.
    assert live["solar_power"] > 0 and live["load_power"] > 0

    assert float(state(hass, "number", site_id, "backup_reserve_percent")) == (
        info["backup_reserve_percent"])
    assert state(hass, "select", site_id, "default_real_mode") == info["default_real_mode"]
    assert state(hass, "select", site_id, "components_customer_preferred_export_rule") == (
        info["components"]["customer_preferred_export_rule"])
    assert info["components"]["storm_mode_capable"] is True
    assert state(hass, "switch", site_id, "user_settings_storm_mode_enabled") == (
        "on" if info["user_settings"]["storm_mode_enabled"] else "off")
    grid_charging = not info["components"].get(
        "disallow_charge_from_grid_with_solar_installed", False)
    assert state(hass, "switch", site_id,
                 "components_disallow_charge_from_grid_with_solar_installed") == (
        "on" if grid_charging else "off")
    assert state(hass, "sensor", site_id, "version") == info["version"]

    # The energy-history coordinator imports today (period=day, no dates, as it asks) and
    # each enabled total is the sum of the day's rows.
    history = await direct.get(f"energy_sites/{site_id}/calendar_history", kind="energy",
                               period="day")
    rows = history["time_series"]
    zone = ZoneInfo(info["installation_time_zone"])
    now = datetime.fromisoformat(live["timestamp"])
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    elapsed = now.astimezone(UTC) - midnight.astimezone(UTC)  # real time, also on DST days
    assert len(rows) == elapsed // timedelta(minutes=5)  # one row per 5 minutes so far
    energysite = entry.runtime_data.energysites[0]
    assert energysite.history_coordinator.last_update_success
    for key in ENERGY_HISTORY_ENABLED:
        expected_wh = sum(row.get(key, 0) for row in rows)
        assert energysite.history_coordinator.data[key] == expected_wh, key
        assert kilo(hass, "sensor", site_id, key) == pytest.approx(expected_wh, abs=1e-6), key
    assert energysite.history_coordinator.data["total_home_usage"] > 0

    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_services_change_gridtwin(hass: HomeAssistant, gridtwin: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    entry = await set_up(hass, gridtwin, monkeypatch)
    direct = Direct(gridtwin.base_url, gridtwin.token)
    site_id = await direct.site_id()
    before = await direct.get(f"energy_sites/{site_id}/site_info")

    reserve = 35 if before["backup_reserve_percent"] != 35 else 45
    await hass.services.async_call(
        "number", "set_value",
        {"entity_id": entity_id(hass, "number", site_id, "backup_reserve_percent"),
         "value": reserve}, blocking=True)
    mode = next(m for m in MODES if m != before["default_real_mode"])
    await hass.services.async_call(
        "select", "select_option",
        {"entity_id": entity_id(hass, "select", site_id, "default_real_mode"),
         "option": mode}, blocking=True)
    storm = not before["user_settings"]["storm_mode_enabled"]
    await hass.services.async_call(
        "switch", "turn_on" if storm else "turn_off",
        {"entity_id": entity_id(hass, "switch", site_id,
                                "user_settings_storm_mode_enabled")}, blocking=True)
    export = "never" if before["components"]["customer_preferred_export_rule"] != "never" \
        else "battery_ok"
    await hass.services.async_call(
        "select", "select_option",
        {"entity_id": entity_id(hass, "select", site_id,
                                "components_customer_preferred_export_rule"),
         "option": export}, blocking=True)

    after = await direct.get(f"energy_sites/{site_id}/site_info")
    assert after["backup_reserve_percent"] == reserve
    assert after["default_real_mode"] == mode
    assert after["user_settings"]["storm_mode_enabled"] is storm
    assert after["components"]["customer_preferred_export_rule"] == export

    # Home Assistant reads the same values back on its next poll of site_info.
    info_coordinator = entry.runtime_data.energysites[0].info_coordinator
    await info_coordinator.async_refresh()
    await hass.async_block_till_done()
    assert info_coordinator.last_update_success
    assert float(state(hass, "number", site_id, "backup_reserve_percent")) == reserve
    assert state(hass, "select", site_id, "default_real_mode") == mode
    assert state(hass, "switch", site_id, "user_settings_storm_mode_enabled") == (
        "on" if storm else "off")
    assert state(hass, "select", site_id, "components_customer_preferred_export_rule") == export

    assert await hass.config_entries.async_unload(entry.entry_id)
