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
from gridtwin.sim.jit import borrowing_kernel, kernel
from gridtwin.sim.params import (
    C_EXPORT_RULE,
    C_GRID_CHARGING,
    C_MODE,
    C_RESERVE_PCT,
    C_STRATEGY,
    C_TOPUP_QUIRK,
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
    P_CHARGE_W,
    P_DISCHARGE_W,
    P_ETA,
    P_GRID_CHARGE_CAP_W,
    P_MAX_EXPORT_W,
    P_MAX_IMPORT_W,
    P_PACK_WH,
    P_POWERWALLS,
    Controls,
    Params,
)
from gridtwin.sim.tbc import (
    BALANCED_GRID_CHARGE_PENALTY,
    PlanSettings,
    PlanTables,
    step_battery_w,
)

__all__ = ["on_grid"]

_NO_BOUND = -1.0


@kernel
def _peak_target_pct(reserve: float, need_j: float, eta: float, pack_wh: float) -> float:
    """t% = min(100, r + 100 N / (0.95 eta T)) with N the peak need [J -> Wh] (§5.3)."""
    return min(100.0, reserve + 100.0 * (need_j / 3600.0) / (0.95 * eta * pack_wh))


@kernel
def _off_peak_goal_pct(ctl: Controls, t_pct: float, surplus_j: float,
                       eta: float, pack_wh: float) -> float:
    """Grid-charge goal off peak: t% (economics) or t% less expected solar (balanced)."""
    if ctl[C_STRATEGY] == 0:
        return t_pct
    solar_pct = 100.0 * eta * (surplus_j / 3600.0) / (0.95 * pack_wh)
    return max(ctl[C_RESERVE_PCT], t_pct - solar_pct)


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
def _policy(prm: Params, ctl: Controls, storm_active: bool,
            auto_cls: int, need_j: float, surplus_j: float, export_ok: bool) -> Policy:
    """The Policy of the current mode and conditions (§5.2, §5.3 reference, §5.5, §6)."""
    n = prm[P_POWERWALLS]
    gc = ctl[C_GRID_CHARGING] != 0
    reserve = ctl[C_RESERVE_PCT]
    if storm_active or ctl[C_MODE] == MODE_BACKUP:
        return Policy(-1.0, CHARGE_W_BACKUP_PER_PW * n if gc else 0.0, 100.0, True, False)
    if ctl[C_MODE] != MODE_AUTONOMOUS or auto_cls == CLASS_NONE:
        return Policy(reserve, 0.0, 0.0, True, False)
    t_pct = _peak_target_pct(reserve, need_j, prm[P_ETA], prm[P_PACK_WH])
    if auto_cls == CLASS_OFF_PEAK:
        goal = _off_peak_goal_pct(ctl, t_pct, surplus_j, prm[P_ETA], prm[P_PACK_WH])
        return Policy(-1.0, CHARGE_W_OFF_PEAK_PER_PW * n if gc else 0.0, goal, True, False)
    if auto_cls == CLASS_MID:
        return Policy(max(reserve, t_pct), 0.0, 0.0, True, False)
    rule = ctl[C_EXPORT_RULE]
    force = rule == EXPORT_BATTERY_OK and export_ok
    return Policy(reserve, 0.0, 0.0, rule == EXPORT_NEVER, force)


@kernel
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
    gc = ctl[C_GRID_CHARGING] != 0
    balanced = ctl[C_STRATEGY] != 0
    export = ctl[C_EXPORT_RULE] == EXPORT_BATTERY_OK and not balanced
    return PlanSettings(prm[P_ETA], prm[P_CHARGE_W], prm[P_DISCHARGE_W],
                        min(prm[P_CHARGE_W], prm[P_GRID_CHARGE_CAP_W]) if gc else 0.0,
                        1.0 if export else 0.0,
                        BALANCED_GRID_CHARGE_PENALTY if balanced else 0.0)


@borrowing_kernel
def _planned_w(inv_dt: float, dt_s: int, t_s: int, energy_wh: float, prm: Params,
               ctl: Controls, plan: PlanTables, row: int, net: float, room_w: float,
               peak_w: float) -> tuple[float, float]:
    """(battery power [W], reserve energy [Wh]): the optimiser's choice for this interval
    clipped to the §5.3 invariants: not below the reserve, battery energy to the grid
    only with battery_ok (never in balanced), grid-fed charging only when allowed."""
    s = _plan_settings(prm, ctl)
    battery = float(round(step_battery_w(plan, row, energy_wh, t_s, dt_s, net, s, peak_w)))
    reserve_wh = energy_at_app_pct(ctl[C_RESERVE_PCT], prm)
    hi = min(prm[P_DISCHARGE_W], discharge_limit_w(energy_wh, reserve_wh, inv_dt, prm))
    if s.battery_export == 0:
        hi = min(hi, max(0.0, net))
    lo = -min(room_w, max(0.0, -net) + s.grid_charge_w)
    return min(max(battery, lo), hi), reserve_wh


@kernel
def on_grid(inv_dt: float, energy_wh: float, prm: Params,
            ctl: Controls, solar_w: int, load_w: int, storm_active: bool,
            auto_cls: int, need_j: float, surplus_j: float, export_ok: bool,
            plan: PlanTables, row: int, t_s: int, peak_w: float,
            flags: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
            ) -> tuple[float, float, float]:
    """Decide S, B, R for an on-grid interval; return the (floor, target, reserve)
    energies [Wh] the battery power was sized against (for exact landing), -1 unused.

    row: the optimiser's stage row for this interval (-1: no plan, the reference policy
    or self-consumption applies); t_s: the interval's start [Unix s]; peak_w: the month's
    running peak import over demand-priced steps [W] (0: none yet or no demand charges).
    """
    app = app_pct(energy_wh, prm)
    optimised = row >= 0 and ctl[C_MODE] == MODE_AUTONOMOUS and not storm_active
    # the optimiser replaces the mode's policy (its choice is made in _planned_w)
    policy = (Policy(ctl[C_RESERVE_PCT], 0.0, 0.0, True, False) if optimised
              else _policy(prm, ctl, storm_active, auto_cls, need_j, surplus_j, export_ok))
    floor_pct = policy.floor_pct
    rate_w = policy.grid_rate_w
    target_pct = policy.grid_target_pct
    solar_first = policy.solar_first
    force = policy.force_export
    reserve = 100.0 if ctl[C_MODE] == MODE_BACKUP else ctl[C_RESERVE_PCT]
    reserve_wh = energy_at_app_pct(reserve, prm)
    topup = _update_topup(flags, app, energy_wh, reserve_wh, reserve)
    charge_w = tapered_charge_w(prm[P_CHARGE_W], app)
    room_w = min(charge_w, charge_limit_w(energy_wh, prm[P_PACK_WH], inv_dt, prm))
    floor_wh = energy_at_app_pct(floor_pct, prm) if floor_pct >= 0 else _NO_BOUND
    cap_d = 0.0
    if floor_pct >= 0:
        cap_d = min(prm[P_DISCHARGE_W], discharge_limit_w(energy_wh, floor_wh, inv_dt, prm))
    net = float(load_w - solar_w)
    surplus = max(0.0, -net)
    battery = min(net, cap_d) if net > 0 else (-min(surplus, room_w) if solar_first else 0.0)
    target_wh = _NO_BOUND
    grid_cap = prm[P_GRID_CHARGE_CAP_W]
    if optimised:
        battery, floor_wh = _planned_w(inv_dt, round(1.0 / inv_dt), t_s, energy_wh,
                                       prm, ctl, plan, row, net, room_w, peak_w)
        rate_w = 0.0
        force = False
    if rate_w > 0:
        target_wh = energy_at_app_pct(target_pct, prm)
        g = _grid_fed_charge_w(rate_w, target_wh, energy_wh, inv_dt, prm, charge_w, surplus,
                               grid_cap)
        battery = min(battery, -g) if g > 0 else battery
    if topup:
        grid_ok = ctl[C_GRID_CHARGING] != 0 or ctl[C_TOPUP_QUIRK] != 0
        g = _grid_fed_charge_w(CHARGE_W_TOPUP_PER_PW * prm[P_POWERWALLS], reserve_wh, energy_wh,
                               inv_dt, prm, charge_w, surplus, grid_cap if grid_ok else 0.0)
        if g > 0 and -battery < g:
            battery = -g
    if force:
        reserve_floor = energy_at_app_pct(ctl[C_RESERVE_PCT], prm)
        battery = max(battery, min(prm[P_DISCHARGE_W],
                                   discharge_limit_w(energy_wh, reserve_floor, inv_dt, prm)))
        floor_wh = reserve_floor
    solar = float(solar_w)
    solar, battery = _limit_export(prm, ctl, load_w, solar, battery, room_w)
    battery = _limit_import(inv_dt, energy_wh, prm, ctl, storm_active, load_w, solar, battery)
    _write(out, solar, battery, load_w)
    return floor_wh, target_wh, reserve_wh if topup else _NO_BOUND


@kernel
def _limit_export(prm: Params, ctl: Controls, load_w: int,
                  solar: float, battery: float, room_w: float) -> tuple[float, float]:
    """Export rule and export limit: cut forced discharge, then charge more, then curtail."""
    cap = 0.0 if ctl[C_EXPORT_RULE] == EXPORT_NEVER else prm[P_MAX_EXPORT_W]
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
    excess = (load_w - solar - battery) - prm[P_MAX_IMPORT_W]
    if excess <= 0:
        return battery
    if battery < 0:
        grid_fed = max(0.0, -battery - max(0.0, solar - load_w))
        cut = min(excess, grid_fed)
        battery += cut
        excess -= cut
    if excess <= 0 or storm_active or ctl[C_MODE] == MODE_BACKUP:
        return battery
    floor_wh = energy_at_app_pct(ctl[C_RESERVE_PCT], prm)
    cap_d = min(prm[P_DISCHARGE_W], discharge_limit_w(energy_wh, floor_wh, inv_dt, prm))
    if battery < cap_d:
        battery += min(excess, cap_d - battery)
    return battery


@kernel
def _write(out: npt.NDArray[np.int64], solar: float, battery: float, load_w: int) -> None:
    s = np.int64(solar)
    b = np.int64(battery)
    out[O_SOLAR] = s
    out[O_BATTERY] = b
    out[O_GENERATOR] = 0
    out[O_LOAD] = load_w
    out[O_GRID] = load_w - s - b
    out[O_UNSERVED] = 0
