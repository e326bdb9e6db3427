"""Perfect-foresight optimum: the lowest bill any controller could reach, as one LP.

A linear programme over a whole window (up to a site-year), solved with HiGHS
(``highspy``). It knows the realised solar and home load of every engine step (perfect
foresight) and minimises energy cost - export credit + demand charges; daily charges are
constants and come from the bill.

**Blocks.** The engine's steps are grouped into blocks of at most ``max_block_s``
(default one clock hour) over which the buy and sell prices are constant, solar is
either above the home load at every step or at none, and which never straddle a
15-minute demand window. Per block k (energies in kWh) the variables are AC
charge C, AC discharge D, grid import I, grid export X, the raw pack energy E at the
block's end, and one peak [kW] per (local month, buy class) with a demand price. Every
constraint below holds for the sums over the block of any per-step schedule the engine
can run (site-behavior §3-§6), so the LP is a *relaxation* of the engine at its own step
and its optimum bill is a valid lower bound on any controller's bill; with
``max_block_s = step_s`` the blocks are the engine's steps. Per step t, def_t =
max(0, L - PV) and sur_t = max(0, PV - L) (the engine serves the home from solar first):

- balance: ``sum(L - PV) <= D - C + I - X <= sum(L)`` (the slack is curtailed solar);
  as a block is all-deficit or all-surplus, this also makes the battery or the grid meet
  every step's deficit (``I + D >= sum(def_t)``);
- pack: ``E_k = E_{k-1} + eta C - D / eta`` (the sqrt round-trip split), raw energy
  between the reserve ``T (0.05 + 0.0095 r)`` (the hidden 5 %) and T at block ends; a
  start below the reserve lowers the floor to the start (a controller's plan; a study's
  optimum starts at the reserve instead, see :func:`site_problem`);
- power: ``C <= sum(min(Pc, sur_t + cap))`` with cap the grid-charge cap (0 when grid
  charging is off); ``D <= n Pd`` (battery_ok) or ``sum(min(Pd, def_t))`` (the battery
  only serves the home); taper above app 95 % as its concave envelope
  ``c <= Pc (1 - 0.16 (app(E) - 95))`` (the engine's ``max(0.2, (100 - app)/5)`` lies below
  it), taken at the lowest energy the block can reach, ``E_{k-1} - D / eta``;
- export rule: X = 0 (never), ``X <= sum(min(max_export, sur_t))`` (pv_only: no battery
  energy to the grid), ``X <= n max_export`` (battery_ok); import
  ``I <= sum(max(max_import, L_t))`` (the engine's import limit is soft);
- demand: ``peak_g >= (sum of I over each local 15-minute window) / 0.25 h``.

What blocks relax: the pack bounds are checked at block ends only and power limits on
block sums. Inside an all-surplus or all-deficit block the pack moves one way (a loop
would only lose energy), so this loses almost nothing: on a flat tariff the LP's bill
equals the engine's self-consumption bill to the cent. Prices are constant in a block
and windows are whole, so the bill of the block totals is exact.
The engine cannot charge and discharge (or import and export) at once; the LP may, which
only relaxes it further. A tiny cost (``THROUGHPUT_COST`` per kWh) on every flow makes
such loops and ties unattractive; reported costs exclude it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import ExportRule, SiteControls
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.environment import environment_provider
from gridtwin.sim.params import UNCAPPED_W, pack_params
from gridtwin.sim.state import EnvironmentProvider
from gridtwin.tariff import Bill, CompiledTariff, Intervals, compute_bill, price_series
from gridtwin.tariff.localtime import local_fields, offset_spans, zone
from gridtwin.tariff.schedule import classes_at

__all__ = [
    "DEFAULT_BLOCK_S",
    "THROUGHPUT_COST",
    "BatteryLimits",
    "DemandCharges",
    "Dispatch",
    "OptimumError",
    "Problem",
    "SiteOptimum",
    "demand_charges",
    "site_optimum",
    "site_problem",
    "solve",
]

THROUGHPUT_COST = 1e-6
"""Tie-breaking cost on every charge, discharge, import and export [currency/kWh]."""
DEFAULT_BLOCK_S = 3600
"""Longest LP block [s]: one clock hour keeps a site-year ~1 s of HiGHS CPU (~12k blocks)."""

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]
_BUCKET_S = 300
_DEMAND_WINDOW_S = 900
_N_VARS = 5  # per block: C, D, I, X, E
_C, _D, _IMP, _EXP, _E = range(_N_VARS)
_TAPER_START_PCT = 95.0
_TAPER_END_FACTOR = 0.2
_N_CELLS = 10


class OptimumError(RuntimeError):
    """HiGHS did not report an optimal solution."""


@dataclass(frozen=True)
class BatteryLimits:
    """The pack as the engine models it (site-behavior §3).

    pack_wh: T, raw pack energy [Wh] (0: no battery). eta: one-way efficiency, the square
    root of the round trip [-]. charge_w, discharge_w: Pc, Pd at the AC side [W].
    grid_charge_cap_w: cap on the grid-fed part of charging [W] (inf: none). floor_wh:
    lowest raw energy allowed [Wh]. initial_wh: raw energy at the start [Wh].
    """

    pack_wh: float
    eta: float
    charge_w: float
    discharge_w: float
    grid_charge_cap_w: float
    floor_wh: float
    initial_wh: float


@dataclass(frozen=True)
class DemandCharges:
    """Demand windows and their charge groups.

    window: per step, the index of the 15-minute window it belongs to, -1 for none [-].
    group: per window, its charge group (local month x buy class) [-].
    price_per_kw: per group, the demand price [currency/kW].
    """

    window: _I
    group: _I
    price_per_kw: _F


@dataclass(frozen=True)
class Problem:
    """n steps of step_s [s] from start_s [Unix s]. solar_w: available AC solar [W];
    load_w: home load [W]; buy, sell: effective prices per step [currency/kWh];
    max_import_w, max_export_w: site meter limits [W]."""

    start_s: int
    step_s: int
    solar_w: _F
    load_w: _F
    buy: _F
    sell: _F
    battery: BatteryLimits
    export_rule: ExportRule
    grid_charging: bool
    max_import_w: float
    max_export_w: float
    demand: DemandCharges | None = None


@dataclass(frozen=True)
class Dispatch:
    """The optimal schedule per engine step [W] (length n) and its cost.

    cells_w: (n, 10) origin→destination flows in CELLS order [W]; within a block the
    block's totals are spread over its steps (home flows by each step's deficit, solar
    flows by its surplus, grid charging and battery export evenly). charge_w,
    discharge_w, import_w, export_w: sums of those cells. energy_wh: raw pack energy at
    each step boundary (n + 1 values, linear in time inside a block) [Wh]. block_starts: first
    step of each LP block [-]. cost: energy - export + demand of the LP solution
    [currency] (no daily charges, no tie-breaking cost). solve_s: CPU time in HiGHS [s].
    """

    step_s: int
    cells_w: _F
    charge_w: _F
    discharge_w: _F
    import_w: _F
    export_w: _F
    energy_wh: _F
    block_starts: _I
    cost: float
    solve_s: float


@dataclass(frozen=True)
class _Blocks:
    """Per-block sums of the per-step data (energies in kWh) and block lengths."""

    starts: _I
    steps: _I  # steps per block
    hours: _F  # block length [h]
    load: _F
    solar: _F
    deficit: _F
    surplus: _F
    charge_cap: _F
    discharge_cap: _F
    import_cap: _F
    export_cap: _F
    buy: _F
    sell: _F
    window: _I  # demand window of the block, -1 none


def _block_starts(p: Problem, max_block_s: int) -> _I:
    n = p.solar_w.shape[0]
    cut = np.zeros(n, dtype=bool)
    cut[0] = True
    cut[1:] |= (p.buy[1:] != p.buy[:-1]) | (p.sell[1:] != p.sell[:-1])
    t = p.start_s + p.step_s * np.arange(n, dtype=np.int64)
    cut |= t % max(max_block_s, p.step_s) == 0
    if p.demand is not None:
        cut[1:] |= p.demand.window[1:] != p.demand.window[:-1]
    # All-surplus or all-deficit blocks: the pack then moves one way inside a block.
    surplus = p.solar_w > p.load_w
    cut[1:] |= surplus[1:] != surplus[:-1]
    return np.flatnonzero(cut).astype(np.int64)


def _blocks(p: Problem, max_block_s: int) -> _Blocks:
    starts = _block_starts(p, max_block_s)
    n = p.solar_w.shape[0]
    steps = np.diff(np.append(starts, n))
    dt_h = p.step_s / 3600.0
    load = p.load_w / 1000.0
    solar = p.solar_w / 1000.0
    deficit = np.maximum(0.0, load - solar)
    surplus = np.maximum(0.0, solar - load)
    b = p.battery
    cap = b.grid_charge_cap_w / 1000.0 if p.grid_charging else 0.0
    has = b.pack_wh > 0
    charge = np.minimum(b.charge_w / 1000.0, surplus + cap) if has else np.zeros(n)
    pd = b.discharge_w / 1000.0 if has else 0.0
    rule = ExportRule(p.export_rule)
    discharge = np.full(n, pd) if rule is ExportRule.BATTERY_OK else np.minimum(pd, deficit)
    x_cap = p.max_export_w / 1000.0
    export = {ExportRule.NEVER: np.zeros(n), ExportRule.PV_ONLY: np.minimum(x_cap, surplus),
              ExportRule.BATTERY_OK: np.full(n, x_cap)}[rule]

    def total(a: _F) -> _F:
        out: _F = np.add.reduceat(a, starts) * dt_h
        return out

    window = (np.full(starts.shape[0], -1, dtype=np.int64) if p.demand is None
              else p.demand.window[starts])
    return _Blocks(starts, steps, steps * dt_h, total(load), total(solar), total(deficit),
                   total(surplus), total(charge), total(discharge),
                   total(np.maximum(p.max_import_w / 1000.0, load)), total(export),
                   p.buy[starts], p.sell[starts], window)


class _Triplets:
    """Row, column, value lists of a sparse matrix and the row bounds."""

    def __init__(self) -> None:
        self.rows: list[_I] = []
        self.cols: list[_I] = []
        self.vals: list[_F] = []
        self.lo: list[_F] = []
        self.hi: list[_F] = []
        self.n_rows = 0

    def add(self, r: _I, c: _I, v: float | _F) -> None:
        self.rows.append(self.n_rows + r)
        self.cols.append(c)
        self.vals.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape))

    def close(self, lo: _F, hi: _F) -> None:
        """Finish a group of len(lo) rows."""
        self.lo.append(lo)
        self.hi.append(hi)
        self.n_rows += lo.shape[0]


def _matrix(p: Problem, bk: _Blocks, n_groups: int) -> _Triplets:
    m = bk.starts.shape[0]
    b = p.battery
    col = np.arange(m, dtype=np.int64) * _N_VARS
    k = np.arange(m, dtype=np.int64)
    a = _Triplets()
    # balance: D - C + I - X in [sum(L - PV), sum(L)]
    for var, sign in ((_D, 1.0), (_C, -1.0), (_IMP, 1.0), (_EXP, -1.0)):
        a.add(k, col + var, sign)
    a.close(bk.load - bk.solar, bk.load)
    if b.pack_wh <= 0:
        return a
    # pack: E_k - E_{k-1} - eta C + D / eta = 0, E_{-1} the start
    e0 = b.initial_wh / 1000.0
    a.add(k, col + _E, 1.0)
    a.add(k[1:], col[:-1] + _E, -1.0)
    a.add(k, col + _C, -b.eta)
    a.add(k, col + _D, 1.0 / b.eta)
    first = np.zeros(m)
    first[0] = e0
    a.close(first, first)
    if b.charge_w > 0:
        # taper envelope at the block's lowest energy E_{k-1} - D/eta:
        # C + h k_E E_{k-1} - h k_E D / eta <= h u, with c <= u - k_E E per hour
        pc = b.charge_w / 1000.0
        slope = (1.0 - _TAPER_END_FACTOR) / (100.0 - _TAPER_START_PCT)  # per app %
        k_e = slope * pc * 100.0 / (0.95 * b.pack_wh / 1000.0)
        u = pc * (1.0 + slope * _TAPER_START_PCT + slope * 5.0 / 0.95)
        a.add(k, col + _C, 1.0)
        a.add(k[1:], col[:-1] + _E, bk.hours[1:] * k_e)
        a.add(k, col + _D, -bk.hours * k_e / b.eta)
        bound = bk.hours * u
        bound[0] -= bk.hours[0] * k_e * e0
        a.close(np.full(m, -np.inf), bound)
    if p.demand is not None and n_groups:
        # peak_g - sum(I over the window) / 0.25 h >= 0
        inside = bk.window >= 0
        a.add(bk.window[inside], col[inside] + _IMP, -3600.0 / _DEMAND_WINDOW_S)
        n_windows = p.demand.group.shape[0]
        a.add(np.arange(n_windows, dtype=np.int64), _N_VARS * m + p.demand.group, 1.0)
        a.close(np.zeros(n_windows), np.full(n_windows, np.inf))
    return a


def _columns(p: Problem, bk: _Blocks, n_groups: int) -> tuple[_F, _F, _F]:
    """Costs, lower and upper bounds of every column."""
    m = bk.starts.shape[0]
    b = p.battery
    cost = np.full((m, _N_VARS), THROUGHPUT_COST)
    cost[:, _E] = 0.0
    cost[:, _IMP] += bk.buy
    cost[:, _EXP] -= bk.sell
    lower = np.zeros((m, _N_VARS))
    upper = np.empty((m, _N_VARS))
    upper[:, _C] = bk.charge_cap
    upper[:, _D] = bk.discharge_cap
    upper[:, _IMP] = bk.import_cap
    upper[:, _EXP] = bk.export_cap
    has = b.pack_wh > 0
    upper[:, _E] = b.pack_wh / 1000.0
    lower[:, _E] = min(b.floor_wh, b.initial_wh) / 1000.0 if has else 0.0
    prices = np.zeros(0) if p.demand is None else p.demand.price_per_kw[:n_groups]
    return (np.concatenate([cost.ravel(), prices]),
            np.concatenate([lower.ravel(), np.zeros(n_groups)]),
            np.concatenate([upper.ravel(), np.full(n_groups, np.inf)]))


def _highs_solve(cost: _F, col_lo: _F, col_hi: _F, a: _Triplets) -> tuple[_F, float]:
    import highspy  # heavy; only when an optimum is asked for

    # highspy.Highs prints a banner on stdout when first created; its core class does not.
    new_highs = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)
    r, c, v = np.concatenate(a.rows), np.concatenate(a.cols), np.concatenate(a.vals)
    order = np.lexsort((r, c))
    r, c, v = r[order], c[order], v[order]
    n_cols = cost.shape[0]
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = a.n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = np.concatenate(a.lo)
    lp.row_upper_ = np.concatenate(a.hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(c, np.arange(n_cols + 1)).astype(np.int32)
    lp.a_matrix_.index_ = r.astype(np.int32)
    lp.a_matrix_.value_ = v
    t = time.process_time()
    h.passModel(lp)
    h.run()
    elapsed = time.process_time() - t
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise OptimumError(f"HiGHS: {h.modelStatusToString(status)}")
    return np.asarray(h.getSolution().col_value, dtype=np.float64), elapsed


def solve(p: Problem, max_block_s: int = DEFAULT_BLOCK_S) -> Dispatch:
    """The cost-minimal dispatch of ``p`` with LP blocks of at most max_block_s [s]
    (``p.step_s``: one block per engine step). Raises OptimumError if HiGHS fails."""
    n = p.solar_w.shape[0]
    if not (p.load_w.shape[0] == p.buy.shape[0] == p.sell.shape[0] == n) or n == 0:
        raise ValueError("solar_w, load_w, buy and sell must have the same, non-zero length")
    n_groups = 0 if p.demand is None else int(p.demand.price_per_kw.shape[0])
    bk = _blocks(p, max_block_s)
    cost, lo, hi = _columns(p, bk, n_groups)
    x, elapsed = _highs_solve(cost, lo, hi, _matrix(p, bk, n_groups))
    m = bk.starts.shape[0]
    v = np.maximum(x[:_N_VARS * m].reshape(m, _N_VARS), 0.0)  # -1e-12 on zero bounds
    lp_cost = float(np.dot(bk.buy, v[:, _IMP]) - np.dot(bk.sell, v[:, _EXP]))
    lp_cost += float(np.dot(cost[_N_VARS * m:], x[_N_VARS * m:]))
    return _dispatch(p, bk, v, lp_cost, elapsed)


def _block_cells(bk: _Blocks, v: _F) -> _F:
    """Block totals of the ten CELLS flows [kWh] from C, D, I, X: the battery serves
    the home first, the rest of the deficit is imported, the rest of I charges."""
    c, d, i, x = v[:, _C], v[:, _D], v[:, _IMP], v[:, _EXP]
    out = np.zeros((c.shape[0], _N_CELLS))
    battery_home = np.minimum(d, bk.deficit)
    grid_home = bk.deficit - battery_home
    grid_battery = np.clip(i - grid_home, 0.0, c)
    out[:, 0] = bk.solar - bk.surplus  # solar_to_home = sum(min(PV, L))
    out[:, 1] = np.clip(c - grid_battery, 0.0, bk.surplus)  # solar_to_battery
    out[:, 6] = battery_home
    out[:, 7] = np.maximum(0.0, d - battery_home)  # battery_to_grid
    out[:, 2] = np.clip(x - out[:, 7], 0.0, bk.surplus - out[:, 1])  # solar_to_grid
    out[:, 8] = grid_home
    out[:, 9] = grid_battery
    return out


def _dispatch(p: Problem, bk: _Blocks, v: _F, lp_cost: float, elapsed: float) -> Dispatch:
    n = p.solar_w.shape[0]
    dt_h = p.step_s / 3600.0
    cells = _block_cells(bk, v)
    block = np.repeat(np.arange(bk.starts.shape[0]), bk.steps)
    load = p.load_w / 1000.0
    solar = p.solar_w / 1000.0
    shares = {
        "deficit": _share(np.maximum(0.0, load - solar), bk, block),
        "surplus": _share(np.maximum(0.0, solar - load), bk, block),
        "even": 1.0 / bk.steps[block],
    }
    spread = {0: None, 1: "surplus", 2: "surplus", 6: "deficit", 7: "even", 8: "deficit",
              9: "even"}
    out = np.zeros((n, _N_CELLS))
    out[:, 0] = np.minimum(load, solar) * 1000.0
    for cell, how in spread.items():
        if how is not None:
            out[:, cell] = cells[block, cell] * shares[how] * 1000.0 / dt_h
    charge = out[:, 1] + out[:, 9]
    discharge = out[:, 6] + out[:, 7]
    energy = _energy(p, bk, v, block)
    return Dispatch(p.step_s, out, charge, discharge, out[:, 8] + out[:, 9],
                    out[:, 2] + out[:, 7], energy, bk.starts, lp_cost, elapsed)


def _share(weight: _F, bk: _Blocks, block: _I) -> _F:
    """Each step's share of its block's total of ``weight`` (even when the total is 0)."""
    total = np.add.reduceat(weight, bk.starts)[block]
    even = 1.0 / bk.steps[block]
    with np.errstate(invalid="ignore", divide="ignore"):
        share: _F = np.where(total > 0, weight / np.where(total > 0, total, 1.0), even)
    return share


def _energy(p: Problem, bk: _Blocks, v: _F, block: _I) -> _F:
    """Pack energy at step boundaries [Wh]: the LP's block ends, linear in time inside
    a block (the LP resolves no finer)."""
    m = bk.starts.shape[0]
    ends = (np.concatenate([[p.battery.initial_wh], v[:, _E] * 1000.0])
            if p.battery.pack_wh > 0 else np.zeros(m + 1))
    within = np.arange(block.shape[0]) - bk.starts[block] + 1
    inner = ends[:-1][block] + (ends[1:] - ends[:-1])[block] * within / bk.steps[block]
    return np.concatenate([ends[:1], inner])


# --- a site over a window -------------------------------------------------------------


def demand_charges(tariff: CompiledTariff, tz: str, start_s: int, n_steps: int,
                   step_s: int) -> DemandCharges | None:
    """The bill's demand windows (tariff.md §8.3) over n_steps of step_s from start_s:
    local 15-minute windows of three 5-minute buckets, grouped by local month and buy
    class at the window start; None when no class has a positive demand price."""
    prices = np.array([float(max(p, Decimal(0))) for p in tariff.buy.demand_price])
    if not np.any(prices > 0) or _BUCKET_S % step_s:
        return None
    n_buckets = n_steps * step_s // _BUCKET_S
    if n_buckets < 3:
        return None
    bucket_s = start_s + _BUCKET_S * np.arange(n_buckets - 2, dtype=np.int64)
    spans = offset_spans(zone(tz), start_s, start_s + n_steps * step_s)
    local = spans.local_s(bucket_s)
    first = np.flatnonzero(local % _DEMAND_WINDOW_S == 0)
    cls = classes_at(tariff, tz, bucket_s[first]).buy_class.astype(np.int64)
    month = local_fields(local[first]).day.astype("datetime64[D]").astype("datetime64[M]")
    keys = month.astype(np.int64) * len(prices) + cls
    priced = prices[cls] > 0
    first, keys = first[priced], keys[priced]
    unique, group = np.unique(keys, return_inverse=True)
    window = np.full(n_steps, -1, dtype=np.int64)
    per_bucket = _BUCKET_S // step_s
    for k in range(3 * per_bucket):
        window[first * per_bucket + k] = np.arange(first.shape[0], dtype=np.int64)
    return DemandCharges(window, group.astype(np.int64), prices[unique % len(prices)])


def site_problem(spec: SiteSpec, controls: SiteControls, tariff: CompiledTariff,
                 start_s: int, end_s: int, *, env: EnvironmentProvider | None = None,
                 initial_pct: float = 50.0) -> Problem:
    """The LP of ``spec`` from start_s to end_s [s] at the engine's step, with the
    engine's realised solar and load, the tariff's effective prices and demand charges,
    and the battery settings of ``controls`` (reserve, export rule, grid charging)."""
    step = spec.step_s
    if (end_s - start_s) % step or start_s % step:
        raise ValueError("start_s and end_s must lie on the site's step grid")
    n = (end_s - start_s) // step
    e = (env or environment_provider(spec))(start_s, n, step)
    buy, sell = price_series(tariff, spec.time_zone, start_s, n, step)
    prm = pack_params(spec)
    pack = float(prm[0]) if spec.has_battery else 0.0
    cap = float(prm[6])
    limits = BatteryLimits(
        pack_wh=pack, eta=float(prm[1]), charge_w=float(prm[3]), discharge_w=float(prm[4]),
        grid_charge_cap_w=cap if cap < UNCAPPED_W else np.inf,
        floor_wh=pack * (0.05 + 0.0095 * controls.backup_reserve_pct),
        # A start below the reserve starts the optimum at the reserve: the LP cannot say
        # "below the reserve only until it first charges past it", and a floor lowered to
        # the start for the whole window let an 80 % reserve optimum cycle like 50 %.
        # Starting higher only gives the bound more energy, so it stays a lower bound.
        initial_wh=pack * (0.05 + 0.0095 * max(initial_pct, controls.backup_reserve_pct)))
    return Problem(start_s, step, np.asarray(e.solar_w, dtype=np.float64),
                   np.asarray(e.home_load_w, dtype=np.float64),
                   np.asarray(buy, dtype=np.float64), np.asarray(sell, dtype=np.float64),
                   limits, ExportRule(controls.export_rule), controls.grid_charging_allowed,
                   float(spec.max_import_w), float(spec.max_export_w),
                   demand_charges(tariff, spec.time_zone, start_s, n, step))


@dataclass(frozen=True)
class SiteOptimum:
    """The optimum of one site over [start_s, end_s): its dispatch, the 5-minute buckets
    of its flows (bucket_starts [Unix s], bucket_wh (n, 10) [Wh], floats) and its bill
    (compute_bill on those buckets, daily charges included)."""

    start_s: int
    end_s: int
    dispatch: Dispatch
    bucket_starts: _I
    bucket_wh: _F
    bill: Bill


def site_optimum(spec: SiteSpec, controls: SiteControls, tariff: CompiledTariff,
                 start_s: int, end_s: int, *, env: EnvironmentProvider | None = None,
                 initial_pct: float = 50.0, max_block_s: int = DEFAULT_BLOCK_S
                 ) -> SiteOptimum:
    """Solve :func:`site_problem` with blocks of at most max_block_s [s] and bill it
    like the engine's history."""
    problem = site_problem(spec, controls, tariff, start_s, end_s, env=env,
                           initial_pct=initial_pct)
    dispatch = solve(problem, max_block_s)
    step = spec.step_s
    per_bucket = _BUCKET_S // step
    cells_wh = dispatch.cells_w * (step / 3600.0)
    n_buckets = cells_wh.shape[0] // per_bucket
    wh = cells_wh[:n_buckets * per_bucket].reshape(n_buckets, per_bucket, 10).sum(axis=1)
    starts = start_s + _BUCKET_S * np.arange(n_buckets, dtype=np.int64)
    imports = wh[:, 8] + wh[:, 9]
    exports = wh[:, 2] + wh[:, 5] + wh[:, 7]
    bill = compute_bill([(start_s, tariff)], spec.time_zone, start_s, end_s,
                        Intervals.of(starts, imports, exports))
    return SiteOptimum(start_s, end_s, dispatch, starts, wh, bill)
