"""Every energy-site route checks its own scope (wire-format §3): a token that lacks it is
a 403 naming the scope, on every route the app serves, and the stored world is unchanged.

Routes are enumerated from the app's OpenAPI document, so a route added later is covered without editing
this test: reads (GET) need ``energy_device_data``, writes (POST) need ``energy_cmds``.
"""

from __future__ import annotations

import pytest

from gridtwin.api.app import create_app
from gridtwin.services.auth import ENERGY_CMDS, ENERGY_DATA, mint_access_token
from tests.conftest import make_world
from tests.fingerprint import world_fingerprint

EVERY_SCOPE = ["openid", "offline_access", "user_data", "vehicle_device_data", "vehicle_cmds",
               ENERGY_DATA, ENERGY_CMDS]
PREFIX = "/api/1/energy_sites/{energy_site_id}"


def _site_routes() -> list[tuple[str, str]]:
    paths = create_app(make_world("sqlite://")).openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() if path.startswith(PREFIX)
                  for method in ops if method in ("get", "post"))


SITE_ROUTES = _site_routes()


def test_the_enumeration_sees_reads_and_every_command():
    paths = {p for _, p in SITE_ROUTES}
    for tail in ("live_status", "site_info", "calendar_history", "telemetry_history", "backup",
                 "operation", "storm_mode", "grid_import_export", "off_grid_vehicle_charging_reserve",
                 "time_of_use_settings", "command"):
        assert f"{PREFIX}/{tail}" in paths, tail


@pytest.mark.parametrize(("method", "path"), SITE_ROUTES, ids=[f"{m} {p.rsplit('/', 1)[-1]}" for m, p in SITE_ROUTES])
def test_a_token_without_the_routes_scope_is_refused(client, world, site, auth, db_url, method, path):
    needed = ENERGY_DATA if method == "GET" else ENERGY_CMDS
    token = mint_access_token(world, "alice", [s for s in EVERY_SCOPE if s != needed]).access_token
    url = path.replace("{energy_site_id}", str(site.energy_site_id))
    # Bring the site to now first, so the fingerprint compares like with like.
    assert client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth).status_code == 200
    before = world_fingerprint(db_url)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"backup_reserve_percent": 30, "default_real_mode": "self_consumption", "enabled": True}
    if path.endswith("/command"):  # reads there need either scope; this is a write
        body = {"command_type": "grpc_command", "command_properties": {
            "message": {"teg": {"cancel_manual_backup_event_request": {}}}, "identifier_type": 1}}
    r = (client.get(url, headers=headers, params={"kind": "energy"}) if method == "GET"
         else client.post(url, headers=headers, json=body))
    assert r.status_code == 403, (method, path, r.status_code, r.text)
    assert r.json()["error"] == f"Unauthorized missing scopes {needed}"
    assert world_fingerprint(db_url) == before
