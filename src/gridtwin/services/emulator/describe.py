"""Sites from a description (emulator §5 ``sites[]``), validated whole with every problem listed.

Every member is checked for type, range, length and nesting before anything is built, and
the tariff is validated by the tariff engine, so a description that parses can be stored
without the store or the simulation ever refusing it (issue 12).

Accepted ``installation_date``: from 2000-01-01T00:00:00Z (older than any Tesla energy
product) up to the current sim instant; warm-up itself is capped separately (§3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin import tariff as tariff_engine
from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    DEFAULT_REAL_MODE,
    EV_RESERVE_PERCENT,
    INSTALLATION_DATE,
    STORM_MODE_ENABLED,
)
from gridtwin.domain.catalogue_nested import (
    EV_RESERVE_SUPPORTED,
    EXPORT_RULE,
    GRID_CHARGING_DISALLOWED,
    LOAD_METER,
    OPTIMIZATION_STRATEGY,
    STORM_MODE_CAPABLE,
    TOU_CAPABLE,
)
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Profile, Quirk, active_quirks
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
from gridtwin.services.emulator.inputs import (
    NAME_CHARS,
    Problems,
    Reader,
    is_number,
    shown_value,
)
from gridtwin.services.provision import din_for, seeded_id, seeded_uuid
from gridtwin.services.timeparams import parse_instant
from gridtwin.sim.weather import WeatherFileError, file_station

__all__ = [
    "EARLIEST_INSTALLATION_S",
    "SETTING_KEYS",
    "SITE_KEYS",
    "SKIES",
    "SiteDescription",
    "check_components",
    "parse_settings",
    "parse_site",
    "read_quirks",
]

BREAKER_W = {60: 11_500, 50: 9_600, 40: 7_600, 30: 5_700, 20: 3_800, 15: 2_800}
DEFAULT_LOCATIONS = {"America/Los_Angeles": (34.05, -118.25)}
EARLIEST_INSTALLATION_S = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
SKIES = ("tmy", "clear", "partly_cloudy", "overcast", "storm", "random")
SITE_KEYS = (
    "energy_site_id", "type", "name", "time_zone", "location", INSTALLATION_DATE.key, "profile",
    "quirks", "batteries", "solar", "load", "generator", "wall_connectors", "limits",
    "components", "settings", "tariff", "initial", "step_s", "sky", "owner", "controller",
    "allow_unrealistic", "signed_commands",
)
SETTING_KEYS = (
    BACKUP_RESERVE_PERCENT.key, DEFAULT_REAL_MODE.key, STORM_MODE_ENABLED.key,
    EXPORT_RULE.key, GRID_CHARGING_DISALLOWED.key, EV_RESERVE_PERCENT.key,
    OPTIMIZATION_STRATEGY.key,
)
_BOOLEAN_COMPONENTS = (
    "solar", "battery", "grid", "backup", LOAD_METER.key, TOU_CAPABLE.key,
    STORM_MODE_CAPABLE.key, EV_RESERVE_SUPPORTED.key,
)
_TEXT_CHARS = 128
_PATH_CHARS = 1024
_ZONE_CHARS = 64
_COMPONENT_JSON_CHARS = 4096
_MAX_W = 1_000_000_000


@dataclass
class SiteDescription:
    spec: SiteSpec
    controls: SiteControls
    app_pct: float
    tariff: dict[str, Any] | None
    owner: str | None


# Allowed values, computed once: a scenario of 10,000 sites reads each many times.
_BATTERY_MODELS = tuple(m.value for m in BatteryModel)
_MODES = tuple(m.value for m in OperationMode)
_EXPORT_RULES = tuple(x.value for x in ExportRule)
_STRATEGIES = tuple(x.value for x in Strategy)
_QUIRK_IDS = tuple(q.value for q in Quirk)
_KINDS = tuple(k.value for k in SiteKind)
_PROFILES = tuple(x.value for x in Profile)


def _batteries(site: Reader, kind: SiteKind) -> tuple[BatteryBank, ...]:
    if kind is not SiteKind.BATTERY:
        if site.data.get("batteries"):
            site.add("batteries", f"a {kind.value} site has no batteries")
        return ()
    raw = site.items("batteries", [{"model": "powerwall_2", "count": 2}], 20)
    models = _BATTERY_MODELS
    banks = []
    for i, item in enumerate(raw):
        b = Reader(site.problems, item, f"{site.at('batteries')}[{i}]", (
            "model", "count", "health", "max_charge_w", "max_discharge_w", "grid_charge_cap_w"))
        model = b.data.get("model")
        if model is None:
            b.add("model", f"is required: one of {', '.join(models)}")
        elif model not in models:
            b.add("model", f"must be one of {', '.join(models)}; got {shown_value(model)}")
        # The other members are read even without a model, so every problem is listed.
        bank = (b.integer("count", 1, 1, 10), b.number("health", 1.0, 0.5, 1.0),
                b.optional_integer("max_charge_w", 1, 100_000),
                b.optional_integer("max_discharge_w", 1, 100_000),
                b.optional_integer("grid_charge_cap_w", 0, 100_000))
        if model in models:
            banks.append(BatteryBank(BatteryModel(model), *bank))
    if not site.flag("allow_unrealistic", False):
        _realistic(site, banks)
    return tuple(banks)


def _realistic(site: Reader, banks: list[BatteryBank]) -> None:
    models = {b.model for b in banks}
    pw3 = {BatteryModel.POWERWALL_3, BatteryModel.POWERWALL_3_EXPANSION}
    if models & pw3 and models - pw3:
        site.add("batteries", "Powerwall 3 is never mixed with Powerwall 2/+")
    if sum(b.count for b in banks if b.model is BatteryModel.POWERWALL_3) > 4:
        site.add("batteries", "at most 4 Powerwall 3 units")
    if sum(b.count for b in banks if b.model is BatteryModel.POWERWALL_3_EXPANSION) > 3:
        site.add("batteries", "at most 3 Powerwall 3 expansions")
    if sum(b.count for b in banks if b.model.value in ("powerwall_2", "powerwall_plus")) > 10:
        site.add("batteries", "at most 10 Powerwall 2/+ units")


def _wall_connectors(site: Reader, seed: int, site_id: int) -> tuple[WallConnectorSpec, ...]:
    out: list[WallConnectorSpec] = []
    for i, item in enumerate(site.items("wall_connectors", [], 16)):
        w = Reader(site.problems, item, f"{site.at('wall_connectors')}[{i}]", (
            "din", "device_id", "max_power_w", "breaker_a", "group", "group_limit_w"))
        power = w.optional_integer("max_power_w", 1, 50_000)
        if "breaker_a" in w.data:
            breaker = w.data["breaker_a"]
            if isinstance(breaker, int) and not isinstance(breaker, bool) and breaker in BREAKER_W:
                power = BREAKER_W[breaker]
            else:
                w.add("breaker_a", f"must be one of {sorted(BREAKER_W)}")
        din = w.optional_text("din", NAME_CHARS["din"]) or din_for(
            seed, "1529455-02-D", site_id, f"wc{i}", "PGT")
        if din in {x.din for x in out}:
            w.add("din", "must differ from the other Wall Connectors' din")
        out.append(WallConnectorSpec(
            din=din,
            device_id=w.optional_text("device_id", 64) or seeded_uuid(seed, "wc", site_id, i),
            max_power_w=power or 11_500, group=w.optional_text("group", 64),
            group_limit_w=w.optional_integer("group_limit_w", 1, 1_000_000),
        ))
    return tuple(out)


def parse_settings(r: Reader) -> SiteControls:
    """Settings in their wire names (``settings`` of a site or of a PATCH)."""
    c = SiteControls()
    return SiteControls(
        backup_reserve_pct=r.integer(BACKUP_RESERVE_PERCENT.key, c.backup_reserve_pct, 0, 100),
        mode=OperationMode(r.choice(DEFAULT_REAL_MODE.key, c.mode.value,
                                    _MODES)),
        storm_mode_enabled=r.flag(STORM_MODE_ENABLED.key, c.storm_mode_enabled),
        export_rule=ExportRule(r.choice(EXPORT_RULE.key, c.export_rule.value,
                                        _EXPORT_RULES)),
        grid_charging_allowed=not r.flag(GRID_CHARGING_DISALLOWED.key, False),
        ev_reserve_pct=r.integer(EV_RESERVE_PERCENT.key, c.ev_reserve_pct,
                                 0, 100),
        strategy=Strategy(r.choice(OPTIMIZATION_STRATEGY.key, c.strategy.value,
                                   _STRATEGIES)),
    )


def check_components(r: Reader) -> tuple[tuple[str, object], ...]:
    """``components`` overrides: known flags are booleans, any value is small JSON."""
    out = []
    for key, value in r.data.items():
        if len(key) > 64:
            r.problems.add(r.path, "member names are at most 64 characters")
        elif key in _BOOLEAN_COMPONENTS and not isinstance(value, bool):
            r.add(key, "must be true or false")
        elif len(jsonio.dumps(value)) > _COMPONENT_JSON_CHARS:
            r.add(key, f"must be at most {_COMPONENT_JSON_CHARS} characters of JSON")
        else:
            out.append((key, value))
    return tuple(out)


def _installation(site: Reader, zone: ZoneInfo, now_s: int) -> int:
    value = site.data.get(INSTALLATION_DATE.key)
    if value is None:
        return now_s - 30 * 86_400
    if not isinstance(value, str):
        site.add(INSTALLATION_DATE.key, "must be an RFC 3339 date-time")
        return now_s
    try:
        when = int(parse_instant(INSTALLATION_DATE.key, value, zone).timestamp())
    except InvalidField:
        site.add(INSTALLATION_DATE.key, "must be an RFC 3339 date-time")
        return now_s
    if not EARLIEST_INSTALLATION_S <= when <= now_s:
        site.add(INSTALLATION_DATE.key, "must be from 2000-01-01 up to the current sim instant")
        return now_s
    return when


def _zone(site: Reader) -> tuple[ZoneInfo, str]:
    name = site.data.get("time_zone")
    if isinstance(name, str) and 0 < len(name) <= _ZONE_CHARS and "\x00" not in name \
            and not name.startswith("/") and ".." not in name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if name is None:
        site.add("time_zone", "is required: an IANA zone name such as America/Los_Angeles")
    else:
        site.add("time_zone", "must be an IANA zone name such as America/Los_Angeles; "
                              f"got {shown_value(name)}")
    return ZoneInfo("UTC"), "UTC"


def _solar(site: Reader, kind: SiteKind) -> SolarSpec | None:
    if kind is SiteKind.WALL_CONNECTOR or ("solar" in site.data and site.data["solar"] is None):
        if kind is SiteKind.WALL_CONNECTOR and site.given("solar"):
            site.add("solar", "a wall_connector site has no solar")
        return None
    sol = site.child("solar", ("dc_kw", "tilt", "azimuth", "losses_pct", "inverter_ac_w",
                               "inverter_eta"))
    return SolarSpec(
        dc_kw=sol.number("dc_kw", 7.6, 0.1, 1000), tilt_deg=sol.number("tilt", 20.0, 0, 90),
        azimuth_deg=sol.optional_number("azimuth", 0, 360),
        losses_pct=sol.number("losses_pct", 14.0, 0, 99),
        inverter_ac_w=sol.optional_integer("inverter_ac_w", 0, 2_000_000),
        inverter_eta=_inverter_eta(sol),
    )


def _inverter_eta(sol: Reader) -> float | None:
    """The PV inverter's nominal efficiency, 0 < eta <= 1 (None: from the Powerwall units
    that carry the PV, else 0.96; SiteSpec.solar_inverter_eta)."""
    if not sol.given("inverter_eta"):
        return None
    value = sol.data["inverter_eta"]
    if not is_number(value) or not 0 < value <= 1:
        sol.add("inverter_eta", "must be a number above 0 and at most 1 (e.g. 0.96)")
        return None
    return float(value)


def _load(site: Reader) -> LoadSpec:
    load = site.child("load", ("daily_kwh", "weights", "appliances"))
    spec = LoadSpec(daily_kwh=load.number("daily_kwh", 24.0, 0, 1000),
                    appliances=load.flag("appliances", False))
    weights = load.data.get("weights")
    if weights is None:
        return spec
    if not (isinstance(weights, list) and len(weights) == 24
            and all(isinstance(w, int | float) and not isinstance(w, bool) and 0 <= w <= 1e6
                    for w in weights) and sum(weights) > 0):
        load.add("weights", "must be 24 numbers 0-1000000, not all zero")
        return spec
    return replace(spec, hourly_weights=tuple(float(w) for w in weights))


def _generator(site: Reader) -> GeneratorSpec | None:
    if not site.given("generator"):
        return None
    gen = site.child("generator", ("rated_w", "start_pct", "stop_pct", "charges_battery"))
    d = GeneratorSpec()
    out = GeneratorSpec(
        rated_w=gen.integer("rated_w", d.rated_w, 1, 1_000_000),
        start_pct=gen.number("start_pct", d.start_pct, 0, 100),
        stop_pct=gen.number("stop_pct", d.stop_pct, 0, 100),
        charges_battery=gen.flag("charges_battery", d.charges_battery),
    )
    if out.start_pct >= out.stop_pct:
        gen.add("stop_pct", "must be above start_pct")
    return out


def _tariff(site: Reader, profile: Profile, quirks: dict[str, bool]) -> dict[str, Any] | None:
    doc = site.data.get("tariff")
    if doc is None:
        return None
    if not isinstance(doc, dict):
        site.add("tariff", "must be a tariff_content_v2 object")
        return None
    report = tariff_engine.validate(doc, quirks=active_quirks(profile, quirks))
    if not report.ok:
        _, messages = tariff_engine.http_error_parts(report, prefix=site.at("tariff"))
        for path, texts in messages.items():
            for text in texts:
                site.problems.add(path, text)
    return doc


def read_quirks(site: Reader) -> dict[str, bool]:
    """``quirks`` of ``site``: known quirk ids mapped to booleans."""
    quirks = site.child("quirks", _QUIRK_IDS)
    out = {}
    for key, value in quirks.data.items():
        if not isinstance(value, bool):
            quirks.add(key, "must be true or false")
        elif key in _QUIRK_IDS:
            out[key] = value
    return out


def _site_id(site: Reader, seed: int, index: int) -> int:
    if "energy_site_id" not in site.data or site.data["energy_site_id"] is None:
        return seeded_id(seed, "site", index)
    return site.integer("energy_site_id", seeded_id(seed, "site", index), 1, 2**53 - 1)


def _weather_file(loc: Reader) -> str | None:
    """The site's own weather file as an absolute path, checked readable now."""
    text = loc.optional_text("weather_file", _PATH_CHARS)
    if text is None:
        return None
    try:
        return file_station(text).file_name
    except WeatherFileError as exc:
        loc.add("weather_file", str(exc))
        return None


def parse_site(data: Any, *, seed: int, now_s: int, index: int, path: str = "site") -> SiteDescription:
    """A site from its description; raises InvalidField listing every problem."""
    if not isinstance(data, dict):
        raise InvalidField.for_field(path, "must be an object")
    p = Problems()
    site = Reader(p, data, path, SITE_KEYS)
    kind = SiteKind(site.choice("type", "battery", _KINDS))
    zone, zone_name = _zone(site)
    site_id = _site_id(site, seed, index)
    loc = site.child("location", ("latitude", "longitude", "elevation_m", "weather_file"))
    lat0, lon0 = DEFAULT_LOCATIONS.get(zone_name, (34.05, -118.25))
    location = Location(loc.number("latitude", lat0, -90, 90), loc.number("longitude", lon0, -180, 180),
                        loc.number("elevation_m", 0.0, -500, 9000), _weather_file(loc))
    limits = site.child("limits", ("max_import_w", "max_export_w"))
    profile = Profile(site.choice("profile", "documented", _PROFILES))
    quirks = read_quirks(site)
    step_s = site.integer("step_s", 60, 1, 300)
    if 300 % step_s:
        site.add("step_s", "must divide 300")
        step_s = 60
    spec = SiteSpec(
        energy_site_id=site_id, kind=kind, name=site.text("name", "My Home", _TEXT_CHARS),
        time_zone=zone_name, location=location, installation_s=_installation(site, zone, now_s),
        gateway_din=din_for(seed, "1232100-00-E", site_id, "gw", "TG"),
        site_uuid=seeded_uuid(seed, "site-uuid", site_id), batteries=_batteries(site, kind),
        solar=_solar(site, kind), load=_load(site), generator=_generator(site),
        wall_connectors=_wall_connectors(site, seed, site_id),
        max_import_w=limits.integer("max_import_w", _MAX_W, 0, _MAX_W),
        max_export_w=limits.integer("max_export_w", _MAX_W, 0, _MAX_W),
        step_s=step_s, sky=site.choice("sky", "tmy", SKIES), profile=profile,
        quirks=tuple(quirks.items()), components=check_components(site.child("components")),
        seed=seed,
        controller=site.choice("controller", "optimiser", CONTROLLERS),
        signed_commands=site.flag("signed_commands", False),
    )
    tariff = _tariff(site, profile, quirks)
    controls = parse_settings(site.child("settings", SETTING_KEYS))
    app_pct = site.child("initial", ("app_pct",)).number("app_pct", 50.0, 0, 100)
    owner = site.optional_text("owner", NAME_CHARS["user"])
    p.raise_if_any()
    return SiteDescription(spec, controls, app_pct, tariff, owner)
