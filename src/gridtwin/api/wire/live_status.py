"""``live_status`` and its Wall Connector items (wire-format §8)."""

from __future__ import annotations

from typing import Any

from gridtwin.api.wire.common import app_energy, grid_status, local_timestamp
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView

__all__ = ["render_live_status", "render_wall_connectors", "storm_mode_active"]

_CHARGING, _FAULT = 1, 7


def storm_mode_active(view: SiteView) -> bool:
    """D11: a storm event is active, storm mode is enabled and the site is capable."""
    return bool(
        view.state.storm_active and view.controls.storm_mode_enabled and view.spec.storm_capable
    )


def render_wall_connectors(view: SiteView) -> list[dict[str, Any]] | None:
    if view.spec.kind is SiteKind.SOLAR:
        return None
    st = view.state
    plugged = {s.din: s for s in st.sessions if s.unplugged_s is None}
    items = []
    for i, wc in enumerate(view.spec.wall_connectors):
        state = st.wall_connector_state[i] if i < len(st.wall_connector_state) else 2
        power = st.wall_connector_w[i] if i < len(st.wall_connector_w) else 0
        item: dict[str, Any] = {"din": wc.din}
        if wc.din in plugged and state != 2:
            item["vin"] = plugged[wc.din].vin
        item["wall_connector_state"] = state
        item["wall_connector_fault_state"] = 8 if state == _CHARGING else 3 if state == _FAULT else 2
        item["wall_connector_power"] = int(power)
        items.append(item)
    return items


def render_live_status(view: SiteView) -> dict[str, Any]:
    st = view.state
    left, total, pct = app_energy(view)
    grid, island = grid_status(view)
    battery = view.spec.kind is SiteKind.BATTERY
    out: dict[str, Any] = {"solar_power": int(st.solar_w)}
    if Quirk.OMIT_DEPRECATED_ENERGY_FIELDS not in view.quirks:
        out["energy_left"] = left
        out["total_pack_energy"] = total
    out.update({
        "percentage_charged": pct,
        "backup_capable": bool(battery and view.spec.has_backup),
        "battery_power": int(st.battery_w),
        "load_power": int(st.load_w),
        "grid_status": grid,
        "grid_services_active": False,
        "grid_power": int(st.grid_w),
        "grid_services_power": 0,
        "generator_power": int(st.generator_w),
        "island_status": island,
        "storm_mode_active": storm_mode_active(view),
        "timestamp": local_timestamp(view.now_s, view.spec.time_zone),
        "wall_connectors": render_wall_connectors(view),
    })
    return out
