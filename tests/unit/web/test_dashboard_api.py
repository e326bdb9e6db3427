"""The dashboard's page and JSON API in-process: who may call it, and what it does."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.commands import store_tariff
from gridtwin.services.emulator.presets import preset
from gridtwin.web import attach

HEADER = {"X-Gridtwin-Dashboard": "1"}
LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def app(world, site):
    return attach(create_app(world), world)


def local_client(app, host: str = "127.0.0.1:8080") -> TestClient:
    return TestClient(app, base_url=f"http://{host}", client=LOCAL)


def test_the_page_is_served_without_secrets(app, world):
    with TestClient(app) as http:
        page = http.get("/")
        assert page.status_code == 200 and "gridtwin" in page.text
        assert world.admin_token not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert http.get("/dashboard/static/app.js").status_code == 200


def test_remote_clients_need_the_admin_token(app, world):
    with TestClient(app) as http:  # client "testclient", host "testserver": not local
        assert http.get("/dashboard/api/session").status_code == 400  # no dashboard header
        refused = http.get("/dashboard/api/session", headers=HEADER)
        assert refused.status_code == 401 and refused.json()["response"] is None
        wrong = {**HEADER, "Authorization": "Bearer nope"}
        assert http.get("/dashboard/api/session", headers=wrong).status_code == 401
        admin = {**HEADER, "Authorization": f"Bearer {world.admin_token}"}
        assert http.get("/dashboard/api/session", headers=admin).status_code == 200


def test_loopback_is_trusted_only_when_direct_and_for_a_loopback_host(app):
    with local_client(app) as http:
        assert http.get("/dashboard/api/session", headers=HEADER).status_code == 200
        proxied = {**HEADER, "X-Forwarded-For": "203.0.113.9"}
        assert http.get("/dashboard/api/session", headers=proxied).status_code == 401
    with local_client(app, "[::1]:8080") as http:
        assert http.get("/dashboard/api/session", headers=HEADER).status_code == 200
    with local_client(app, "attacker.example:8080") as http:  # DNS rebinding
        assert http.get("/dashboard/api/session", headers=HEADER).status_code == 401


def test_reads_and_commands(app, site):
    sid = site.energy_site_id
    with local_client(app) as http:
        session = http.get("/dashboard/api/session", headers=HEADER).json()
        assert session["emulator"] is True
        assert [s["id"] for s in session["sites"]] == [str(sid)]
        live = http.get(f"/dashboard/api/sites/{sid}/live", headers=HEADER).json()
        assert live["home_w"] == (live["solar_w"] + live["battery_w"] + live["grid_w"]
                                  + live["generator_w"])
        ok = http.post(f"/dashboard/api/sites/{sid}/commands/backup", headers=HEADER,
                       json={"backup_reserve_percent": 64})
        assert ok.status_code == 200
        live = http.get(f"/dashboard/api/sites/{sid}/live", headers=HEADER).json()
        assert live["settings"]["backup_reserve_percent"] == 64
        bad = http.post(f"/dashboard/api/sites/{sid}/commands/backup", headers=HEADER,
                        json={"backup_reserve_percent": True})
        assert bad.status_code == 400 and "backup_reserve_percent" in bad.json()["messages"]
        unknown = http.post(f"/dashboard/api/sites/{sid}/commands/reboot", headers=HEADER, json={})
        assert unknown.status_code == 404
        day = http.get(f"/dashboard/api/sites/{sid}/energy?period=day", headers=HEADER).json()
        assert day["rows"] and {"label", "solar", "home", "grid_import"} <= set(day["rows"][0])
        assert http.get(f"/dashboard/api/sites/{sid}/energy?period=decade",
                        headers=HEADER).status_code == 400
        assert http.get(f"/dashboard/api/sites/{sid}/tariff", headers=HEADER).json() is None
        assert http.get("/dashboard/api/sites/999/live", headers=HEADER).status_code == 404


def test_emulator_controls_and_tariff_grid(app, world, site):
    sid = site.energy_site_id
    store_tariff(world, sid, preset("tou_peak_export")["sites"][0]["tariff"])
    with local_client(app) as http:
        grid = http.get(f"/dashboard/api/sites/{sid}/tariff", headers=HEADER).json()
        assert grid["currency"] == "USD" and len(grid["seasons"]) == 2
        rows = grid["seasons"][grid["current_season"]]["rows"]
        assert len(rows) == 24 and len(rows[0]["cells"]) == 7
        assert rows[17]["cells"][0]["label"] == "ON_PEAK"
        event = http.post(f"/dashboard/api/sites/{sid}/outage", headers=HEADER,
                          json={"duration_s": 3600})
        assert event.status_code == 200 and event.json()["type"] == "grid_outage"
        live = http.get(f"/dashboard/api/sites/{sid}/live", headers=HEADER).json()
        assert live["grid_down"] and live["grid_w"] == 0
        before = world.now_s()
        moved = http.post("/dashboard/api/clock/advance", headers=HEADER, json={"seconds": 7200})
        assert moved.json()["now"] == before + 7200
        assert http.post("/dashboard/api/clock/advance", headers=HEADER,
                         json={"seconds": "soon"}).status_code == 400


def test_dashboard_bodies_follow_the_api_rules(app, site):
    """One body parser and one error map for the API and the dashboard: a body that is
    not a JSON object is the API's 400 ``invalid_request`` in the API's error shape."""
    sid = site.energy_site_id
    with local_client(app) as http:
        for raw in (b"[1]", b"{bad", b'{"x": NaN}'):
            r = http.post(f"/dashboard/api/sites/{sid}/commands/backup", content=raw, headers=HEADER)
            assert r.status_code == 400, raw
            assert r.json()["error"] == "invalid_request" and r.json()["response"] is None
        r = http.post(f"/dashboard/api/sites/{sid}/commands/backup", content=b'{"backup_reserve_percent": 150}',
                      headers=HEADER)
        assert r.status_code == 400 and r.json()["error"] == "invalid_field"
