"""``gridtwin simulate`` configuration: a TOML file read with tomllib.

    [site]      time_zone, latitude, longitude, solar_kw, load_kwh_per_day,
                load_weather_sensitive, load_appliances, battery_model, battery_count,
                initial_pct, sky, tilt_deg, azimuth_deg, weather_file (EPW, TMY3, TMY2, PVGIS or NSRDB;
                relative to the config; default: the nearest station bundled with pvlib)
    [run]       year = 2024  (a local calendar year)  or  start = "2024-07-01", days = 14
                step_s = 300
    [tariff]    file = "tou.json" (relative to the config)  or  [tariff.content] inline
    [[variant]] name, mode, reserve, export, grid_charging, strategy
    [matrix]    lists of mode / reserve / export / grid_charging: every combination
    [plots]     week_start = "2024-07-01" (the week of power flows; default: run start)
    [optimum]   show = false (add the perfect-foresight optimum as rows, like --optimum),
                block_s = 3600 (longest LP block [s]: a multiple of step_s, 300-3600)

Problems are collected and reported together (:class:`ConfigError`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin import tariff
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.site import BatteryBank, LoadSpec, Location, SiteKind, SiteSpec, SolarSpec
from gridtwin.services.study import Study
from gridtwin.services.studyfile import (
    StudyFileError,
    TableReader,
    read_tariff_doc,
    read_variants,
)
from gridtwin.services.weather import checked_weather_file
from gridtwin.services.whatif import Variant

__all__ = ["ConfigError", "SimConfig", "Variant", "load_config"]

_DAY_S = 86_400


class ConfigError(StudyFileError):
    """An invalid ``simulate`` configuration."""


@dataclass(frozen=True)
class SimConfig:
    """A validated configuration. Instants are Unix seconds on 5-minute marks [s]."""

    path: Path
    spec: SiteSpec
    baseline: SiteSpec
    start_s: int
    end_s: int
    initial_pct: float
    tariff_doc: dict[str, Any]
    compiled: tariff.CompiledTariff
    variants: tuple[Variant, ...]
    week_start_s: int
    notes: dict[str, Any] = field(default_factory=dict)
    show_optimum: bool = False
    optimum_block_s: int = 3600

    def with_weather_file(self, path: str) -> SimConfig:
        """The same study with the site's weather read from ``path``."""
        def moved(spec: SiteSpec) -> SiteSpec:
            return replace(spec, location=replace(spec.location, weather_file=path))
        return replace(self, spec=moved(self.spec), baseline=moved(self.baseline))

    @property
    def study(self) -> Study:
        """The site, its no-battery twin, the tariff and the window, for the services."""
        return Study(self.spec, self.baseline, self.tariff_doc, self.compiled, self.start_s,
                     self.end_s, self.initial_pct)


def _zone(r: TableReader, site: dict[str, Any]) -> str:
    name = r.text(site, "time_zone", "site", "America/Los_Angeles")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        r.problems.append(f"site.time_zone: unknown zone {name!r}")
        return "UTC"
    return name


def _site(r: TableReader, site: dict[str, Any], start_s: int) -> SiteSpec:
    zone = _zone(r, site)
    models = tuple(m.value for m in BatteryModel if m is not BatteryModel.POWERWALL_3_EXPANSION)
    model = BatteryModel(r.text(site, "battery_model", "site", "powerwall_3", models))
    count = int(r.num(site, "battery_count", "site", 1, 1, 10))
    solar_kw = r.num(site, "solar_kw", "site", 7.6, 0, 1000)
    azimuth = site.get("azimuth_deg")
    spec = SiteSpec(
        energy_site_id=1, kind=SiteKind.BATTERY, name=r.text(site, "name", "site", "simulated site"),
        time_zone=zone,
        location=Location(r.num(site, "latitude", "site", 34.05, -90, 90),
                          r.num(site, "longitude", "site", -118.25, -180, 180),
                          r.num(site, "elevation_m", "site", 0, -500, 9000)),
        installation_s=start_s, gateway_din="simulated", site_uuid="simulated",
        batteries=(BatteryBank(model, count=count),),
        solar=None if solar_kw == 0 else SolarSpec(
            dc_kw=solar_kw, tilt_deg=r.num(site, "tilt_deg", "site", 20, 0, 90),
            azimuth_deg=None if azimuth is None else r.num(site, "azimuth_deg", "site", 180, 0, 360)),
        load=LoadSpec(daily_kwh=r.num(site, "load_kwh_per_day", "site", 24, 0.1, 1000),
                      weather_sensitive=r.flag(site, "load_weather_sensitive", "site", True),
                      appliances=r.flag(site, "load_appliances", "site", False)),
        sky=r.text(site, "sky", "site", "tmy",
                   ("tmy", "clear", "partly_cloudy", "overcast", "storm", "random")),
    )
    if spec.solar is not None:
        # The baseline has no Powerwall inverter: pin its AC limit and efficiency so solar
        # is identical.
        spec = replace(spec, solar=replace(spec.solar, inverter_ac_w=spec.solar_ac_limit_w,
                                           inverter_eta=spec.solar_inverter_eta))
    return spec


def _local_midnight(day: date, zone: str) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp())


def _window(r: TableReader, run: dict[str, Any], zone: str) -> tuple[int, int]:
    if "year" in run:
        year = int(r.num(run, "year", "run", None, 1971, 2100))
        return _local_midnight(date(year, 1, 1), zone), _local_midnight(date(year + 1, 1, 1), zone)
    try:
        first = date.fromisoformat(str(run.get("start", "")))
    except ValueError:
        r.problems.append('run: give year = YYYY, or start = "YYYY-MM-DD" and days')
        return 0, _DAY_S
    days = int(r.num(run, "days", "run", 365, 1, 400))
    return _local_midnight(first, zone), _local_midnight(first + timedelta(days=days), zone)


def _week_start(r: TableReader, plots: dict[str, Any], zone: str, start_s: int) -> int:
    if "week_start" not in plots:
        return start_s
    try:
        return _local_midnight(date.fromisoformat(str(plots["week_start"])), zone)
    except ValueError:
        r.problems.append('plots.week_start: must be a date "YYYY-MM-DD"')
        return start_s


def _weather_file(r: TableReader, site: dict[str, Any], base: Path) -> str | None:
    name = site.get("weather_file")
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        r.problems.append("site.weather_file: must be a file name")
        return None
    try:
        return checked_weather_file(str(base / name))
    except ValueError as exc:
        r.problems.append(f"site.weather_file: {exc}")
        return None


def load_config(path: Path) -> SimConfig:
    """Read and validate ``path``; raises ConfigError listing every problem, OSError or
    tomllib.TOMLDecodeError when the file cannot be read."""
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    r = TableReader()
    site_table = r.table(doc, "site")
    zone = _zone(TableReader(), site_table)
    start_s, end_s = _window(r, r.table(doc, "run"), zone)
    spec = _site(r, site_table, start_s)
    spec = replace(spec, location=replace(spec.location,
                                          weather_file=_weather_file(r, site_table, path.parent)))
    step = int(r.num(r.table(doc, "run"), "step_s", "run", 300, 60, 300))
    if 300 % step:
        r.problems.append("run.step_s: must divide 300")
    spec = replace(spec, step_s=step)
    tariff_doc = read_tariff_doc(r, r.table(doc, "tariff"), path.parent, "tariff") or {}
    report = tariff.validate(tariff_doc) if tariff_doc else None
    if report is not None and report.tariff is None:
        r.problems += [f"tariff: {p.line()}" for p in report.errors][:10]
    variants = read_variants(r, doc)
    week_s = _week_start(r, r.table(doc, "plots"), zone, start_s)
    optimum = r.table(doc, "optimum")
    show = r.flag(optimum, "show", "optimum", False)
    block = int(r.num(optimum, "block_s", "optimum", 3600, 300, 3600))
    if block % step:
        r.problems.append("optimum.block_s: must be a multiple of run.step_s")
    if r.problems or report is None or report.tariff is None:
        raise ConfigError(r.problems or ["tariff: invalid"])
    baseline = replace(spec, kind=SiteKind.SOLAR, batteries=())
    return SimConfig(path, spec, baseline, start_s, end_s,
                     r.num(site_table, "initial_pct", "site", 50, 0, 100), tariff_doc,
                     report.tariff, variants, min(max(week_s, start_s), end_s),
                     show_optimum=show, optimum_block_s=block)
