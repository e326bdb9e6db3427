"""History replies (wire-format §9.3, §9.4, §10, §11)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gridtwin.api.wire.common import local_timestamp
from gridtwin.core.units import joules_to_wh_rounded
from gridtwin.domain.profile import Quirk
from gridtwin.services.history import BackupHistory, ChargeHistory, EnergyHistory
from gridtwin.sim.state import CELLS

__all__ = ["BUCKET_FIELDS", "TOTAL_FIELDS", "render_backup", "render_charge", "render_energy"]

_C = {name: i for i, name in enumerate(CELLS)}

BUCKET_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("solar_energy_exported", ("solar_to_home", "solar_to_battery", "solar_to_grid")),
    ("generator_energy_exported", ("generator_to_home", "generator_to_battery", "generator_to_grid")),
    ("grid_energy_imported", ("grid_to_home", "grid_to_battery")),
    ("grid_services_energy_imported", ()),
    ("grid_services_energy_exported", ()),
    ("grid_energy_exported_from_solar", ("solar_to_grid",)),
    ("grid_energy_exported_from_generator", ("generator_to_grid",)),
    ("grid_energy_exported_from_battery", ("battery_to_grid",)),
    ("battery_energy_exported", ("battery_to_home", "battery_to_grid")),
    ("battery_energy_imported_from_grid", ("grid_to_battery",)),
    ("battery_energy_imported_from_solar", ("solar_to_battery",)),
    ("battery_energy_imported_from_generator", ("generator_to_battery",)),
    ("consumer_energy_imported_from_grid", ("grid_to_home",)),
    ("consumer_energy_imported_from_solar", ("solar_to_home",)),
    ("consumer_energy_imported_from_battery", ("battery_to_home",)),
    ("consumer_energy_imported_from_generator", ("generator_to_home",)),
)
"""Each bucket field as the sum of origin→destination cells (§9.4), in wire order."""

TOTAL_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total_home_usage", ("solar_to_home", "generator_to_home", "battery_to_home", "grid_to_home")),
    ("total_battery_charge", ("solar_to_battery", "generator_to_battery", "grid_to_battery")),
    ("total_battery_discharge", ("battery_to_home", "battery_to_grid")),
    ("total_solar_generation", ("solar_to_home", "solar_to_battery", "solar_to_grid")),
    ("total_grid_energy_exported", ("solar_to_grid", "generator_to_grid", "battery_to_grid")),
)
"""Totals, emitted only when non-zero (D16)."""


def _bucket(ts: str, row: np.ndarray) -> dict[str, Any]:
    item: dict[str, Any] = {"timestamp": ts}
    for name, cells in BUCKET_FIELDS:
        item[name] = int(sum(int(row[_C[c]]) for c in cells))
    item["raw_timestamp"] = ts
    for name, cells in TOTAL_FIELDS:
        value = int(sum(int(row[_C[c]]) for c in cells))
        if value:
            item[name] = value
    return item


def render_energy(h: EnergyHistory) -> dict[str, Any]:
    spec = h.view.spec
    series = [_bucket(local_timestamp(t, h.zone), h.wh[i]) for i, t in enumerate(h.starts)]
    return {
        "serial_number": spec.gateway_din if spec.has_battery else spec.site_uuid,
        "period": h.period,
        "installation_time_zone": spec.time_zone,
        "time_series": series or None,
    }


def render_backup(h: BackupHistory) -> dict[str, Any]:
    scale = 1000 if Quirk.BACKUP_DURATION_MS in h.view.quirks else 1
    events = [
        {"timestamp": local_timestamp(start, h.zone), "duration": duration * scale}
        for start, duration in h.events
    ]
    return {"events": events, "total_events": len(events)}


def render_charge(h: ChargeHistory) -> dict[str, Any]:
    items = []
    for s in h.sessions:
        first = int(s["first_power_s"])
        last = first if s["last_power_s"] is None else int(s["last_power_s"])
        items.append({
            "charge_start_time": {"seconds": first},
            "charge_duration": {"seconds": last - first},
            "energy_added_wh": joules_to_wh_rounded(int(s["delivered_j"])),
            "din": s["din"],
            "target_id": {"text": s["vehicle_id"]},
        })
    return {"charge_history": items}
