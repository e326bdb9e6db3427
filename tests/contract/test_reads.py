"""products, site_info, live_status, site_status, backup_time_remaining (wire-format §6–§8, §13)."""

from __future__ import annotations

import re

from gridtwin.domain.profile import Profile
from gridtwin.domain.site import SiteKind
from gridtwin.services.provision import create_site
from tests.conftest import test_site_spec

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def get(client, auth, path):
    r = client.get(path, headers=auth)
    assert r.status_code == 200, r.text
    return r.json()


def test_products_battery_item(client, auth, site):
    body = get(client, auth, "/api/1/products")
    assert body["count"] == 1 == len(body["response"])
    item = body["response"][0]
    assert item["energy_site_id"] == site.energy_site_id
    assert isinstance(item["energy_site_id"], int)
    assert item["resource_type"] == "battery"
    assert item["id"] == item["gateway_id"] == site.gateway_din
    assert item["total_pack_energy"] == 27_000
    assert item["percentage_charged"] == item["energy_left"] / item["total_pack_energy"] * 100
    assert item["battery_type"] == "ac_powerwall"
    assert item["components"]["battery"] is True and item["components"]["solar"] is True
    assert item["components"]["wall_connectors"][0]["din"] == site.wall_connectors[0].din
    assert item["go_off_grid_test_banner_enabled"] is None


def test_products_vehicle_scope_only_sees_no_energy_sites(client, world, site):
    from gridtwin.services.auth import mint_access_token

    tok = mint_access_token(world, "alice", ["vehicle_device_data"]).access_token
    body = get(client, {"Authorization": f"Bearer {tok}"}, "/api/1/products")
    assert body == {"response": [], "count": 0}


def test_site_info_defaults(client, auth, site):
    info = get(client, auth, f"/api/1/energy_sites/{site.energy_site_id}/site_info")["response"]
    assert info["id"] == site.gateway_din
    assert info["backup_reserve_percent"] == 20
    assert info["default_real_mode"] == "self_consumption"
    assert info["installation_time_zone"] == "America/Los_Angeles"
    assert TS.match(info["installation_date"])
    assert info["battery_count"] == 2
    assert info["nameplate_power"] == 10_000
    assert info["nameplate_energy"] == 27_000
    assert info["tou_settings"] == {"optimization_strategy": "economics", "schedule": []}
    assert info["user_settings"]["storm_mode_enabled"] is True
    comp = info["components"]
    assert comp["gateway"] == "teg" and comp["backup"] is True
    assert comp["customer_preferred_export_rule"] == "pv_only"
    assert len(comp["batteries"]) == 2
    assert comp["batteries"][0]["nameplate_max_discharge_power"] == 5000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", comp["gateways"][0]["updated_datetime"])
    assert "tariff_content_v2" not in info
    assert "off_grid_vehicle_charging_reserve_percent" not in info


def test_live_status_identities(client, auth, site):
    live = get(client, auth, f"/api/1/energy_sites/{site.energy_site_id}/live_status")["response"]
    assert live["load_power"] == (live["solar_power"] + live["battery_power"] + live["grid_power"]
                                  + live["generator_power"])
    assert live["percentage_charged"] == live["energy_left"] / live["total_pack_energy"] * 100
    assert live["timestamp"] == "2025-07-15T12:00:00-07:00"
    assert live["grid_status"] == "Active" and live["island_status"] == "on_grid"
    assert live["solar_power"] > 1000  # July noon in Los Angeles
    assert live["storm_mode_active"] is False
    wcs = live["wall_connectors"]
    assert [w["din"] for w in wcs] == [site.wall_connectors[0].din]
    assert wcs[0]["wall_connector_state"] == 2 and "vin" not in wcs[0]
    assert all(isinstance(live[k], int) for k in
               ("solar_power", "battery_power", "grid_power", "load_power", "generator_power"))


def test_live_status_is_stable_for_a_frozen_clock(client, auth, site):
    url = f"/api/1/energy_sites/{site.energy_site_id}/live_status"
    assert get(client, auth, url) == get(client, auth, url)


def test_observed_profile_omits_deprecated_fields(client, world, auth, site):
    observed = create_site(world, "alice", test_site_spec(index=1, profile=Profile.OBSERVED))
    live = get(client, auth, f"/api/1/energy_sites/{observed.energy_site_id}/live_status")["response"]
    assert "energy_left" not in live and "total_pack_energy" not in live
    status = get(client, auth, f"/api/1/energy_sites/{observed.energy_site_id}/site_status")["response"]
    assert "energy_left" in status and status["total_pack_energy"] == 27_000


def test_solar_only_site_shapes(client, world, auth, site):
    solar = create_site(world, "alice", test_site_spec(
        index=2, kind=SiteKind.SOLAR, batteries=(), wall_connectors=()))
    sid = solar.energy_site_id
    live = get(client, auth, f"/api/1/energy_sites/{sid}/live_status")["response"]
    assert live["energy_left"] == 0 and live["total_pack_energy"] == 1
    assert live["percentage_charged"] == 0 and live["battery_power"] == 0
    assert live["grid_status"] == "Unknown" and live["island_status"] == "island_status_unknown"
    assert live["wall_connectors"] is None
    assert live["load_power"] == live["solar_power"] + live["grid_power"]
    info = get(client, auth, f"/api/1/energy_sites/{sid}/site_info")["response"]
    assert info["components"]["gateway"] == "neo"
    assert "backup_reserve_percent" not in info and "batteries" not in info["components"]
    products = get(client, auth, "/api/1/products")["response"]
    item = next(p for p in products if p["energy_site_id"] == sid)
    assert item["resource_type"] == "solar" and item["components"]["battery"] is False


def test_backup_time_remaining(client, auth, site):
    sid = site.energy_site_id
    hours = get(client, auth, f"/api/1/energy_sites/{sid}/backup_time_remaining")["response"]
    left = get(client, auth, f"/api/1/energy_sites/{sid}/live_status")["response"]["energy_left"]
    assert hours["time_remaining_hours"] > 0
    # 28 kWh pack, home load of a few hundred W to a few kW: between ~2 h and ~200 h.
    assert left / 5000 < hours["time_remaining_hours"] < left / 100
