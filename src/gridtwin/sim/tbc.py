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

from gridtwin.sim.jit import kernel

__all__ = [
    "BALANCED_GRID_CHARGE_PENALTY",
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

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_INF = 1.0e300


class PlanTables(NamedTuple):
    """Stage rows of one or more plans (S rows), read by the kernel.

    stage_end_s: instant the stage ends [Unix s]; net_w: forecast mean of home load minus
    solar over the stage [W]; buy / sell: mean effective prices [currency/kWh] (sell is 0
    where export is not allowed); floor_wh / top_wh: the grid's lowest (reserve) and
    highest (full) stored energy [Wh]; value: (S, N_GRID) value-to-go at the stage's end
    at each grid energy [currency].
    """

    stage_end_s: _I64
    net_w: _F64
    buy: _F64
    sell: _F64
    floor_wh: _F64
    top_wh: _F64
    value: _F64


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
                      np.zeros(0), np.zeros(0), np.zeros((0, N_GRID)))


@kernel
def _stored_delta_wh(battery_w: float, seconds: float, eta: float) -> float:
    """Change of stored energy for AC battery power (+ discharging) over seconds [Wh]."""
    if battery_w < 0:
        return -battery_w * eta * seconds / 3600.0
    return -battery_w * seconds / (3600.0 * eta)


@kernel
def _power_for_delta_w(delta_wh: float, seconds: float, eta: float) -> float:
    """AC battery power that changes stored energy by delta_wh over seconds [W]."""
    if delta_wh > 0:
        return -delta_wh * 3600.0 / (eta * seconds)
    return -delta_wh * 3600.0 * eta / seconds


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
def _interp(value: _F64, row: int, floor_wh: float, step_wh: float, energy_wh: float
            ) -> float:
    """Value-to-go at energy_wh, linear between grid points (and beyond the ends)."""
    x = (energy_wh - floor_wh) / step_wh
    j = min(max(math.floor(x), 0), N_GRID - 2)
    f = x - j
    return float(value[row, j] + f * (value[row, j + 1] - value[row, j]))


@kernel
def _limits_w(energy_wh: float, seconds: float, floor_wh: float, top_wh: float,
              net_w: float, s: PlanSettings) -> tuple[float, float]:
    """(lowest, highest) battery power [W] held for seconds from energy_wh."""
    hi = min(s.discharge_w, max(0.0, energy_wh - floor_wh) * 3600.0 * s.eta / seconds)
    if s.battery_export == 0:
        hi = min(hi, max(0.0, net_w))
    room = min(s.charge_w, max(0.0, top_wh - energy_wh) * 3600.0 / (s.eta * seconds))
    room = min(room, max(0.0, -net_w) + s.grid_charge_w)
    return -room, max(hi, 0.0)


KIND_SELF = 0
"""Chosen power is the grid-zero kink: follow the measured load (self-consumption)."""
KIND_IDLE = 1
"""Chosen power is zero: the battery rests, the grid serves the home."""
KIND_HOLD = 2
"""Chosen power is a limit or a grid landing: hold that constant power."""


@kernel
def _landing(j: int, energy_wh: float, seconds: float, net_w: float, buy: float,
             sell: float, floor_wh: float, step_wh: float, lo: float, hi: float,
             value: _F64, row: int, s: PlanSettings) -> float:
    """Cost [currency] of the constant power that lands on grid energy j at the end."""
    b = _power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds, s.eta)
    b = min(max(b, lo), hi)
    return float(seconds / 3.6e6 * _rate(b, net_w, buy, sell, s.battery_export != 0, s.penalty)
                 + value[row, j])


@kernel
def _best(energy_wh: float, seconds: float, net_w: float, buy: float, sell: float,
          floor_wh: float, top_wh: float, value: _F64, row: int, s: PlanSettings,
          self_margin: float) -> tuple[float, float, int]:
    """(cost [currency], battery power [W], KIND_*) minimising the cost of ``seconds`` at
    mean net load net_w, at one constant battery power, plus the value-to-go at the end.

    self_margin: self-consumption is kept when it costs at most this much more than the
    best choice [currency] (robust to forecast error; 0 for an exact minimum)."""
    lo, hi = _limits_w(energy_wh, seconds, floor_wh, top_wh, net_w, s)
    step_wh = (top_wh - floor_wh) / (N_GRID - 1)
    w = seconds / 3.6e6
    export = s.battery_export != 0
    best_c = _INF
    best_b = 0.0
    kind = KIND_HOLD
    # Kinks first (self-consumption wins ties, then resting), then grid landings.
    for k in range(4):
        if k == 0:
            b = net_w
        elif k == 1:
            b = 0.0
        elif k == 2:
            b = lo
        else:
            b = hi
        b = min(max(b, lo), hi)
        e_end = energy_wh + _stored_delta_wh(b, seconds, s.eta)
        c = (w * _rate(b, net_w, buy, sell, export, s.penalty)
             + _interp(value, row, floor_wh, step_wh, e_end))
        if k == 0:
            c -= self_margin
        if c < best_c:
            best_c = c
            best_b = b
            kind = k if k < 2 else KIND_HOLD
    e_lo = energy_wh + _stored_delta_wh(hi, seconds, s.eta)
    e_hi = energy_wh + _stored_delta_wh(lo, seconds, s.eta)
    j0 = max(0, math.ceil((e_lo - floor_wh) / step_wh - 1e-9))
    j1 = min(N_GRID - 1, math.floor((e_hi - floor_wh) / step_wh + 1e-9))
    if j0 > j1:
        return best_c, best_b, kind
    if sell <= buy:
        # Convex objective: the best landing is found by descent from the best kink's.
        e_best = energy_wh + _stored_delta_wh(best_b, seconds, s.eta)
        j = min(max(math.floor((e_best - floor_wh) / step_wh), j0), j1)
        c_j = _landing(j, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, lo, hi,
                       value, row, s)
        d = 1
        if j + 1 <= j1 and _landing(j + 1, energy_wh, seconds, net_w, buy, sell, floor_wh,
                                    step_wh, lo, hi, value, row, s) < c_j:
            d = 1
        elif j - 1 >= j0 and _landing(j - 1, energy_wh, seconds, net_w, buy, sell, floor_wh,
                                      step_wh, lo, hi, value, row, s) < c_j:
            d = -1
        else:
            d = 0
        while d != 0 and j0 <= j + d <= j1:
            c_n = _landing(j + d, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh,
                           lo, hi, value, row, s)
            if c_n >= c_j:
                break
            j += d
            c_j = c_n
        j0 = j
        j1 = j
    for j in range(j0, j1 + 1):
        c = _landing(j, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, lo, hi,
                     value, row, s)
        if c < best_c:
            best_c = c
            best_b = min(max(_power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds,
                                                s.eta), lo), hi)
            kind = KIND_HOLD
    return best_c, best_b, kind


@kernel
def step_battery_w(plan: PlanTables, row: int, energy_wh: float, t_s: int, dt_s: int,
                   net_now_w: float, s: PlanSettings) -> float:
    """Planned AC battery power [W] (+ discharging) for the step [t_s, t_s + dt_s) at the
    measured net load net_now_w [W], from the actual stored energy energy_wh [Wh].

    The stage's best constant power from now to its end is chosen against the forecast;
    a self-consumption choice then follows the measured load, a rest stays at zero and
    any other choice holds its power (dispatch clips all three to the invariants).
    """
    rest = max(float(dt_s), float(plan.stage_end_s[row] - t_s))
    margin = SELF_MARGIN_WH * 1e-3 * plan.buy[row] * rest / 3600.0
    _, b, kind = _best(energy_wh, rest, plan.net_w[row], plan.buy[row], plan.sell[row],
                       plan.floor_wh[row], plan.top_wh[row], plan.value, row, s, margin)
    if kind == KIND_SELF:
        return net_now_w
    return b


@kernel
def _solve_one(row0: int, n_stages: int, seconds: _F64, plan: PlanTables, terminal: float,
               s: PlanSettings) -> None:
    """Backward induction over rows row0 .. row0 + n_stages - 1 of ``plan``.

    terminal: value of a stored Wh above the floor at the horizon's end [currency/Wh]
    (negative: stored energy lowers the cost to go).
    """
    floor_wh = plan.floor_wh[row0]
    top_wh = plan.top_wh[row0]
    step_wh = (top_wh - floor_wh) / (N_GRID - 1)
    last = row0 + n_stages - 1
    for j in range(N_GRID):
        plan.value[last, j] = terminal * j * step_wh
    for r in range(last, row0, -1):
        # value[r - 1] (value at the start of stage r) from value[r]
        for i in range(N_GRID):
            c, _, _ = _best(floor_wh + i * step_wh, seconds[r - row0], plan.net_w[r],
                            plan.buy[r], plan.sell[r], floor_wh, top_wh, plan.value, r, s,
                            0.0)
            plan.value[r - 1, i] = c


@kernel
def _fill_plans(midnights: _I64, w0: int, step_s: int, solar_fc: _F64, load_fc: _F64,
                buy: _F64, sell: _F64, floor_wh: float, top_wh: float, s: PlanSettings,
                rows0: _I64, plan: PlanTables) -> None:
    """Stage rows and value tables of one plan per local day ``midnights[:-2]``.

    solar_fc: (2, n) forecast solar per step of the window from w0 [W], row 0 as known
    the same day, row 1 a day ahead; load_fc: (n,) [W]; buy / sell: (n,) prices.
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
            for k in range(k_a, k_b):
                net += load_fc[k] - solar_fc[lead, k]
                pb += buy[k]
                ps += sell[k]
            m = max(1, k_b - k_a)
            plan.stage_end_s[row] = t_b
            plan.net_w[row] = net / m
            plan.buy[row] = pb / m
            plan.sell[row] = ps / m
            plan.floor_wh[row] = floor_wh
            plan.top_wh[row] = top_wh
            seconds[r] = float(t_b - t_a)
            if lead == 1:
                cheapest = min(cheapest, pb / m)
        terminal = -max(0.0, cheapest) * s.eta / 1000.0 if cheapest < _INF else 0.0
        _solve_one(rows0[d], n_st, seconds, plan, terminal, s)


def solve_plans(midnights: _I64, w0: int, step_s: int, solar_fc_w: _F64, load_fc_w: _F64,
                buy: _F64, sell: _F64, floor_wh: float, top_wh: float, settings: PlanSettings
                ) -> tuple[PlanTables, _I64]:
    """One plan per local day starting at ``midnights[:-2]`` over a window of steps.

    midnights: local midnight instants [Unix s], the window [w0, ...) covering them to the
    last; solar_fc_w: (2, n) same-day and day-ahead solar forecasts [W]; load_fc_w: (n,)
    [W]; buy / sell: (n,) effective prices [currency/kWh]. Returns the stage rows and the
    first row of each day's plan (len(midnights) - 1 entries, the last one past the end).
    """
    n_days = len(midnights) - HORIZON_DAYS
    counts = [-(-(int(midnights[d + HORIZON_DAYS]) - int(midnights[d])) // STAGE_S)
              for d in range(n_days)]
    rows0 = np.zeros(n_days + 1, dtype=np.int64)
    rows0[1:] = np.cumsum(counts)
    n = int(rows0[-1])
    plan = PlanTables(np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n),
                      np.zeros(n), np.zeros(n), np.zeros((n, N_GRID)))
    _fill_plans(np.asarray(midnights, dtype=np.int64), int(w0), int(step_s),
                np.ascontiguousarray(solar_fc_w, dtype=np.float64),
                np.ascontiguousarray(load_fc_w, dtype=np.float64),
                np.ascontiguousarray(buy, dtype=np.float64),
                np.ascontiguousarray(sell, dtype=np.float64), float(floor_wh), float(top_wh),
                settings, rows0, plan)
    return plan, rows0
