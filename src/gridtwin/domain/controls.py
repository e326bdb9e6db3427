"""Command-writable site settings (wire-format §12) and their enums."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ExportRule", "OperationMode", "SiteControls", "Strategy"]


class OperationMode(StrEnum):
    SELF_CONSUMPTION = "self_consumption"
    AUTONOMOUS = "autonomous"
    BACKUP = "backup"


class ExportRule(StrEnum):
    BATTERY_OK = "battery_ok"
    PV_ONLY = "pv_only"
    NEVER = "never"


class Strategy(StrEnum):
    ECONOMICS = "economics"
    BALANCED = "balanced"


@dataclass(frozen=True)
class SiteControls:
    """The values commands write. Percentages are app-scale [%]."""

    backup_reserve_pct: int = 20
    mode: OperationMode = OperationMode.SELF_CONSUMPTION
    storm_mode_enabled: bool = True
    export_rule: ExportRule = ExportRule.PV_ONLY
    grid_charging_allowed: bool = True
    ev_reserve_pct: int = 50
    strategy: Strategy = Strategy.ECONOMICS
