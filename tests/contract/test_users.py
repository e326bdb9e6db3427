"""``users/me``, ``users/feature_config``, ``users/orders`` through the real app."""

from __future__ import annotations

import uuid

from gridtwin.services.auth import ensure_user, mint_access_token


def test_me_is_the_tokens_user_and_stable(client, world, auth):
    r = client.get("/api/1/users/me", headers=auth)
    assert r.status_code == 200
    me = r.json()["response"]
    assert me["full_name"] == "alice" and me["email"] == "alice@users.gridtwin.invalid"
    uuid.UUID(me["vault_uuid"])
    assert client.get("/api/1/users/me", headers=auth).json()["response"] == me
    ensure_user(world, "Bob Smith")
    bob = {"Authorization": f"Bearer {mint_access_token(world, 'Bob Smith', ['openid']).access_token}"}
    other = client.get("/api/1/users/me", headers=bob).json()["response"]
    assert other["full_name"] == "Bob Smith" and other["email"] == "bob-smith@users.gridtwin.invalid"
    assert other["vault_uuid"] != me["vault_uuid"]


def test_feature_config_and_orders(client, auth):
    assert client.get("/api/1/users/feature_config", headers=auth).json() == {"response": {
        "signaling": {"enabled": False, "subscribe_connectivity": False, "use_auth_token": False}}}
    assert client.get("/api/1/users/orders", headers=auth).json() == {"response": [], "count": 0}


def test_users_need_a_valid_token(client):
    for leaf in ("me", "feature_config", "orders"):
        r = client.get(f"/api/1/users/{leaf}")
        assert r.status_code == 401 and r.json()["response"] is None
        assert client.get(f"/api/1/users/{leaf}", headers={"Authorization": "Bearer x.y.z"}).status_code == 401


def test_users_need_openid_or_user_data(client, world, site):
    energy_only = mint_access_token(world, "alice", ["energy_device_data"]).access_token
    r = client.get("/api/1/users/me", headers={"Authorization": f"Bearer {energy_only}"})
    assert r.status_code == 403 and r.json()["error"] == "Unauthorized missing scopes user_data"
    user_data = mint_access_token(world, "alice", ["user_data"]).access_token
    r = client.get("/api/1/users/orders", headers={"Authorization": f"Bearer {user_data}"})
    assert r.status_code == 200
