"""Many sites at once: offline what-if runs and fleet benchmarks.

:func:`simulate_batch` runs N sites over T whole steps in one compiled loop over time,
with every per-step input an array over sites, calling the same
:func:`gridtwin.sim.kernel.decide_interval` as :func:`gridtwin.sim.engine.advance`.
Each site runs through every step in turn, its state in registers. Single-threaded on
purpose: on the 2-core target machine numba threads gained little and contended on
shared array refcounts (measured).

Array shapes: per-step inputs are ``(n_steps, n_sites)`` or ``(n_steps, 1)`` (one column
shared by every site); powers in W (any integer dtype), prices in currency/kWh. Not
modelled here: Wall Connector sessions, events other than grid-down / storm masks, and
history buckets (the result carries cumulative counters instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import SiteControls
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.jit import borrowing_kernel, inlined_kernel, kernel
from gridtwin.sim.kernel import decide_interval, next_peak, running_peak_w
from gridtwin.sim.kernel_io import DemandPeak, Interval
from gridtwin.sim.params import (
    N_CELLS,
    N_FLAGS,
    N_OUT,
    O_CELLS,
    O_GRID,
    O_UNSERVED,
    Controls,
    Params,
    controls_tuple,
    pack_controls,
    pack_params,
    params_tuple,
)
from gridtwin.sim.powerflow import wh_rounded
from gridtwin.sim.tbc import PlanTables, empty_plan

__all__ = ["AutonomousInputs", "BatchResult", "OptimiserInputs", "simulate_batch"]

_Arr = npt.NDArray[np.generic]
_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
BUCKET_S = 300
"""Length of the buckets of ``BatchResult.import_wh`` / ``export_wh`` [s]."""
_IMPORT_CELLS = (8, 9)  # grid_to_home, grid_to_battery (domain.energy.CELLS)
_EXPORT_CELLS = (2, 5, 7)  # solar_to_grid, generator_to_grid, battery_to_grid


@dataclass(frozen=True)
class AutonomousInputs:
    """Per-step planning arrays (see gridtwin.sim.autonomous), each (n_steps, n_sites|1):
    price_class (CLASS_*), need_j [J], surplus_j [J], export_ok (0/1)."""

    price_class: _Arr
    need_j: _Arr
    surplus_j: _Arr
    export_ok: _Arr


@dataclass(frozen=True)
class OptimiserInputs:
    """The optimiser's plans for the batch: ``plan`` holds the stage rows of every site
    (gridtwin.sim.plans.plan_days, rows stacked), ``row`` (n_steps, n_sites|1) the stage
    row per step and site (-1: no plan), ``demand_code`` (n_steps, n_sites|1) the demand
    code per step (gridtwin.sim.inputs.StepInputs.auto_i row 3; None: no demand charges)."""

    plan: PlanTables
    row: _Arr
    demand_code: _Arr | None = None


@dataclass(frozen=True)
class BatchResult:
    """Per site: final raw energy [Wh], cumulative flows in CELLS order (n_sites, 10) [J],
    shed load [J], energy bill sum(import x buy - export x sell) [currency] (0 without
    prices), lowest raw energy reached [Wh], the optimiser's running monthly peak import
    over demand-priced steps [W] and its month (-1: none). With ``buckets=True``:
    grid import and export per 5-minute bucket (n_buckets, n_sites) [Wh], rounded per
    cell as ``advance`` rounds its bucket_wh (site-behavior §9.2), so a bill from them
    equals the bill of the same site's advance; else (0, 0)."""

    energy_wh: npt.NDArray[np.float64]
    counters_j: npt.NDArray[np.int64]
    unserved_j: npt.NDArray[np.int64]
    bill: npt.NDArray[np.float64]
    min_energy_wh: npt.NDArray[np.float64]
    demand_peak_w: npt.NDArray[np.int64]
    demand_month: npt.NDArray[np.int64]
    import_wh: npt.NDArray[np.int32]
    export_wh: npt.NDArray[np.int32]


class _Steps(NamedTuple):
    """Per-step inputs of the batch, each (n_steps, n_sites) or (n_steps, 1) (one column
    shared by every site); a (0, 0) array means the input is absent."""

    solar_w: _Arr  # available AC solar [W]
    home_w: _Arr  # home load incl. any EV charging [W]
    grid_down: _Arr  # 1 during a grid outage
    storm: _Arr  # 1 during a storm event
    price_class: _Arr  # reference controller: params.CLASS_*
    need_j: _Arr  # reference controller: peak need N [J]
    surplus_j: _Arr  # reference controller: pre-peak surplus U [J]
    export_ok: _Arr  # reference controller: 1 where battery export pays
    plan_row: _Arr  # optimiser: stage row in the plan (-1: none)
    demand_code: _Arr  # 2 x local month + 1 if demand-priced (-1: no demand charges)
    buy: _Arr  # effective buy price [currency/kWh]
    sell: _Arr  # effective sell price [currency/kWh]


class _Sites(NamedTuple):
    """Per-site state and results, updated in place (first axis: site)."""

    energy_wh: _F64  # raw stored energy E [Wh]
    flags: _I64  # (n, N_FLAGS) controller latches
    counters_j: _I64  # (n, N_CELLS) cumulative flows [J]
    unserved_j: _I64  # shed load [J]
    bill: _F64  # energy bill [currency]
    min_energy_wh: _F64  # lowest E reached [Wh]
    demand_month: _I64  # month of the running demand peak (-1: none)
    demand_peak_w: _I64  # running peak import over demand-priced steps [W]
    bucket_base_j: _I64  # (n, N_CELLS) counters at the start of the current bucket [J]
    import_wh: _Arr  # (n_buckets, n) int32 grid import per bucket [Wh], or (0, 0)
    export_wh: _Arr  # (n_buckets, n) int32 grid export per bucket [Wh], or (0, 0)


@kernel
def _run_batch(start_s: int, step_s: int, prm: _F64, ctl: _F64, solar: _Arr, home: _Arr,
               down: _Arr, storm: _Arr, auto: tuple[_Arr, _Arr, _Arr, _Arr],
               plan: PlanTables, plan_row: _Arr, demand: _Arr, buy: _Arr, sell: _Arr,
               energy: _Arr, flags: _Arr, counters: _Arr, unserved: _Arr, bill: _Arr,
               low: _Arr, month: _Arr, peak: _Arr, base: _Arr, imp: _Arr, exp: _Arr) -> None:
    """Each site through every step in turn (its parameters, controls and state stay in
    registers; 8 % faster than time-major, measured). Arguments: the fields of _Steps and
    _Sites, positional on purpose: arrays read from a named tuple inside this loop made it
    35 % slower (measured)."""
    for i in range(prm.shape[0]):
        _run_site(i, start_s, step_s, prm, ctl, solar, home, down, storm, auto, plan,
                  plan_row, demand, buy, sell, energy, flags, counters, unserved, bill, low,
                  month, peak, base, imp, exp)


@kernel
def _run_site(i: int, start_s: int, step_s: int, prm: _F64, ctl: _F64,
              solar: _Arr, home: _Arr, down: _Arr, storm: _Arr,
              auto: tuple[_Arr, _Arr, _Arr, _Arr], plan: PlanTables, plan_row: _Arr,
              demand: _Arr, buy: _Arr, sell: _Arr, energy: _Arr, flags: _Arr,
              counters: _Arr, unserved: _Arr, bill: _Arr, low: _Arr, month: _Arr,
              peak: _Arr, base: _Arr, imp: _Arr, exp: _Arr) -> None:
    """Site i over every step (see _Steps and _Sites for the arrays), through the loop
    for the inputs the batch has: each loop holds the absent inputs constant, so the
    compiler drops their paths from it (a Self-powered site-year about a quarter faster
    than through the general loop, measured). The loops borrow their arrays (no
    reference counting): the per-step chain inlined into them would otherwise count
    references on every array it is given at every step (a Time-based site-year 17.8 ->
    10.1 ms, Self-powered 7.7 -> 4.6 ms, measured)."""
    c = _Columns(_column(i, solar), _column(i, home), _column(i, down), _column(i, storm),
                 _column(i, auto[0]), _column(i, plan_row), _column(i, demand),
                 _column(i, buy), BUCKET_S // step_s if imp.shape[0] > 0 else 0)
    s = _SiteRun(i, params_tuple(prm, i), controls_tuple(ctl, i), flags[i].copy(),
                 np.zeros(N_OUT, dtype=np.int64), np.zeros(0, dtype=np.int64))
    e, lowest, peak_now = energy[i], low[i], DemandPeak(month[i], peak[i])
    if c.down < 0 and c.storm < 0 and c.auto < 0:
        if c.plan_row < 0 and c.demand < 0:
            e, lowest = _steps_plain(start_s, step_s, s, c, e, lowest, solar, home, plan,
                                     counters, unserved, bill, buy, sell, base, imp, exp)
        else:
            e, lowest, peak_now = _steps_planned(
                start_s, step_s, s, c, e, lowest, peak_now, solar, home, plan, plan_row,
                demand, counters, unserved, bill, buy, sell, base, imp, exp)
    else:
        e, lowest, peak_now = _steps_general(
            start_s, step_s, s, c, e, lowest, peak_now, solar, home, down, storm, auto, plan,
            plan_row, demand, counters, unserved, bill, buy, sell, base, imp, exp)
    energy[i] = e
    low[i] = lowest
    month[i] = peak_now.month
    peak[i] = peak_now.peak_w
    flags[i, :] = s.flags


class _Columns(NamedTuple):
    """Where a site reads each per-step input: its own column i or the shared column 0
    (-1: the batch does not have that input); per_bucket: steps per 5-minute bucket (0:
    no buckets)."""

    solar: int
    home: int
    down: int
    storm: int
    auto: int
    plan_row: int
    demand: int
    price: int
    per_bucket: int


class _SiteRun(NamedTuple):
    """A site's constants and scratch arrays while its steps run."""

    i: int
    prm: Params
    ctl: Controls
    flags: _I64  # (N_FLAGS,) controller latches, updated in place
    out: _I64  # (N_OUT,) the step's powers and flows
    wc: _I64  # (0,) Wall Connector demands: the batch has none


@kernel
def _column(i: int, a: _Arr) -> int:
    if a.shape[0] == 0:
        return -1
    return i if a.shape[1] > 1 else 0


@borrowing_kernel
def _steps_plain(start_s: int, step_s: int, s: _SiteRun, c: _Columns, e: float,
                 lowest: float, solar: _Arr, home: _Arr, plan: PlanTables, counters: _Arr,
                 unserved: _Arr, bill: _Arr, buy: _Arr, sell: _Arr, base: _Arr, imp: _Arr,
                 exp: _Arr) -> tuple[float, float]:
    """Steps on grid throughout without planning inputs (no plan, no demand charges)."""
    wc = s.wc
    for k in range(solar.shape[0]):
        now = Interval(int(solar[k, c.solar]), int(home[k, c.home]), False, False, 0, 0.0,
                       0.0, False, -1, 0.0)
        e = decide_interval(start_s + k * step_s, step_s, e, s.prm, s.ctl, now, plan, wc, wc,
                            s.flags, s.out)
        lowest = min(lowest, e)
        _account(k, s.i, step_s, c, s.out, counters, unserved, bill, buy, sell, base, imp,
                 exp)
    return e, lowest


@borrowing_kernel
def _steps_planned(start_s: int, step_s: int, s: _SiteRun, c: _Columns, e: float,
                   lowest: float, peak_now: DemandPeak, solar: _Arr, home: _Arr,
                   plan: PlanTables, plan_row: _Arr, demand: _Arr, counters: _Arr,
                   unserved: _Arr, bill: _Arr, buy: _Arr, sell: _Arr, base: _Arr, imp: _Arr,
                   exp: _Arr) -> tuple[float, float, DemandPeak]:
    """Steps on grid throughout with the optimiser's plan or demand codes. Kept apart from
    the general loop, whose tail it repeats: a Time-based site-year through the general
    loop costs 4.4-4.6 % more CPU (fleet optimiser calls, interleaved best of 7)."""
    wc = s.wc
    for k in range(solar.shape[0]):
        code = demand[k, c.demand] if c.demand >= 0 else -1
        now = Interval(int(solar[k, c.solar]), int(home[k, c.home]), False, False, 0, 0.0,
                       0.0, False, plan_row[k, c.plan_row] if c.plan_row >= 0 else -1,
                       running_peak_w(code, peak_now))
        e = decide_interval(start_s + k * step_s, step_s, e, s.prm, s.ctl, now, plan, wc, wc,
                            s.flags, s.out)
        peak_now = next_peak(code, peak_now, s.out[O_GRID])
        lowest = min(lowest, e)
        _account(k, s.i, step_s, c, s.out, counters, unserved, bill, buy, sell, base, imp,
                 exp)
    return e, lowest, peak_now


@borrowing_kernel
def _steps_general(start_s: int, step_s: int, s: _SiteRun, c: _Columns, e: float,
                   lowest: float, peak_now: DemandPeak, solar: _Arr, home: _Arr, down: _Arr,
                   storm: _Arr, auto: tuple[_Arr, _Arr, _Arr, _Arr], plan: PlanTables,
                   plan_row: _Arr, demand: _Arr, counters: _Arr, unserved: _Arr, bill: _Arr,
                   buy: _Arr, sell: _Arr, base: _Arr, imp: _Arr, exp: _Arr
                   ) -> tuple[float, float, DemandPeak]:
    """Steps with outages, storms or the reference controller's inputs."""
    wc = s.wc
    for k in range(solar.shape[0]):
        cls, need, sur, ok = 0, 0.0, 0.0, False
        if c.auto >= 0:
            cls = auto[0][k, c.auto]
            need = float(auto[1][k, c.auto])
            sur = float(auto[2][k, c.auto])
            ok = auto[3][k, c.auto] != 0
        code = demand[k, c.demand] if c.demand >= 0 else -1
        now = Interval(int(solar[k, c.solar]), int(home[k, c.home]),
                       c.down >= 0 and down[k, c.down] != 0,
                       c.storm >= 0 and storm[k, c.storm] != 0, cls, need, sur, ok,
                       plan_row[k, c.plan_row] if c.plan_row >= 0 else -1,
                       running_peak_w(code, peak_now))
        e = decide_interval(start_s + k * step_s, step_s, e, s.prm, s.ctl, now, plan, wc, wc,
                            s.flags, s.out)
        peak_now = next_peak(code, peak_now, s.out[O_GRID])
        lowest = min(lowest, e)
        _account(k, s.i, step_s, c, s.out, counters, unserved, bill, buy, sell, base, imp,
                 exp)
    return e, lowest, peak_now


@inlined_kernel
def _account(k: int, i: int, step_s: int, c: _Columns, out: _Arr, counters: _Arr,
             unserved: _Arr, bill: _Arr, buy: _Arr, sell: _Arr, base: _Arr, imp: _Arr,
             exp: _Arr) -> None:
    """Site i's flows of step k into its counters, its 5-minute buckets and its bill."""
    for cell in range(N_CELLS):
        counters[i, cell] += out[O_CELLS + cell] * step_s
    unserved[i] += out[O_UNSERVED] * step_s
    if c.per_bucket > 0 and (k + 1) % c.per_bucket == 0:
        _close_bucket(counters, base, i, imp, exp, (k + 1) // c.per_bucket - 1)
    if c.price >= 0:
        grid_kwh = float(out[O_GRID] * step_s) / 3.6e6
        bill[i] += grid_kwh * (buy[k, c.price] if grid_kwh > 0 else sell[k, c.price])


@inlined_kernel
def _close_bucket(counters: _Arr, base: _Arr, i: int, imp: _Arr, exp: _Arr, row: int) -> None:
    """Grid import and export of site i's bucket ``row`` [Wh]: per cell
    Wh(C(end)) - Wh(C(start)), as ``advance`` writes bucket_wh; then base := counters."""
    wh = 0
    for c in _IMPORT_CELLS:
        wh += wh_rounded(counters[i, c]) - wh_rounded(base[i, c])
    imp[row, i] = wh
    wh = 0
    for c in _EXPORT_CELLS:
        wh += wh_rounded(counters[i, c]) - wh_rounded(base[i, c])
    exp[row, i] = wh
    for c in range(N_CELLS):
        base[i, c] = counters[i, c]


def _steps_2d(a: _Arr | None, n_steps: int, dtype: type) -> _Arr:
    """(n_steps, n|1) C-ordered per-step input; (n_steps,) is one shared column. A view
    when the input is C-ordered already; a slice of a wider array (``solar[:, :2]``) is
    copied, so the kernels are compiled for one array layout, not again for each (a
    second compile of the batch loops takes about 10 s)."""
    if a is None:
        return np.zeros((0, 0), dtype=dtype)
    arr = np.asarray(a)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] != n_steps:
        raise ValueError(f"expected {n_steps} steps, got {arr.shape[0]}")
    return np.ascontiguousarray(arr)


def simulate_batch(specs: Sequence[SiteSpec], controls: Sequence[SiteControls],
                   solar_w: _Arr, home_load_w: _Arr, *, step_s: int, app_pct: float = 50.0,
                   energy_wh: npt.NDArray[np.float64] | None = None,
                   buy: _Arr | None = None, sell: _Arr | None = None,
                   grid_down: _Arr | None = None, storm: _Arr | None = None,
                   autonomous: AutonomousInputs | None = None,
                   optimiser: OptimiserInputs | None = None, start_s: int = 0,
                   quirks: frozenset[Quirk] = frozenset(), buckets: bool = False
                   ) -> BatchResult:
    """Simulate len(specs) sites for solar_w.shape[0] steps of step_s [s].

    solar_w: available AC solar [W], home_load_w: home load incl. any EV charging [W],
    (n_steps, n_sites|1). energy_wh: initial raw energy per site [Wh] (default app_pct).
    buy / sell: effective prices [currency/kWh] for the bill. grid_down / storm: masks of
    outage and storm-event steps. autonomous: the reference controller's planning arrays;
    optimiser: the Time-Based Control optimiser's plans (they take precedence where a
    step has a stage row). start_s: instant of the first step [Unix s] (plans use it).
    buckets: also return grid import and export per 5-minute bucket (start_s on a
    5-minute mark, step_s dividing 300, a whole number of buckets).
    """
    n = len(specs)
    if len(controls) != n:
        raise ValueError("one SiteControls per site")
    if (buy is None) != (sell is None):
        raise ValueError("give both buy and sell prices, or neither")
    solar = _steps_2d(solar_w, np.asarray(solar_w).shape[0], np.int64)
    n_steps = solar.shape[0]
    prm = np.stack([pack_params(s) for s in specs]) if n else np.zeros((0, 1))
    ctl = np.stack([pack_controls(c, quirks) for c in controls]) if n else np.zeros((0, 1))
    if energy_wh is None:
        energy_wh = np.array([s.total_pack_wh * (0.05 + 0.0095 * app_pct)
                              if s.has_battery else 0.0 for s in specs])
    energy = np.array(energy_wh, dtype=np.float64, copy=True)
    n_buckets = 0
    if buckets:
        if start_s % BUCKET_S or BUCKET_S % step_s or (n_steps * step_s) % BUCKET_S:
            raise ValueError("buckets need start_s on a 5-minute mark, step_s dividing 300 "
                             "and whole buckets")
        n_buckets = n_steps * step_s // BUCKET_S
    grid_wh = np.zeros((n_buckets, n if n_buckets else 0), dtype=np.int32)
    auto = _auto_arrays(autonomous, n_steps)
    plan = empty_plan() if optimiser is None else optimiser.plan
    none = np.zeros((0, 0), dtype=np.int64)
    plan_row = (none if optimiser is None
                else _steps_2d(optimiser.row, n_steps, np.int64).astype(np.int64))
    demand = (none if optimiser is None or optimiser.demand_code is None
              else _steps_2d(optimiser.demand_code, n_steps, np.int64).astype(np.int64))
    steps = _Steps(solar, _steps_2d(home_load_w, n_steps, np.int64),
                   _steps_2d(grid_down, n_steps, np.bool_), _steps_2d(storm, n_steps, np.bool_),
                   *auto, plan_row, demand, _steps_2d(buy, n_steps, np.float64),
                   _steps_2d(sell, n_steps, np.float64))
    sites = _Sites(energy_wh=energy, flags=np.zeros((n, N_FLAGS), dtype=np.int64),
                   counters_j=np.zeros((n, N_CELLS), dtype=np.int64),
                   unserved_j=np.zeros(n, dtype=np.int64), bill=np.zeros(n),
                   min_energy_wh=energy.copy(), demand_month=np.full(n, -1, dtype=np.int64),
                   demand_peak_w=np.zeros(n, dtype=np.int64),
                   bucket_base_j=np.zeros((n, N_CELLS), dtype=np.int64),
                   import_wh=grid_wh, export_wh=grid_wh.copy())
    _run_batch(start_s, step_s, prm, ctl, steps.solar_w, steps.home_w, steps.grid_down,
               steps.storm, auto, plan, steps.plan_row, steps.demand_code, steps.buy,
               steps.sell, *sites)
    return BatchResult(sites.energy_wh, sites.counters_j, sites.unserved_j, sites.bill,
                       sites.min_energy_wh, sites.demand_peak_w, sites.demand_month,
                       np.asarray(sites.import_wh, dtype=np.int32),
                       np.asarray(sites.export_wh, dtype=np.int32))


def _auto_arrays(a: AutonomousInputs | None, n_steps: int
                 ) -> tuple[_Arr, _Arr, _Arr, _Arr]:
    if a is None:
        return (np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64),
                np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64))
    return (_steps_2d(a.price_class, n_steps, np.int64).astype(np.int64),
            _steps_2d(a.need_j, n_steps, np.int64).astype(np.int64),
            _steps_2d(a.surplus_j, n_steps, np.int64).astype(np.int64),
            _steps_2d(a.export_ok, n_steps, np.int64).astype(np.int64))
