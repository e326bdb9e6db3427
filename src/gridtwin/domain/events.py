"""Timed events that change a site's conditions (emulator §6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["EventType", "SiteEvent"]


class EventType(StrEnum):
    GRID_OUTAGE = "grid_outage"
    GRID_RESTORE = "grid_restore"
    ISLAND = "island"
    STORM_ALERT = "storm_alert"
    EV_PLUG_IN = "ev_plug_in"
    EV_UNPLUG = "ev_unplug"
    SKY = "sky"
    LOAD_SPIKE = "load_spike"
    WC_FAULT = "wc_fault"


@dataclass(frozen=True)
class SiteEvent:
    """An event for one site over ``[start_s, end_s)`` (``end_s`` None = open-ended).

    Instantaneous events (grid_restore, ev_unplug) have ``end_s == start_s``.
    ``params`` holds type-specific values, e.g. for ev_plug_in: ``din``, ``vehicle_id``,
    ``vin``, ``energy_wh``, ``max_power_w``, ``scheduled_start_s``; for load_spike:
    ``power_w``; for sky: ``sky`` and ``date`` (local ISO date); for wc_fault: ``din``.
    """

    id: str
    type: EventType
    start_s: int
    end_s: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def active_at(self, t_s: int) -> bool:
        return self.start_s <= t_s and (self.end_s is None or t_s < self.end_s)
