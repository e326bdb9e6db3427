"""Control-plane behaviours found broken by earlier sessions (emulator.md §3, §4, §5):
reseeding the plain ``serve`` world, the scenario's ``rate_limits`` and ``vehicles``
sections, the solar ``inverter_eta`` key. Each runs against the app over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.provision import DEMO_USER, demo_spec, ensure_demo, seeded_id
from gridtwin.services.world import World
from gridtwin.sim.runner import load_site
from tests.conftest import NOW_S, make_world

pytestmark = pytest.mark.timeout(180)

ADMIN = "admin-token-for-section-tests"
SITE_ID = 1_000_000_000_000_001
START = "2025-07-15T12:00:00-07:00"


class App:
    def __init__(self, world: World, client: TestClient) -> None:
        self.world, self.client = world, client
        self.admin = {"Authorization": f"Bearer {ADMIN}"}

    def control(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.request(method, f"/_gridtwin/{path}", headers=self.admin,
                                   content=None if body is None else json.dumps(body))

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        r = self.control(method, path, body)
        assert r.status_code == 200, r.text[:800]
        return r.json()["response"]

    def refused(self, path: str, body: Any) -> dict[str, list[str]]:
        r = self.control("POST", path, body)
        assert r.status_code == 400, r.text[:800]
        assert r.json()["response"] is None and r.json()["error"] == "invalid_field"
        messages: dict[str, list[str]] = r.json()["messages"]
        return messages

    def api(self, token: str, path: str, site_id: int = SITE_ID) -> Any:
        return self.client.get(f"/api/1/energy_sites/{site_id}/{path}",
                               headers={"Authorization": f"Bearer {token}"})


def _app(db_url: str, *, demo: bool) -> Iterator[App]:
    world = make_world(db_url, admin_token=ADMIN)
    if demo:
        ensure_demo(world)  # what plain ``gridtwin serve`` stores on a new database
    with TestClient(create_app(world), raise_server_exceptions=False) as client:
        yield App(world, client)
    world.store.dispose()


@pytest.fixture
def served(db_url: str) -> Iterator[App]:
    """The world of ``gridtwin serve`` without --scenario or --preset: the demo site, no
    scenario document."""
    yield from _app(db_url, demo=True)


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    yield from _app(db_url, demo=False)


def _scenario(**extra: Any) -> dict[str, Any]:
    return {"version": 1, "clock": {"start": START, "mode": "frozen"},
            "sites": [{"energy_site_id": SITE_ID, "time_zone": "America/Los_Angeles",
                       "installation_date": "2025-07-14T00:00:00-07:00",
                       "wall_connectors": [{}]}],
            **extra}


# 1. POST /_gridtwin/seed on the plain serve world -------------------------------------

def test_seed_on_the_plain_serve_world_rebuilds_the_demo_site_and_keeps_the_clock(served: App):
    assert served.ok("GET", "scenario") is None
    before = served.ok("GET", "clock")
    assert before["now"] == NOW_S and before["mode"] == "frozen"

    loaded = served.ok("POST", "seed", {"seed": 7})

    demo = demo_spec(7, NOW_S)
    assert loaded["seed"] == 7 and loaded["now"] == NOW_S
    assert loaded["sites"] == [demo.energy_site_id] == [seeded_id(7, "site", 0)]
    after = served.ok("GET", "clock")
    assert (after["now"], after["mode"], after["rate"]) == (NOW_S, "frozen", before["rate"])
    with served.world.store.peek() as tx:  # not read over HTTP: that warms a year up
        rows = tx.list_sites()
        stored = load_site(tx, demo.energy_site_id)
    assert [r.energy_site_id for r in rows] == [demo.energy_site_id]
    assert stored is not None and stored.spec == demo and stored.row.user_id == DEMO_USER
    assert served.ok("GET", "info")["seed"] == 7
    # The reply's token lists the new demo site.
    token = loaded["tokens"][f"{DEMO_USER}:default"]
    products = served.client.get("/api/1/products", headers={"Authorization": f"Bearer {token}"})
    assert products.status_code == 200
    assert [(p["energy_site_id"], p["site_name"]) for p in products.json()["response"]] == [
        (demo.energy_site_id, "My Home")]
    # Still no scenario document: a later reset rebuilds the same demo world.
    assert served.ok("GET", "scenario") is None
    again = served.ok("POST", "reset", {})
    assert again["sites"] == [demo.energy_site_id] and again["seed"] == 7


def test_seed_on_a_world_imported_without_a_scenario_restores_it_with_the_seed(app: App):
    app.ok("POST", "scenario", _scenario())
    snapshot = app.ok("GET", "state?secrets=1")
    app.ok("POST", "state", {**snapshot, "scenario": None})
    app.ok("POST", "clock/advance", {"seconds": 3600})
    loaded = app.ok("POST", "seed", {"seed": 9})
    assert (loaded["seed"], loaded["sites"]) == (9, [SITE_ID])
    assert app.ok("GET", "clock")["now"] == snapshot["clock"]["now"]  # as a reset restores it
    assert app.ok("GET", "scenario") is None
    assert app.ok("POST", "reset", {})["seed"] == 9


def test_seed_refuses_a_bad_seed_or_member(served: App):
    assert "seed" in served.refused("seed", {"seed": "7"})
    assert "seeds" in served.refused("seed", {"seed": 7, "seeds": 8})


# 4. solar.inverter_eta -------------------------------------------------------------------

def _solar_site(site_id: int, **solar: Any) -> dict[str, Any]:
    return {"energy_site_id": site_id, "type": "solar", "time_zone": "America/Los_Angeles",
            "installation_date": "2025-07-15T00:00:00-07:00", "sky": "clear",
            "solar": {"dc_kw": 5, **solar}}


def test_solar_inverter_eta_scales_the_ac_power_of_the_panels(app: App):
    loaded = app.ok("POST", "scenario", {
        "version": 1, "clock": {"start": START, "mode": "frozen"},
        "sites": [_solar_site(SITE_ID, inverter_eta=1.0), _solar_site(SITE_ID + 1, inverter_eta=0.5),
                  _solar_site(SITE_ID + 2)]})
    token = loaded["tokens"]["demo:default"]
    full, half, default = (app.api(token, "live_status", s).json()["response"]["solar_power"]
                           for s in (SITE_ID, SITE_ID + 1, SITE_ID + 2))
    assert full > 2000  # clear noon in July, 5 kW of panels
    # PVWatts' inverter model: the nominal efficiency, shaped by the part-load curve.
    assert 0.48 < half / full < 0.52
    assert 0.95 < default / full < 0.97  # 0.96 without a Powerwall carrying the PV
    scenario = app.ok("GET", "scenario")
    assert scenario["sites"][1]["solar"]["inverter_eta"] == 0.5


@pytest.mark.parametrize("eta", [0, -0.1, 1.01, "0.9", True, [0.9]])
def test_solar_inverter_eta_out_of_range_is_refused_naming_it(app: App, eta: Any):
    messages = app.refused("sites", {**_solar_site(SITE_ID, inverter_eta=eta), "owner": "demo"})
    assert list(messages) == ["site.solar.inverter_eta"]
    assert "at most 1" in messages["site.solar.inverter_eta"][0]
    messages = app.refused("scenario", {"version": 1, "sites": [
        _solar_site(SITE_ID), _solar_site(SITE_ID + 1, inverter_eta=eta)]})
    assert list(messages) == ["sites[1].solar.inverter_eta"]


# 2. rate_limits and vehicles sections ----------------------------------------------------

LIVE_RULE = {"name": "live", "match": {"endpoint": "live_status"}, "key": "user+site",
             "limit": 2, "window_s": 60}


def test_scenario_rate_limits_answer_429_with_the_documented_headers(app: App):
    loaded = app.ok("POST", "scenario", _scenario(rate_limits=[LIVE_RULE]))
    token = loaded["tokens"]["demo:default"]
    assert app.ok("GET", "rate-limits")["config"] == [LIVE_RULE]
    first = app.api(token, "live_status")
    assert first.status_code == 200
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")
    assert app.api(token, "live_status").status_code == 200
    third = app.api(token, "live_status")
    assert third.status_code == 429 and third.json()["error"] == "rate_limited"
    assert int(third.headers["retry-after"]) >= 1
    assert third.headers["retry-after"] == third.headers["ratelimit-reset"]
    assert "ratelimit-limit" not in app.api(token, "site_info").headers  # other routes: no rule
    # A reset reloads the scenario: its limits again, buckets full.
    token = app.ok("POST", "reset", {})["tokens"]["demo:default"]
    assert app.api(token, "live_status").status_code == 200


def test_scenario_rate_limits_may_name_a_preset_and_replace_the_one_in_force(app: App):
    app.ok("PUT", "rate-limits", {"rules": [LIVE_RULE]})
    loaded = app.ok("POST", "scenario", _scenario(rate_limits="strict"))
    token = loaded["tokens"]["demo:default"]
    assert app.ok("GET", "rate-limits")["config"] == "strict"
    assert app.api(token, "live_status").headers["ratelimit-limit"] == "1"
    assert app.api(token, "live_status").status_code == 429
    # Without the section, the limits in force stay (here: strict, buckets kept).
    app.ok("POST", "scenario", _scenario())
    assert app.ok("GET", "rate-limits")["config"] == "strict"


def test_scenario_rate_limits_are_checked_with_the_rest(app: App):
    before = app.ok("GET", "rate-limits")["config"]
    messages = app.refused("scenario", _scenario(rate_limits="loose"))
    assert list(messages) == ["rate_limits"] and "strict" in messages["rate_limits"][0]
    messages = app.refused("scenario", _scenario(
        rate_limits=[LIVE_RULE, {**LIVE_RULE, "limit": 0}, {**LIVE_RULE, "key": "planet"}],
        seed="x"))
    assert set(messages) == {"seed", "rate_limits[1].limit", "rate_limits[2].key"}
    assert "rate_limits" in app.refused("scenario", _scenario(rate_limits={"limit": 2}))
    assert app.ok("GET", "rate-limits")["config"] == before


CAR = {"id": "7d8e5d0c-3f0b-4a53-9a3e-2b2c6a1e0f11", "vin": "5YJ3E1EA7KF317000",
       "max_charge_w": 3600}
VAN = {"id": "0f6c1d9e-8a57-4d0e-b8a2-5c3f7e9d1a22", "vin": "7SAYGDEE5PF000123",
       "max_charge_w": 7200, "in_products": False}


def test_a_scenario_vehicle_is_what_an_ev_plug_in_charges(app: App):
    loaded = app.ok("POST", "scenario", _scenario(
        vehicles=[CAR, VAN],
        events=[{"type": "ev_plug_in", "at": "+PT1M", "energy_wh": 5000}]))
    token = loaded["tokens"]["demo:default"]
    (event,) = app.ok("GET", "events")
    assert event["params"]["vehicle_id"] == CAR["id"] and event["params"]["vin"] == CAR["vin"]
    app.ok("POST", "clock/advance", {"seconds": 600})
    wc = app.api(token, "live_status").json()["response"]["wall_connectors"][0]
    assert wc["vin"] == CAR["vin"] and wc["wall_connector_power"] == CAR["max_charge_w"]
    app.ok("POST", "clock/advance", {"seconds": 3 * 3600})
    charges = app.client.get(f"/api/1/energy_sites/{SITE_ID}/telemetry_history",
                             params={"kind": "charge"},
                             headers={"Authorization": f"Bearer {token}"})
    assert CAR["id"] in charges.text and charges.json()["response"]["charge_history"]
    # The control plane's ev_plug_in takes the named scenario vehicle's VIN and power.
    app.ok("POST", f"sites/{SITE_ID}/events", {"type": "ev_unplug"})
    made = app.ok("POST", f"sites/{SITE_ID}/events",
                  {"type": "ev_plug_in", "vehicle_id": VAN["id"], "energy_wh": 9000})
    assert made["params"]["vin"] == VAN["vin"]
    app.ok("POST", "clock/advance", {"seconds": 600})
    wc = app.api(token, "live_status").json()["response"]["wall_connectors"][0]
    assert wc["vin"] == VAN["vin"] and wc["wall_connector_power"] == VAN["max_charge_w"]


def test_ev_plug_in_must_name_a_scenario_vehicle_when_there_are_some(app: App):
    app.ok("POST", "scenario", _scenario(vehicles=[CAR]))
    path = f"sites/{SITE_ID}/events"
    assert "vehicle_id" in app.refused(path, {"type": "ev_plug_in", "vehicle_id": VAN["id"]})
    assert "vin" in app.refused(path, {"type": "ev_plug_in", "vin": VAN["vin"]})
    messages = app.refused("scenario", _scenario(vehicles=[CAR], events=[
        {"type": "ev_plug_in", "vehicle_id": VAN["id"]}]))
    assert list(messages) == ["events[0].vehicle_id"]


def test_scenario_vehicles_are_checked_with_the_rest(app: App):
    messages = app.refused("scenario", _scenario(vehicles=[
        {**CAR, "id": "not-a-uuid"}, {**CAR, "vin": "SHORT"}, {**VAN, "max_charge_w": 100},
        {**VAN, "id": CAR["id"], "in_products": "yes", "colour": "red"}, "car"]))
    assert set(messages) == {"vehicles[0].id", "vehicles[1].vin", "vehicles[2].max_charge_w",
                             "vehicles[3].id", "vehicles[3].in_products", "vehicles[3].colour",
                             "vehicles[4]"}
    assert "vehicles" in app.refused("scenario", _scenario(vehicles={"id": CAR["id"]}))


def test_a_section_the_spec_does_not_define_is_refused(app: App):
    messages = app.refused("scenario", _scenario(vehicle=[CAR], tokens=[]))
    assert set(messages) == {"vehicle", "tokens"}
    assert "rate_limits" in messages["vehicle"][0] and "vehicles" in messages["vehicle"][0]


def test_vehicles_in_products_come_first_for_the_vehicle_scope(app: App):
    from gridtwin.services.auth import mint_access_token

    app.ok("POST", "scenario", _scenario(vehicles=[{**CAR, "in_products": True}, VAN]))
    full = mint_access_token(app.world, "demo", ["energy_device_data", "vehicle_device_data"]
                             ).access_token

    def products(token: str) -> list[dict[str, Any]]:
        r = app.client.get("/api/1/products", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text[:400]
        body = r.json()
        assert body["count"] == len(body["response"])
        return list(body["response"])

    car, site = products(full)  # the van is not in products; vehicles come first
    assert car["vin"] == CAR["vin"] and car["id_s"] == str(car["id"])
    assert isinstance(car["id"], int) and car["id"] < 2**53 and car["vehicle_id"] != car["id"]
    assert car["state"] == "asleep" and car["access_type"] == "OWNER"
    assert site["energy_site_id"] == SITE_ID
    energy_only = mint_access_token(app.world, "demo", ["energy_device_data"]).access_token
    assert [p.get("energy_site_id") for p in products(energy_only)] == [SITE_ID]
    vehicle_only = mint_access_token(app.world, "demo", ["vehicle_device_data"]).access_token
    assert products(vehicle_only) == [car]
    # another scenario without in_products lists no vehicle again
    app.ok("POST", "scenario", _scenario(vehicles=[CAR]))
    token = mint_access_token(app.world, "demo", ["energy_device_data", "vehicle_device_data"]
                              ).access_token
    assert [p.get("energy_site_id") for p in products(token)] == [SITE_ID]


def test_a_state_snapshot_carries_the_rate_limits_in_force(app: App):
    app.ok("POST", "scenario", _scenario())
    app.ok("PUT", "rate-limits", {"rules": [LIVE_RULE]})
    snap = app.ok("GET", "state?secrets=1")
    assert snap["rate_limits"] == [LIVE_RULE]
    app.ok("PUT", "rate-limits", {"preset": "off"})
    app.ok("POST", "state", snap)
    assert app.ok("GET", "rate-limits")["config"] == [LIVE_RULE]
    # an older snapshot without the member keeps the limits in force; a bad one is refused
    app.ok("PUT", "rate-limits", {"preset": "off"})
    app.ok("POST", "state", {k: v for k, v in snap.items() if k != "rate_limits"})
    assert app.ok("GET", "rate-limits")["config"] == "off"
    problems = app.refused("state", {**snap, "rate_limits": [{"rate": "fast"}]})
    assert any(path.startswith("rate_limits") for path in problems)
    assert app.ok("GET", "rate-limits")["config"] == "off"  # nothing imported
