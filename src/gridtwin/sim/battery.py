"""Battery energy model (site-behavior §3): app scale, taper, bound-exact power sizing.

Raw stored energy E [Wh] lives in [0, T]. Charging at AC power P for dt adds
``eta * P * dt / 3600``; discharging removes ``P * dt / (3600 * eta)``. Kernels take the
site's ``params`` tuple (:mod:`gridtwin.sim.params`), whose precomputed reciprocals keep
divisions off the per-step dependency chain.
"""

from __future__ import annotations

import math

from gridtwin.sim.jit import kernel
from gridtwin.sim.params import (
    Params,
)

__all__ = [
    "app_pct",
    "charge_limit_w",
    "discharge_limit_w",
    "energy_at_app_pct",
    "energy_between",
    "energy_rate_wh_per_s",
    "settle_energy_wh",
    "tapered_charge_w",
]

BUFFER_FRACTION = 0.05  # hidden bottom of the pack (app 0 % = raw 5 %)
APP_PER_RAW = 1.0 / 0.95
TAPER_START_PCT = 95.0
TAPER_MIN_FACTOR = 0.2
_BIG_W = 1.0e12  # bound-sizing results are capped here before the int conversion


@kernel
def app_pct(energy_wh: float, prm: Params) -> float:
    """App-scale state of charge ``max(0, (100 E/T - 5) / 0.95)`` [%]; 0 without a pack."""
    return max(0.0, (100.0 * energy_wh * prm.inv_pack_per_wh - 5.0) * APP_PER_RAW)


@kernel
def energy_at_app_pct(pct: float, prm: Params) -> float:
    """Raw energy of an app percentage: ``T (0.05 + 0.0095 pct)`` [Wh]."""
    return prm.pack_wh * (BUFFER_FRACTION + 0.0095 * pct)


@kernel
def tapered_charge_w(charge_w: float, app: float) -> float:
    """Pc after the taper above app 95 %: x max(0.2, (100 - app)/5) [W], floored."""
    if app <= TAPER_START_PCT:
        return charge_w
    return math.floor(charge_w * max(TAPER_MIN_FACTOR, (100.0 - app) * 0.2))


@kernel
def charge_limit_w(energy_wh: float, ceiling_wh: float, inv_dt: float, prm: Params) -> float:
    """Largest integer charge power [W] that keeps E <= ceiling_wh over 1/inv_dt seconds."""
    if energy_wh >= ceiling_wh:
        return 0.0
    return math.floor(min(_BIG_W, (ceiling_wh - energy_wh) * inv_dt * prm.charge_ws_per_wh))


@kernel
def discharge_limit_w(energy_wh: float, floor_wh: float, inv_dt: float, prm: Params) -> float:
    """Largest integer discharge power [W] that keeps E >= floor_wh over 1/inv_dt seconds."""
    if energy_wh <= floor_wh:
        return 0.0
    return math.floor(min(_BIG_W, (energy_wh - floor_wh) * inv_dt * prm.discharge_ws_per_wh))


@kernel
def energy_rate_wh_per_s(battery_w: float, prm: Params) -> float:
    """dE/dt of the pack for AC battery power B (+ discharging) [Wh/s]."""
    if battery_w < 0:
        return -battery_w * prm.charge_wh_per_w_s
    return -battery_w * prm.discharge_wh_per_w_s


@kernel
def _snap(energy_wh: float, end_wh: float, bound_wh: float, one_watt_wh: float) -> float:
    """``bound_wh`` if the move from energy_wh to end_wh stops within one watt of it."""
    if energy_wh < bound_wh and bound_wh - one_watt_wh < end_wh <= bound_wh + 1e-9:
        return bound_wh
    if energy_wh > bound_wh and bound_wh - 1e-9 <= end_wh < bound_wh + one_watt_wh:
        return bound_wh
    return end_wh


@kernel
def settle_energy_wh(energy_wh: float, battery_w: float, dt_s: float, prm: Params,
                     b1: float, b2: float, b3: float) -> float:
    """E at the end of an interval of dt_s at battery_w [Wh].

    Powers are sized to land on a bound (§3.2) with integer watts, rounding toward not
    crossing; an end energy within one watt-interval of a bound (app 0 %, 100 %, or the
    decision's floors/targets b1..b3) is set exactly on it so bounds are reached exactly.
    """
    if battery_w == 0:
        return energy_wh
    pack = prm.pack_wh
    end = energy_wh + energy_rate_wh_per_s(battery_w, prm) * dt_s
    one_watt = dt_s * (prm.charge_wh_per_w_s if battery_w < 0 else prm.discharge_wh_per_w_s)
    end = _snap(energy_wh, end, pack, one_watt)
    end = _snap(energy_wh, end, BUFFER_FRACTION * pack, one_watt)
    end = _snap(energy_wh, end, b1, one_watt)
    end = _snap(energy_wh, end, b2, one_watt)
    end = _snap(energy_wh, end, b3, one_watt)
    return min(pack, max(0.0, end))


@kernel
def energy_between(start_wh: float, end_wh: float, battery_w: float, prm: Params,
                   elapsed_s: float) -> float:
    """E part-way through an interval that goes from start_wh to end_wh [Wh]."""
    e = start_wh + energy_rate_wh_per_s(battery_w, prm) * elapsed_s
    return min(max(e, min(start_wh, end_wh)), max(start_wh, end_wh))
