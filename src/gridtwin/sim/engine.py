"""Advance one site through time (site-behavior §2): the runner's entry point.

``advance(spec, controls, state, until_s, ...)`` simulates ``[state.t_s, until_s]`` in
steps of ``spec.step_s`` aligned to the epoch, split at every event instant; a state in
the middle of a step keeps its powers unless the controls or conditions it was decided
under have changed (then the remainder is re-decided). Advancing a→b→c equals a→c.
The physics is :func:`gridtwin.sim.kernel.run_site`; this module packs and unpacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import OperationMode, SiteControls
from gridtwin.domain.events import SiteEvent
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.conditions import (
    Segments,
    backup_intervals,
    build_segments,
    islanded_intervals,
)
from gridtwin.sim.ev import SEG_FAULT, SEG_SESSION, SEG_WAITING, connector_states
from gridtwin.sim.inputs import StepInputs, decision_key, step_inputs
from gridtwin.sim.kernel import run_site
from gridtwin.sim.kernel_io import (
    Chargers,
    Decision,
    DemandPeak,
    Ledger,
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
    N_CELLS,
    N_OUT,
    O_BATTERY,
    O_CELLS,
    O_GENERATOR,
    O_GRID,
    O_LOAD,
    O_SOLAR,
    O_UNSERVED,
    pack_controls,
    pack_params,
)
from gridtwin.sim.powerflow import fill_cells
from gridtwin.sim.state import (
    AdvanceResult,
    ChargeSession,
    EnvironmentProvider,
    PriceProvider,
    SiteState,
)

__all__ = ["advance", "app_percent", "energy_left_wh", "initial_state"]

_BIG_W = 10**12
_CLASS_NAMES = {1: "off_peak", 2: "mid", 3: "peak"}
_I64 = npt.NDArray[np.int64]


def app_percent(spec: SiteSpec, energy_wh: float) -> float:
    """App-scale charge ``max(0, (100 E / T - 5) / 0.95)`` [%] (site-behavior §3.3)."""
    pack = spec.total_pack_wh
    return 0.0 if pack <= 0 else max(0.0, (100.0 * energy_wh / pack - 5.0) / 0.95)


def energy_left_wh(spec: SiteSpec, energy_wh: float) -> float:
    """AC energy the pack can still deliver down to app 0 %, ``app% / 100 x usable`` [Wh]
    (= (E - 0.05 T) sqrt(rt) to the rounding of usable; docs/decisions.md, issue 16)."""
    return app_percent(spec, energy_wh) / 100.0 * spec.usable_ac_wh


def initial_state(spec: SiteSpec, t_s: int, app_pct: float = 50.0) -> SiteState:
    """A site at t_s [s] holding app_pct [%] of charge, nothing decided or recorded yet."""
    pack = spec.total_pack_wh if spec.has_battery else 0
    energy = pack * (0.05 + 0.0095 * app_pct)
    n_wc = len(spec.wall_connectors)
    return SiteState(t_s=t_s, energy_wh=energy, wall_connector_w=(0,) * n_wc,
                     wall_connector_state=(2,) * n_wc, decided_s=t_s, hold_until_s=t_s,
                     decided_energy_wh=energy, planned_energy_wh=energy)


def advance(spec: SiteSpec, controls: SiteControls, state: SiteState, until_s: int, *,
            env: EnvironmentProvider, prices: PriceProvider | None = None,
            events: Sequence[SiteEvent] = (), quirks: frozenset[Quirk] = frozenset()
            ) -> AdvanceResult:
    """Simulate the site from ``state.t_s`` to ``until_s`` [s] (site-behavior §2).

    env / prices: pure providers of per-step inputs (prices only used by autonomous mode).
    events: the site's events (any time; those touching the window apply).
    Returns the new state, the 5-minute buckets completed in the window, the islanded
    intervals touching it and the charge sessions it touched.
    """
    t0, t1 = state.t_s, int(until_s)
    if t1 < t0:
        raise ValueError(f"until_s {t1} is before the state instant {t0}")
    step = spec.step_s
    prm = pack_params(spec)
    ctl = pack_controls(controls, quirks)
    inputs = step_inputs(spec, controls, env, prices, t0 // step, t1 // step)
    segs = build_segments(spec, events, state.sessions, t0, t1)
    force = (decision_key(prm, ctl, segs.conditions[0], inputs, t0, step) != state.decision_key
             or len(state.wall_connector_w) != len(spec.wall_connectors))
    table = _session_table(segs.sessions)
    ledger = _ledger(state, t1)
    chargers = _chargers(spec, state, table)
    window = Window(t0, t1, step, spec.installation_s, inputs.k0)
    done = run_site(window, force, _series(inputs), inputs.plan, _segment_table(segs), chargers,
                    prm, ctl, _run_state(state), ledger)
    island_start = next((s for s, e, _ in islanded_intervals(spec, events) if s <= t1 < e), None)
    sessions = _sessions_out(segs.sessions, table)
    new_state = _state_after(spec, controls, state, segs, inputs, prm, ctl, t1, island_start,
                             done.state, ledger, chargers, sessions)
    n = done.n_buckets
    return AdvanceResult(new_state, ledger.bucket_start_s[:n].copy(), ledger.bucket_wh[:n].copy(),
                         backup_intervals(spec, events, t0, t1, state.island_start_s), sessions)


def _series(inputs: StepInputs) -> StepSeries:
    """The kernel's named view of the step inputs' rows (no copies)."""
    env, auto_f, auto_i = inputs.env, inputs.auto_f, inputs.auto_i
    return StepSeries(solar_w=env[0], home_w=env[1], price_class=auto_i[0],
                      need_j=auto_f[0], surplus_j=auto_f[1], export_ok=auto_i[1],
                      plan_row=auto_i[2], demand_code=auto_i[3])


def _segment_table(segs: Segments) -> SegmentTable:
    """The kernel's named, contiguous columns of the segments' conditions."""
    def column(a: _I64) -> _I64:
        return np.ascontiguousarray(a)
    return SegmentTable(start_s=segs.starts, changed=segs.changed,
                        grid_down=column(segs.cond[:, 0]), storm=column(segs.cond[:, 1]),
                        wc_session=column(segs.wc[:, :, SEG_SESSION]),
                        wc_fault=column(segs.wc[:, :, SEG_FAULT]),
                        wc_waiting=column(segs.wc[:, :, SEG_WAITING]))


def _run_state(state: SiteState) -> RunState:
    """The kernel's scalar state from a SiteState (ints and floats, as numba types them)."""
    return RunState(
        float(state.energy_wh),
        Decision(int(state.decided_s), int(state.hold_until_s),
                 float(state.decided_energy_wh), float(state.planned_energy_wh)),
        int(state.unserved_j), DemandPeak(int(state.demand_month), int(state.demand_peak_w)))


def _ledger(state: SiteState, t1: int) -> Ledger:
    """The decision in force, latches and counters of ``state``, and room for the buckets
    that complete by t1 [s]."""
    out = np.zeros(N_OUT, dtype=np.int64)
    out[[O_SOLAR, O_BATTERY, O_GRID, O_GENERATOR, O_LOAD, O_UNSERVED]] = (
        state.solar_w, state.battery_w, state.grid_w, state.generator_w, state.load_w,
        state.unserved_w)
    fill_cells(out[O_SOLAR], out[O_GENERATOR], out[O_BATTERY], out[O_GRID], out[O_LOAD],
               out, O_CELLS)
    n_rows = (t1 - state.t_s) // 300 + 2
    return Ledger(
        powers=out,
        latches=np.array([state.dark, state.generator_on, state.topup_active,
                          state.ev_reserve_hold], dtype=np.int64),
        counters_j=np.asarray(state.counters_j, dtype=np.int64).copy(),
        bucket_base_j=np.asarray(state.bucket_base_j, dtype=np.int64).copy(),
        bucket_start_s=np.zeros(n_rows, dtype=np.int64),
        bucket_wh=np.zeros((n_rows, N_CELLS), dtype=np.int64))


def _chargers(spec: SiteSpec, state: SiteState, table: _I64) -> Chargers:
    """The site's Wall Connectors and the sessions of ``table`` (_session_table; its rows
    are shared, so the kernel's progress lands in it)."""
    n_wc = len(spec.wall_connectors)
    served_w = np.zeros(n_wc, dtype=np.int64)
    if len(state.wall_connector_w) == n_wc:
        served_w[:] = state.wall_connector_w
    groups, limits = _groups(spec)
    return Chargers(
        max_w=np.array([w.max_power_w for w in spec.wall_connectors], dtype=np.int64),
        group=np.array(groups, dtype=np.int64),
        group_limit_w=np.array(limits, dtype=np.int64),
        target_j=table[0], session_max_w=table[1], delivered_j=table[2],
        first_power_s=table[3], last_power_s=table[4],
        demand_w=np.zeros(n_wc, dtype=np.int64), served_w=served_w)


def _state_after(spec: SiteSpec, controls: SiteControls, state: SiteState, segs: Segments,
                 inputs: StepInputs, prm: npt.NDArray[np.float64],
                 ctl: npt.NDArray[np.float64], t1: int, island_start: int | None,
                 run: RunState, ledger: Ledger, chargers: Chargers,
                 sessions: tuple[ChargeSession, ...]) -> SiteState:
    """The SiteState at t1 from the kernel's results."""
    cond = segs.conditions[-1]
    active = tuple(s for s in sessions if s.unplugged_s is None)
    wc_w = [int(x) for x in chargers.served_w]
    waiting = [w[2] for w in cond.wc]
    wc_states = connector_states([w[1] for w in cond.wc],
                                 [int(q) for q in segs.wc[-1, :, SEG_SESSION]], waiting, wc_w)
    storm = (cond.storm_event and controls.storm_mode_enabled and spec.storm_capable
             and spec.has_battery)
    flags = ledger.latches
    o = ledger.powers
    decision = run.decision
    return replace(
        state, t_s=t1, energy_wh=float(run.energy_wh),
        counters_j=tuple(int(x) for x in ledger.counters_j),
        bucket_base_j=tuple(int(x) for x in ledger.bucket_base_j),
        solar_w=int(o[O_SOLAR]), battery_w=int(o[O_BATTERY]), grid_w=int(o[O_GRID]),
        generator_w=int(o[O_GENERATOR]), load_w=int(o[O_LOAD]),
        wall_connector_w=tuple(wc_w), wall_connector_state=wc_states,
        islanded=cond.islanded, island_intentional=cond.intentional,
        island_start_s=island_start,
        dark=bool(flags[F_DARK]), generator_on=bool(flags[F_GEN_ON]),
        storm_active=storm, topup_active=bool(flags[F_TOPUP]),
        ev_reserve_hold=bool(flags[F_EV_HOLD]),
        controller_state=_controller_state(controls, cond.grid_down, cond.islanded,
                                           bool(flags[F_DARK]), storm,
                                           bool(flags[F_TOPUP]), inputs, t1, spec.step_s),
        unserved_j=int(run.unserved_j), unserved_wh=int(run.unserved_j) / 3600.0,
        unserved_w=int(o[O_UNSERVED]), sessions=active, grid_down=cond.grid_down,
        decided_s=int(decision.decided_s), hold_until_s=int(decision.hold_s),
        decided_energy_wh=float(decision.start_wh), planned_energy_wh=float(decision.end_wh),
        demand_month=int(run.demand.month), demand_peak_w=int(run.demand.peak_w),
        decision_key=decision_key(prm, ctl, cond, inputs, t1, spec.step_s))


def _groups(spec: SiteSpec) -> tuple[list[int], list[int]]:
    """Group index per connector (-1 none) and each group's limit [W]."""
    names: list[str] = []
    limits: list[int] = []
    index = []
    for wc in spec.wall_connectors:
        if wc.group is None:
            index.append(-1)
            continue
        if wc.group not in names:
            names.append(wc.group)
            limits.append(_BIG_W if wc.group_limit_w is None else wc.group_limit_w)
        elif wc.group_limit_w is not None:
            i = names.index(wc.group)
            limits[i] = min(limits[i], wc.group_limit_w)
        index.append(names.index(wc.group))
    return index, limits


def _session_table(sessions: Sequence[ChargeSession]) -> _I64:
    """(5, Q): target [J], max power [W], delivered [J], first / last power [s] (-1 none)."""
    table = np.full((5, len(sessions)), -1, dtype=np.int64)
    for q, s in enumerate(sessions):
        cap = s.vehicle_max_w if s.max_power_w is None else min(s.max_power_w, s.vehicle_max_w)
        table[:, q] = (s.target_wh * 3600, cap, s.delivered_j,
                       -1 if s.first_power_s is None else s.first_power_s,
                       -1 if s.last_power_s is None else s.last_power_s)
    return table


def _sessions_out(sessions: Sequence[ChargeSession], table: _I64
                  ) -> tuple[ChargeSession, ...]:
    return tuple(
        replace(s, delivered_j=int(table[2, q]),
                first_power_s=None if table[3, q] < 0 else int(table[3, q]),
                last_power_s=None if table[4, q] < 0 else int(table[4, q]))
        for q, s in enumerate(sessions))


def _controller_state(controls: SiteControls, grid_down: bool, islanded: bool, dark: bool,
                      storm: bool, topup: bool, inputs: StepInputs, t_s: int,
                      step_s: int) -> str:
    if islanded:
        return "dark" if dark else "islanded"
    if grid_down:
        return "grid_down"
    if storm:
        return "storm"
    if topup and OperationMode(controls.mode) is not OperationMode.BACKUP:
        return "topup"
    cls = int(inputs.auto_i[0, t_s // step_s - inputs.k0])
    optimised = int(inputs.auto_i[2, t_s // step_s - inputs.k0]) >= 0
    if OperationMode(controls.mode) is OperationMode.AUTONOMOUS and optimised:
        return "optimiser"
    if OperationMode(controls.mode) is OperationMode.AUTONOMOUS and cls in _CLASS_NAMES:
        return _CLASS_NAMES[cls]
    return "normal"
