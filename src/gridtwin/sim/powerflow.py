"""Origin→destination allocation and exact integer energy accounting (site-behavior §9).

Every decision yields integer powers with ``H = S + B + R + G``; :func:`fill_cells` splits
them into the ten CELLS flows [W] in the §9.1 order, so that each source and each sink is
exhausted exactly. Counters then grow by ``flow_w * dt_s`` joules, integers throughout.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gridtwin.sim.jit import inlined_kernel, kernel
from gridtwin.sim.params import N_CELLS

__all__ = ["add_flows", "bucket_row", "fill_cells", "wh_rounded"]

# Cell positions in gridtwin.sim.state.CELLS.
SOLAR_HOME, SOLAR_BATTERY, SOLAR_GRID = 0, 1, 2
GEN_HOME, GEN_BATTERY, GEN_GRID = 3, 4, 5
BATTERY_HOME, BATTERY_GRID = 6, 7
GRID_HOME, GRID_BATTERY = 8, 9


@inlined_kernel
def fill_cells(solar_w: int, generator_w: int, battery_w: int, grid_w: int, load_w: int,
               cells: npt.NDArray[np.int64], offset: int) -> None:
    """Write the ten flows [W] of one balanced decision into ``cells[offset:offset+10]``."""
    s = solar_w
    g = generator_w
    b = max(battery_w, 0)
    i = max(grid_w, 0)
    h = load_w
    c = max(-battery_w, 0)
    # 1. home from solar, generator, battery, grid
    x = min(h, s)
    cells[offset + SOLAR_HOME] = x
    s -= x
    h -= x
    x = min(h, g)
    cells[offset + GEN_HOME] = x
    g -= x
    h -= x
    x = min(h, b)
    cells[offset + BATTERY_HOME] = x
    b -= x
    h -= x
    cells[offset + GRID_HOME] = h
    i -= h
    # 2. battery charge from solar, generator, grid
    x = min(c, s)
    cells[offset + SOLAR_BATTERY] = x
    s -= x
    c -= x
    x = min(c, g)
    cells[offset + GEN_BATTERY] = x
    g -= x
    c -= x
    cells[offset + GRID_BATTERY] = c
    # 3. export from what is left of solar, generator, battery (sums to -R by balance)
    cells[offset + SOLAR_GRID] = s
    cells[offset + GEN_GRID] = g
    cells[offset + BATTERY_GRID] = b


@kernel
def add_flows(counters_j: npt.NDArray[np.int64], cells: npt.NDArray[np.int64], offset: int,
              dt_s: int) -> None:
    """counters_j += flow_w * dt_s [J], exactly."""
    for k in range(N_CELLS):
        counters_j[k] += cells[offset + k] * dt_s


@kernel
def wh_rounded(energy_j: int) -> int:
    """``floor((x + 1800) / 3600)`` [Wh] (site-behavior §9.2)."""
    return (energy_j + 1800) // 3600


@kernel
def bucket_row(counters_j: npt.NDArray[np.int64], base_j: npt.NDArray[np.int64],
               row: npt.NDArray[np.int64]) -> None:
    """row = Wh(C(t1)) - Wh(C(t0)) per cell, then base := counters."""
    for k in range(N_CELLS):
        row[k] = wh_rounded(counters_j[k]) - wh_rounded(base_j[k])
        base_j[k] = counters_j[k]
