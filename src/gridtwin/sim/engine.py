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
from gridtwin.sim.ev import connector_states
from gridtwin.sim.inputs import StepInputs, decision_key, step_inputs
from gridtwin.sim.kernel import run_site
from gridtwin.sim.kernel_io import StepSeries
from gridtwin.sim.params import (
    F_DARK,
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
    """App-scale energy ``max(0, (E - 0.05 T) / 0.95)`` [Wh] (site-behavior §3.3)."""
    return max(0.0, (energy_wh - 0.05 * spec.total_pack_wh) / 0.95)


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
    run = _Run.pack(spec, state, segs, t1)
    n_rows = run_site(
        t0, t1, step, spec.installation_s, force, inputs.k0, _series(inputs), inputs.plan,
        segs.starts, segs.changed, segs.cond, segs.wc, run.wc_cfg,
        run.group_limit_w, run.sessions, prm, ctl, run.st_i, run.st_f,
        run.flags, run.out, run.wc_w, run.counters, run.base, run.bucket_starts, run.bucket_wh)
    island_start = next((s for s, e, _ in islanded_intervals(spec, events) if s <= t1 < e), None)
    new_state, sessions = run.unpack(spec, controls, state, segs, inputs, prm, ctl, t1,
                                     island_start)
    return AdvanceResult(new_state, run.bucket_starts[:n_rows].copy(),
                         run.bucket_wh[:n_rows].copy(),
                         backup_intervals(spec, events, t0, t1), sessions)


def _series(inputs: StepInputs) -> StepSeries:
    """The kernel's named view of the step inputs' rows (no copies)."""
    env, auto_f, auto_i = inputs.env, inputs.auto_f, inputs.auto_i
    return StepSeries(solar_w=env[0], home_w=env[1], price_class=auto_i[0],
                      need_j=auto_f[0], surplus_j=auto_f[1], export_ok=auto_i[1],
                      plan_row=auto_i[2], demand_code=auto_i[3])


class _Run:
    """The mutable arrays of one run_site call."""

    def __init__(self, **arrays: _I64 | npt.NDArray[np.float64]) -> None:
        self.__dict__.update(arrays)

    wc_cfg: _I64
    group_limit_w: _I64
    sessions: _I64
    st_i: _I64
    st_f: npt.NDArray[np.float64]
    flags: _I64
    out: _I64
    wc_w: _I64
    counters: _I64
    base: _I64
    bucket_starts: _I64
    bucket_wh: _I64

    @classmethod
    def pack(cls, spec: SiteSpec, state: SiteState, segs: Segments, t1: int) -> _Run:
        out = np.zeros(N_OUT, dtype=np.int64)
        out[[O_SOLAR, O_BATTERY, O_GRID, O_GENERATOR, O_LOAD, O_UNSERVED]] = (
            state.solar_w, state.battery_w, state.grid_w, state.generator_w, state.load_w,
            state.unserved_w)
        fill_cells(out[O_SOLAR], out[O_GENERATOR], out[O_BATTERY], out[O_GRID], out[O_LOAD],
                   out, O_CELLS)
        n_wc = len(spec.wall_connectors)
        wc_w = np.zeros(n_wc, dtype=np.int64)
        if len(state.wall_connector_w) == n_wc:
            wc_w[:] = state.wall_connector_w
        n_rows = (t1 - state.t_s) // 300 + 2
        groups, limits = _groups(spec)
        return cls(
            wc_cfg=np.array([[w.max_power_w for w in spec.wall_connectors], groups],
                            dtype=np.int64).reshape(2, n_wc),
            group_limit_w=np.asarray(limits, dtype=np.int64),
            sessions=_session_table(segs.sessions),
            st_i=np.array([state.decided_s, state.hold_until_s, state.unserved_j,
                           state.demand_month, state.demand_peak_w], dtype=np.int64),
            st_f=np.array([state.energy_wh, state.decided_energy_wh, state.planned_energy_wh]),
            flags=np.array([state.dark, state.generator_on, state.topup_active], dtype=np.int64),
            out=out, wc_w=wc_w,
            counters=np.asarray(state.counters_j, dtype=np.int64).copy(),
            base=np.asarray(state.bucket_base_j, dtype=np.int64).copy(),
            bucket_starts=np.zeros(n_rows, dtype=np.int64),
            bucket_wh=np.zeros((n_rows, N_CELLS), dtype=np.int64))

    def unpack(self, spec: SiteSpec, controls: SiteControls, state: SiteState, segs: Segments,
               inputs: StepInputs, prm: npt.NDArray[np.float64],
               ctl: npt.NDArray[np.float64], t1: int, island_start: int | None
               ) -> tuple[SiteState, tuple[ChargeSession, ...]]:
        cond = segs.conditions[-1]
        sessions = _sessions_out(segs.sessions, self.sessions)
        active = tuple(s for s in sessions if s.unplugged_s is None)
        wc_w = [int(x) for x in self.wc_w]
        waiting = [w[2] for w in cond.wc]
        wc_states = connector_states([w[1] for w in cond.wc],
                                     [int(q) for q in segs.wc[-1, :, 0]], waiting, wc_w)
        storm = (cond.storm_event and controls.storm_mode_enabled and spec.storm_capable
                 and spec.has_battery)
        flags = self.flags
        o = self.out
        new = replace(
            state, t_s=t1, energy_wh=float(self.st_f[0]),
            counters_j=tuple(int(x) for x in self.counters),
            bucket_base_j=tuple(int(x) for x in self.base),
            solar_w=int(o[O_SOLAR]), battery_w=int(o[O_BATTERY]), grid_w=int(o[O_GRID]),
            generator_w=int(o[O_GENERATOR]), load_w=int(o[O_LOAD]),
            wall_connector_w=tuple(wc_w), wall_connector_state=wc_states,
            islanded=cond.islanded, island_intentional=cond.intentional,
            island_start_s=island_start,
            dark=bool(flags[F_DARK]), generator_on=bool(flags[F_GEN_ON]),
            storm_active=storm, topup_active=bool(flags[F_TOPUP]),
            controller_state=_controller_state(controls, cond.grid_down, cond.islanded,
                                               bool(flags[F_DARK]), storm,
                                               bool(flags[F_TOPUP]), inputs, t1, spec.step_s),
            unserved_j=int(self.st_i[2]), unserved_wh=int(self.st_i[2]) / 3600.0,
            unserved_w=int(o[O_UNSERVED]), sessions=active, grid_down=cond.grid_down,
            decided_s=int(self.st_i[0]), hold_until_s=int(self.st_i[1]),
            decided_energy_wh=float(self.st_f[1]), planned_energy_wh=float(self.st_f[2]),
            demand_month=int(self.st_i[3]), demand_peak_w=int(self.st_i[4]),
            decision_key=decision_key(prm, ctl, cond, inputs, t1, spec.step_s))
        return new, sessions


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
