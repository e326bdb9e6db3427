"""Named groups of what the simulation kernels read and write (numba named tuples).

Named tuples compile to plain structs in numba's nopython mode: fields cost nothing to
read, and array fields stay the same arrays, so a kernel that writes into one updates the
caller's array in place. Scalar fields are values; a kernel that changes them returns a
new tuple. Units are in the field names (docs/nomenclature.md) or the comments.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["Interval", "StepSeries"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]


class StepSeries(NamedTuple):
    """Per-step inputs of one site, index k - k0 for step k (step k covers
    [k step_s, (k + 1) step_s)); every array has one entry per step."""

    solar_w: _I64
    """available AC solar after inverter clipping, before curtailment [W]"""
    home_w: _I64
    """home circuits, Wall Connectors excluded [W]"""
    price_class: _I64
    """reference controller: the step's price class (params.CLASS_*)"""
    need_j: _F64
    """reference controller: forecast deficit over the next peak block [J]"""
    surplus_j: _F64
    """reference controller: forecast solar surplus before that block [J]"""
    export_ok: _I64
    """reference controller: 1 where selling beats the day's cheapest buy"""
    plan_row: _I64
    """optimiser: the step's stage row in the plan (-1: no plan)"""
    demand_code: _I64
    """2 x local month + 1 if the step is demand-priced (-1: no demand charges)"""


class Interval(NamedTuple):
    """What one decision sees of the world besides the site's own state."""

    solar_w: int
    """available AC solar [W]"""
    home_w: int
    """home circuits [W]"""
    grid_down: bool
    """a grid outage is in progress"""
    storm_event: bool
    """a storm alert is in force (Storm Watch acts only if enabled and capable)"""
    price_class: int
    """reference controller: price class (params.CLASS_*)"""
    need_j: float
    """reference controller: peak need N [J]"""
    surplus_j: float
    """reference controller: pre-peak surplus U [J]"""
    export_ok: bool
    """reference controller: battery export pays now"""
    plan_row: int
    """optimiser: stage row in the plan (-1: none)"""
    peak_w: float
    """the month's running peak import over demand-priced steps so far [W]"""
