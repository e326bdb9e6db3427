"""The six commands: read-back, strict types, capabilities, atomicity (wire-format §12)."""

from __future__ import annotations

import pytest

from gridtwin.domain.profile import Profile
from gridtwin.domain.site import SiteKind
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from tests.conftest import test_site_spec

UPDATED = {"response": {"code": 201, "message": "Updated"}}


def post(client, site, auth, command, body=None, *, content=None):
    url = f"/api/1/energy_sites/{site.energy_site_id}/{command}"
    if content is not None:
        return client.post(url, headers=auth, content=content)
    return client.post(url, headers=auth, json=body)


def info(client, site, auth):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/site_info", headers=auth)
    assert r.status_code == 200
    return r.json()["response"]


def test_backup_reserve_read_back(client, site, auth):
    assert post(client, site, auth, "backup", {"backup_reserve_percent": 35}).json() == UPDATED
    assert info(client, site, auth)["backup_reserve_percent"] == 35
    assert post(client, site, auth, "backup", {"backup_reserve_percent": 35}).status_code == 200


def test_operation_read_back(client, site, auth):
    for mode in ("autonomous", "backup", "self_consumption"):
        assert post(client, site, auth, "operation", {"default_real_mode": mode}).json() == UPDATED
        assert info(client, site, auth)["default_real_mode"] == mode


def test_storm_mode_read_back_in_site_info_and_products(client, site, auth):
    assert post(client, site, auth, "storm_mode", {"enabled": False}).json() == UPDATED
    assert info(client, site, auth)["user_settings"]["storm_mode_enabled"] is False
    products = client.get("/api/1/products", headers=auth).json()["response"]
    assert products[0]["storm_mode_enabled"] is False


def test_grid_import_export_read_back(client, site, auth):
    comp = info(client, site, auth)["components"]
    assert comp["customer_preferred_export_rule"] == "pv_only"
    assert "disallow_charge_from_grid_with_solar_installed" not in comp
    assert "non_export_configured" not in comp
    body = {"disallow_charge_from_grid_with_solar_installed": True,
            "customer_preferred_export_rule": "never"}
    assert post(client, site, auth, "grid_import_export", body).json() == UPDATED
    comp = info(client, site, auth)["components"]
    assert comp["disallow_charge_from_grid_with_solar_installed"] is True
    assert comp["customer_preferred_export_rule"] == "never"
    assert comp["non_export_configured"] is True
    # One member alone leaves the other unchanged.
    post(client, site, auth, "grid_import_export", {"customer_preferred_export_rule": "battery_ok"})
    comp = info(client, site, auth)["components"]
    assert comp["customer_preferred_export_rule"] == "battery_ok"
    assert comp["disallow_charge_from_grid_with_solar_installed"] is True
    assert "non_export_configured" not in comp


def test_off_grid_ev_reserve_needs_capability(client, world, auth, site):
    r = post(client, site, auth, "off_grid_vehicle_charging_reserve",
             {"off_grid_vehicle_charging_reserve_percent": 40})
    assert r.status_code == 400
    assert "off_grid_vehicle_charging_reserve_supported" in r.json()["error_description"]
    capable = create_site(world, "alice", test_site_spec(index=1, components=(
        ("off_grid_vehicle_charging_reserve_supported", True),)))
    r = post(client, capable, auth, "off_grid_vehicle_charging_reserve",
             {"off_grid_vehicle_charging_reserve_percent": 40})
    assert r.json() == UPDATED
    assert info(client, capable, auth)["off_grid_vehicle_charging_reserve_percent"] == 40


@pytest.mark.parametrize(
    ("command", "body", "field"),
    [
        ("backup", {"backup_reserve_percent": True}, "backup_reserve_percent"),
        ("backup", {"backup_reserve_percent": 50.5}, "backup_reserve_percent"),
        ("backup", {"backup_reserve_percent": "50"}, "backup_reserve_percent"),
        ("backup", {"backup_reserve_percent": 101}, "backup_reserve_percent"),
        ("backup", {"backup_reserve_percent": -1}, "backup_reserve_percent"),
        ("backup", {"backup_reserve_percent": None}, "backup_reserve_percent"),
        ("backup", {}, "backup_reserve_percent"),
        ("backup", {"reserve": 20}, "backup_reserve_percent"),
        ("operation", {"default_real_mode": "turbo"}, "default_real_mode"),
        ("operation", {"default_real_mode": 1}, "default_real_mode"),
        ("operation", {}, "default_real_mode"),
        ("storm_mode", {"enabled": 1}, "enabled"),
        ("storm_mode", {"enabled": "true"}, "enabled"),
        ("storm_mode", {}, "enabled"),
        ("grid_import_export", {}, "customer_preferred_export_rule"),
        ("grid_import_export", {"customer_preferred_export_rule": "sometimes"},
         "customer_preferred_export_rule"),
        ("grid_import_export", {"disallow_charge_from_grid_with_solar_installed": 0},
         "disallow_charge_from_grid_with_solar_installed"),
    ],
)
def test_bad_values_are_400_naming_the_field_and_change_nothing(client, site, auth, command, body, field):
    before = info(client, site, auth)
    r = post(client, site, auth, command, body)
    assert r.status_code == 400
    payload = r.json()
    assert payload["response"] is None
    assert payload["error"] == "invalid_field"
    assert field in payload["messages"]
    assert field in payload["error_description"]
    assert info(client, site, auth) == before


@pytest.mark.parametrize("content", [b"{", b"[1, 2]", b'"x"', b"{\"a\": NaN}", b"\xff\xfe", b"null"])
def test_malformed_json_is_400_invalid_request(client, site, auth, content):
    before = info(client, site, auth)
    r = post(client, site, auth, "backup", content=content)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert info(client, site, auth) == before


def test_empty_body_counts_as_empty_object(client, site, auth):
    r = post(client, site, auth, "backup", content=b"")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_field"


def test_oversized_body_is_413_in_error_shape(client, site, auth):
    before = info(client, site, auth)
    big = b'{"backup_reserve_percent": 30, "pad": "' + b"x" * (1 << 20) + b'"}'
    r = post(client, site, auth, "backup", content=big)
    assert r.status_code == 413
    assert r.json()["error"] == "invalid_request"
    assert info(client, site, auth) == before


def test_unknown_members_are_ignored(client, site, auth):
    r = post(client, site, auth, "backup", {"backup_reserve_percent": 60, "extra": {"x": 1}})
    assert r.json() == UPDATED
    assert info(client, site, auth)["backup_reserve_percent"] == 60


def test_observed_profile_stores_reserve_81_to_99_as_80(client, world, auth, site):
    observed = create_site(world, "alice", test_site_spec(index=2, profile=Profile.OBSERVED))
    assert post(client, observed, auth, "backup", {"backup_reserve_percent": 90}).status_code == 200
    assert info(client, observed, auth)["backup_reserve_percent"] == 80
    assert post(client, observed, auth, "backup", {"backup_reserve_percent": 100}).status_code == 200
    assert info(client, observed, auth)["backup_reserve_percent"] == 100
    assert post(client, site, auth, "backup", {"backup_reserve_percent": 90}).status_code == 200


def test_solar_only_site_has_no_battery_commands(client, world, auth, site):
    solar = create_site(world, "alice", test_site_spec(
        index=3, kind=SiteKind.SOLAR, batteries=(), wall_connectors=()))
    r = post(client, solar, auth, "backup", {"backup_reserve_percent": 30})
    assert r.status_code == 400
    assert r.json()["error_description"] == "site has no battery"
    r = post(client, solar, auth, "storm_mode", {"enabled": True})
    assert r.status_code == 400


def test_unknown_site_beats_malformed_body(client, auth, site):
    r = client.post("/api/1/energy_sites/123/backup", headers=auth, content=b"{")
    assert r.status_code == 404


def test_command_needs_energy_cmds_before_body_checks(client, world, site):
    tok = mint_access_token(world, "alice", ["energy_device_data"]).access_token
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/backup",
                    headers={"Authorization": f"Bearer {tok}"}, content=b"{")
    assert r.status_code == 403
