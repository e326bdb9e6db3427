"""Real replies of every preset name only catalogued members, shape by shape and in
catalogue order (domain/catalogue*.py).

Each preset is loaded, advanced 8 hours (outages, charging sessions and backup events
happen), and every read endpoint is called over HTTP: products, site_info, live_status,
site_status, every calendar_history kind, telemetry_history and the gateway command reads.
Each object of a reply must match one variant of its catalogued shape: its keys a
subsequence of the variant's keys (present members in declared order, nothing else).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.domain.catalogue import (
    BATTERY_PRODUCT,
    ENERGY_BUCKET,
    LIVE_STATUS,
    POWER_SAMPLE,
    SITE_INFO,
    SOLAR_PRODUCT,
    USER_SETTINGS,
    WALL_CONNECTOR_PRODUCT,
    WireField,
)
from gridtwin.domain.catalogue_gateway import (
    BACKUP_EVENT_ITEM,
    BACKUP_EVENTS,
    CONFIG,
    CONFIG_BATTERY,
    CONNECTIVITY,
    ENVELOPE,
    GATEWAY_CONFIG,
    INTERFACE,
    MANUAL_BACKUP,
    NETWORKING,
    PART,
    SCHEDULING,
    SYSTEM_INFO,
    SYSTEM_UPDATE,
    VERSION_INFO,
)
from gridtwin.domain.catalogue_nested import (
    BATTERY_SITE_COMPONENTS,
    BATTERY_UNIT,
    DEVICE_LISTS,
    FEATURE_FLAGS,
    GATEWAY,
    INVERTER,
    LIVE_WALL_CONNECTOR,
    OTHER_SITE_COMPONENTS,
    PRODUCT_BATTERY_COMPONENTS,
    PRODUCT_SOLAR_COMPONENTS,
    PRODUCT_WALL_CONNECTOR,
    PRODUCT_WALL_CONNECTOR_COMPONENTS,
    SITE_WALL_CONNECTOR,
    TOU_SETTINGS_FIELDS,
)
from gridtwin.domain.catalogue_series import (
    BACKUP_EVENT,
    BACKUP_HISTORY,
    CHARGE_HISTORY,
    CHARGE_SESSION,
    HISTORY_HEAD,
    SAVINGS_ITEM,
    SECONDS,
    SELF_CONSUMPTION_BUCKET,
    SOE_SAMPLE,
    TARGET_ID,
    TIME_SERIES,
)
from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.emulator.presets import PRESETS, preset
from gridtwin.services.emulator.scenario import load_scenario
from tests.conftest import make_world

Shape = tuple[WireField, ...]

SHAPES: dict[str, list[Shape]] = {
    "LiveWallConnector": [LIVE_WALL_CONNECTOR],
    "UserSettings": [USER_SETTINGS],
    "SiteComponents": [(*BATTERY_SITE_COMPONENTS, *DEVICE_LISTS),
                       (*OTHER_SITE_COMPONENTS, *DEVICE_LISTS)],
    "TouSettings": [TOU_SETTINGS_FIELDS],
    "Gateway": [GATEWAY],
    "Battery": [BATTERY_UNIT],
    "Inverter": [INVERTER],
    "SiteWallConnector": [SITE_WALL_CONNECTOR],
    "ProductComponents": [PRODUCT_BATTERY_COMPONENTS, PRODUCT_SOLAR_COMPONENTS,
                          PRODUCT_WALL_CONNECTOR_COMPONENTS],
    "ProductWallConnector": [PRODUCT_WALL_CONNECTOR],
    "Features": [FEATURE_FLAGS],
    "BackupEvent": [BACKUP_EVENT],
    "Seconds": [SECONDS],
    "TargetId": [TARGET_ID],
    "ChargeSession": [CHARGE_SESSION],
    "Part": [PART],
    "VersionInfo": [VERSION_INFO],
    "SystemUpdate": [SYSTEM_UPDATE],
    "Interface": [INTERFACE],
    "Connectivity": [CONNECTIVITY],
    "Scheduling": [SCHEDULING],
    "ManualBackup": [MANUAL_BACKUP],
    "BackupEventItem": [BACKUP_EVENT_ITEM],
    "GatewayConfig": [GATEWAY_CONFIG],
    "ConfigBattery": [CONFIG_BATTERY],
    # calendar_history items, named by the kind's reply (time_series has no shape of its own)
    "EnergyBucket": [ENERGY_BUCKET],
    "PowerSample": [POWER_SAMPLE],
    "SoeSample": [SOE_SAMPLE],
    "SelfConsumptionBucket": [SELF_CONSUMPTION_BUCKET],
}
PRODUCT = [BATTERY_PRODUCT, SOLAR_PRODUCT, WALL_CONNECTOR_PRODUCT]
KIND_ITEMS = {"energy": "EnergyBucket", "power": "PowerSample", "soe": "SoeSample",
              "self_consumption": "SelfConsumptionBucket"}
GATEWAY_READS: dict[tuple[str, str], Shape] = {
    ("common", "get_system_info_request"): SYSTEM_INFO,
    ("common", "get_networking_status_request"): NETWORKING,
    ("common", "check_internet_request"): NETWORKING,
    ("common", "check_for_update_request"): (),
    ("teg", "get_backup_events_request"): BACKUP_EVENTS,
    ("teg", "get_config_request"): CONFIG,
}


def _series(item: str) -> Shape:
    return (*HISTORY_HEAD, replace(TIME_SERIES, shape=item))


def _subsequence(keys: list[str], order: list[str]) -> bool:
    it = iter(order)
    return all(k in it for k in keys)


class Walk:
    """Checks objects against their shapes; records the shapes seen and the problems."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.problems: list[str] = []

    def check(self, obj: Any, variants: list[Shape], where: str) -> None:
        if not isinstance(obj, dict):
            self.problems.append(f"{where}: not an object")
            return
        keys = list(obj)
        match = next((v for v in variants if _subsequence(keys, [f.key for f in v])), None)
        if match is None:
            known = {f.key for v in variants for f in v}
            self.problems.append(f"{where}: keys {keys} (unknown {sorted(set(keys) - known)})")
            return
        by_key = {f.key: f for f in match}
        for key, value in obj.items():
            shape = by_key[key].shape
            if shape not in SHAPES or (value is None and by_key[key].nullable):
                continue
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                self.seen.add(shape)
                self.check(item, SHAPES[shape], f"{where}.{key}[{i}]")


class Api:
    """One user's HTTP reads; counts the replies."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.auth, self.replies = client, {"Authorization": f"Bearer {token}"}, 0

    def get(self, path: str, **params: str) -> Any:
        r = self.client.get(path, headers=self.auth, params=params)
        assert r.status_code == 200, (path, params, r.text)
        self.replies += 1
        return r.json()["response"]


def _walk_preset(name: str, tmp_path, walk: Walk) -> int:
    world = make_world(f"sqlite:///{tmp_path / name}.db")
    doc = preset(name, start="2025-07-15T12:00:00-07:00" if name == "demo" else None)
    doc["clock"]["mode"] = "frozen"
    for user in doc["users"]:
        user.setdefault("tokens", [{}])
    loaded = load_scenario(world, doc)
    replies = 0
    try:
        with TestClient(create_app(world)) as client:
            advance_clock(world, {"seconds": 8 * 3600})
            for user, token in sorted(loaded["tokens"].items()):
                api, where = Api(client, token), f"{name}/{user}"
                products = api.get("/api/1/products")
                for item in products:
                    walk.check(item, PRODUCT, f"{where}/products")
                for site_id in sorted(item["energy_site_id"] for item in products):
                    base = f"/api/1/energy_sites/{site_id}"
                    walk.check(api.get(f"{base}/site_info"), [SITE_INFO], f"{where}/site_info")
                    walk.check(api.get(f"{base}/live_status"), [LIVE_STATUS], f"{where}/live")
                    walk.check(api.get(f"{base}/site_status"), PRODUCT, f"{where}/site_status")
                    _walk_history(api.get, base, where, walk)
                    _walk_gateway(client, api.auth, base, where, walk)
                replies += api.replies
    finally:
        world.store.dispose()
    return replies


def _walk_history(get: Any, base: str, where: str, walk: Walk) -> None:
    for kind, item in KIND_ITEMS.items():
        reply = get(f"{base}/calendar_history", kind=kind, period="day")
        walk.check(reply, [_series(item)], f"{where}/{kind}")
    walk.check(get(f"{base}/calendar_history", kind="backup"), [BACKUP_HISTORY],
               f"{where}/backup")
    for label, series in get(f"{base}/calendar_history", kind="time_of_use_energy",
                             period="day").items():
        walk.check(series, [(replace(TIME_SERIES, shape="EnergyBucket"),)],
                   f"{where}/tou/{label}")
    for i, item in enumerate(get(f"{base}/calendar_history", kind="savings", period="day")):
        walk.check(item, [SAVINGS_ITEM], f"{where}/savings[{i}]")
    walk.check(get(f"{base}/telemetry_history", kind="charge"), [CHARGE_HISTORY],
               f"{where}/charge")


def _walk_gateway(client: TestClient, auth: dict[str, str], base: str, where: str,
                  walk: Walk) -> None:
    message, payload, inner = (f.key for f in ENVELOPE)
    for (category, request), body_shape in GATEWAY_READS.items():
        r = client.post(f"{base}/command", headers=auth, json={
            "command_type": "grpc_command",
            "command_properties": {"message": {category: {request: {}}}}})
        if r.status_code == 400:  # a site without a gateway
            continue
        assert r.status_code == 200, r.text
        reply = r.json()["response"]
        assert list(reply) == [message] and list(reply[message]) == [payload]
        ((_, by_category),) = reply[message][payload].items()
        assert list(by_category) == [inner]
        ((_, body),) = by_category[inner].items()
        walk.check(body, [body_shape], f"{where}/command/{request}")


EVERY_SITE = {"SiteComponents", "UserSettings", "TouSettings", "ProductComponents", "Features"}
GATEWAY_SITE = {"Gateway", "Battery", "SiteWallConnector", "LiveWallConnector",
                "ProductWallConnector", "Part", "VersionInfo", "SystemUpdate", "Interface",
                "Connectivity", "GatewayConfig", "ConfigBattery"}
WITH_HISTORY = {"EnergyBucket", "PowerSample", "SelfConsumptionBucket"}
CHARGING = {"ChargeSession", "Seconds", "TargetId"}
OUTAGES = {"BackupEvent", "BackupEventItem", "Scheduling", "Seconds"}


def _expected_shapes(name: str) -> set[str]:
    """The nested shapes a preset's replies must contain at least (items, not empty lists)."""
    expected = set(EVERY_SITE)
    if name != "solar_only":
        expected |= GATEWAY_SITE
    if name != "ghost_site":  # its history is empty
        expected |= WITH_HISTORY
        if name != "solar_only":  # no state of energy without a battery
            expected.add("SoeSample")
    if name in ("ev_evening", "night_outage"):  # a car plugs in within the 8 hours
        expected |= CHARGING
    if name in ("night_outage", "storm"):  # the grid fails within the 8 hours
        expected |= OUTAGES
    return expected


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_replies_with_catalogued_members_only(name: str, tmp_path) -> None:
    walk = Walk()
    replies = _walk_preset(name, tmp_path, walk)
    assert walk.problems == []
    assert replies >= 12
    assert _expected_shapes(name) <= walk.seen


def test_the_presets_reach_every_nested_shape() -> None:
    """All but the two no preset produces: third-party inverters and a pending manual
    backup."""
    reached = set().union(*(_expected_shapes(name) for name in PRESETS))
    assert set(SHAPES) - reached == {"Inverter", "ManualBackup"}


def test_the_walk_fails_on_an_uncatalogued_or_misplaced_key() -> None:
    walk = Walk()
    walk.check({"din": "x", "colour": "red"}, [SITE_WALL_CONNECTOR], "extra")
    walk.check({"din": "x", "device_id": "y"}, [SITE_WALL_CONNECTOR], "order")
    walk.check({"time_series": [{"timestamp": "t", "soe": 1, "solar": 2}]},
               [(replace(TIME_SERIES, shape="SoeSample"),)], "nested")
    assert [p.split(":")[0] for p in walk.problems] == [
        "extra", "order", "nested.time_series[0]"]


ROOTS = [*PRODUCT, SITE_INFO, LIVE_STATUS, BACKUP_HISTORY, CHARGE_HISTORY,
         *GATEWAY_READS.values()]


@pytest.mark.parametrize("shape", sorted({f.shape for s in (*ROOTS, *(s for v in SHAPES.values()
                                                                       for s in v))
                                          for f in s if f.shape}))
def test_every_nested_shape_name_is_catalogued(shape: str) -> None:
    assert shape in SHAPES or shape == "Timestamp"
