"""Security and failure behaviour: audience, CORS, secrets in logs, unexpected errors."""

from __future__ import annotations

import logging
from dataclasses import replace

import jwt
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services import sites as sites_service
from gridtwin.services.auth import mint_access_token


def test_audience_is_checked_when_configured(world, site):
    token = mint_access_token(world, "alice").access_token
    world.settings = replace(world.settings, check_audience=True)
    url = f"/api/1/energy_sites/{site.energy_site_id}/live_status"
    with TestClient(create_app(world)) as c:
        assert c.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        claims = jwt.decode(token, options={"verify_signature": False})
        claims["aud"] = ["https://elsewhere.example"]
        other = jwt.encode(claims, world.jwt_secret, algorithm="HS256")
        r = c.get(url, headers={"Authorization": f"Bearer {other}"})
        assert r.status_code == 401 and r.json()["error"] == "invalid bearer token"


def test_cors_is_closed_by_default(client, site, auth):
    r = client.options(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status",
                   headers={**auth, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_unexpected_failure_is_a_500_envelope_without_stack_trace(world, site, auth, monkeypatch, caplog):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sites_service, "advance_loaded", boom)
    with TestClient(create_app(world), raise_server_exceptions=False) as c, \
            caplog.at_level(logging.ERROR):
        r = c.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth)
    assert r.status_code == 500
    assert r.json() == {"response": None, "error": "upstream internal error",
                        "error_description": "Internal error"}
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert "x-txid" in r.headers
    token = auth["Authorization"].split()[1]
    assert token not in caplog.text  # logged for operators, without the bearer token


def test_tokens_do_not_reach_the_journal(client, site, auth, world):
    client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth)
    token = auth["Authorization"].split()[1]
    entries = world.journal.query({})
    assert entries and all(token not in str(e) for e in entries)
    assert entries[-1]["headers"]["authorization"].startswith("sub=alice jti=")
