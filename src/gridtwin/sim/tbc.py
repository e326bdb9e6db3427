"""Time-Based Control optimiser: dynamic programming over the battery's state of energy.

A *plan* is issued for every local day d (and re-issued whenever the controls change):
hourly *stages* from the local midnight starting d to the one starting d + 2 (>= 24 h
ahead at any instant of d), each with the forecast mean net load (home minus solar) and
mean effective prices. Backward induction over a grid of ``N_GRID`` stored energies from
the reserve to full gives the value-to-go at the end of each stage. The table does not
depend on the current state of energy, so the kernel re-optimises at *every step* from
the actual energy exactly and cheaply (:func:`step_battery_w`): it picks the battery
power that minimises this step's cost at the measured load and solar, the rest of the
stage at the forecast, and the value-to-go of where the pack lands. The executed power
is then clipped by dispatch.py to every site-behavior §5.3 invariant.

Within a stage the battery power is constant. The objective (stage cost plus the
linearly interpolated value) is piecewise linear in the power, so its minimum lies on
a kink: zero power, zero grid power, a power limit, or a power that lands on a grid
energy. Evaluating exactly those candidates makes each minimisation exact.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from gridtwin.sim.jit import borrowing_kernel, inlined_kernel, kernel

__all__ = [
    "BALANCED_GRID_CHARGE_PENALTY",
    "CAPS_W",
    "N_GRID",
    "STAGE_S",
    "PlanTables",
    "empty_plan",
    "solve_plans",
    "step_battery_w",
]

N_GRID = 25
"""Grid energies per stage, reserve to full (inclusive)."""
STAGE_S = 3_600
"""Stage length [s] (the last stage of a plan ends at the horizon's midnight)."""
SELF_MARGIN_WH = 20.0
"""Per step, self-consumption is kept unless another choice saves more than this energy
per hour of the stage's rest at its buy price [Wh/h]: near-ties favour following the
measured load, which absorbs forecast errors."""
BALANCED_GRID_CHARGE_PENALTY = 0.10
"""Balanced: each kWh charged from the grid costs this fraction of its buy price extra."""
HORIZON_DAYS = 2
TIE = 1e-9
"""Per step, a candidate replaces the best so far only if it costs more than this less
[currency]: exact ties (common where the value-to-go is linear, e.g. charging now or
later at one price) go to the first candidate in the order self-consumption, rest,
power limits, landings, not to rounding noise."""
CAPS_W = np.array([0.0, 500.0, 1000.0, 2000.0, 3500.0, 6000.0, 9000.0, 13000.0])
"""Running monthly peak imports [W] a plan with demand charges has a value table for;
the kernel uses the highest level at or below the actual running peak."""

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_INF = 1.0e300


class PlanTables(NamedTuple):
    """Stage rows of one or more plans (S rows), read by the kernel.

    stage_end_s: instant the stage ends [Unix s]; net_w: forecast mean of home load minus
    solar over the stage [W]; buy / sell: mean effective prices [currency/kWh] (sell is 0
    where export is not allowed); floor_wh / top_wh: the grid's lowest (reserve) and
    highest (full) stored energy [Wh]; value: (S, N_GRID) value-to-go at the stage's end
    at each grid energy [currency]; demand: mean demand price over the stage
    [currency/kW]; cap_row: (S, len(CAPS_W)) the row holding the stage's value table
    when the month's running peak import is CAPS_W[q] (the row itself without demand
    charges; extra rows repeat the stage's data); load_margin: share of home load added
    to the stage's forecast for a spiky home in a demand-priced stage, else 0 [-].
    """

    stage_end_s: _I64
    net_w: _F64
    buy: _F64
    sell: _F64
    floor_wh: _F64
    top_wh: _F64
    value: _F64
    demand: _F64
    cap_row: _I64
    load_margin: _F64


class PlanSettings(NamedTuple):
    """What the optimiser needs of the site and its controls (all floats for numba).

    eta: one-way efficiency [-]; charge_w / discharge_w: battery limits [W];
    grid_charge_w: largest grid-fed charge power, 0 when grid charging is off [W];
    battery_export: 1 if battery energy may reach the grid [-]; penalty: Balanced's
    extra cost per kWh charged from the grid as a fraction of the buy price [-].
    """

    eta: float
    charge_w: float
    discharge_w: float
    grid_charge_w: float
    battery_export: float
    penalty: float


def empty_plan() -> PlanTables:
    """A plan with no stages (the kernel then never consults it)."""
    return PlanTables(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0),
                      np.zeros(0), np.zeros(0), np.zeros((0, N_GRID)), np.zeros(0),
                      np.zeros((0, CAPS_W.shape[0]), dtype=np.int64), np.zeros(0))


@kernel
def _rate(battery_w: float, net_w: float, buy: float, sell: float, battery_export: bool,
          penalty: float) -> float:
    """Cost rate [currency/kWh x W] at battery power battery_w and mean net load net_w.

    Battery energy the grid may not take is worth nothing (it is curtailed or clipped at
    execution); Balanced adds ``penalty x buy`` per unit of grid-fed charging.
    """
    grid = net_w - battery_w
    if grid >= 0:
        c = buy * grid
    else:
        out = -grid
        if not battery_export:
            out = min(out, max(0.0, -net_w))
        c = -sell * out
    if penalty > 0:
        fed = -battery_w - max(0.0, -net_w)
        if fed > 0:
            c += penalty * buy * fed
    return c


@kernel
def _power_limits_w(net_w: float, s: PlanSettings) -> tuple[float, float]:
    """(lowest, highest) battery power [W] at mean net load net_w, whatever the energy."""
    hi = s.discharge_w
    if s.battery_export == 0:
        hi = min(hi, max(0.0, net_w))
    return -min(s.charge_w, max(0.0, -net_w) + s.grid_charge_w), max(hi, 0.0)


class _Stage(NamedTuple):
    """One stage as the inner loops read it (scalars, cheap to pass by value).

    row: the stage's row in the plan; levels: its value tables (1, or len(CAPS_W) with
    demand charges, in rows cap_row[row]); seconds: time the power is held [s]; net_w:
    forecast mean net load [W]; buy / sell [currency/kWh]; demand [currency/kW];
    floor_wh: the energy grid's origin [Wh]; inv_step: grid steps per Wh [1/Wh].
    Battery power held through the stage moves the energy by gc (charging) or gd
    (discharging) grid steps per W, and pc = 1 / gc, pd = 1 / gd [W per grid step]; so
    power b < 0 moves -b gc steps up, b > 0 moves b gd steps down.
    """

    row: int
    levels: int
    seconds: float
    net_w: float
    buy: float
    sell: float
    demand: float
    floor_wh: float
    inv_step: float
    gc: float
    gd: float
    pc: float
    pd: float


@borrowing_kernel
def _stage(plan: PlanTables, row: int, seconds: float, eta: float) -> _Stage:
    """Stage row of plan, its power held for seconds [s] at one-way efficiency eta."""
    n_caps = CAPS_W.shape[0]
    inv_step = (N_GRID - 1) / (plan.top_wh[row] - plan.floor_wh[row])
    gc = eta * seconds / 3600.0 * inv_step
    gd = seconds / (3600.0 * eta) * inv_step
    return _Stage(row, 1 if plan.cap_row[row, n_caps - 1] == row else n_caps, seconds,
                  plan.net_w[row], plan.buy[row], plan.sell[row], plan.demand[row],
                  plan.floor_wh[row], inv_step, gc, gd, 1.0 / gc, 1.0 / gd)


@kernel
def _dx(b: float, st: _Stage) -> float:
    """Grid steps the stored energy moves when battery power b [W] is held through st."""
    return -b * (st.gc if b < 0 else st.gd)


@kernel
def _power_w(dx: float, st: _Stage) -> float:
    """Battery power [W] that moves the stored energy by dx grid steps through st."""
    return -dx * (st.pc if dx > 0 else st.pd)


@kernel
def _limits_w(x0: float, st: _Stage, s: PlanSettings) -> tuple[float, float]:
    """(lowest, highest) battery power [W] held through st from grid position x0."""
    lo, hi = _power_limits_w(st.net_w, s)
    return max(lo, -max(0.0, N_GRID - 1 - x0) * st.pc), min(hi, max(0.0, x0) * st.pd)


@kernel
def _level(peak_w: float) -> tuple[int, float]:
    """(q, f): running peak import peak_w [W] lies the fraction f of the way from CAPS_W[q]
    to CAPS_W[q + 1] (f = 1 beyond the highest level)."""
    q = 0
    while q + 2 < CAPS_W.shape[0] and CAPS_W[q + 1] <= peak_w:
        q += 1
    return q, float(min(1.0, max(0.0, (peak_w - CAPS_W[q]) / (CAPS_W[q + 1] - CAPS_W[q]))))


@borrowing_kernel
def _interp(value: _F64, row: int, x: float) -> float:
    """Value-to-go in table row at grid position x [grid steps above the floor], linear
    between grid points (and beyond the ends)."""
    j = min(max(math.floor(x), 0), N_GRID - 2)
    return float(value[row, j] + (x - j) * (value[row, j + 1] - value[row, j]))


@kernel
def _energy_cost(b: float, st: _Stage, s: PlanSettings) -> float:
    """Energy cost [currency] of holding battery power b [W] through the stage."""
    return st.seconds / 3.6e6 * _rate(b, st.net_w, st.buy, st.sell, s.battery_export != 0,
                                      s.penalty)


@kernel
def _cell(x: float) -> int:
    """Left grid point of the segment interpolated at grid position x."""
    return min(max(math.floor(x), 0), N_GRID - 2)


@borrowing_kernel
def _cost(b: float, x_end: float, st: _Stage, value: _F64, cap_row: _I64, s: PlanSettings,
          peak_w: float) -> float:
    """Cost [currency] of holding battery power b [W] through the stage, landing at grid
    position x_end: energy cost, the demand price on import above the running peak
    peak_w [W] (once) and the value-to-go at the landing and the new peak (linear in
    the peak between the CAPS_W tables)."""
    c = _energy_cost(b, st, s)
    if st.levels == 1:
        return c + _interp(value, st.row, x_end)
    grid = st.net_w - b
    q, f = _level(max(peak_w, grid))
    a = _interp(value, cap_row[st.row, q], x_end)
    if f > 0.0:
        a += f * (_interp(value, cap_row[st.row, q + 1], x_end) - a)
    return c + st.demand * max(0.0, grid - peak_w) / 1000.0 + a


KIND_SELF = 0
"""Chosen power is the grid-zero kink: follow the measured load (self-consumption)."""
KIND_IDLE = 1
"""Chosen power is zero: the battery rests, the grid serves the home."""
KIND_HOLD = 2
"""Chosen power is a limit or a grid landing: hold that constant power."""
KIND_SHAVE = 3
"""Chosen power holds grid import at the running peak: follow the measured load less it."""


@kernel
def _n_kinks(levels: int) -> int:
    """Kink candidates of _kink_w: four without demand charges."""
    return 4 if levels == 1 else 5 + CAPS_W.shape[0]


@kernel
def _kink_w(k: int, net_w: float, lo: float, hi: float, peak_w: float
            ) -> tuple[float, float, int]:
    """(power [W], import level it holds [W], KIND_*) of kink candidate k: 0
    self-consumption, 1 rest, 2 / 3 the power limits, 4 import held at the running peak
    peak_w, 5 + q import held at CAPS_W[q] (NaN power: not a candidate, as that level is
    not above the running peak). Powers are clipped to [lo, hi]."""
    level = peak_w
    kind = KIND_HOLD
    if k == 0:
        b, kind = net_w, KIND_SELF
    elif k == 1:
        b, kind = 0.0, KIND_IDLE
    elif k == 2:
        b = lo
    elif k == 3:
        b = hi
    else:
        kind = KIND_SHAVE
        if k > 4:
            level = CAPS_W[k - 5]
            if level <= peak_w:
                return math.nan, level, kind
        b = net_w - level
    return min(max(b, lo), hi), level, kind


@borrowing_kernel
def _landing(j: int, x0: float, lo: float, hi: float, st: _Stage, value: _F64,
             cap_row: _I64, s: PlanSettings, peak_w: float) -> float:
    """Cost [currency] of the constant power that lands on grid energy j from grid
    position x0."""
    b = min(max(_power_w(j - x0, st), lo), hi)
    if st.levels == 1:  # (no sub-call taking arrays: each costs reference counting)
        return float(_energy_cost(b, st, s) + value[st.row, j])
    return _cost(b, float(j), st, value, cap_row, s, peak_w)


@borrowing_kernel
def _best(st: _Stage, value: _F64, cap_row: _I64, energy_wh: float, s: PlanSettings,
          self_margin: float, peak_w: float) -> tuple[float, float, int, float]:
    """(cost [currency], battery power [W], KIND_*, import level [W] of a KIND_SHAVE
    choice) minimising the stage's cost at one constant battery power from energy_wh plus
    the value-to-go at its end (with demand charges: at the new running peak; peak_w is
    the current one [W]).

    self_margin: self-consumption is kept when it costs at most this much more than the
    best choice [currency] (robust to forecast error; 0 for an exact minimum).
    Candidates: the kinks of _kink_w, then every landing on a grid energy (by descent
    from the best kink's where the objective is convex).
    """
    x0 = (energy_wh - st.floor_wh) * st.inv_step
    lo, hi = _limits_w(x0, st, s)
    best_c = _INF
    best_b = 0.0
    kind = KIND_HOLD
    level = peak_w
    b_self = min(max(st.net_w, lo), hi)
    for k in range(_n_kinks(st.levels)):  # self-consumption wins ties, then resting
        b, lv, kd = _kink_w(k, st.net_w, lo, hi, peak_w)
        if math.isnan(b) or (k > 1 and (b == b_self or b == 0.0)):
            continue  # not a candidate, or one that loses the tie to an earlier kink
        x = x0 + _dx(b, st)
        if st.levels == 1:  # (inline: a sub-call taking arrays costs reference counting)
            j = _cell(x)
            c = _energy_cost(b, st, s) + value[st.row, j] + (x - j) * (value[st.row, j + 1]
                                                                      - value[st.row, j])
        else:
            c = _cost(b, x, st, value, cap_row, s, peak_w)
        if k == 0:
            c -= self_margin
        if c < best_c - TIE:
            best_c, best_b, kind, level = c, b, kd, lv
    j0 = max(0, math.ceil(x0 + _dx(hi, st) - 1e-9))
    j1 = min(N_GRID - 1, math.floor(x0 + _dx(lo, st) + 1e-9))
    if j0 > j1:
        return best_c, best_b, kind, level
    j = j0
    c_j = _INF
    if st.levels == 1 and st.sell <= st.buy:
        # Convex: descent from the best kink's landing, each landing's cost once.
        j = min(max(math.floor(x0 + _dx(best_b, st)), j0), j1)
        c_j = _landing(j, x0, lo, hi, st, value, cap_row, s, peak_w)
        d = 0
        c_n = _INF
        if j + 1 <= j1:
            c_n = _landing(j + 1, x0, lo, hi, st, value, cap_row, s, peak_w)
            if c_n < c_j - TIE:
                d = 1
        if d == 0 and j - 1 >= j0:
            c_n = _landing(j - 1, x0, lo, hi, st, value, cap_row, s, peak_w)
            if c_n < c_j - TIE:
                d = -1
        while d != 0:
            j += d
            c_j = c_n
            if not j0 <= j + d <= j1:
                break
            c_n = _landing(j + d, x0, lo, hi, st, value, cap_row, s, peak_w)
            if c_n >= c_j - TIE:
                break
    else:
        for i in range(j0, j1 + 1):
            c = _landing(i, x0, lo, hi, st, value, cap_row, s, peak_w)
            if c < c_j - TIE:
                c_j, j = c, i
    if c_j < best_c - TIE:
        best_c, kind = c_j, KIND_HOLD
        best_b = min(max(_power_w(j - x0, st), lo), hi)
    return best_c, best_b, kind, level


@borrowing_kernel
def _marginal_values(st: _Stage, value: _F64, cap_row: _I64, x_end: float, peak_w: float
                     ) -> tuple[float, float]:
    """(lower, upper) marginal value of stored energy [currency/Wh] at grid position x_end
    of the stage's end: what one Wh less (lower side) or more (upper side) at the landing
    is worth to the rest of the horizon (at the value table of the running peak)."""
    row = st.row
    if st.levels > 1:
        row = cap_row[st.row, _level(peak_w)[0]]
    v = value[row]
    jl = min(max(math.ceil(x_end - 1e-9) - 1, 0), N_GRID - 2)
    ju = min(max(math.floor(x_end + 1e-9), 0), N_GRID - 2)
    return (float(v[jl] - v[jl + 1]) * st.inv_step, float(v[ju] - v[ju + 1]) * st.inv_step)


@kernel
def _real_time_w(out: float, kind: int, net_now_w: float, st: _Stage, s: PlanSettings,
                 lower: float, upper: float) -> float:
    """The planned battery power out [W] adjusted to the measured net load net_now_w [W]
    by marginal value: lower / upper [currency per stored Wh] are what one Wh less / more
    at the stage's end is worth; a Wh of AC discharge takes 1 / eta stored Wh, a Wh of
    AC charge stores eta Wh; prices are per kWh."""
    buy_wh = st.buy * 1e-3 * s.eta  # a deficit Wh served now, per stored Wh spent
    sell_wh = st.sell * 1e-3  # a surplus Wh exported now
    grid = net_now_w - out
    cover = grid > 0 and out >= 0 and buy_wh >= lower - TIE  # ties: serve the load now
    store = grid < 0 and out <= 0 and upper * s.eta > sell_wh + TIE
    if cover or store:
        return net_now_w
    if kind == KIND_SELF and net_now_w < 0 and upper * s.eta < sell_wh - TIE:
        return 0.0  # this surplus is worth more exported now than stored
    if kind == KIND_SELF and net_now_w > 0 and buy_wh < lower - TIE:
        return 0.0  # the stored energy is worth more later than this deficit now
    return out


@borrowing_kernel
def _sustained_import_w(plan: PlanTables, row: int, st: _Stage, energy_wh: float,
                        s: PlanSettings) -> float:
    """Grid import [W] that, held from now to the end of the run of demand-priced stages
    from row, leaves the battery just empty there at the plan's load: (forecast deficit -
    deliverable stored energy) / time, at least 0."""
    need_wh = 0.0
    seconds = 0.0
    r = row
    while r < plan.net_w.shape[0] and plan.demand[r] > 0:
        if r > row and plan.stage_end_s[r] <= plan.stage_end_s[r - 1]:
            break  # the rows of another plan
        dur = st.seconds if r == row else float(plan.stage_end_s[r] - plan.stage_end_s[r - 1])
        need_wh += max(0.0, plan.net_w[r]) * dur / 3600.0
        seconds += dur
        r += 1
    deliverable_wh = max(0.0, energy_wh - st.floor_wh) * s.eta
    return max(0.0, (need_wh - deliverable_wh) * 3600.0 / max(seconds, 1.0))


@inlined_kernel
def step_battery_w(plan: PlanTables, row: int, energy_wh: float, t_s: int, dt_s: int,
                   net_now_w: float, s: PlanSettings, peak_w: float) -> float:
    """Planned AC battery power [W] (+ discharging) for the step [t_s, t_s + dt_s) at the
    measured net load net_now_w [W], from the actual stored energy energy_wh [Wh].
    peak_w: the month's running peak import over demand-priced steps [W] (0: none).

    The stage's best constant power from now to its end is chosen against the forecast
    (and the value table for the running peak); a self-consumption choice then follows
    the measured load, a peak-shaving choice the measured load less the running peak, a
    rest stays at zero and any other choice holds its power. Then the real-time layer
    (what the hourly forecast cannot see: appliance runs, compressor cycles):

    - a deficit the grid would serve is taken from the battery when the buy price is at
      least what the stored energy is worth later (the marginal value at the planned
      landing over the one-way efficiency); a discharge the plan holds then follows the
      load instead of leaving spikes to the grid;
    - surplus solar the plan would export is stored when storing is worth more than the
      sell price;
    - in a demand-priced stage neither rule applies (the planned import is held, as
      without the layer: serving every deficit there drains the battery before the
      window's peak, 91.1 % instead of 98.8 % of the optimum on bench_control's example
      TOU + demand row); the grid import is capped at the higher of the planned import
      and the month's running peak: the battery covers any spike above it;
    - a spiky home (plan.load_margin > 0) in a demand-priced stage instead imports the
      level the stored energy sustains to the window's end at the plan's (margined)
      load, never more, and the battery covers everything above it: held hourly plans
      leave the appliance runs of a heavy evening to the grid once the battery is empty.

    Dispatch clips the result to every invariant (reserve, power limits, export rule).
    """
    st = _stage(plan, row, max(float(dt_s), float(plan.stage_end_s[row] - t_s)), s.eta)
    demand_priced = st.levels > 1 and st.demand > 0
    if demand_priced and plan.load_margin[row] > 0 and net_now_w > 0:
        # (checked before _best, the costliest part: this choice does not use it)
        return max(0.0, net_now_w - _sustained_import_w(plan, row, st, energy_wh, s))
    margin = SELF_MARGIN_WH * 1e-3 * st.buy * st.seconds / 3600.0
    _, b, kind, level = _best(st, plan.value, plan.cap_row, energy_wh, s, margin, peak_w)
    planned_import_w = max(0.0, st.net_w - b)
    if (demand_priced and kind != KIND_IDLE and (b > 0 or kind != KIND_HOLD)):
        # Demand-priced: hold the planned grid import and let the battery follow the
        # measured load around it, so load swings within the stage set no new peak.
        out = float(net_now_w - planned_import_w)
    elif kind == KIND_SELF:
        out = net_now_w
    elif kind == KIND_SHAVE:
        out = net_now_w - level
    else:
        out = b
    if demand_priced:
        return max(out, net_now_w - max(planned_import_w, peak_w))
    x0 = (energy_wh - st.floor_wh) * st.inv_step
    lower, upper = _marginal_values(st, plan.value, plan.cap_row, x0 + _dx(b, st), peak_w)
    return _real_time_w(out, kind, net_now_w, st, s, lower, upper)


@borrowing_kernel
def _backup(st: _Stage, q: int, value: _F64, cap_row: _I64, s: PlanSettings) -> None:
    """Value table at the start of stage st (running peak level q) from the tables at its
    end: value[cap_row[st.row - 1, q]] for all N_GRID energies at once.

    The candidates are those of _best from each grid energy i, exactly; but a kink's power
    does not depend on i (where an energy bound clips it, it lands on the bound, which is
    a landing), and a landing on i + d has a power that depends on d only, so each
    candidate's stage cost is computed once per stage.
    """
    peak = CAPS_W[q] if st.levels > 1 else 0.0
    lo, hi = _power_limits_w(st.net_w, s)
    w = st.seconds / 3.6e6
    export = s.battery_export != 0
    out = value[cap_row[st.row - 1, q]]
    out[:] = _INF
    b_self = min(max(st.net_w, lo), hi)
    for k in range(_n_kinks(st.levels)):
        b, _, _ = _kink_w(k, st.net_w, lo, hi, peak)
        if math.isnan(b) or (k > 1 and (b == b_self or b == 0.0)):
            continue  # not a candidate, or a repeated one
        dx = _dx(b, st)
        # starts i whose landing i + dx is on the grid (others hit a bound: a landing)
        i0 = max(0, math.ceil(-dx - 1e-9))
        i1 = min(N_GRID, math.floor(N_GRID - 1 - dx + 1e-9) + 1)
        if st.levels == 1:
            c = w * _rate(b, st.net_w, st.buy, st.sell, export, s.penalty)
            v = value[st.row]
            jd = math.floor(dx)
            f = dx - jd
            for i in range(i0, i1):
                j = i + jd
                if 0 <= j <= N_GRID - 2:
                    out[i] = min(out[i], c + v[j] + f * (v[j + 1] - v[j]))
                else:
                    out[i] = min(out[i], c + _interp(value, st.row, i + dx))
        else:  # _cost with its parts that do not depend on i computed once
            grid = st.net_w - b
            qa, f = _level(max(peak, grid))
            ra = cap_row[st.row, qa]
            rb = cap_row[st.row, qa + 1]
            c = _energy_cost(b, st, s) + st.demand * max(0.0, grid - peak) / 1000.0
            for i in range(i0, i1):
                x = i + dx
                a = _interp(value, ra, x)
                if f > 0.0:
                    a += f * (_interp(value, rb, x) - a)
                out[i] = min(out[i], c + a)
    d_lo = max(1 - N_GRID, math.ceil(_dx(hi, st) - 1e-9))
    d_hi = min(N_GRID - 1, math.floor(_dx(lo, st) + 1e-9))
    for d in range(d_lo, d_hi + 1):
        b = min(max(_power_w(float(d), st), lo), hi)
        c = w * _rate(b, st.net_w, st.buy, st.sell, export, s.penalty)
        ra = rb = st.row
        f = 0.0
        if st.levels > 1:
            grid = st.net_w - b
            c += st.demand * max(0.0, grid - peak) / 1000.0
            qa, f = _level(max(peak, grid))
            ra = cap_row[st.row, qa]
            rb = cap_row[st.row, qa + 1]
        va = value[ra]
        if st.levels == 1:  # f == 0: the same minima without the vb term (12 % faster)
            for i in range(max(0, -d), min(N_GRID, N_GRID - d)):
                out[i] = min(out[i], c + va[i + d])
            continue
        vb = value[rb]
        for i in range(max(0, -d), min(N_GRID, N_GRID - d)):
            out[i] = min(out[i], c + va[i + d] + f * (vb[i + d] - va[i + d]))


@borrowing_kernel
def _solve(row0: int, n_stages: int, seconds: _F64, plan: PlanTables, terminal: float,
           s: PlanSettings) -> None:
    """Backward induction over the stages row0 .. row0 + n_stages - 1 of ``plan``, at
    every running peak level when the plan has demand charges (the tables for level q in
    rows plan.cap_row[r, q]; copies of the stage's data are made first).

    terminal: value of a stored Wh above the floor at the horizon's end [currency/Wh]
    (negative: stored energy lowers the cost to go).
    """
    levels = _stage(plan, row0, 1.0, s.eta).levels
    for r in range(row0, row0 + n_stages):
        for q in range(1, levels):
            _copy_stage(plan, r, plan.cap_row[r, q])
    step_wh = (plan.top_wh[row0] - plan.floor_wh[row0]) / (N_GRID - 1)
    last = row0 + n_stages - 1
    for q in range(levels):
        for j in range(N_GRID):
            plan.value[plan.cap_row[last, q], j] = terminal * j * step_wh
    for r in range(last, row0, -1):
        st = _stage(plan, r, seconds[r - row0], s.eta)
        for q in range(levels):
            _backup(st, q, plan.value, plan.cap_row, s)


@kernel
def _fill_plans(midnights: _I64, w0: int, step_s: int, solar_fc: _F64, load_fc: _F64,
                buy: _F64, sell: _F64, demand: _F64, floor_wh: float, top_wh: float,
                s: PlanSettings, rows0: _I64, plan: PlanTables, load_margin: float) -> None:
    """Stage rows and value tables of one plan per local day ``midnights[:-2]``.

    solar_fc: (2, n) forecast solar per step of the window from w0 [W], row 0 as known
    the same day, row 1 a day ahead; load_fc: (n,) [W]; buy / sell: (n,) prices;
    demand: (n,) demand prices [currency/kW]; load_margin: share of load added in
    demand-priced steps [-]. plan.cap_row is already laid out.
    """
    for d in range(midnights.shape[0] - HORIZON_DAYS):
        start = midnights[d]
        end = midnights[d + HORIZON_DAYS]
        n_st = rows0[d + 1] - rows0[d]
        seconds = np.zeros(n_st)
        cheapest = _INF
        for r in range(n_st):
            row = rows0[d] + r
            t_a = start + r * STAGE_S
            t_b = min(end, t_a + STAGE_S)
            k_a = (t_a - w0) // step_s
            k_b = (t_b - w0) // step_s
            lead = 0 if t_a < midnights[d + 1] else 1
            net = 0.0
            pb = 0.0
            ps = 0.0
            pd = 0.0
            for k in range(k_a, k_b):
                load = load_fc[k] * (1.0 + load_margin) if demand[k] > 0 else load_fc[k]
                net += load - solar_fc[lead, k]
                pb += buy[k]
                ps += sell[k]
                pd += demand[k]
            m = max(1, k_b - k_a)
            plan.stage_end_s[row] = t_b
            plan.net_w[row] = net / m
            plan.buy[row] = pb / m
            plan.sell[row] = ps / m
            plan.floor_wh[row] = floor_wh
            plan.top_wh[row] = top_wh
            plan.demand[row] = pd / m
            plan.load_margin[row] = load_margin if pd > 0 else 0.0
            seconds[r] = float(t_b - t_a)
            if lead == 1:
                cheapest = min(cheapest, pb / m)
        terminal = -max(0.0, cheapest) * s.eta / 1000.0 if cheapest < _INF else 0.0
        _solve(rows0[d], n_st, seconds, plan, terminal, s)


@borrowing_kernel
def _copy_stage(plan: PlanTables, src: int, dst: int) -> None:
    """Repeat stage row src's data (not its value table) in row dst."""
    if src == dst:
        return
    plan.stage_end_s[dst] = plan.stage_end_s[src]
    plan.net_w[dst] = plan.net_w[src]
    plan.buy[dst] = plan.buy[src]
    plan.sell[dst] = plan.sell[src]
    plan.floor_wh[dst] = plan.floor_wh[src]
    plan.top_wh[dst] = plan.top_wh[src]
    plan.demand[dst] = plan.demand[src]
    plan.load_margin[dst] = plan.load_margin[src]


def solve_plans(midnights: _I64, w0: int, step_s: int, solar_fc_w: _F64, load_fc_w: _F64,
                buy: _F64, sell: _F64, floor_wh: float, top_wh: float, settings: PlanSettings,
                demand_kw: _F64 | None = None, demand_load_margin: float = 0.0
                ) -> tuple[PlanTables, _I64]:
    """One plan per local day starting at ``midnights[:-2]`` over a window of steps.

    midnights: local midnight instants [Unix s], the window [w0, ...) covering them to the
    last; solar_fc_w: (2, n) same-day and day-ahead solar forecasts [W]; load_fc_w: (n,)
    [W]; buy / sell: (n,) effective prices [currency/kWh]; demand_kw: (n,) demand prices
    [currency/kW] (None: none); demand_load_margin: share of home load added to the
    forecast in demand-priced steps [-] (a spiky home's). Returns the stage rows and the first row of each day's
    plan (len(midnights) - 1 entries, the last one past the end). A plan whose horizon
    has demand prices gets one value table per CAPS_W level (extra rows after the base).
    """
    n_days = len(midnights) - HORIZON_DAYS
    counts = [-(-(int(midnights[d + HORIZON_DAYS]) - int(midnights[d])) // STAGE_S)
              for d in range(n_days)]
    rows0 = np.zeros(n_days + 1, dtype=np.int64)
    rows0[1:] = np.cumsum(counts)
    n = int(rows0[-1])
    n_caps = CAPS_W.shape[0]
    cap_row = np.repeat(np.arange(n, dtype=np.int64)[:, None], n_caps, axis=1)
    n_rows = n
    dem = np.zeros(len(buy)) if demand_kw is None else np.asarray(demand_kw, dtype=np.float64)
    if demand_kw is not None and np.any(dem > 0):
        for d in range(n_days):
            a = (int(midnights[d]) - int(w0)) // step_s
            b = (int(midnights[d + HORIZON_DAYS]) - int(w0)) // step_s
            if not np.any(dem[max(a, 0):b] > 0):
                continue
            for q in range(1, n_caps):
                cap_row[rows0[d]:rows0[d + 1], q] = n_rows + np.arange(counts[d])
                n_rows += counts[d]
    plan = PlanTables(np.zeros(n_rows, dtype=np.int64), np.zeros(n_rows), np.zeros(n_rows),
                      np.zeros(n_rows), np.zeros(n_rows), np.zeros(n_rows),
                      np.zeros((n_rows, N_GRID)), np.zeros(n_rows), cap_row, np.zeros(n_rows))
    _fill_plans(np.asarray(midnights, dtype=np.int64), int(w0), int(step_s),
                np.ascontiguousarray(solar_fc_w, dtype=np.float64),
                np.ascontiguousarray(load_fc_w, dtype=np.float64),
                np.ascontiguousarray(buy, dtype=np.float64),
                np.ascontiguousarray(sell, dtype=np.float64), np.ascontiguousarray(dem),
                float(floor_wh), float(top_wh), settings, rows0, plan, float(demand_load_margin))
    return plan, rows0
