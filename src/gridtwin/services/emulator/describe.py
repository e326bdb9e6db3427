"""Sites from a description (emulator §5 ``sites[]``), validated with every problem listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin.core.errors import InvalidField
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Profile, Quirk
from gridtwin.domain.site import (
    CONTROLLERS,
    BatteryBank,
    GeneratorSpec,
    LoadSpec,
    Location,
    SiteKind,
    SiteSpec,
    SolarSpec,
    WallConnectorSpec,
)
from gridtwin.services.provision import YEAR_S, din_for, seeded_id, seeded_uuid
from gridtwin.services.timeparams import parse_instant

__all__ = ["SiteDescription", "parse_site"]

BREAKER_W = {60: 11_500, 50: 9_600, 40: 7_600, 30: 5_700, 20: 3_800, 15: 2_800}
DEFAULT_LOCATIONS = {"America/Los_Angeles": (34.05, -118.25)}


@dataclass
class SiteDescription:
    spec: SiteSpec
    controls: SiteControls
    app_pct: float
    tariff: dict[str, Any] | None
    owner: str | None


@dataclass
class _Problems:
    messages: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, text: str) -> None:
        self.messages.setdefault(path, []).append(text)


def _num(p: _Problems, data: dict[str, Any], key: str, path: str, default: float,
         lo: float, hi: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= float(value) <= hi:
        p.add(f"{path}.{key}", f"must be a number {lo:g}-{hi:g}")
        return default
    return float(value)


def _int(p: _Problems, data: dict[str, Any], key: str, path: str, default: int, lo: int, hi: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        p.add(f"{path}.{key}", f"must be an integer {lo}-{hi}")
        return default
    return int(value)


def _obj(p: _Problems, data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        p.add(f"{path}.{key}", "must be an object")
        return {}
    return value


def _batteries(p: _Problems, data: dict[str, Any], path: str) -> tuple[BatteryBank, ...]:
    raw = data.get("batteries", [{"model": "powerwall_2", "count": 2}])
    if not isinstance(raw, list):
        p.add(f"{path}.batteries", "must be a list")
        return ()
    banks = []
    for i, b in enumerate(raw):
        bpath = f"{path}.batteries[{i}]"
        if not isinstance(b, dict) or b.get("model") not in {m.value for m in BatteryModel}:
            p.add(f"{bpath}.model", f"must be one of {', '.join(m.value for m in BatteryModel)}")
            continue
        banks.append(BatteryBank(
            BatteryModel(b["model"]), _int(p, b, "count", bpath, 1, 1, 10),
            _num(p, b, "health", bpath, 1.0, 0.5, 1.0),
            b.get("max_charge_w"), b.get("max_discharge_w"), b.get("grid_charge_cap_w"),
        ))
    if not data.get("allow_unrealistic"):
        models = {b.model for b in banks}
        pw3 = {BatteryModel.POWERWALL_3, BatteryModel.POWERWALL_3_EXPANSION}
        if models & pw3 and models - pw3:
            p.add(f"{path}.batteries", "Powerwall 3 is never mixed with Powerwall 2/+")
        if sum(b.count for b in banks if b.model is BatteryModel.POWERWALL_3) > 4:
            p.add(f"{path}.batteries", "at most 4 Powerwall 3 units")
        if sum(b.count for b in banks if b.model is BatteryModel.POWERWALL_3_EXPANSION) > 3:
            p.add(f"{path}.batteries", "at most 3 Powerwall 3 expansions")
        if sum(b.count for b in banks if b.model.value in ("powerwall_2", "powerwall_plus")) > 10:
            p.add(f"{path}.batteries", "at most 10 Powerwall 2/+ units")
    return tuple(banks)


def _wall_connectors(p: _Problems, data: dict[str, Any], path: str, seed: int,
                     site_id: int) -> tuple[WallConnectorSpec, ...]:
    raw = data.get("wall_connectors", [])
    if not isinstance(raw, list):
        p.add(f"{path}.wall_connectors", "must be a list")
        return ()
    out = []
    for i, w in enumerate(raw):
        wpath = f"{path}.wall_connectors[{i}]"
        if not isinstance(w, dict):
            p.add(wpath, "must be an object")
            continue
        power = w.get("max_power_w")
        if "breaker_a" in w:
            power = BREAKER_W.get(w["breaker_a"])
            if power is None:
                p.add(f"{wpath}.breaker_a", f"must be one of {sorted(BREAKER_W)}")
        out.append(WallConnectorSpec(
            din=str(w.get("din") or din_for(seed, "1529455-02-D", site_id, f"wc{i}", "PGT")),
            device_id=str(w.get("device_id") or seeded_uuid(seed, "wc", site_id, i)),
            max_power_w=int(power or 11_500), group=w.get("group"),
            group_limit_w=w.get("group_limit_w"),
        ))
    return tuple(out)


def _choice(p: _Problems, data: dict[str, Any], key: str, path: str, default: str,
            allowed: tuple[str, ...]) -> str:
    value = data.get(key, default)
    if value not in allowed:
        p.add(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
        return default
    return str(value)


def _flag(p: _Problems, data: dict[str, Any], key: str, path: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        p.add(f"{path}.{key}", "must be a boolean")
        return default
    return value


def _controls(p: _Problems, data: dict[str, Any], path: str) -> SiteControls:
    s = _obj(p, data, "settings", path)
    spath = f"{path}.settings"
    c = SiteControls()
    return SiteControls(
        backup_reserve_pct=_int(p, s, "backup_reserve_percent", spath, c.backup_reserve_pct, 0, 100),
        mode=OperationMode(_choice(p, s, "default_real_mode", spath, c.mode.value,
                                   tuple(m.value for m in OperationMode))),
        storm_mode_enabled=_flag(p, s, "storm_mode_enabled", spath, c.storm_mode_enabled),
        export_rule=ExportRule(_choice(p, s, "customer_preferred_export_rule", spath,
                                       c.export_rule.value, tuple(r.value for r in ExportRule))),
        grid_charging_allowed=not _flag(
            p, s, "disallow_charge_from_grid_with_solar_installed", spath, False),
        ev_reserve_pct=_int(p, s, "off_grid_vehicle_charging_reserve_percent", spath,
                            c.ev_reserve_pct, 0, 100),
        strategy=Strategy(_choice(p, s, "optimization_strategy", spath, c.strategy.value,
                                  tuple(x.value for x in Strategy))),
    )


def _installation(p: _Problems, data: dict[str, Any], path: str, zone: ZoneInfo, now_s: int) -> int:
    value = data.get("installation_date")
    if value is None:
        return now_s - 30 * 86_400
    try:
        return int(parse_instant("installation_date", str(value), zone).timestamp())
    except InvalidField:
        p.add(f"{path}.installation_date", "must be an RFC 3339 date-time")
        return now_s - YEAR_S


def parse_site(data: Any, *, seed: int, now_s: int, index: int, path: str = "site") -> SiteDescription:
    """A site from its description; raises InvalidField listing every problem."""
    if not isinstance(data, dict):
        raise InvalidField.for_field(path, "must be an object")
    p = _Problems()
    kind_text = data.get("type", "battery")
    kind = SiteKind(kind_text) if kind_text in {k.value for k in SiteKind} else SiteKind.BATTERY
    if kind_text not in {k.value for k in SiteKind}:
        p.add(f"{path}.type", "must be battery, solar or wall_connector")
    zone_name = data.get("time_zone")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        p.add(f"{path}.time_zone", "is required: an IANA zone name")
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    site_id = data.get("energy_site_id") or seeded_id(seed, "site", index)
    if isinstance(site_id, bool) or not isinstance(site_id, int) or not 0 < site_id < 2**53:
        p.add(f"{path}.energy_site_id", "must be a positive integer below 2**53")
        site_id = seeded_id(seed, "site", index)
    loc = _obj(p, data, "location", path)
    lat0, lon0 = DEFAULT_LOCATIONS.get(str(zone_name), (34.05, -118.25))
    location = Location(_num(p, loc, "latitude", f"{path}.location", lat0, -90, 90),
                        _num(p, loc, "longitude", f"{path}.location", lon0, -180, 180),
                        _num(p, loc, "elevation_m", f"{path}.location", 0.0, -500, 9000))
    has_solar = kind is not SiteKind.WALL_CONNECTOR and data.get("solar", {}) is not None
    sol = _obj(p, data, "solar", path) if has_solar else {}
    solar = SolarSpec(
        dc_kw=_num(p, sol, "dc_kw", f"{path}.solar", 7.6, 0.1, 1000),
        tilt_deg=_num(p, sol, "tilt", f"{path}.solar", 20.0, 0, 90),
        azimuth_deg=sol.get("azimuth"), inverter_ac_w=sol.get("inverter_ac_w"),
    ) if has_solar else None
    load = _obj(p, data, "load", path)
    weights = load.get("weights")
    load_spec = LoadSpec(daily_kwh=_num(p, load, "daily_kwh", f"{path}.load", 24.0, 0, 1000))
    if weights is not None:
        if not (isinstance(weights, list) and len(weights) == 24
                and all(isinstance(w, int | float) and w >= 0 for w in weights) and sum(weights) > 0):
            p.add(f"{path}.load.weights", "must be 24 non-negative numbers")
        else:
            load_spec = LoadSpec(load_spec.daily_kwh, tuple(float(w) for w in weights))
    gen = data.get("generator")
    generator = GeneratorSpec(**{k: v for k, v in gen.items() if k in (
        "rated_w", "start_pct", "stop_pct", "charges_battery")}) if isinstance(gen, dict) else None
    limits = _obj(p, data, "limits", path)
    profile = data.get("profile", "documented")
    if profile not in ("documented", "observed"):
        p.add(f"{path}.profile", "must be documented or observed")
        profile = "documented"
    quirks = _obj(p, data, "quirks", path)
    for q in quirks:
        if q not in {x.value for x in Quirk}:
            p.add(f"{path}.quirks.{q}", "unknown quirk id")
    step_s = data.get("step_s", 60)
    if not isinstance(step_s, int) or isinstance(step_s, bool) or not 1 <= step_s <= 300 or 300 % step_s:
        p.add(f"{path}.step_s", "must divide 300")
        step_s = 60
    initial = _obj(p, data, "initial", path)
    batteries = _batteries(p, data, path) if kind is SiteKind.BATTERY else ()
    spec = SiteSpec(
        energy_site_id=int(site_id), kind=kind, name=str(data.get("name", "My Home")),
        time_zone=str(zone_name), location=location,
        installation_s=_installation(p, data, path, zone, now_s),
        gateway_din=din_for(seed, "1232100-00-E", site_id, "gw", "TG"),
        site_uuid=seeded_uuid(seed, "site-uuid", site_id), batteries=batteries, solar=solar,
        load=load_spec, generator=generator,
        wall_connectors=_wall_connectors(p, data, path, seed, int(site_id)),
        max_import_w=int(limits.get("max_import_w", 1_000_000_000)),
        max_export_w=int(limits.get("max_export_w", 1_000_000_000)),
        step_s=step_s, sky=str(data.get("sky", "tmy")), profile=Profile(profile),
        quirks=tuple((str(k), bool(v)) for k, v in quirks.items()),
        components=tuple(_obj(p, data, "components", path).items()),
        seed=seed,
        controller=_choice(p, data, "controller", path, "optimiser", CONTROLLERS),
    )
    tariff = data.get("tariff")
    if tariff is not None and not isinstance(tariff, dict):
        p.add(f"{path}.tariff", "must be a tariff_content_v2 object")
    controls = _controls(p, data, path)
    app_pct = _num(p, initial, "app_pct", f"{path}.initial", 50.0, 0, 100)
    if p.messages:
        first = next(iter(p.messages.items()))
        raise InvalidField(f"{first[0]}: {first[1][0]}", p.messages)
    return SiteDescription(spec, controls, app_pct, tariff, data.get("owner"))
