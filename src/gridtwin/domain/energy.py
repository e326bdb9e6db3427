"""The origin-to-destination energy cells every step is allocated to (site-behavior §9.1)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BATTERY_CHARGE",
    "BATTERY_DISCHARGE",
    "CELLS",
    "FLOWS",
    "GENERATOR_OUTPUT",
    "GRID_EXPORT",
    "GRID_IMPORT",
    "HOME_USAGE",
    "SOLAR_GENERATION",
    "SUMMARY_FLOWS",
    "TOTALS",
    "flow_indices",
    "signed_matrix",
    "sum_cells",
]

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

# The flows other modules name (summaries, power history), each written once here.
SOLAR_GENERATION = "total_solar_generation"
HOME_USAGE = "total_home_usage"
GRID_IMPORT = "grid_energy_imported"
GRID_EXPORT = "total_grid_energy_exported"
BATTERY_CHARGE = "total_battery_charge"
BATTERY_DISCHARGE = "total_battery_discharge"
GENERATOR_OUTPUT = "generator_energy_exported"

FLOWS: dict[str, tuple[str, ...]] = {
    # The energy-history bucket fields (wire-format §9.4), in wire order.
    "solar_energy_exported": ("solar_to_home", "solar_to_battery", "solar_to_grid"),
    GENERATOR_OUTPUT: ("generator_to_home", "generator_to_battery", "generator_to_grid"),
    GRID_IMPORT: ("grid_to_home", "grid_to_battery"),
    "grid_services_energy_imported": (),
    "grid_services_energy_exported": (),
    "grid_energy_exported_from_solar": ("solar_to_grid",),
    "grid_energy_exported_from_generator": ("generator_to_grid",),
    "grid_energy_exported_from_battery": ("battery_to_grid",),
    "battery_energy_exported": ("battery_to_home", "battery_to_grid"),
    "battery_energy_imported_from_grid": ("grid_to_battery",),
    "battery_energy_imported_from_solar": ("solar_to_battery",),
    "battery_energy_imported_from_generator": ("generator_to_battery",),
    "consumer_energy_imported_from_grid": ("grid_to_home",),
    "consumer_energy_imported_from_solar": ("solar_to_home",),
    "consumer_energy_imported_from_battery": ("battery_to_home",),
    "consumer_energy_imported_from_generator": ("generator_to_home",),
    # The bucket totals, emitted only when non-zero (D16).
    HOME_USAGE: ("solar_to_home", "generator_to_home", "battery_to_home", "grid_to_home"),
    BATTERY_CHARGE: ("solar_to_battery", "generator_to_battery", "grid_to_battery"),
    BATTERY_DISCHARGE: ("battery_to_home", "battery_to_grid"),
    SOLAR_GENERATION: ("solar_to_home", "solar_to_battery", "solar_to_grid"),
    GRID_EXPORT: ("solar_to_grid", "generator_to_grid", "battery_to_grid"),
}
"""The one cells→flow table: each energy-history field as the sum of origin→destination
cells (site-behavior §9.1, wire-format §9.4). Every other flow (dashboard, studies, power
history) is named through it."""

TOTALS: tuple[str, ...] = tuple(name for name in FLOWS if name.startswith("total_"))
"""The flows emitted in a bucket only when non-zero."""

SUMMARY_FLOWS: dict[str, str] = {
    "solar": SOLAR_GENERATION,
    "home": HOME_USAGE,
    "grid_import": GRID_IMPORT,
    "grid_export": GRID_EXPORT,
    "battery_charge": BATTERY_CHARGE,
    "battery_discharge": BATTERY_DISCHARGE,
}
"""Short names of the six summary flows (dashboard, studies) → their field in FLOWS."""

_INDEX = {name: i for i, name in enumerate(CELLS)}


def flow_indices(flow: str) -> list[int]:
    """Positions in CELLS of the cells a flow sums."""
    return [_INDEX[c] for c in FLOWS[flow]]


def sum_cells(wh: Sequence[int], flow: str) -> int:
    """Energy of one flow [Wh] from one bucket's cells [Wh] in CELLS order."""
    return sum(int(wh[i]) for i in flow_indices(flow))


def signed_matrix(columns: Sequence[Sequence[tuple[str, int]]]) -> list[list[int]]:
    """cells x columns coefficients (bucket cells [Wh] @ matrix = column sums [Wh]); each
    column is a sum of (flow, sign) terms."""
    m = [[0] * len(columns) for _ in CELLS]
    for j, terms in enumerate(columns):
        for flow, sign in terms:
            for i in flow_indices(flow):
                m[i][j] += sign
    return m
