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
CAPS_W = np.array([0.0, 500.0, 1000.0, 2000.0, 3500.0, 6000.0])
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
    charges; extra rows repeat the stage's data).
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
                      np.zeros((0, CAPS_W.shape[0]), dtype=np.int64))


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
KIND_SHAVE = 3
"""Chosen power holds grid import at the running peak: follow the measured load less it."""


@kernel
def _peak_cost(battery_w: float, net_w: float, demand: float, cap_w: float) -> float:
    """Demand charge [currency] of raising the month's peak import above cap_w [W] at
    demand [currency/kW]."""
    return demand * max(0.0, net_w - battery_w - cap_w) / 1000.0


@kernel
def _landing(j: int, energy_wh: float, seconds: float, net_w: float, buy: float,
             sell: float, floor_wh: float, step_wh: float, lo: float, hi: float,
             value: _F64, row: int, s: PlanSettings, demand: float, cap_w: float) -> float:
    """Cost [currency] of the constant power that lands on grid energy j at the end."""
    b = _power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds, s.eta)
    b = min(max(b, lo), hi)
    return float(seconds / 3.6e6 * _rate(b, net_w, buy, sell, s.battery_export != 0, s.penalty)
                 + value[row, j] + _peak_cost(b, net_w, demand, cap_w))


@kernel
def _best(energy_wh: float, seconds: float, net_w: float, buy: float, sell: float,
          floor_wh: float, top_wh: float, value: _F64, row: int, s: PlanSettings,
          self_margin: float, demand: float, cap_w: float) -> tuple[float, float, int]:
    """(cost [currency], battery power [W], KIND_*) minimising the cost of ``seconds`` at
    mean net load net_w, at one constant battery power, plus the value-to-go at the end.

    self_margin: self-consumption is kept when it costs at most this much more than the
    best choice [currency] (robust to forecast error; 0 for an exact minimum).
    demand / cap_w: import above cap_w [W] costs demand [currency/kW] once (0: none)."""
    lo, hi = _limits_w(energy_wh, seconds, floor_wh, top_wh, net_w, s)
    step_wh = (top_wh - floor_wh) / (N_GRID - 1)
    w = seconds / 3.6e6
    export = s.battery_export != 0
    best_c = _INF
    best_b = 0.0
    kind = KIND_HOLD
    # Kinks first (self-consumption wins ties, then resting), then grid landings.
    for k in range(5 if demand > 0 else 4):
        if k == 0:
            b = net_w
        elif k == 1:
            b = 0.0
        elif k == 2:
            b = lo
        elif k == 3:
            b = hi
        else:
            b = net_w - cap_w
        b = min(max(b, lo), hi)
        e_end = energy_wh + _stored_delta_wh(b, seconds, s.eta)
        c = (w * _rate(b, net_w, buy, sell, export, s.penalty)
             + _interp(value, row, floor_wh, step_wh, e_end)
             + _peak_cost(b, net_w, demand, cap_w))
        if k == 0:
            c -= self_margin
        if c < best_c:
            best_c = c
            best_b = b
            kind = k if k < 2 else (KIND_SHAVE if k == 4 else KIND_HOLD)
    e_lo = energy_wh + _stored_delta_wh(hi, seconds, s.eta)
    e_hi = energy_wh + _stored_delta_wh(lo, seconds, s.eta)
    j0 = max(0, math.ceil((e_lo - floor_wh) / step_wh - 1e-9))
    j1 = min(N_GRID - 1, math.floor((e_hi - floor_wh) / step_wh + 1e-9))
    if j0 > j1:
        return best_c, best_b, kind
    if sell <= buy:
        # Convex objective: the best landing is found by descent from the best kink's
        # (each landing's cost evaluated once).
        e_best = energy_wh + _stored_delta_wh(best_b, seconds, s.eta)
        j = min(max(math.floor((e_best - floor_wh) / step_wh), j0), j1)
        c_j = _landing(j, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, lo, hi,
                       value, row, s, demand, cap_w)
        d = 0
        c_n = _INF
        if j + 1 <= j1:
            c_n = _landing(j + 1, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh,
                           lo, hi, value, row, s, demand, cap_w)
            if c_n < c_j:
                d = 1
        if d == 0 and j - 1 >= j0:
            c_n = _landing(j - 1, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh,
                           lo, hi, value, row, s, demand, cap_w)
            if c_n < c_j:
                d = -1
        while d != 0:
            j += d
            c_j = c_n
            if not j0 <= j + d <= j1:
                break
            c_n = _landing(j + d, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh,
                           lo, hi, value, row, s, demand, cap_w)
            if c_n >= c_j:
                break
        if c_j < best_c:
            best_c = c_j
            best_b = min(max(_power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds,
                                                s.eta), lo), hi)
            kind = KIND_HOLD
        return best_c, best_b, kind
    for j in range(j0, j1 + 1):
        c = _landing(j, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, lo, hi,
                     value, row, s, demand, cap_w)
        if c < best_c:
            best_c = c
            best_b = min(max(_power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds,
                                                s.eta), lo), hi)
            kind = KIND_HOLD
    return best_c, best_b, kind


@kernel
def _interp_peak(value: _F64, rows: _I64, floor_wh: float, step_wh: float,
                 energy_wh: float, peak_w: float) -> float:
    """Value-to-go at energy_wh and running peak import peak_w [W]: linear in energy
    within each CAPS_W table (rows[q]) and linear in the peak between tables (constant
    beyond the highest)."""
    q = 0
    while q + 2 < CAPS_W.shape[0] and CAPS_W[q + 1] <= peak_w:
        q += 1
    f = float(min(1.0, max(0.0, (peak_w - CAPS_W[q]) / (CAPS_W[q + 1] - CAPS_W[q]))))
    a = _interp(value, rows[q], floor_wh, step_wh, energy_wh)
    if f == 0.0:
        return a
    return a + f * (_interp(value, rows[q + 1], floor_wh, step_wh, energy_wh) - a)


@kernel
def _candidate(b: float, energy_wh: float, seconds: float, net_w: float, buy: float,
               sell: float, floor_wh: float, step_wh: float, value: _F64, rows: _I64,
               s: PlanSettings, demand: float, peak_w: float) -> float:
    """Cost [currency] of holding battery power b for seconds with demand charges: the
    energy cost, the demand price on import above the running peak (once) and the
    value-to-go at the landing energy and the new peak."""
    grid = net_w - b
    e_end = energy_wh + _stored_delta_wh(b, seconds, s.eta)
    return (seconds / 3.6e6 * _rate(b, net_w, buy, sell, s.battery_export != 0, s.penalty)
            + demand * max(0.0, grid - peak_w) / 1000.0
            + _interp_peak(value, rows, floor_wh, step_wh, e_end, max(peak_w, grid)))


@kernel
def _best_peak(energy_wh: float, seconds: float, net_w: float, buy: float, sell: float,
               floor_wh: float, top_wh: float, value: _F64, rows: _I64, s: PlanSettings,
               self_margin: float, demand: float, peak_w: float
               ) -> tuple[float, float, int, float]:
    """Like _best with the month's running peak import peak_w [W] as a second state:
    (cost, battery power [W], KIND_*, grid import level [W] of a KIND_SHAVE choice).
    Candidates: self-consumption, rest, the power limits, grid import at the running peak
    or at a higher CAPS_W level, and every landing on a grid energy."""
    lo, hi = _limits_w(energy_wh, seconds, floor_wh, top_wh, net_w, s)
    step_wh = (top_wh - floor_wh) / (N_GRID - 1)
    best_c = _INF
    best_b = 0.0
    kind = KIND_HOLD
    level = peak_w
    n_caps = CAPS_W.shape[0]
    for k in range(5 + n_caps):
        lv = peak_w
        if k == 0:
            b = net_w
        elif k == 1:
            b = 0.0
        elif k == 2:
            b = lo
        elif k == 3:
            b = hi
        elif k == 4:
            b = net_w - peak_w
        else:
            lv = CAPS_W[k - 5]
            if lv <= peak_w:
                continue
            b = net_w - lv
        b = min(max(b, lo), hi)
        c = _candidate(b, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, value,
                       rows, s, demand, peak_w)
        if k == 0:
            c -= self_margin
        if c < best_c:
            best_c = c
            best_b = b
            kind = k if k < 2 else (KIND_SHAVE if k >= 4 else KIND_HOLD)
            level = lv
    e_lo = energy_wh + _stored_delta_wh(hi, seconds, s.eta)
    e_hi = energy_wh + _stored_delta_wh(lo, seconds, s.eta)
    j0 = max(0, math.ceil((e_lo - floor_wh) / step_wh - 1e-9))
    j1 = min(N_GRID - 1, math.floor((e_hi - floor_wh) / step_wh + 1e-9))
    for j in range(j0, j1 + 1):
        b = min(max(_power_for_delta_w(floor_wh + j * step_wh - energy_wh, seconds, s.eta),
                    lo), hi)
        c = _candidate(b, energy_wh, seconds, net_w, buy, sell, floor_wh, step_wh, value,
                       rows, s, demand, peak_w)
        if c < best_c:
            best_c = c
            best_b = b
            kind = KIND_HOLD
    return best_c, best_b, kind, level


@kernel
def step_battery_w(plan: PlanTables, row: int, energy_wh: float, t_s: int, dt_s: int,
                   net_now_w: float, s: PlanSettings, peak_w: float) -> float:
    """Planned AC battery power [W] (+ discharging) for the step [t_s, t_s + dt_s) at the
    measured net load net_now_w [W], from the actual stored energy energy_wh [Wh].
    peak_w: the month's running peak import over demand-priced steps [W] (0: none).

    The stage's best constant power from now to its end is chosen against the forecast
    (and the value table for the running peak); a self-consumption choice then follows
    the measured load, a peak-shaving choice the measured load less the running peak, a
    rest stays at zero and any other choice holds its power (dispatch clips all of them
    to the invariants).
    """
    rest = max(float(dt_s), float(plan.stage_end_s[row] - t_s))
    margin = SELF_MARGIN_WH * 1e-3 * plan.buy[row] * rest / 3600.0
    rows = plan.cap_row[row]
    level = 0.0
    if rows[rows.shape[0] - 1] == row:  # no demand charges in this plan
        _, b, kind = _best(energy_wh, rest, plan.net_w[row], plan.buy[row], plan.sell[row],
                           plan.floor_wh[row], plan.top_wh[row], plan.value, row, s, margin,
                           0.0, 0.0)
    else:
        _, b, kind, level = _best_peak(energy_wh, rest, plan.net_w[row], plan.buy[row],
                                       plan.sell[row], plan.floor_wh[row], plan.top_wh[row],
                                       plan.value, rows, s, margin, plan.demand[row], peak_w)
        if kind != KIND_IDLE and (b > 0 or kind != KIND_HOLD) and plan.demand[row] > 0:
            # Demand-priced: hold the planned grid import and let the battery follow the
            # measured load around it, so load swings within the stage set no new peak.
            return float(net_now_w - max(0.0, plan.net_w[row] - b))
    if kind == KIND_SELF:
        return net_now_w
    if kind == KIND_SHAVE:
        return net_now_w - level
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
                            0.0, 0.0, 0.0)
            plan.value[r - 1, i] = c


@kernel
def _solve_peak(row0: int, n_stages: int, seconds: _F64, plan: PlanTables,
                terminal: float, s: PlanSettings) -> None:
    """Backward induction over (stored energy, running peak import at each CAPS_W
    level) for the stages row0 .. row0 + n_stages - 1, whose tables for level q are in
    rows plan.cap_row[r, q] (copies of the stage's data are made first)."""
    floor_wh = plan.floor_wh[row0]
    top_wh = plan.top_wh[row0]
    step_wh = (top_wh - floor_wh) / (N_GRID - 1)
    n_caps = CAPS_W.shape[0]
    for r in range(row0, row0 + n_stages):
        for q in range(1, n_caps):
            _copy_stage(plan, r, plan.cap_row[r, q])
    last = row0 + n_stages - 1
    for q in range(n_caps):
        for j in range(N_GRID):
            plan.value[plan.cap_row[last, q], j] = terminal * j * step_wh
    for r in range(last, row0, -1):
        rows = plan.cap_row[r]
        for q in range(n_caps):
            for i in range(N_GRID):
                c, _, _, _ = _best_peak(floor_wh + i * step_wh, seconds[r - row0],
                                        plan.net_w[r], plan.buy[r], plan.sell[r], floor_wh,
                                        top_wh, plan.value, rows, s, 0.0, plan.demand[r],
                                        CAPS_W[q])
                plan.value[plan.cap_row[r - 1, q], i] = c


@kernel
def _fill_plans(midnights: _I64, w0: int, step_s: int, solar_fc: _F64, load_fc: _F64,
                buy: _F64, sell: _F64, demand: _F64, floor_wh: float, top_wh: float,
                s: PlanSettings, rows0: _I64, plan: PlanTables) -> None:
    """Stage rows and value tables of one plan per local day ``midnights[:-2]``.

    solar_fc: (2, n) forecast solar per step of the window from w0 [W], row 0 as known
    the same day, row 1 a day ahead; load_fc: (n,) [W]; buy / sell: (n,) prices;
    demand: (n,) demand prices [currency/kW]. plan.cap_row is already laid out.
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
                net += load_fc[k] - solar_fc[lead, k]
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
            seconds[r] = float(t_b - t_a)
            if lead == 1:
                cheapest = min(cheapest, pb / m)
        terminal = -max(0.0, cheapest) * s.eta / 1000.0 if cheapest < _INF else 0.0
        if plan.cap_row[rows0[d], CAPS_W.shape[0] - 1] == rows0[d]:
            _solve_one(rows0[d], n_st, seconds, plan, terminal, s)
        else:
            _solve_peak(rows0[d], n_st, seconds, plan, terminal, s)


@kernel
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


def solve_plans(midnights: _I64, w0: int, step_s: int, solar_fc_w: _F64, load_fc_w: _F64,
                buy: _F64, sell: _F64, floor_wh: float, top_wh: float, settings: PlanSettings,
                demand_kw: _F64 | None = None) -> tuple[PlanTables, _I64]:
    """One plan per local day starting at ``midnights[:-2]`` over a window of steps.

    midnights: local midnight instants [Unix s], the window [w0, ...) covering them to the
    last; solar_fc_w: (2, n) same-day and day-ahead solar forecasts [W]; load_fc_w: (n,)
    [W]; buy / sell: (n,) effective prices [currency/kWh]; demand_kw: (n,) demand prices
    [currency/kW] (None: none). Returns the stage rows and the first row of each day's
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
                      np.zeros((n_rows, N_GRID)), np.zeros(n_rows), cap_row)
    _fill_plans(np.asarray(midnights, dtype=np.int64), int(w0), int(step_s),
                np.ascontiguousarray(solar_fc_w, dtype=np.float64),
                np.ascontiguousarray(load_fc_w, dtype=np.float64),
                np.ascontiguousarray(buy, dtype=np.float64),
                np.ascontiguousarray(sell, dtype=np.float64), np.ascontiguousarray(dem),
                float(floor_wh), float(top_wh), settings, rows0, plan)
    return plan, rows0
