"""The origin-to-destination energy cells every step is allocated to (site-behavior §9.1)."""

from __future__ import annotations

__all__ = ["CELLS"]

CELLS: tuple[str, ...] = (
    "solar_to_home",
    "solar_to_battery",
    "solar_to_grid",
    "generator_to_home",
    "generator_to_battery",
    "generator_to_grid",
    "battery_to_home",
    "battery_to_grid",
    "grid_to_home",
    "grid_to_battery",
)
"""Cell names in their fixed order: engine counters, stored columns and wire sums use it."""
