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

__all__ = [
    "Chargers",
    "Decision",
    "DemandPeak",
    "Interval",
    "Ledger",
    "RunResult",
    "RunState",
    "SegmentTable",
    "StepSeries",
    "Window",
]

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


class SegmentTable(NamedTuple):
    """The advance window cut at event instants into M segments of constant conditions
    (gridtwin.sim.conditions); K is the number of Wall Connectors."""

    start_s: _I64
    """(M,) segment start [Unix s]; start_s[0] is the window's start, all <= its end"""
    changed: _I64
    """(M,) 1 where the conditions differ from the previous segment's"""
    grid_down: _I64
    """(M,) 1 while the grid is down"""
    storm: _I64
    """(M,) 1 while a storm alert is in force"""
    wc_session: _I64
    """(M, K) per connector: index of its plugged session in Chargers (-1: none)"""
    wc_fault: _I64
    """(M, K) 1 while the connector is faulted"""
    wc_waiting: _I64
    """(M, K) 1 while its session waits for a scheduled start"""


class Chargers(NamedTuple):
    """Wall Connectors (K), their power-sharing groups (G) and charge sessions (Q).
    Session progress and served powers are updated in place."""

    max_w: _I64
    """(K,) connector maximum [W]"""
    group: _I64
    """(K,) index of the connector's group (-1: none)"""
    group_limit_w: _I64
    """(G,) limit shared by a group's connectors [W]"""
    target_j: _I64
    """(Q,) session target energy [J]"""
    session_max_w: _I64
    """(Q,) session power cap, the vehicle's included [W]"""
    delivered_j: _I64
    """(Q,) energy delivered so far [J]"""
    first_power_s: _I64
    """(Q,) first instant the session drew power [Unix s] (-1: none)"""
    last_power_s: _I64
    """(Q,) end of the session's last interval with power [Unix s] (-1: none)"""
    demand_w: _I64
    """(K,) what each connector asks for at the current decision [W]"""
    served_w: _I64
    """(K,) power served to each connector now [W]"""


class Window(NamedTuple):
    """The span one run_site call simulates."""

    t0_s: int
    """start [Unix s]"""
    t1_s: int
    """end [Unix s], >= t0_s"""
    step_s: int
    """engine step [s]; decisions hold at most to the next multiple"""
    install_s: int
    """installation instant [Unix s]: flows before it are not counted"""
    k0: int
    """step index of StepSeries entry 0"""


class Decision(NamedTuple):
    """The decision in force: its powers (Ledger.powers) hold from decided_s to hold_s."""

    decided_s: int
    """instant it was made [Unix s]"""
    hold_s: int
    """end of its interval [Unix s]"""
    start_wh: float
    """stored energy E at decided_s [Wh]"""
    end_wh: float
    """E at hold_s [Wh]"""


class DemandPeak(NamedTuple):
    """The month's running peak grid import over demand-priced steps (tariff.md §8.3)."""

    month: int
    """the local month it belongs to (demand code // 2; -1: none yet)"""
    peak_w: int
    """peak import [W]"""


class RunState(NamedTuple):
    """A site's scalar state between run_site calls."""

    energy_wh: float
    """stored energy E now [Wh]"""
    decision: Decision
    unserved_j: int
    """cumulative shed load [J]"""
    demand: DemandPeak


class Ledger(NamedTuple):
    """What run_site writes in place: the decision in force, the controller latches and
    the energy records."""

    powers: _I64
    """(params.N_OUT,) the decision's powers and flows [W] (params.O_* layout)"""
    latches: _I64
    """(params.N_FLAGS,) controller latches (params.F_*)"""
    counters_j: _I64
    """(N_CELLS,) cumulative flow per origin->destination cell since installation [J]"""
    bucket_base_j: _I64
    """(N_CELLS,) counters_j at the start of the current 5-minute bucket [J]"""
    bucket_start_s: _I64
    """(R,) start of each 5-minute bucket completed [Unix s]"""
    bucket_wh: _I64
    """(R, N_CELLS) energy per cell of each completed bucket [Wh] (site-behavior §9.2)"""


class RunResult(NamedTuple):
    """What run_site returns."""

    state: RunState
    n_buckets: int
    """rows of Ledger.bucket_start_s / bucket_wh written"""
