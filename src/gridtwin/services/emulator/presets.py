"""Named scenario presets (emulator §5). Times are fixed local dates so presets reproduce."""

from __future__ import annotations

import copy
from typing import Any

from gridtwin.domain.catalogue import DEFAULT_REAL_MODE
from gridtwin.domain.catalogue_nested import EV_RESERVE_SUPPORTED, EXPORT_RULE

__all__ = ["DESCRIPTIONS", "PRESETS", "describe", "preset"]

LA = "America/Los_Angeles"
_DEMO_SITE: dict[str, Any] = {
    "type": "battery", "name": "My Home", "time_zone": LA,
    "location": {"latitude": 34.05, "longitude": -118.25},
    "batteries": [{"model": "powerwall_2", "count": 2}], "solar": {"dc_kw": 7.6},
    "wall_connectors": [{}], "sky": "clear",
}


def _pge_tariff() -> dict[str, Any]:
    """The shape of the Fleet API docs' PG&E EV2-A example (facts, tariff.md §9.1 F-PGE)."""
    def season(from_month: int, to_month: int, to_day: int) -> dict[str, Any]:
        def period(fh: int, th: int) -> dict[str, int]:
            return {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": fh, "fromMinute": 0,
                    "toHour": th, "toMinute": 0}
        return {"fromMonth": from_month, "fromDay": 1, "toMonth": to_month, "toDay": to_day,
                "tou_periods": {"OFF_PEAK": {"periods": [period(0, 15)]},
                                "PARTIAL_PEAK": {"periods": [period(15, 16), period(21, 0)]},
                                "ON_PEAK": {"periods": [period(16, 21)]}}}
    prices = {"Summer": {"PARTIAL_PEAK": 0.4138, "ON_PEAK": 0.4305, "OFF_PEAK": 0.2451},
              "Winter": {"PARTIAL_PEAK": 0.4471, "ON_PEAK": 0.5576, "OFF_PEAK": 0.2451}}
    side = {
        "daily_charges": [{"name": "Charge", "amount": 0}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {}}, "Winter": {"rates": {}}},
        "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                           **{s: {"rates": r} for s, r in prices.items()}},
        "seasons": {"Summer": season(10, 5, 31), "Winter": season(6, 9, 30)},
    }
    return {"version": 1, "code": "PGE-EV2-A", "name": "EV2-A", "utility": "PG&E",
            "currency": "USD", **copy.deepcopy(side),
            "sell_tariff": {"name": "EV2-A export", "utility": "PG&E", **copy.deepcopy(side)}}


def _one_site(start: str, site: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"version": 1, "seed": 0, "clock": {"start": start, "mode": "frozen"},
            "users": [{"id": "demo", "region": "NA", "sites": []}],
            "sites": [{**copy.deepcopy(_DEMO_SITE), **(site or {})}], **extra}


PRESETS: dict[str, dict[str, Any]] = {
    "demo": {**_one_site("2025-07-15T12:00:00-07:00"), "clock": {"start": None, "mode": "realtime"}},
    "sunny_export": _one_site("2025-06-21T12:30:00-07:00", {
        "solar": {"dc_kw": 10.0}, "initial": {"app_pct": 97}}),
    "night_outage": _one_site(
        "2025-07-15T21:00:00-07:00",
        {"initial": {"app_pct": 60},
         "components": {EV_RESERVE_SUPPORTED.key: True}},
        events=[{"type": "grid_outage", "at": "+PT1H", "duration_s": 4 * 3600},
                {"type": "ev_plug_in", "at": "+PT1M", "energy_wh": 30_000}]),
    "storm": _one_site("2025-07-15T08:00:00-07:00", {"initial": {"app_pct": 40}}, events=[
        {"type": "storm_alert", "at": "+PT1M", "end": "+PT12H"},
        {"type": "grid_outage", "at": "+PT6H", "duration_s": 3 * 3600}]),
    "tou_peak_export": _one_site("2025-07-15T15:00:00-07:00", {
        "settings": {DEFAULT_REAL_MODE.key: "autonomous",
                     EXPORT_RULE.key: "battery_ok"},
        "tariff": _pge_tariff(), "initial": {"app_pct": 90}}),
    "ev_evening": _one_site("2025-07-15T17:30:00-07:00", None, events=[
        {"type": "ev_plug_in", "at": "+PT30M", "energy_wh": 30_000}]),
    "solar_only": _one_site("2025-07-15T12:00:00-07:00", {
        "type": "solar", "batteries": [], "wall_connectors": []}),
    "ghost_site": _one_site("2025-07-15T12:00:00-07:00", {"quirks": {"no_history": True}}),
    "observed_firmware": _one_site("2025-07-15T12:00:00-07:00", {"profile": "observed"}),
    "dst_spring_forward": _one_site("2025-03-09T12:00:00-07:00"),
    "dst_fall_back": _one_site("2025-11-02T12:00:00-08:00"),
    "dst_half_hour": _one_site("2025-04-06T12:00:00+09:30", {
        "time_zone": "Australia/Adelaide", "location": {"latitude": -34.93, "longitude": 138.6}}),
    "multi_site": {
        "version": 1, "seed": 0, "clock": {"start": "2025-07-15T12:00:00-07:00", "mode": "frozen"},
        "users": [{"id": "alice", "sites": [1000000000000001, 1000000000000002]},
                  {"id": "bob", "sites": [1000000000000003]}],
        "vehicles": [{"id": "0b5d6c1f-0000-4000-8000-000000000001", "vin": "5YJ3E1EA7KF000001",
                      "in_products": True}],
        "sites": [
            {**copy.deepcopy(_DEMO_SITE), "energy_site_id": 1000000000000001},
            {"energy_site_id": 1000000000000002, "type": "solar", "time_zone": LA,
             "batteries": [], "name": "Cabin"},
            {"energy_site_id": 1000000000000003, "type": "wall_connector", "time_zone": LA,
             "batteries": [], "wall_connectors": [{}], "name": "Garage"},
        ],
    },
}


DESCRIPTIONS: dict[str, str] = {
    "demo": "The default world: the demo site on a real-time clock starting now.",
    "sunny_export": "Noon on 21 June, full battery, 10 kW of panels: surplus goes to the grid.",
    "night_outage": "21:00; a car plugs in at 21:01; the grid fails 22:00-02:00 (advance the clock).",
    "storm": "08:00 at 40 %; a storm watch from 08:01, then an outage from 14:00 for 3 h.",
    "tou_peak_export": "15:00, PG&E EV2-A tariff, autonomous mode: exports at the 16:00 peak.",
    "ev_evening": "17:30; a car plugs in at 18:00 wanting 30 kWh.",
    "solar_only": "A solar-only site: no battery, no Wall Connector.",
    "ghost_site": "A battery site whose history is empty, as some real accounts show.",
    "observed_firmware": "The demo site behaving as real firmware was seen to, beyond the docs.",
    "dst_spring_forward": "Noon on 9 March 2025 in Los Angeles: a 23-hour day.",
    "dst_fall_back": "Noon on 2 November 2025 in Los Angeles: a 25-hour day.",
    "dst_half_hour": "Noon on 6 April 2025 in Adelaide: a half-hour zone leaving DST.",
    "multi_site": "Two users: alice with a battery and a solar-only site, bob with a Wall Connector.",
}
"""One line per preset, for ``GET /_gridtwin/presets`` and ``gridtwin serve --help``."""


def describe() -> list[dict[str, str]]:
    """Every preset by name with its description, sorted by name."""
    return [{"name": name, "description": DESCRIPTIONS[name]} for name in sorted(PRESETS)]


def preset(name: str, seed: int | None = None, start: Any = None) -> dict[str, Any]:
    doc = copy.deepcopy(PRESETS[name])
    if seed is not None:
        doc["seed"] = seed
    if start is not None:
        doc.setdefault("clock", {})["start"] = start
    return doc
