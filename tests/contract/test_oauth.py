"""POST /oauth2/v3/token (wire-format §4.4)."""

from __future__ import annotations

import jwt

from gridtwin.services.auth import register_client

URL = "/oauth2/v3/token"


def test_client_credentials_and_refresh_rotation(client, world, site):
    register_client(world, "app1", "s3cret", "alice",
                    ["openid", "offline_access", "energy_device_data", "energy_cmds"])
    r = client.post(URL, data={"grant_type": "client_credentials", "client_id": "app1",
                               "client_secret": "s3cret", "scope": "openid offline_access energy_device_data vehicle_cmds"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 28_800
    assert body["scope"] == "openid offline_access energy_device_data"
    claims = jwt.decode(body["access_token"], world.jwt_secret, algorithms=["HS256"],
                        options={"verify_aud": False})
    assert claims["sub"] == "alice" and "energy_cmds" not in claims["scp"]
    live = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status",
                      headers={"Authorization": f"Bearer {body['access_token']}"})
    assert live.status_code == 200
    refresh = body["refresh_token"]
    r2 = client.post(URL, json={"grant_type": "refresh_token", "client_id": "app1",
                                "refresh_token": refresh})
    assert r2.status_code == 200 and r2.json()["refresh_token"] != refresh
    r3 = client.post(URL, data={"grant_type": "refresh_token", "client_id": "app1",
                                "refresh_token": refresh})
    assert r3.status_code == 400 and r3.json()["error"] == "invalid_grant"


def test_token_endpoint_errors(client, world):
    register_client(world, "app2", "pw", "alice", ["energy_device_data"])
    cases = [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"}, 401,
         "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "app2", "client_secret": "bad"}, 401,
         "invalid_client"),
        ({"grant_type": "refresh_token", "client_id": "app2", "refresh_token": "zzz"}, 400,
         "invalid_grant"),
    ]
    for data, status, code in cases:
        r = client.post(URL, data=data)
        assert r.status_code == status, data
        assert r.json()["error"] == code and r.json()["response"] is None
    r = client.post(URL, data={"grant_type": "client_credentials", "client_id": "app2",
                               "client_secret": "pw"})
    assert "refresh_token" not in r.json()
