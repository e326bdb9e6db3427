"""The SDK's models stay in step with the server: every reply of every endpoint, for a
battery site, a solar-only site and an ``observed``-profile site, parses with the client
models, round-trips exactly (absent stays absent, null stays null) and has no key the
models do not declare."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter

from gridtwin.client.types import (
    AdminSite,
    AdvanceResult,
    BackupHistory,
    BackupTimeRemaining,
    ChargeHistory,
    ClockInfo,
    CommandResult,
    EnergyHistory,
    EnergyProduct,
    ErrorBody,
    Event,
    FaultRule,
    Health,
    JournalEntry,
    LiveStatus,
    MintedToken,
    Product,
    Region,
    SiteInfo,
    TokenGrant,
    TokenRecord,
)
from gridtwin.services.emulator.presets import preset
from gridtwin.testing import ADMIN_TOKEN, running_gridtwin
from tests.waits import HTTP_TIMEOUT_S

pytestmark = pytest.mark.server

BATTERY, SOLAR, OBSERVED = 1000000000000011, 1000000000000012, 1000000000000013


def _scenario() -> dict[str, Any]:
    demo = preset("demo")["sites"][0]
    tariff = preset("tou_peak_export")["sites"][0]["tariff"]
    sites = [
        {**copy.deepcopy(demo), "energy_site_id": BATTERY, "tariff": tariff,
         "components": {"off_grid_vehicle_charging_reserve_supported": True}},
        {"energy_site_id": SOLAR, "type": "solar", "name": "Cabin",
         "time_zone": "America/Los_Angeles", "batteries": [], "wall_connectors": []},
        {**copy.deepcopy(demo), "energy_site_id": OBSERVED, "profile": "observed",
         "tariff": tariff, "name": "Observed"},
    ]
    return {"version": 1, "seed": 0, "clock": {"mode": "frozen"}, "sites": sites,
            "users": [{"id": "demo", "sites": [BATTERY, SOLAR, OBSERVED],
                       "clients": [{"client_id": "cid", "client_secret": "secret"}]}],
            "vehicles": [{"id": "0b5d6c1f-0000-4000-8000-000000000009",
                          "vin": "5YJ3E1EA7KF000009", "in_products": True}]}


@pytest.fixture(scope="module")
def gt():
    with running_gridtwin(scenario=_scenario()) as server:
        server.control.event(BATTERY, "ev_plug_in", energy_wh=4000)
        server.control.outage(BATTERY, duration_s=1800)
        server.control.outage(OBSERVED, duration_s=900)
        server.control.advance(2 * 3600)
        yield server


def undeclared(value: Any, path: str = "$") -> list[str]:
    """Paths of keys a model kept as extras, anywhere inside ``value``."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{k}" for k in value.model_extra or {}]
        for name in type(value).model_fields:
            found += undeclared(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += undeclared(item, f"{path}[{i}]")
    return found


def check(kind: Any, raw: Any) -> Any:
    parsed = TypeAdapter(kind).validate_python(raw)
    assert undeclared(parsed) == []
    dumped = TypeAdapter(kind).dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
    assert dumped == raw
    return parsed


def get(gt, path: str, **params: str) -> Any:
    r = httpx.get(f"{gt.base_url}{path}", headers=gt.headers, params=params, timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200, r.text
    return r.json()["response"]


READS = [("site_info", SiteInfo), ("live_status", LiveStatus), ("site_status", EnergyProduct),
         ("backup_time_remaining", BackupTimeRemaining)]


@pytest.mark.parametrize("site_id", [BATTERY, SOLAR, OBSERVED])
@pytest.mark.parametrize(("endpoint", "kind"), READS)
def test_reads_parse_with_the_client_models(gt, site_id, endpoint, kind):
    check(kind, get(gt, f"/api/1/energy_sites/{site_id}/{endpoint}"))


@pytest.mark.parametrize("site_id", [BATTERY, SOLAR, OBSERVED])
@pytest.mark.parametrize("period", ["day", "week", "month", "year", "lifetime"])
def test_energy_history_parses(gt, site_id, period):
    raw = get(gt, f"/api/1/energy_sites/{site_id}/calendar_history", kind="energy", period=period)
    history = check(EnergyHistory, raw)
    assert history.time_series, "the warm-up left history in every period"


@pytest.mark.parametrize("site_id", [BATTERY, SOLAR, OBSERVED])
def test_backup_and_charge_history_parse(gt, site_id):
    backups = check(BackupHistory, get(gt, f"/api/1/energy_sites/{site_id}/calendar_history",
                                       kind="backup"))
    charges = check(ChargeHistory, get(gt, f"/api/1/energy_sites/{site_id}/telemetry_history",
                                       kind="charge"))
    if site_id == BATTERY:
        assert backups.total_events == 1 and len(charges.charge_history) == 1
    if site_id == OBSERVED:
        assert backups.events[0].duration == 900 * 1000  # quirk backup_duration_ms


def test_products_and_region_parse(gt):
    items = check(list[Product], get(gt, "/api/1/products"))
    kinds = {type(i).__name__ for i in items}
    assert {"BatteryProduct", "SolarProduct"} <= kinds  # vehicles too once the server lists them
    observed = next(i for i in items if getattr(i, "energy_site_id", None) == OBSERVED)
    assert not observed.present("energy_left")  # omit_deprecated_energy_fields
    check(Region, get(gt, "/api/1/users/region"))


def test_observed_profile_omits_what_the_documented_one_sends(gt):
    documented = check(LiveStatus, get(gt, f"/api/1/energy_sites/{BATTERY}/live_status"))
    observed = check(LiveStatus, get(gt, f"/api/1/energy_sites/{OBSERVED}/live_status"))
    assert documented.present("energy_left") and not observed.present("energy_left")
    solar = check(SiteInfo, get(gt, f"/api/1/energy_sites/{SOLAR}/site_info"))
    assert solar.user_settings.storm_mode_enabled is None
    assert solar.user_settings.present("storm_mode_enabled")


def test_command_replies_and_errors_parse(gt):
    site = f"{gt.base_url}/api/1/energy_sites/{BATTERY}"
    bodies = {"backup": {"backup_reserve_percent": 25},
              "operation": {"default_real_mode": "self_consumption"},
              "storm_mode": {"enabled": True},
              "grid_import_export": {"customer_preferred_export_rule": "pv_only"},
              "off_grid_vehicle_charging_reserve": {"off_grid_vehicle_charging_reserve_percent": 40},
              "time_of_use_settings": {"tou_settings": {
                  "tariff_content_v2": _scenario()["sites"][0]["tariff"]}}}
    for name, body in bodies.items():
        r = httpx.post(f"{site}/{name}", headers=gt.headers, json=body, timeout=HTTP_TIMEOUT_S)
        assert check(CommandResult, r.json()["response"]).code == 201, name
    r = httpx.post(f"{site}/backup", headers=gt.headers, json={"backup_reserve_percent": 101}, timeout=HTTP_TIMEOUT_S)
    error = check(ErrorBody, r.json())
    assert error.messages == {"backup_reserve_percent": ["must be an integer 0-100"]}
    r = httpx.get(f"{gt.base_url}/api/1/products", timeout=HTTP_TIMEOUT_S)
    check(ErrorBody, r.json())


def test_oauth_token_reply_parses(gt):
    r = httpx.post(f"{gt.base_url}/oauth2/v3/token", data={
        "grant_type": "client_credentials", "client_id": "cid", "client_secret": "secret"}, timeout=HTTP_TIMEOUT_S)
    grant = check(TokenGrant, r.json())
    assert grant.refresh_token


def test_control_plane_replies_parse(gt):
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def call(method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, f"{gt.base_url}/_gridtwin{path}", headers=admin, json=body, timeout=HTTP_TIMEOUT_S)
        assert r.status_code == 200, r.text
        return r.json()["response"]

    check(Health, call("GET", "/health"))
    check(ClockInfo, call("GET", "/clock"))
    check(AdvanceResult, call("POST", "/clock/advance", {"seconds": 60}))
    check(list[AdminSite], call("GET", "/sites"))
    check(Event, call("POST", f"/sites/{SOLAR}/events", {"type": "load_spike", "power_w": 500,
                                                          "duration_s": 600}))
    check(list[Event], call("GET", "/events"))
    check(FaultRule, call("POST", "/faults", {"template": "slow", "match": {"site_id": 1}}))
    check(list[FaultRule], call("DELETE", "/faults"))
    check(MintedToken, call("POST", "/tokens", {"user": "demo"}))
    check(list[TokenRecord], call("GET", "/tokens"))
    check(list[JournalEntry], call("GET", "/requests?limit=5"))
