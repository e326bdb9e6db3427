"""The homes of a fleet study: drawn from the study's distributions or read from a CSV.

Every draw is a pure function of (study seed, home id, attribute) through
:mod:`gridtwin.core.rng`, so a home is the same whatever chunk or worker builds it and
however many homes the study has. CSV cells override the draws; an empty cell or a
missing column keeps the drawn value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin.core import rng
from gridtwin.services.fleet.config import (
    DEFAULT_TARIFF,
    Distribution,
    FleetStudy,
    Region,
    StudyError,
    weather_path,
)

__all__ = ["CSV_COLUMNS", "Home", "draw_home", "population"]

_NORMAL = NormalDist()
CSV_COLUMNS = ("home_id", "region", "time_zone", "latitude", "longitude", "weather_file",
               "tariff", "solar_kw", "tilt_deg", "azimuth_deg", "battery_model",
               "battery_count", "annual_kwh", "ev_kwh", "ev_kw", "ev_start_hour")
_MAX_ERRORS = 10


@dataclass(frozen=True)
class Home:
    """One home. ev_kwh: annual EV charging [kWh] (0: no EV), delivered every night at
    ev_kw [kW] from ev_start_hour (local); annual_kwh: base home use [kWh/year]
    (weather-sensitive heating and cooling come on top)."""

    home_id: int
    region: str
    time_zone: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    weather_file: str | None
    tariff: str
    solar_kw: float
    tilt_deg: float
    azimuth_deg: float
    battery_model: str
    battery_count: int
    annual_kwh: float
    ev_kwh: float
    ev_kw: float
    ev_start_hour: int


def _draw(study: FleetStudy, home_id: int, key: str) -> Any:
    d: Distribution = study.distributions[key]
    if d.kind == "const":
        return d.values[0]
    u = rng.uniform_one(study.seed, home_id, f"fleet:{key}", 0)
    if d.kind == "uniform":
        return d.values[0] + u * (d.values[1] - d.values[0])
    if d.kind == "normal":
        x = d.values[0] + d.values[1] * _NORMAL.inv_cdf(min(max(u, 1e-12), 1 - 1e-12))
        return min(max(x, d.lo if d.lo is not None else x), d.hi if d.hi is not None else x)
    weights = d.weights or (1.0,) * len(d.values)
    target = u * sum(weights)
    acc = 0.0
    for value, w in zip(d.values, weights, strict=True):
        acc += w
        if target < acc:
            return value
    return d.values[-1]


def _region(study: FleetStudy, home_id: int) -> Region:
    total = sum(g.share for g in study.regions)
    target = rng.uniform_one(study.seed, home_id, "fleet:region", 0) * total
    acc = 0.0
    for g in study.regions:
        acc += g.share
        if target < acc:
            return g
    return study.regions[-1]


def draw_home(study: FleetStudy, home_id: int, region: Region | None = None) -> Home:
    """Home ``home_id`` drawn from the study's regions and distributions."""
    g = region if region is not None else _region(study, home_id)
    ev = rng.uniform_one(study.seed, home_id, "fleet:ev", 0) < float(_draw(study, home_id,
                                                                           "ev_share"))
    return Home(
        home_id, g.name, g.time_zone, g.latitude_deg, g.longitude_deg, g.elevation_m,
        g.weather_file, g.tariff, round(float(_draw(study, home_id, "solar_kw")), 3),
        round(float(_draw(study, home_id, "tilt_deg")), 1),
        round(float(_draw(study, home_id, "azimuth_deg")), 1),
        str(_draw(study, home_id, "battery_model")),
        round(float(_draw(study, home_id, "battery_count"))),
        round(float(_draw(study, home_id, "annual_kwh")), 1),
        round(float(_draw(study, home_id, "ev_kwh")), 1) if ev else 0.0,
        float(_draw(study, home_id, "ev_kw")), int(_draw(study, home_id, "ev_start_hour")))


def population(study: FleetStudy) -> list[Home]:
    """Every home of the study in ascending id order; raises StudyError for a bad CSV."""
    if study.csv is None:
        return [draw_home(study, i) for i in range(1, study.homes + 1)]
    return _read_csv(study, study.csv)


_NUMBERS: dict[str, tuple[float, float]] = {
    "latitude": (-90, 90), "longitude": (-180, 180), "solar_kw": (0, 1000), "tilt_deg": (0, 90),
    "azimuth_deg": (0, 360), "battery_count": (0, 10), "annual_kwh": (36.5, 365_000),
    "ev_kwh": (0, 50_000), "ev_kw": (1, 20), "ev_start_hour": (0, 23)}
_FIELD_OF = {"latitude": "latitude_deg", "longitude": "longitude_deg"}
_INTEGER = ("battery_count", "ev_start_hour")


def _read_csv(study: FleetStudy, path: Path) -> list[Home]:
    problems: list[str] = []
    homes: list[Home] = []
    regions = {g.name: g for g in study.regions}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if "home_id" not in header:
            raise StudyError([f"{path.name}: needs a home_id column"])
        if unknown:
            raise StudyError([f"{path.name}: unknown columns {', '.join(unknown)}; "
                              f"known: {', '.join(CSV_COLUMNS)}"])
        for line, row in enumerate(reader, start=2):
            home = _row(study, regions, row, f"{path.name}:{line}", problems, path.parent)
            if home is not None:
                homes.append(home)
            if len(problems) >= _MAX_ERRORS:
                break
    ids = [h.home_id for h in homes]
    if len(set(ids)) != len(ids):
        problems.append(f"{path.name}: home_id values must be unique")
    if not homes and not problems:
        problems.append(f"{path.name}: no homes")
    if problems:
        raise StudyError(problems)
    return sorted(homes, key=lambda h: h.home_id)


def _row(study: FleetStudy, regions: dict[str, Region], row: dict[str, str | None],
         where: str, problems: list[str], base: Path) -> Home | None:
    cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
    try:
        home_id = int(cells.get("home_id", ""))
        if home_id < 0:
            raise ValueError
    except ValueError:
        problems.append(f"{where}: home_id must be a whole number >= 0")
        return None
    explicit = bool(cells.get("latitude") and cells.get("longitude") and cells.get("time_zone"))
    region = regions.get(cells.get("region", ""))
    if cells.get("region") and region is None and not explicit:
        problems.append(f"{where}: region {cells['region']!r} is not a [[region]] of the "
                        "study (or give latitude, longitude and time_zone)")
        return None
    if region is None and not explicit and not study.regions:
        problems.append(f"{where}: give region, or latitude, longitude and time_zone")
        return None
    home = draw_home(study, home_id, region)
    changes: dict[str, Any] = {}
    if explicit and region is None:  # the home's own place, not a drawn region's
        changes.update(region=cells.get("region") or "custom", elevation_m=0.0,
                       weather_file=None)
    for key, (lo, hi) in _NUMBERS.items():
        if not cells.get(key):
            continue
        try:
            value = float(cells[key])
            if not lo <= value <= hi:
                raise ValueError
        except ValueError:
            problems.append(f"{where}: {key} must be a number {lo:g}-{hi:g}")
            return None
        changes[_FIELD_OF.get(key, key)] = int(value) if key in _INTEGER else value
    if cells.get("time_zone"):
        try:
            ZoneInfo(cells["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"{where}: unknown time_zone {cells['time_zone']!r}")
            return None
        changes["time_zone"] = cells["time_zone"]
    if cells.get("battery_model"):
        if cells["battery_model"] not in ("powerwall_2", "powerwall_plus", "powerwall_3"):
            problems.append(f"{where}: battery_model must be powerwall_2, powerwall_plus or "
                            "powerwall_3")
            return None
        changes["battery_model"] = cells["battery_model"]
    name = cells.get("tariff") or (DEFAULT_TARIFF if explicit and region is None
                                   else home.tariff)
    if name not in study.tariffs:
        problems.append(f"{where}: no tariff named {name!r} in the study")
        return None
    changes["tariff"] = name
    if cells.get("weather_file"):
        try:
            changes["weather_file"] = weather_path(None, cells["weather_file"], base, where)
        except ValueError as exc:
            problems.append(f"{where}: weather_file: {exc}")
            return None
    return replace(home, **changes)
