"""Islanded dispatch (site-behavior §7, §10.3): battery balances the site, generator,
off-grid EV reserve, load shedding and blackout.

The reserve, mode and Storm Watch are ignored; the floor is app 0 % (raw 5 %). Surplus
the battery cannot take is curtailed (solar first, then generator); a deficit beyond the
battery first reduces Wall Connectors, then sheds home load. At app 0 % with a home
deficit the site goes dark until app % reaches the restart threshold and the battery (or
the sun) can carry the home for a while.

Hysteresis, as real equipment has it: Wall Connectors held at the off-grid EV reserve
resume only EV_RESUME_MARGIN_PCT above it, and a dark home reconnects only when the
energy above the floor covers MIN_RECONNECT_S of its present deficit (or there is none),
so neither chatters around its threshold.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gridtwin.sim.battery import (
    BUFFER_FRACTION,
    app_pct,
    charge_limit_w,
    discharge_limit_w,
    tapered_charge_w,
)
from gridtwin.sim.ev import allocate_wc, total_demand_w
from gridtwin.sim.jit import kernel
from gridtwin.sim.params import (
    F_DARK,
    F_EV_HOLD,
    F_GEN_ON,
    O_BATTERY,
    O_GENERATOR,
    O_GRID,
    O_LOAD,
    O_SOLAR,
    O_UNSERVED,
    Controls,
    Params,
)

__all__ = ["EV_RESUME_MARGIN_PCT", "MIN_RECONNECT_S", "islanded", "without_backup"]

EV_RESUME_MARGIN_PCT = 5.0
"""Wall Connectors held at the off-grid EV reserve resume this far above it [app %]."""
MIN_RECONNECT_S = 3600.0
"""A dark home reconnects when the battery can carry its present deficit this long [s]."""


@kernel
def _update_generator(prm: Params, flags: npt.NDArray[np.int64],
                      app: float, deficit_w: float) -> bool:
    """§10.3 hysteresis: on at app <= start or deficit > Pd; off at app >= stop."""
    if prm.gen_present == 0:
        flags[F_GEN_ON] = 0
        return False
    was_on = flags[F_GEN_ON] != 0
    on = (app <= prm.gen_start_pct or deficit_w > prm.discharge_w
          or (was_on and app < prm.gen_stop_pct))
    flags[F_GEN_ON] = 1 if on else 0
    return on


@kernel
def _generator_w(prm: Params, on: bool, load_w: float, solar_w: float) -> float:
    """Generator output [W]: rated when it charges the battery, else the home deficit."""
    if not on:
        return 0.0
    if prm.gen_charges != 0:
        return prm.gen_rated_w
    return min(prm.gen_rated_w, max(0.0, load_w - solar_w))


@kernel
def _write(out: npt.NDArray[np.int64], solar: float, battery: float, gen: float,
           load: float, unserved: float) -> None:
    out[O_SOLAR] = np.int64(solar)
    out[O_BATTERY] = np.int64(battery)
    out[O_GENERATOR] = np.int64(gen)
    out[O_LOAD] = np.int64(load)
    out[O_GRID] = 0
    out[O_UNSERVED] = np.int64(unserved)


@kernel
def _dark(prm: Params, gen_on: bool, solar_w: float, room_w: float,
          home_w: float, wc_w: npt.NDArray[np.int64], out: npt.NDArray[np.int64]) -> None:
    """Blackout: no load; solar (and a charging generator) refill the battery."""
    gen = prm.gen_rated_w if gen_on and prm.gen_charges != 0 else 0.0
    charge = min(solar_w + gen, room_w)
    solar = min(solar_w, charge)
    gen = min(gen, charge - solar)
    wc_w[:] = 0
    _write(out, solar, -(solar + gen), gen, 0.0, home_w)


@kernel
def _ev_cap_w(prm: Params, ctl: Controls, flags: npt.NDArray[np.int64], app: float,
              gen_on: bool, solar_w: float, home_w: float, room_w: float, wants_w: float) -> float:
    """§7.3: at or below the EV reserve, WCs get only surplus left after home and battery,
    and they stay held until the charge is EV_RESUME_MARGIN_PCT above the reserve."""
    if prm.ev_reserve_supported == 0:
        flags[F_EV_HOLD] = 0
        return wants_w
    if app <= ctl.ev_reserve_pct:
        flags[F_EV_HOLD] = 1
    elif app >= ctl.ev_reserve_pct + EV_RESUME_MARGIN_PCT:
        flags[F_EV_HOLD] = 0
    if flags[F_EV_HOLD] == 0:
        return wants_w
    gen = prm.gen_rated_w if gen_on and prm.gen_charges != 0 else 0.0
    left = solar_w + gen - home_w
    return max(0.0, left - min(room_w, max(0.0, left)))


@kernel
def islanded(inv_dt: float, energy_wh: float, prm: Params,
             ctl: Controls, solar_w: int, home_w: int,
             demand_w: npt.NDArray[np.int64], wc_w: npt.NDArray[np.int64],
             flags: npt.NDArray[np.int64], out: npt.NDArray[np.int64]) -> float:
    """Decide one islanded interval; return the floor energy [Wh] used (raw 5 %)."""
    app = app_pct(energy_wh, prm)
    floor_wh = BUFFER_FRACTION * prm.pack_wh
    room = min(tapered_charge_w(prm.charge_w, app),
               charge_limit_w(energy_wh, prm.pack_wh, inv_dt, prm))
    cap_d = min(prm.discharge_w, discharge_limit_w(energy_wh, floor_wh, inv_dt, prm))
    solar = float(solar_w)
    home = float(home_w)
    wants = float(total_demand_w(demand_w))
    gen_on = _update_generator(prm, flags, app, home + wants - solar)
    home_deficit = home - solar - _generator_w(prm, gen_on, home, solar)
    if flags[F_DARK] != 0 and app >= prm.restart_pct and (
            home_deficit <= 0
            or (energy_wh - floor_wh) * prm.eta * 3600.0 >= home_deficit * MIN_RECONNECT_S):
        flags[F_DARK] = 0
    if flags[F_DARK] == 0 and cap_d <= 0 and home_deficit > 0:
        flags[F_DARK] = 1
    if flags[F_DARK] != 0:
        _dark(prm, gen_on, solar, room, home, wc_w, out)
        return floor_wh
    cap_wc = _ev_cap_w(prm, ctl, flags, app, gen_on, solar, home, room, wants)
    wc_total = float(allocate_wc(demand_w, int(cap_wc), wc_w))
    deficit = _settle(prm, gen_on, solar, home + wc_total, room, cap_d, out)
    if deficit > 0 and wc_total > 0:
        wc_total = float(allocate_wc(demand_w, int(wc_total - deficit), wc_w))
        deficit = _settle(prm, gen_on, solar, home + wc_total, room, cap_d, out)
    if deficit > 0:
        out[O_LOAD] -= np.int64(deficit)
        out[O_UNSERVED] = np.int64(deficit)
    return floor_wh


@kernel
def _settle(prm: Params, gen_on: bool, solar: float, load: float,
            room: float, cap_d: float, out: npt.NDArray[np.int64]) -> float:
    """Battery takes the net within [-room, cap_d]; curtail surplus; return unmet [W]."""
    gen = _generator_w(prm, gen_on, load, solar)
    net = load - solar - gen
    if net < -room:
        excess = -room - net
        cut = min(excess, solar)
        _write(out, solar - cut, -room, gen - (excess - cut), load, 0.0)
        return 0.0
    if net > cap_d:
        _write(out, solar, cap_d, gen, load, 0.0)
        return net - cap_d
    _write(out, solar, net, gen, load, 0.0)
    return 0.0


@kernel
def without_backup(wc_w: npt.NDArray[np.int64], out: npt.NDArray[np.int64]) -> None:
    """§7.6: a site that cannot island is dark during an outage (S = B = H = R = 0)."""
    wc_w[:] = 0
    _write(out, 0.0, 0.0, 0.0, 0.0, 0.0)
