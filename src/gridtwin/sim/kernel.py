"""The per-interval decision shared by every simulation path, and the single-site loop.

:func:`decide_interval` is the one implementation of the physics and control: one call
decides the integer powers of one interval (site-behavior §5.1 evaluation order), fills
the §9.1 flows and returns the pack energy at the interval's end. :func:`run_site` walks
one site through time for :func:`gridtwin.sim.engine.advance`;
:mod:`gridtwin.sim.batch` calls :func:`decide_interval` for many sites at once.

Time handling in :func:`run_site`: a decision holds until ``hold_s`` (the next step
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
from gridtwin.sim.jit import borrowing_kernel, inlined_kernel, kernel
from gridtwin.sim.kernel_io import (
    Chargers,
    Decision,
    DemandPeak,
    Interval,
    Ledger,
    RunResult,
    RunState,
    SegmentTable,
    StepSeries,
    Window,
)
from gridtwin.sim.params import (
    F_DARK,
    F_EV_HOLD,
    F_GEN_ON,
    F_TOPUP,
    O_BATTERY,
    O_CELLS,
    O_GENERATOR,
    O_GRID,
    O_LOAD,
    O_SOLAR,
    O_UNSERVED,
    Controls,
    Params,
    controls_tuple,
    params_tuple,
)
from gridtwin.sim.powerflow import add_flows, bucket_row, fill_cells
from gridtwin.sim.tbc import PlanTables

__all__ = ["decide_interval", "next_peak", "run_site", "running_peak_w"]

BUCKET_S = 300

_INT = npt.NDArray[np.int64]
_FLT = npt.NDArray[np.float64]


@kernel
def running_peak_w(code: int, demand: DemandPeak) -> float:
    """The month's running peak import [W] seen by a step with demand code ``code``
    (2 x local month + 1 if demand-priced; -1: the tariff has no demand charges), given
    the running peak so far; 0 in a new month."""
    if code < 0 or code // 2 != demand.month:
        return 0.0
    return float(demand.peak_w)


@kernel
def next_peak(code: int, demand: DemandPeak, grid_w: int) -> DemandPeak:
    """The running peak after grid_w [W] was imported during a step with demand code
    ``code``: only demand-priced steps raise the peak; a new month restarts it."""
    if code < 0 or code % 2 == 0:
        return demand
    if code // 2 != demand.month:
        return DemandPeak(code // 2, max(0, grid_w))
    return DemandPeak(demand.month, max(demand.peak_w, grid_w))


@inlined_kernel
def decide_interval(t_s: int, dt_s: int, energy_wh: float, prm: Params, ctl: Controls,
                    now: Interval, plan: PlanTables, demand_w: _INT, wc_w: _INT,
                    flags: _INT, out: _INT) -> float:
    """Decide the interval of dt_s [s] starting at t_s [Unix s] and return E at its end [Wh].

    energy_wh: E at t_s [Wh]; now: the interval's solar, load, conditions and planning
    inputs; plan: the optimiser's stage tables (read at now.plan_row). demand_w:
    per-connector EV demand [W] (wc_w receives what is served). Writes powers and flows
    into ``out`` and updates the controller latches in ``flags``.
    """
    floor_wh = target_wh = reserve_wh = -1.0  # bounds the end energy snaps to (-1: none)
    inv_dt = 1.0 / dt_s
    if now.grid_down and prm.has_backup != 0:
        flags[F_TOPUP] = 0
        floor_wh = islanded(inv_dt, energy_wh, prm, ctl, now.solar_w, now.home_w, demand_w,
                            wc_w, flags, out)
    elif now.grid_down:
        flags[F_TOPUP] = 0
        without_backup(wc_w, out)
    else:
        flags[F_DARK] = 0
        flags[F_GEN_ON] = 0
        flags[F_EV_HOLD] = 0
        storm = now.storm_event and ctl.storm_enabled != 0 and prm.storm_capable != 0
        load_w = now.home_w + allocate_wc(demand_w, total_demand_w(demand_w), wc_w)
        bounds = on_grid(inv_dt, energy_wh, prm, ctl, now, load_w, storm, plan, t_s, flags,
                         out)
        floor_wh, target_wh, reserve_wh = bounds.floor_wh, bounds.target_wh, bounds.reserve_wh
        if prm.has_battery == 0:
            flags[F_TOPUP] = 0
    fill_cells(out[O_SOLAR], out[O_GENERATOR], out[O_BATTERY], out[O_GRID], out[O_LOAD],
               out, O_CELLS)
    return settle_energy_wh(energy_wh, float(out[O_BATTERY]), float(dt_s), prm, floor_wh,
                            target_wh, reserve_wh)


@borrowing_kernel
def _decide_at(t_s: int, energy_wh: float, demand: DemandPeak, m: int, w: Window,
               series: StepSeries, plan: PlanTables, segs: SegmentTable, ch: Chargers,
               prm: Params, ctl: Controls, ledger: Ledger) -> Decision:
    """The decision at t_s from energy_wh [Wh], holding to the next step boundary or
    an earlier EV session completion; its powers go to ledger.powers."""
    k = t_s // w.step_s - w.k0
    hold = (t_s // w.step_s + 1) * w.step_s
    hold = wc_demands(t_s, hold, segs.wc_session[m], segs.wc_fault[m], segs.wc_waiting[m],
                      ch)
    now = Interval(series.solar_w[k], series.home_w[k], segs.grid_down[m] != 0,
                   segs.storm[m] != 0, series.price_class[k], series.need_j[k],
                   series.surplus_j[k], series.export_ok[k] != 0, series.plan_row[k],
                   running_peak_w(series.demand_code[k], demand))
    end = decide_interval(t_s, hold - t_s, energy_wh, prm, ctl, now, plan, ch.demand_w,
                          ch.served_w, ledger.latches, ledger.powers)
    return Decision(t_s, hold, energy_wh, end)


@borrowing_kernel
def _accrue(t_s: int, t_next: int, install_s: int, session: _INT, ch: Chargers,
            ledger: Ledger) -> None:
    """Integer joules of [t_s, t_next) into the flow counters and the charge sessions."""
    out = ledger.powers
    if t_next > install_s:
        add_flows(ledger.counters_j, out, O_CELLS, t_next - max(t_s, install_s))
    served_w = ch.served_w
    for k in range(served_w.shape[0]):
        if served_w[k] > 0:
            q = session[k]
            ch.delivered_j[q] += served_w[k] * (t_next - t_s)
            if ch.first_power_s[q] < 0:
                ch.first_power_s[q] = t_s
            ch.last_power_s[q] = t_next


@kernel
def run_site(w: Window, force: bool, series: StepSeries, plan: PlanTables,
             segs: SegmentTable, ch: Chargers, prm: _FLT, ctl: _FLT, state: RunState,
             ledger: Ledger) -> RunResult:
    """Advance one site from w.t0_s to w.t1_s and return its state there and the number of
    5-minute buckets written to the ledger.

    force: re-decide at w.t0_s even if the decision in force still holds. series: the
    per-step inputs from step w.k0; segs: the window's segments (segs.start_s[0] ==
    w.t0_s); ch: Wall Connectors and sessions; prm / ctl: the params and controls rows.
    ch, ledger and their arrays are updated in place.
    """
    prm_t = params_tuple(prm.reshape(1, -1), 0)
    ctl_t = controls_tuple(ctl.reshape(1, -1), 0)
    out = ledger.powers
    install_s = w.install_s
    n_seg = segs.start_s.shape[0]
    energy = state.energy_wh
    decision = state.decision
    unserved = state.unserved_j
    demand = state.demand
    m = 0
    n_rows = 0
    t = w.t0_s
    decide = force
    while True:
        while m + 1 < n_seg and segs.start_s[m + 1] <= t:
            m += 1
            decide = decide or segs.changed[m] != 0
        if decide or t >= decision.hold_s:
            decision = _decide_at(t, energy, demand, m, w, series, plan, segs, ch, prm_t,
                                  ctl_t, ledger)
            decide = False
        if t >= w.t1_s:
            break
        t_next = min(decision.hold_s, w.t1_s)
        if m + 1 < n_seg:
            t_next = min(t_next, segs.start_s[m + 1])
        _accrue(t, t_next, install_s, segs.wc_session[m], ch, ledger)
        unserved += out[O_UNSERVED] * (t_next - t)
        if t_next > t:  # imports that flowed raise the month's peak
            demand = next_peak(series.demand_code[t // w.step_s - w.k0], demand, out[O_GRID])
        t = t_next
        if t == decision.hold_s:
            energy = decision.end_wh
        else:
            energy = energy_between(decision.start_wh, decision.end_wh, float(out[O_BATTERY]),
                                    prm_t, float(t - decision.decided_s))
        if t % BUCKET_S == 0 and t > install_s:
            ledger.bucket_start_s[n_rows] = t - BUCKET_S
            bucket_row(ledger.counters_j, ledger.bucket_base_j, ledger.bucket_wh[n_rows])
            n_rows += 1
    return RunResult(RunState(energy, decision, unserved, demand), n_rows)
