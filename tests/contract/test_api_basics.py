"""Transport, envelope, errors and auth (wire-format §1–§4, §13)."""

from __future__ import annotations

import re
import time

import jwt
import pytest

from gridtwin.services.auth import ensure_user, mint_access_token

LIVE = "/api/1/energy_sites/{}/live_status"


def test_status_is_plain_ok_without_token(client):
    r = client.get("/status")
    assert r.status_code == 200
    assert r.text == "ok"
    assert r.headers["content-type"].startswith("text/plain")


def test_every_reply_is_json_with_txid(client, site, auth):
    r = client.get(LIVE.format(site.energy_site_id), headers=auth)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-txid"])
    assert r.headers["x-request-id"] == r.headers["x-txid"]
    r2 = client.get("/api/1/nope", headers={"X-Request-Id": "abc"})
    assert r2.headers["x-request-id"] == "abc"
    assert r2.headers["x-txid"] != r.headers["x-txid"]


def test_unknown_path_is_404_envelope(client, auth):
    r = client.get("/api/1/energy_sites/1/programs", headers=auth)
    assert r.status_code == 404
    assert r.json() == {"response": None, "error": "not_found",
                        "error_description": "The requested resource was not found"}


def test_wrong_method_is_405(client, site, auth):
    r = client.post(LIVE.format(site.energy_site_id), headers=auth, json={})
    assert r.status_code == 405
    assert r.json()["error"] == "invalid_method"


def test_trailing_slash_is_ignored(client, site, auth):
    r = client.get(LIVE.format(site.energy_site_id) + "/", headers=auth)
    assert r.status_code == 200
    assert "solar_power" in r.json()["response"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer abc.def.ghi", "Basic xyz"])
def test_bad_token_is_401(client, site, header):
    headers = {"Authorization": header} if header else {}
    r = client.get(LIVE.format(site.energy_site_id), headers=headers)
    assert r.status_code == 401
    assert r.json()["error"] == "invalid bearer token"
    assert r.json()["response"] is None


def test_tampered_and_alg_none_tokens_are_401(client, site, token):
    header, payload, sig = token.split(".")
    tampered = f"{header}.{payload}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    other_key = jwt.encode(claims, "another-secret-0123456789abcdef0123456789abcdef", algorithm="HS256")
    for bad in (tampered, unsigned, other_key):
        r = client.get(LIVE.format(site.energy_site_id), headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad


def test_expired_token_is_401_token_expired(client, world, site):
    claims = jwt.decode(mint_access_token(world, "alice").access_token,
                        options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 3600
    expired = jwt.encode(claims, world.jwt_secret, algorithm="HS256")
    r = client.get(LIVE.format(site.energy_site_id), headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert r.json()["error"] == "token expired (401)"


def test_missing_scope_is_403(client, world, site):
    tok = mint_access_token(world, "alice", ["openid", "energy_device_data"]).access_token
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/backup",
                    headers={"Authorization": f"Bearer {tok}"}, json={"backup_reserve_percent": 30})
    assert r.status_code == 403
    assert r.json()["error"] == "Unauthorized missing scopes energy_cmds"
    tok2 = mint_access_token(world, "alice", ["energy_cmds"]).access_token
    r2 = client.get(LIVE.format(site.energy_site_id), headers={"Authorization": f"Bearer {tok2}"})
    assert r2.status_code == 403
    assert r2.json()["error"] == "Unauthorized missing scopes energy_device_data"


def test_revoked_token_is_401(client, world, site):
    minted = mint_access_token(world, "alice")
    with world.store.tx() as tx:
        assert tx.revoke_token(minted.jti)
    r = client.get(LIVE.format(site.energy_site_id),
                   headers={"Authorization": f"Bearer {minted.access_token}"})
    assert r.status_code == 401


@pytest.mark.parametrize("site_path", ["abc", "-1", "1.5", "99999999999999999999", "1e5", "١٢", "²", "%C2%B3"])
def test_non_numeric_or_unknown_site_is_404(client, auth, site_path):
    r = client.get(f"/api/1/energy_sites/{site_path}/site_info", headers=auth)
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_other_users_site_is_404_everywhere(client, world, site):
    ensure_user(world, "mallory")
    tok = mint_access_token(world, "mallory").access_token
    h = {"Authorization": f"Bearer {tok}"}
    sid = site.energy_site_id
    for path in ("site_info", "live_status", "site_status", "backup_time_remaining",
                 "calendar_history?kind=energy", "calendar_history?kind=backup",
                 "telemetry_history?kind=charge"):
        assert client.get(f"/api/1/energy_sites/{sid}/{path}", headers=h).status_code == 404, path
    for path, body in (("backup", {"backup_reserve_percent": 1}),
                       ("operation", {"default_real_mode": "backup"}),
                       ("storm_mode", {"enabled": False}),
                       ("grid_import_export", {"customer_preferred_export_rule": "never"}),
                       ("off_grid_vehicle_charging_reserve",
                        {"off_grid_vehicle_charging_reserve_percent": 10}),
                       ("time_of_use_settings", {"tou_settings": {}})):
        r = client.post(f"/api/1/energy_sites/{sid}/{path}", headers=h, json=body)
        assert r.status_code == 404, path
    products = client.get("/api/1/products", headers=h).json()
    assert products == {"response": [], "count": 0}


def test_users_region(client, auth):
    r = client.get("/api/1/users/region", headers=auth)
    assert r.status_code == 200
    assert r.json() == {"response": {"region": "na",
                                     "fleet_api_base_url": "http://127.0.0.1:8080"}}


def test_retired_history_route_is_410(client, site, auth):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/history?kind=energy", headers=auth)
    assert r.status_code == 410
    assert r.json()["error"] == "gone"


def test_token_claims(world, site):
    tok = mint_access_token(world, "alice").access_token
    claims = jwt.decode(tok, world.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
    assert claims["sub"] == "alice"
    assert claims["ou_code"] == "NA"
    assert claims["scp"] == ["openid", "offline_access", "energy_device_data", "energy_cmds"]
    assert claims["exp"] - claims["iat"] == 28_800
    assert claims["aud"] == ["http://127.0.0.1:8080"]
