"""The per-interval decision shared by every simulation path, and the single-site loop.

:func:`decide_interval` is the one implementation of the physics and control: one call
decides the integer powers of one interval (site-behavior §5.1 evaluation order), fills
the §9.1 flows and returns the pack energy at the interval's end. :func:`run_site` walks
one site through time for :func:`gridtwin.sim.engine.advance`;
:mod:`gridtwin.sim.batch` calls :func:`decide_interval` for many sites at once.

Time handling in :func:`run_site`: a decision holds until ``hold`` (the next step
boundary, or earlier when an EV session completes); it is re-made earlier only at a
segment start whose conditions differ (events). Energy inside an interval is always
computed from the decision's start energy, so stopping and resuming anywhere gives
bit-identical results.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gridtwin.sim.battery import energy_between, settle_energy_wh
from gridtwin.sim.dispatch import on_grid
from gridtwin.sim.ev import allocate_wc, total_demand_w, wc_demands
from gridtwin.sim.island import islanded, without_backup
from gridtwin.sim.jit import kernel
from gridtwin.sim.kernel_io import Interval, StepSeries
from gridtwin.sim.params import (
    C_STORM_ENABLED,
    F_DARK,
    F_GEN_ON,
    F_TOPUP,
    O_BATTERY,
    O_CELLS,
    O_GENERATOR,
    O_GRID,
    O_LOAD,
    O_SOLAR,
    O_UNSERVED,
    P_HAS_BACKUP,
    P_HAS_BATTERY,
    P_STORM_CAPABLE,
    Controls,
    Params,
    controls_tuple,
    params_tuple,
)
from gridtwin.sim.powerflow import add_flows, bucket_row, fill_cells
from gridtwin.sim.tbc import PlanTables

__all__ = ["decide_interval", "next_peak", "run_site", "running_peak_w"]

BUCKET_S = 300

# seg_cond columns
SEG_GRID_DOWN = 0
SEG_STORM = 1
N_SEG_COND = 2

# st_i / st_f slots
I_DECIDED_S = 0
I_HOLD_S = 1
I_UNSERVED_J = 2
I_DEMAND_MONTH = 3
I_DEMAND_PEAK_W = 4
N_ST_I = 5
F_ENERGY_NOW = 0
F_ENERGY_DECIDED = 1
F_ENERGY_END = 2
N_ST_F = 3

# run_site inputs grouped to keep signatures short
_INT = npt.NDArray[np.int64]
_FLT = npt.NDArray[np.float64]


@kernel
def running_peak_w(code: int, month: int, peak_w: int) -> float:
    """The month's running peak import [W] seen by a step with demand code ``code``
    (2 x local month + 1 if demand-priced; -1: the tariff has no demand charges), given
    the running (month, peak_w) so far; 0 in a new month."""
    if code < 0 or code // 2 != month:
        return 0.0
    return float(peak_w)


@kernel
def next_peak(code: int, month: int, peak_w: int, grid_w: int) -> tuple[int, int]:
    """(month, peak [W]) after grid_w [W] was imported during a step with demand code
    ``code``: only demand-priced steps raise the peak; a new month restarts it."""
    if code < 0 or code % 2 == 0:
        return month, peak_w
    if code // 2 != month:
        return code // 2, max(0, grid_w)
    return month, max(peak_w, grid_w)


@kernel
def decide_interval(t_s: int, dt_s: int, energy_wh: float, prm: Params, ctl: Controls,
                    now: Interval, plan: PlanTables, demand_w: _INT, wc_w: _INT,
                    flags: _INT, out: _INT) -> float:
    """Decide the interval of dt_s [s] starting at t_s [Unix s] and return E at its end [Wh].

    energy_wh: E at t_s [Wh]; now: the interval's solar, load, conditions and planning
    inputs; plan: the optimiser's stage tables (read at now.plan_row). demand_w:
    per-connector EV demand [W] (wc_w receives what is served). Writes powers and flows
    into ``out`` and updates the controller latches in ``flags``.
    """
    b1 = b2 = b3 = -1.0
    inv_dt = 1.0 / dt_s
    if now.grid_down and prm[P_HAS_BACKUP] != 0:
        flags[F_TOPUP] = 0
        b1 = islanded(inv_dt, energy_wh, prm, ctl, now.solar_w, now.home_w, demand_w, wc_w,
                      flags, out)
    elif now.grid_down:
        flags[F_TOPUP] = 0
        without_backup(wc_w, out)
    else:
        flags[F_DARK] = 0
        flags[F_GEN_ON] = 0
        storm = now.storm_event and ctl[C_STORM_ENABLED] != 0 and prm[P_STORM_CAPABLE] != 0
        load_w = now.home_w + allocate_wc(demand_w, total_demand_w(demand_w), wc_w)
        b1, b2, b3 = on_grid(inv_dt, energy_wh, prm, ctl, now.solar_w, load_w, storm,
                             now.price_class, now.need_j, now.surplus_j, now.export_ok, plan,
                             now.plan_row, t_s, now.peak_w, flags, out)
        if prm[P_HAS_BATTERY] == 0:
            flags[F_TOPUP] = 0
    fill_cells(out[O_SOLAR], out[O_GENERATOR], out[O_BATTERY], out[O_GRID], out[O_LOAD],
               out, O_CELLS)
    return settle_energy_wh(energy_wh, float(out[O_BATTERY]), float(dt_s), prm, b1, b2, b3)


@kernel
def _decide_at(t_s: int, step_s: int, m: int, env_k0: int, series: StepSeries,
               plan: PlanTables, seg_cond: _INT, seg_wc: _INT, wc_cfg: _INT,
               group_limit_w: _INT, sessions: _INT, prm: Params, ctl: Controls, st_i: _INT,
               st_f: _FLT, flags: _INT, out: _INT, wc_w: _INT, demand_w: _INT) -> None:
    """Make the decision at t_s and store it (instant, hold, energies) in st_i / st_f."""
    k = t_s // step_s - env_k0
    hold = (t_s // step_s + 1) * step_s
    hold = wc_demands(t_s, hold, seg_wc[m], wc_cfg[0], wc_cfg[1], group_limit_w,
                      sessions[0], sessions[1], sessions[2], demand_w)
    energy = st_f[F_ENERGY_NOW]
    peak = running_peak_w(series.demand_code[k], st_i[I_DEMAND_MONTH],
                          st_i[I_DEMAND_PEAK_W])
    now = Interval(series.solar_w[k], series.home_w[k], seg_cond[m, SEG_GRID_DOWN] != 0,
                   seg_cond[m, SEG_STORM] != 0, series.price_class[k], series.need_j[k],
                   series.surplus_j[k], series.export_ok[k] != 0, series.plan_row[k], peak)
    end = decide_interval(t_s, hold - t_s, energy, prm, ctl, now, plan, demand_w, wc_w, flags,
                          out)
    st_i[I_DECIDED_S] = t_s
    st_i[I_HOLD_S] = hold
    st_f[F_ENERGY_DECIDED] = energy
    st_f[F_ENERGY_END] = end


@kernel
def _accrue(t_s: int, t_next: int, install_s: int, m: int, seg_wc: _INT, sessions: _INT,
            out: _INT, wc_w: _INT, counters_j: _INT, st_i: _INT) -> None:
    """Integer joules of [t_s, t_next) into counters, sessions and unserved energy."""
    dt = t_next - t_s
    if t_next > install_s:
        add_flows(counters_j, out, O_CELLS, t_next - max(t_s, install_s))
    st_i[I_UNSERVED_J] += out[O_UNSERVED] * dt
    for k in range(wc_w.shape[0]):
        if wc_w[k] > 0:
            q = seg_wc[m, k, 0]
            sessions[2, q] += wc_w[k] * dt
            if sessions[3, q] < 0:
                sessions[3, q] = t_s
            sessions[4, q] = t_next


@kernel
def run_site(t0: int, t1: int, step_s: int, install_s: int, force: bool, env_k0: int,
             series: StepSeries, plan: PlanTables, seg_t: _INT,
             seg_changed: _INT,
             seg_cond: _INT, seg_wc: _INT, wc_cfg: _INT, group_limit_w: _INT,
             sessions: _INT, prm: _FLT, ctl: _FLT, st_i: _INT, st_f: _FLT, flags: _INT,
             out: _INT, wc_w: _INT, counters_j: _INT, base_j: _INT, bucket_starts: _INT,
             bucket_wh: _INT) -> int:
    """Advance one site from t0 to t1 [s]; return the number of bucket rows written.

    series: the per-step inputs for steps from ``env_k0``.
    seg_t: (M,) segment starts (seg_t[0] == t0, all <= t1); seg_changed: (M,)
    whether conditions differ from the previous segment; seg_cond: (M, 2) grid down and
    storm event; seg_wc: (M, K, 3) session index, fault, waiting.
    wc_cfg: (2, K) connector max [W] and group index; sessions: (5, Q) target [J],
    max power [W], delivered [J], first and last power instants [s] (-1 none).
    The state arrays hold the current decision and are updated in place.
    """
    prm_t = params_tuple(prm.reshape(1, -1), 0)
    ctl_t = controls_tuple(ctl.reshape(1, -1), 0)
    n_seg = seg_t.shape[0]
    demand_w = np.zeros(wc_w.shape[0], dtype=np.int64)
    m = 0
    n_rows = 0
    t = t0
    decide = force
    while True:
        while m + 1 < n_seg and seg_t[m + 1] <= t:
            m += 1
            decide = decide or seg_changed[m] != 0
        if decide or t >= st_i[I_HOLD_S]:
            _decide_at(t, step_s, m, env_k0, series, plan, seg_cond, seg_wc,
                       wc_cfg, group_limit_w, sessions, prm_t, ctl_t, st_i, st_f, flags, out,
                       wc_w, demand_w)
            decide = False
        if t >= t1:
            break
        t_next = min(st_i[I_HOLD_S], t1)
        if m + 1 < n_seg:
            t_next = min(t_next, seg_t[m + 1])
        _accrue(t, t_next, install_s, m, seg_wc, sessions, out, wc_w, counters_j, st_i)
        if t_next > t:  # imports that flowed raise the month's peak
            st_i[I_DEMAND_MONTH], st_i[I_DEMAND_PEAK_W] = next_peak(
                series.demand_code[t // step_s - env_k0], st_i[I_DEMAND_MONTH], st_i[I_DEMAND_PEAK_W],
                out[O_GRID])
        t = t_next
        if t == st_i[I_HOLD_S]:
            st_f[F_ENERGY_NOW] = st_f[F_ENERGY_END]
        else:
            st_f[F_ENERGY_NOW] = energy_between(
                st_f[F_ENERGY_DECIDED], st_f[F_ENERGY_END], float(out[O_BATTERY]), prm_t,
                float(t - st_i[I_DECIDED_S]))
        if t % BUCKET_S == 0 and t > install_s:
            bucket_starts[n_rows] = t - BUCKET_S
            bucket_row(counters_j, base_j, bucket_wh[n_rows])
            n_rows += 1
    return n_rows
