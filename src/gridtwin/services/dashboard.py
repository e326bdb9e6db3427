"""Read models and actions for the web dashboard (gridtwin.web), over the other services.

The dashboard acts as each site's owner: reads and commands go through the same
services as the emulated API, so the page shows what clients see.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.catalogue import BACKUP_RESERVE_PERCENT, DEFAULT_REAL_MODE, STORM_MODE_ENABLED
from gridtwin.domain.catalogue_nested import EXPORT_RULE
from gridtwin.domain.energy import SUMMARY_FLOWS, sum_cells
from gridtwin.domain.site import SiteKind
from gridtwin.services.auth import ALL_ENERGY_SCOPES, Principal
from gridtwin.services.commands import COMMANDS, run_command
from gridtwin.services.emulator import clock, events
from gridtwin.services.history import EnergyHistory, calendar_history
from gridtwin.services.sites import SiteView, view_site
from gridtwin.services.world import World
from gridtwin.sim.engine import app_percent
from gridtwin.tariff import validate

__all__ = [
    "DASHBOARD_COMMANDS",
    "advance",
    "clock_now",
    "command",
    "energy",
    "list_sites",
    "live",
    "outage",
    "tariff_grid",
]

DASHBOARD_COMMANDS = ("backup", "operation", "storm_mode", "grid_import_export")
_LABELS = {"day": "%H:00", "week": "%a %d", "month": "%d", "year": "%b"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _owner(world: World, site_id: int) -> Principal:
    with world.store.tx() as tx:
        row = tx.get_site(site_id)
    if row is None:
        raise NotFound()
    return Principal(row.user_id, frozenset(ALL_ENERGY_SCOPES), "NA", "")


def list_sites(world: World) -> list[dict[str, Any]]:
    """Every site: id, name, type, owner and zone."""
    with world.store.tx() as tx:
        rows = tx.list_sites()
    out = []
    for row in rows:
        view = view_site(world, None, row.energy_site_id)
        out.append({"id": str(view.site_id), "name": view.spec.name, "type": view.spec.kind.value,
                    "owner": row.user_id, "time_zone": view.spec.time_zone})
    return out


def _settings(view: SiteView) -> dict[str, Any]:
    c = view.controls
    return {BACKUP_RESERVE_PERCENT.key: c.backup_reserve_pct, DEFAULT_REAL_MODE.key: c.mode.value,
            STORM_MODE_ENABLED.key: c.storm_mode_enabled,
            EXPORT_RULE.key: c.export_rule.value,
            "grid_charging_allowed": c.grid_charging_allowed}


def live(world: World, site_id: int) -> dict[str, Any]:
    """Powers now [W] (battery + discharging, grid + importing), charge [%], settings."""
    view = view_site(world, None, site_id)
    st, spec = view.state, view.spec
    battery = spec.kind is SiteKind.BATTERY and spec.has_battery
    return {
        "id": str(site_id), "name": spec.name, "type": spec.kind.value,
        "time": datetime.fromtimestamp(view.now_s, ZoneInfo(spec.time_zone)).isoformat(),
        "solar_w": st.solar_w, "home_w": st.load_w, "battery_w": st.battery_w,
        "grid_w": st.grid_w, "generator_w": st.generator_w,
        "battery_pct": round(app_percent(spec, st.energy_wh), 1) if battery else None,
        "islanded": st.islanded, "grid_down": st.grid_down, "storm_active": st.storm_active,
        "wall_connectors": [{"din": wc.din, "power_w": int(p), "state": int(s)} for wc, p, s in
                            zip(spec.wall_connectors, st.wall_connector_w,
                                st.wall_connector_state, strict=False)],
        "has_battery": battery, "storm_capable": spec.storm_capable,
        "settings": _settings(view) if battery else None,
    }


def _rows(h: EnergyHistory) -> list[dict[str, Any]]:
    fmt = _LABELS.get(h.period, "%Y")
    rows: list[dict[str, Any]] = []
    for start, wh in zip(h.starts, h.wh, strict=True):
        label = datetime.fromtimestamp(start, h.zone).strftime(fmt)
        flows = {k: sum_cells(wh, flow) for k, flow in SUMMARY_FLOWS.items()}
        if rows and rows[-1]["label"] == label:
            rows[-1].update({k: rows[-1][k] + v for k, v in flows.items()})
        else:
            rows.append({"label": label, **flows})
    return rows


def energy(world: World, site_id: int, period: str) -> dict[str, Any]:
    """Energy per bucket [Wh] for the period containing now; a day is shown per hour."""
    if period not in _LABELS:
        raise InvalidField.for_field("period", "must be day, week, month or year")
    result = calendar_history(world, _owner(world, site_id), site_id,
                              {"kind": "energy", "period": period})
    assert isinstance(result, EnergyHistory)
    return {"period": period, "rows": _rows(result)}


def tariff_grid(world: World, site_id: int) -> dict[str, Any] | None:
    """The buy side as weekday × hour cells (label and price at the top of the hour)."""
    view = view_site(world, None, site_id)
    if view.tariff_doc is None:
        return None
    compiled = validate(view.tariff_doc).tariff
    if compiled is None:
        return None
    side = compiled.buy
    seasons = []
    for s, name in enumerate(side.seasons):
        rows = []
        for hour in range(24):
            cells = []
            for day in range(7):
                cls = int(side.class_grids[s, day, hour * 60])
                cells.append({"label": side.classes[cls][1], "price": float(side.energy_price[cls])})
            rows.append({"hour": f"{hour:02d}:00", "cells": cells})
        seasons.append({"name": name, "rows": rows})
    today = datetime.fromtimestamp(view.now_s, ZoneInfo(view.spec.time_zone))
    day_of_leap_year = date(2000, today.month, today.day).timetuple().tm_yday - 1
    return {"name": str(view.tariff_doc.get("name", "")), "currency": compiled.currency,
            "weekdays": list(_WEEKDAYS), "seasons": seasons,
            "current_season": int(side.season_of_day[day_of_leap_year])}


def command(world: World, site_id: int, name: str, body: dict[str, Any]) -> None:
    """Run a settings command as the site's owner (validated like the API's)."""
    if name not in DASHBOARD_COMMANDS or name not in COMMANDS:
        raise NotFound()
    run_command(world, _owner(world, site_id), site_id, name, lambda: body)


def outage(world: World, site_id: int, duration_s: int) -> dict[str, Any]:
    return events.create_event(world, site_id, {"type": "grid_outage", "duration_s": duration_s})


def advance(world: World, seconds: int) -> dict[str, Any]:
    return clock.advance_clock(world, {"seconds": seconds})


def clock_now(world: World) -> dict[str, Any]:
    return clock.clock_info(world)
