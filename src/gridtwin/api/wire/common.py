"""Values shared by several wire shapes: timestamps, app-scale energy, grid status."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView
from gridtwin.sim.engine import energy_left_wh

__all__ = ["app_energy", "grid_status", "local_timestamp", "utc_millis"]


def local_timestamp(t_s: int, zone: ZoneInfo | str) -> str:
    """``YYYY-MM-DDTHH:MM:SS±HH:MM`` with the offset in force at ``t_s`` (wire-format §1.4)."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return datetime.fromtimestamp(t_s, tz).isoformat(timespec="seconds")


def utc_millis(t_s: int) -> str:
    return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def app_energy(view: SiteView) -> tuple[float, int, float]:
    """(energy_left [Wh], total_pack_energy [Wh], percentage_charged [%]) on the app scale,
    in AC energy the pack delivers (total_pack_energy: from app 100 % to 0 %).

    percentage_charged is computed from the emitted energy_left in exactly this
    expression, so clients checking the identity see it hold (D14).
    """
    if not view.spec.has_battery:
        return 0, 1, 0
    total = view.spec.usable_ac_wh
    left = energy_left_wh(view.spec, view.state.energy_wh)
    return left, total, left / total * 100


def grid_status(view: SiteView) -> tuple[str, str]:
    """(grid_status, island_status) per the live_status table."""
    if view.spec.kind is not SiteKind.BATTERY:
        return "Unknown", "island_status_unknown"
    if not view.state.islanded:
        return "Active", "on_grid"
    return "Inactive", "off_grid_intentional" if view.state.island_intentional else "off_grid_unintentional"
