"""On-grid dispatch: operating modes, reserve top-up, Storm Watch, export rule and limits.

site-behavior §4–§6. One decision for an interval of ``dt_s`` seconds. The mode gives a
*policy* (discharge floor, grid-charge rate and target, whether solar goes to the battery
or to the grid first, forced battery export); one solver applies it, then the export rule
and the site meter limits. Results go to ``out`` (params.O_*); the balance is
``load = solar + battery + grid`` with grid the remainder, so it holds by construction.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from gridtwin.sim.battery import (
    app_pct,
    charge_limit_w,
    discharge_limit_w,
    energy_at_app_pct,
    tapered_charge_w,
)
from gridtwin.sim.jit import inlined_kernel, kernel
from gridtwin.sim.kernel_io import Interval
from gridtwin.sim.params import (
    CHARGE_W_BACKUP_PER_PW,
    CHARGE_W_OFF_PEAK_PER_PW,
    CHARGE_W_TOPUP_PER_PW,
    CLASS_MID,
    CLASS_NONE,
    CLASS_OFF_PEAK,
    EXPORT_BATTERY_OK,
    EXPORT_NEVER,
    F_TOPUP,
    MODE_AUTONOMOUS,
    MODE_BACKUP,
    O_BATTERY,
    O_GENERATOR,
    O_GRID,
    O_LOAD,
    O_SOLAR,
    O_UNSERVED,
    Controls,
    Params,
)
from gridtwin.sim.tbc import (
    BALANCED_GRID_CHARGE_PENALTY,
    PlanSettings,
    PlanTables,
    step_battery_w,
)

__all__ = ["Bounds", "on_grid"]

_NO_BOUND = -1.0


@kernel
def _peak_target_pct(reserve: float, need_j: float, eta: float, pack_wh: float) -> float:
    """t% = min(100, r + 100 N / (0.95 eta T)) with N the peak need [J -> Wh] (§5.3)."""
    return min(100.0, reserve + 100.0 * (need_j / 3600.0) / (0.95 * eta * pack_wh))


@kernel
def _off_peak_goal_pct(ctl: Controls, t_pct: float, surplus_j: float,
                       eta: float, pack_wh: float) -> float:
    """Grid-charge goal off peak: t% (economics) or t% less expected solar (balanced)."""
    if ctl.strategy == 0:
        return t_pct
    solar_pct = 100.0 * eta * (surplus_j / 3600.0) / (0.95 * pack_wh)
    return max(ctl.reserve_pct, t_pct - solar_pct)


class Bounds(NamedTuple):
    """The stored energies [Wh] an on-grid battery power was sized to land on exactly
    (battery.settle_energy_wh snaps to them); -1: unused."""

    floor_wh: float  # discharge floor (reserve, mode floor or forced-export floor)
    target_wh: float  # grid-charge target
    reserve_wh: float  # reserve the §4 top-up charges to


class Planned(NamedTuple):
    """The optimiser's battery power after the §5.3 clips, and the floor it respects."""

    battery_w: float  # + discharging [W]
    floor_wh: float  # the reserve's stored energy [Wh]


class Policy(NamedTuple):
    """What a mode asks of the battery for one interval.

    floor_pct: discharge floor, app % (-1: no discharge); grid_rate_w: grid-fed charge
    rate [W] (0: none); grid_target_pct: app % that grid charging stops at; solar_first:
    surplus solar charges the battery before it is exported; force_export: discharge
    at full power to the grid (§5.3 peak with battery_ok).
    """

    floor_pct: float
    grid_rate_w: float
    grid_target_pct: float
    solar_first: bool
    force_export: bool


@kernel
def _policy(prm: Params, ctl: Controls, storm_active: bool, now: Interval) -> Policy:
    """The Policy of the current mode and conditions (§5.2, §5.3 reference, §5.5, §6)."""
    n = prm.powerwalls
    gc = ctl.grid_charging != 0
    reserve = ctl.reserve_pct
    if storm_active or ctl.mode == MODE_BACKUP:
        return Policy(-1.0, CHARGE_W_BACKUP_PER_PW * n if gc else 0.0, 100.0, True, False)
    if ctl.mode != MODE_AUTONOMOUS or now.price_class == CLASS_NONE:
        return Policy(reserve, 0.0, 0.0, True, False)
    t_pct = _peak_target_pct(reserve, now.need_j, prm.eta, prm.pack_wh)
    if now.price_class == CLASS_OFF_PEAK:
        goal = _off_peak_goal_pct(ctl, t_pct, now.surplus_j, prm.eta, prm.pack_wh)
        return Policy(-1.0, CHARGE_W_OFF_PEAK_PER_PW * n if gc else 0.0, goal, True, False)
    if now.price_class == CLASS_MID:
        return Policy(max(reserve, t_pct), 0.0, 0.0, True, False)
    rule = ctl.export_rule
    force = rule == EXPORT_BATTERY_OK and now.export_ok
    return Policy(reserve, 0.0, 0.0, rule == EXPORT_NEVER, force)


@inlined_kernel
def _update_topup(flags: npt.NDArray[np.int64], app: float, energy_wh: float,
                  reserve_wh: float, reserve: float) -> bool:
    """Latch the §4 top-up below r - 1 and release it once r is reached."""
    if app < reserve - 1.0:
        flags[F_TOPUP] = 1
    elif energy_wh >= reserve_wh - 1e-9:
        flags[F_TOPUP] = 0
    return bool(flags[F_TOPUP] != 0)


@kernel
def _grid_fed_charge_w(rate_w: float, target_wh: float, energy_wh: float, inv_dt: float,
                       prm: Params, charge_w: float, surplus_w: float, grid_cap_w: float
                       ) -> float:
    """Charge power [W] toward target_wh at up to rate_w, grid part within grid_cap_w."""
    room = min(charge_w, charge_limit_w(energy_wh, target_wh, inv_dt, prm))
    return max(0.0, min(rate_w, room, surplus_w + grid_cap_w))


@kernel
def _plan_settings(prm: Params, ctl: Controls) -> PlanSettings:
    """The optimiser's view of the site and its controls (see gridtwin.sim.tbc)."""
    gc = ctl.grid_charging != 0
    balanced = ctl.strategy != 0
    export = ctl.export_rule == EXPORT_BATTERY_OK and not balanced
    return PlanSettings(prm.eta, prm.charge_w, prm.discharge_w,
                        min(prm.charge_w, prm.grid_charge_cap_w) if gc else 0.0,
                        1.0 if export else 0.0,
                        BALANCED_GRID_CHARGE_PENALTY if balanced else 0.0)


@inlined_kernel
def _planned_w(inv_dt: float, dt_s: int, t_s: int, energy_wh: float, prm: Params,
               ctl: Controls, plan: PlanTables, row: int, net: float, room_w: float,
               peak_w: float) -> Planned:
    """The optimiser's choice for this interval clipped to the §5.3 invariants: not below the reserve, battery energy to the grid
    only with battery_ok (never in balanced), grid-fed charging only when allowed."""
    s = _plan_settings(prm, ctl)
    battery = float(round(step_battery_w(plan, row, energy_wh, t_s, dt_s, net, s, peak_w)))
    reserve_wh = energy_at_app_pct(ctl.reserve_pct, prm)
    hi = min(prm.discharge_w, discharge_limit_w(energy_wh, reserve_wh, inv_dt, prm))
    if s.battery_export == 0:
        hi = min(hi, max(0.0, net))
    lo = -min(room_w, max(0.0, -net) + s.grid_charge_w)
    return Planned(min(max(battery, lo), hi), reserve_wh)


@inlined_kernel
def on_grid(inv_dt: float, energy_wh: float, prm: Params,
            ctl: Controls, now: Interval, load_w: int, storm_active: bool,
            plan: PlanTables, t_s: int,
            flags: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
            ) -> Bounds:
    """Decide S, B, R for an on-grid interval; return the energies the battery power was
    sized against (for exact landing).

    now: the interval's solar and planning inputs (now.plan_row -1: no plan, the
    reference policy or self-consumption applies); load_w: home plus served Wall
    Connectors [W]; storm_active: Storm Watch is acting; t_s: the interval's start [Unix s].
    """
    app = app_pct(energy_wh, prm)
    optimised = now.plan_row >= 0 and ctl.mode == MODE_AUTONOMOUS and not storm_active
    # the optimiser replaces the mode's policy (its choice is made in _planned_w)
    policy = (Policy(ctl.reserve_pct, 0.0, 0.0, True, False) if optimised
              else _policy(prm, ctl, storm_active, now))
    floor_pct = policy.floor_pct
    rate_w = policy.grid_rate_w
    target_pct = policy.grid_target_pct
    solar_first = policy.solar_first
    force = policy.force_export
    reserve = 100.0 if ctl.mode == MODE_BACKUP else ctl.reserve_pct
    reserve_wh = energy_at_app_pct(reserve, prm)
    topup = _update_topup(flags, app, energy_wh, reserve_wh, reserve)
    charge_w = tapered_charge_w(prm.charge_w, app)
    room_w = min(charge_w, charge_limit_w(energy_wh, prm.pack_wh, inv_dt, prm))
    floor_wh = energy_at_app_pct(floor_pct, prm) if floor_pct >= 0 else _NO_BOUND
    cap_d = 0.0
    if floor_pct >= 0:
        cap_d = min(prm.discharge_w, discharge_limit_w(energy_wh, floor_wh, inv_dt, prm))
    net = float(load_w - now.solar_w)
    surplus = max(0.0, -net)
    battery = min(net, cap_d) if net > 0 else (-min(surplus, room_w) if solar_first else 0.0)
    target_wh = _NO_BOUND
    grid_cap = prm.grid_charge_cap_w
    if optimised:
        planned = _planned_w(inv_dt, round(1.0 / inv_dt), t_s, energy_wh, prm, ctl, plan,
                             now.plan_row, net, room_w, now.peak_w)
        battery, floor_wh = planned.battery_w, planned.floor_wh
        rate_w = 0.0
        force = False
    if rate_w > 0:
        target_wh = energy_at_app_pct(target_pct, prm)
        g = _grid_fed_charge_w(rate_w, target_wh, energy_wh, inv_dt, prm, charge_w, surplus,
                               grid_cap)
        battery = min(battery, -g) if g > 0 else battery
    if topup:
        grid_ok = ctl.grid_charging != 0 or ctl.topup_quirk != 0
        g = _grid_fed_charge_w(CHARGE_W_TOPUP_PER_PW * prm.powerwalls, reserve_wh, energy_wh,
                               inv_dt, prm, charge_w, surplus, grid_cap if grid_ok else 0.0)
        if g > 0 and -battery < g:
            battery = -g
    if force:
        reserve_floor = energy_at_app_pct(ctl.reserve_pct, prm)
        battery = max(battery, min(prm.discharge_w,
                                   discharge_limit_w(energy_wh, reserve_floor, inv_dt, prm)))
        floor_wh = reserve_floor
    solar = float(now.solar_w)
    solar, battery = _limit_export(prm, ctl, load_w, solar, battery, room_w)
    battery = _limit_import(inv_dt, energy_wh, prm, ctl, storm_active, load_w, solar, battery)
    _write(out, solar, battery, load_w)
    return Bounds(floor_wh, target_wh, reserve_wh if topup else _NO_BOUND)


@kernel
def _limit_export(prm: Params, ctl: Controls, load_w: int,
                  solar: float, battery: float, room_w: float) -> tuple[float, float]:
    """Export rule and export limit: cut forced discharge, then charge more, then curtail."""
    cap = 0.0 if ctl.export_rule == EXPORT_NEVER else prm.max_export_w
    excess = (solar + battery - load_w) - cap
    if excess <= 0:
        return solar, battery
    if battery > 0:
        cut = min(excess, battery)
        battery -= cut
        excess -= cut
    more = min(excess, max(0.0, room_w + min(battery, 0.0)))
    battery -= more
    excess -= more
    return solar - min(excess, solar), battery


@kernel
def _limit_import(inv_dt: float, energy_wh: float, prm: Params,
                  ctl: Controls, storm_active: bool, load_w: int,
                  solar: float, battery: float) -> float:
    """Import limit: drop grid-fed charging, then discharge down to the reserve (soft)."""
    excess = (load_w - solar - battery) - prm.max_import_w
    if excess <= 0:
        return battery
    if battery < 0:
        grid_fed = max(0.0, -battery - max(0.0, solar - load_w))
        cut = min(excess, grid_fed)
        battery += cut
        excess -= cut
    if excess <= 0 or storm_active or ctl.mode == MODE_BACKUP:
        return battery
    floor_wh = energy_at_app_pct(ctl.reserve_pct, prm)
    cap_d = min(prm.discharge_w, discharge_limit_w(energy_wh, floor_wh, inv_dt, prm))
    if battery < cap_d:
        battery += min(excess, cap_d - battery)
    return battery


@inlined_kernel
def _write(out: npt.NDArray[np.int64], solar: float, battery: float, load_w: int) -> None:
    s = np.int64(solar)
    b = np.int64(battery)
    out[O_SOLAR] = s
    out[O_BATTERY] = b
    out[O_GENERATOR] = 0
    out[O_LOAD] = load_w
    out[O_GRID] = load_w - s - b
    out[O_UNSERVED] = 0
