"""``gridtwin fleet`` study files: TOML read with tomllib, in the style of
``examples/simulate.toml`` (same [run], [tariff], [[variant]] and [matrix] keys).

    [run]            year = 2024 (or start = "2024-07-01", days = 14), step_s = 300,
                     seed = 1, initial_pct = 50, chunk_homes = 50
    [tariff]         file = "tou.json" or [tariff.content]: the default tariff
    [tariffs.NAME]   more tariffs, chosen per region or per home (CSV column ``tariff``)
    [[region]]       name, time_zone, latitude, longitude, elevation_m, weather_file,
                     share (of the drawn homes), tariff (a NAME; default the [tariff])
    [population]     homes = 1000 (drawn from [distributions]) or csv = "homes.csv"
    [distributions]  solar_kw, tilt_deg, azimuth_deg, battery_model, battery_count,
                     annual_kwh, ev_share, ev_kwh, ev_kw, ev_start_hour: a constant,
                     {uniform = [lo, hi]}, {normal = [mean, sd], min, max} or
                     {choice = [...], weights = [...]}
    [[variant]]      name, mode, reserve, export, grid_charging, strategy
    [matrix]         lists of mode / reserve / export / grid_charging: every combination

Problems are collected and reported together (:class:`StudyError`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin import tariff
from gridtwin.services.studyfile import (
    StudyFileError,
    TableReader,
    read_tariff_doc,
    read_variants,
)
from gridtwin.services.weather import checked_weather_file
from gridtwin.services.whatif import Variant

__all__ = ["Distribution", "FleetStudy", "Region", "StudyError", "TariffChoice", "load_study",
           "parse_study"]

_DAY_S = 86_400
DEFAULT_TARIFF = "default"
_FIELDS: dict[str, tuple[Any, float | None, float | None]] = {
    # distribution name -> (default, lowest, highest; None: a name)
    "solar_kw": (7.0, 0.0, 1000.0), "tilt_deg": (20.0, 0.0, 90.0),
    "azimuth_deg": (180.0, 0.0, 360.0), "battery_model": ("powerwall_3", None, None),
    "battery_count": (1, 0, 10), "annual_kwh": (8760.0, 36.5, 365_000.0),
    "ev_share": (0.0, 0.0, 1.0), "ev_kwh": (3000.0, 0.0, 50_000.0),
    "ev_kw": (7.2, 1.0, 20.0), "ev_start_hour": (0, 0, 23),
}
_MODELS = ("powerwall_2", "powerwall_plus", "powerwall_3")


class StudyError(StudyFileError):
    """An invalid fleet study file."""


@dataclass(frozen=True)
class Distribution:
    """How one home attribute is drawn: kind is const, uniform, normal or choice;
    values the constant, [lo, hi], [mean, sd] or the choices; lo / hi clip normals;
    weights of the choices (None: equal)."""

    kind: str
    values: tuple[Any, ...]
    lo: float | None = None
    hi: float | None = None
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Region:
    """A climate: where its homes are, its share of drawn homes and its tariff name."""

    name: str
    time_zone: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float = 0.0
    weather_file: str | None = None
    share: float = 1.0
    tariff: str = DEFAULT_TARIFF


@dataclass(frozen=True)
class TariffChoice:
    """A named tariff: its document and compiled form."""

    name: str
    doc: dict[str, Any]
    compiled: tariff.CompiledTariff


@dataclass(frozen=True)
class FleetStudy:
    """A validated study. Window instants are the local midnights of ``start`` and
    ``end`` dates in each home's zone; ``start`` / ``end`` are ISO dates."""

    path: Path | None
    start: date
    end: date
    step_s: int
    seed: int
    initial_pct: float
    chunk_homes: int
    tariffs: dict[str, TariffChoice]
    regions: tuple[Region, ...]
    homes: int
    csv: Path | None
    distributions: dict[str, Distribution]
    variants: tuple[Variant, ...]


def _window(r: TableReader, run: dict[str, Any]) -> tuple[date, date]:
    if "year" in run:
        year = int(r.num(run, "year", "run", None, 1971, 2100))
        return date(year, 1, 1), date(year + 1, 1, 1)
    try:
        first = date.fromisoformat(str(run.get("start", "")))
    except ValueError:
        r.problems.append('run: give year = YYYY, or start = "YYYY-MM-DD" and days')
        return date(2024, 1, 1), date(2024, 1, 2)
    days = int(r.num(run, "days", "run", 365, 1, 400))
    return first, first + timedelta(days=days)


def _tariff(r: TableReader, name: str, table: dict[str, Any], base: Path) -> TariffChoice | None:
    where = "tariff" if name == DEFAULT_TARIFF else f"tariffs.{name}"
    doc = read_tariff_doc(r, table, base, where)
    if doc is None:
        return None
    report = tariff.validate(doc)
    if report.tariff is None:
        r.problems += [f"{where}: {p.line()}" for p in report.errors][:10] or [f"{where}: invalid"]
        return None
    return TariffChoice(name, doc, report.tariff)


def _tariffs(r: TableReader, doc: dict[str, Any], base: Path) -> dict[str, TariffChoice]:
    out: dict[str, TariffChoice] = {}
    if "tariff" in doc:
        choice = _tariff(r, DEFAULT_TARIFF, r.table(doc, "tariff"), base)
        if choice is not None:
            out[DEFAULT_TARIFF] = choice
    for name, table in r.table(doc, "tariffs").items():
        if not isinstance(table, dict):
            r.problems.append(f"tariffs.{name}: must be a table")
            continue
        choice = _tariff(r, str(name), table, base)
        if choice is not None:
            out[str(name)] = choice
    if not out and not any(p.startswith("tariff") for p in r.problems):
        r.problems.append("tariff: give a [tariff] (file = PATH or [tariff.content])")
    return out


def _zone(r: TableReader, table: dict[str, Any], path: str) -> str:
    name = r.text(table, "time_zone", path, None)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name:
            r.problems.append(f"{path}.time_zone: unknown zone {name!r}")
        return "UTC"
    return name


def weather_path(r: TableReader | None, value: object, base: Path, path: str) -> str | None:
    """A weather file named relative to the study, checked by reading it."""
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not value:
            raise ValueError("must be a file name")
        return checked_weather_file(str(base / value))
    except ValueError as exc:
        if r is None:
            raise
        r.problems.append(f"{path}.weather_file: {exc}")
        return None


def _regions(r: TableReader, doc: dict[str, Any], base: Path, tariffs: dict[str, TariffChoice]
             ) -> tuple[Region, ...]:
    listed = doc.get("region", [])
    if not isinstance(listed, list):
        r.problems.append("region: use [[region]] tables")
        return ()
    out = []
    for i, item in enumerate(listed):
        path = f"region[{i}]"
        item = item if isinstance(item, dict) else {}
        name = r.text(item, "name", path, None)
        tariff_name = r.text(item, "tariff", path, DEFAULT_TARIFF)
        if tariffs and tariff_name not in tariffs:
            r.problems.append(f"{path}.tariff: no tariff named {tariff_name!r}")
        out.append(Region(
            name, _zone(r, item, path), r.num(item, "latitude", path, None, -90, 90),
            r.num(item, "longitude", path, None, -180, 180),
            r.num(item, "elevation_m", path, 0, -500, 9000),
            weather_path(r, item.get("weather_file"), base, path),
            r.num(item, "share", path, 1, 0, 1e9), tariff_name))
    names = [g.name for g in out]
    if len(set(names)) != len(names):
        r.problems.append("region: names must be unique")
    return tuple(out)


def _distribution(r: TableReader, key: str, value: object) -> Distribution:
    path = f"distributions.{key}"
    default, low, high = _FIELDS[key]
    numeric = low is not None
    lo, hi = float(low or 0), float(high or 0)

    def ok(x: object) -> bool:
        if not numeric:
            return x in _MODELS
        return not isinstance(x, bool) and isinstance(x, int | float) and lo <= x <= hi

    bounds = f"numbers {lo:g}-{hi:g}" if numeric else f"one of {', '.join(_MODELS)}"
    if not isinstance(value, dict):
        if not ok(value):
            r.problems.append(f"{path}: must be {bounds} or a distribution table")
            return Distribution("const", (default,))
        return Distribution("const", (value,))
    kinds = [k for k in ("uniform", "normal", "choice") if k in value]
    if len(kinds) != 1:
        r.problems.append(f"{path}: give one of uniform = [lo, hi], normal = [mean, sd], "
                          "choice = [...]")
        return Distribution("const", (default,))
    kind = kinds[0]
    values = value[kind]
    if not isinstance(values, list) or not values or not all(ok(v) for v in values) \
            or (kind != "choice" and len(values) != 2):
        r.problems.append(f"{path}.{kind}: must be a list of {bounds}"
                          + ("" if kind == "choice" else " (two of them)"))
        return Distribution("const", (default,))
    if kind != "choice" and not numeric:
        r.problems.append(f"{path}: only choice applies to names")
        return Distribution("const", (default,))
    weights = value.get("weights")
    if weights is not None and (not isinstance(weights, list) or len(weights) != len(values)
                                or not all(isinstance(w, int | float) and w >= 0 for w in weights)
                                or sum(weights) <= 0):
        r.problems.append(f"{path}.weights: one weight >= 0 per choice, not all 0")
        weights = None
    clip_lo = r.num(value, "min", path, lo, lo, hi) if numeric else None
    clip_hi = r.num(value, "max", path, hi, lo, hi) if numeric else None
    return Distribution(kind, tuple(values), clip_lo, clip_hi,
                        None if weights is None else tuple(float(w) for w in weights))


def _distributions(r: TableReader, doc: dict[str, Any]) -> dict[str, Distribution]:
    table = r.table(doc, "distributions")
    for key in table:
        if key not in _FIELDS:
            r.problems.append(f"distributions.{key}: unknown; known: {', '.join(_FIELDS)}")
    return {key: _distribution(r, key, table[key]) if key in table
            else Distribution("const", (default,)) for key, (default, _, _) in _FIELDS.items()}


def _population(r: TableReader, doc: dict[str, Any], base: Path, regions: tuple[Region, ...]
                ) -> tuple[int, Path | None]:
    table = r.table(doc, "population")
    if "csv" in table:
        csv = base / r.text(table, "csv", "population", None)
        if not csv.is_file():
            r.problems.append(f"population.csv: no file {csv}")
        return 0, csv
    homes = int(r.num(table, "homes", "population", None, 1, 10_000_000))
    if not regions:
        r.problems.append("region: drawn homes need at least one [[region]]")
    elif sum(g.share for g in regions) <= 0:
        r.problems.append("region: the shares must not all be 0")
    return homes, None


def parse_study(doc: dict[str, Any], base: Path, path: Path | None = None) -> FleetStudy:
    """Validate a parsed study document (relative files from ``base``); raises
    StudyError listing every problem."""
    r = TableReader()
    run = r.table(doc, "run")
    start, end = _window(r, run)
    step = int(r.num(run, "step_s", "run", 300, 60, 300))
    if 300 % step:
        r.problems.append("run.step_s: must divide 300")
    seed = int(r.num(run, "seed", "run", 1, 0, 2**31 - 1))
    initial = r.num(run, "initial_pct", "run", 50, 0, 100)
    chunk = int(r.num(run, "chunk_homes", "run", 50, 1, 1000))
    tariffs = _tariffs(r, doc, base)
    regions = _regions(r, doc, base, tariffs)
    homes, csv = _population(r, doc, base, regions)
    dists = _distributions(r, doc)
    variants = read_variants(r, doc)
    if r.problems:
        raise StudyError(r.problems)
    return FleetStudy(path, start, end, step, seed, initial, chunk, tariffs, regions, homes,
                      csv, dists, variants)


def load_study(path: Path) -> FleetStudy:
    """Read and validate a study file; raises StudyError (every problem), OSError or
    tomllib.TOMLDecodeError when it cannot be read."""
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return parse_study(doc, path.parent, path)


def local_midnight(day: date, zone: str) -> int:
    """Unix instant of the local midnight starting ``day`` in ``zone`` [s]."""
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp())
