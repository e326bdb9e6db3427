"""Settings survive a restart: a new world on the same database reads them back."""

from __future__ import annotations

from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.domain.site import SiteSpec
from tests.conftest import NOW_S, make_world, test_site_spec

TARIFF = {
    "version": 1, "code": "FLAT", "name": "Flat", "utility": "Test", "currency": "USD",
    "daily_charges": [{"name": "Charge", "amount": 0}],
    "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
    "energy_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {"OFF_PEAK": 0.2}}},
    "seasons": {"Summer": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
                           "tou_periods": {"OFF_PEAK": {"periods": [
                               {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                                "fromMinute": 0, "toHour": 0, "toMinute": 0}]}}}},
}

COMMANDS = [
    ("backup", {"backup_reserve_percent": 42}),
    ("operation", {"default_real_mode": "autonomous"}),
    ("storm_mode", {"enabled": False}),
    ("grid_import_export", {"disallow_charge_from_grid_with_solar_installed": True,
                            "customer_preferred_export_rule": "battery_ok"}),
    ("off_grid_vehicle_charging_reserve", {"off_grid_vehicle_charging_reserve_percent": 70}),
    ("time_of_use_settings", {"tou_settings": {"tariff_content_v2": TARIFF,
                                               "optimization_strategy": "balanced"}}),
]


def _site_info(world, site: SiteSpec, token: str) -> dict:
    with TestClient(create_app(world)) as c:
        r = c.get(f"/api/1/energy_sites/{site.energy_site_id}/site_info",
                  headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        return r.json()["response"]


def test_every_setting_survives_restart(db_url):
    from gridtwin.services.auth import mint_access_token
    from gridtwin.services.provision import create_site

    world = make_world(db_url)
    site = create_site(world, "alice", test_site_spec(
        components=(("off_grid_vehicle_charging_reserve_supported", True),)))
    token = mint_access_token(world, "alice").access_token
    with TestClient(create_app(world)) as c:
        for name, body in COMMANDS:
            r = c.post(f"/api/1/energy_sites/{site.energy_site_id}/{name}", json=body,
                       headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (name, r.text)
    before = _site_info(world, site, token)
    world.store.dispose()

    restarted = make_world(db_url, NOW_S)
    after = _site_info(restarted, site, token)
    restarted.store.dispose()
    assert after == before
    assert after["backup_reserve_percent"] == 42
    assert after["default_real_mode"] == "autonomous"
    assert after["user_settings"]["storm_mode_enabled"] is False
    assert after["components"]["disallow_charge_from_grid_with_solar_installed"] is True
    assert after["components"]["customer_preferred_export_rule"] == "battery_ok"
    assert after["off_grid_vehicle_charging_reserve_percent"] == 70
    assert after["tou_settings"]["optimization_strategy"] == "balanced"
    assert after["tariff_content_v2"] == TARIFF
