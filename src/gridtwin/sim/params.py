"""Flat numeric layouts shared by the numba kernels, and packing from domain objects.

The kernels take plain arrays so that one compiled implementation serves a single site
(:mod:`gridtwin.sim.engine`) and many sites at once (:mod:`gridtwin.sim.batch`).
Index constants below are module globals, which numba freezes as compile-time constants.
Kernels read a site's row as the named tuples :class:`Params` / :class:`Controls`
(:func:`params_tuple` / :func:`controls_tuple`), whose fields follow the same order.

``params`` (float64, one row per site): fixed site physics.
``controls`` (float64, one row per site): command-writable settings and active quirks.
``flags`` (int64): controller latches carried between decisions.
``out`` (int64): one decision's powers [W] and origin→destination flows [W].
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.jit import kernel

__all__ = [
    "CHARGE_W_BACKUP_PER_PW",
    "CHARGE_W_OFF_PEAK_PER_PW",
    "CHARGE_W_TOPUP_PER_PW",
    "EXPORT_BATTERY_OK",
    "EXPORT_NEVER",
    "EXPORT_PV_ONLY",
    "MODE_AUTONOMOUS",
    "MODE_BACKUP",
    "MODE_SELF",
    "Controls",
    "Params",
    "controls_tuple",
    "pack_controls",
    "pack_params",
    "params_tuple",
]

# --- params ---------------------------------------------------------------------------
P_PACK_WH = 0  # T, total pack energy [Wh]
P_ETA = 1  # one-way efficiency sqrt(round trip) [-]
P_ROUND_TRIP = 2  # [-]
P_CHARGE_W = 3  # Pc before taper [W]
P_DISCHARGE_W = 4  # Pd [W]
P_POWERWALLS = 5  # Powerwall units (expansions excluded) [-]
P_GRID_CHARGE_CAP_W = 6  # cap on the grid-fed part of charging [W]
P_HAS_BATTERY = 7
P_HAS_BACKUP = 8
P_EV_RESERVE_SUPPORTED = 9
P_STORM_CAPABLE = 10
P_MAX_IMPORT_W = 11
P_MAX_EXPORT_W = 12
P_RESTART_PCT = 13  # app % at which a dark site reconnects
P_GEN_PRESENT = 14
P_GEN_RATED_W = 15
P_GEN_START_PCT = 16
P_GEN_STOP_PCT = 17
P_GEN_CHARGES = 18
P_INV_PACK = 19  # 1/T [1/Wh] (0 without a battery)
P_CHARGE_RATE = 20  # eta/3600: dE/dt per watt charging [Wh/(W s)]
P_DISCHARGE_RATE = 21  # 1/(3600 eta): -dE/dt per watt discharging [Wh/(W s)]
P_CHARGE_WS_PER_WH = 22  # 3600/eta: watt-seconds of AC charge per stored Wh
P_DISCHARGE_WS_PER_WH = 23  # 3600 eta: watt-seconds of AC discharge per stored Wh
N_PARAMS = 24

# --- controls -------------------------------------------------------------------------
C_RESERVE_PCT = 0
C_MODE = 1
C_STORM_ENABLED = 2
C_EXPORT_RULE = 3
C_GRID_CHARGING = 4
C_EV_RESERVE_PCT = 5
C_STRATEGY = 6  # 0 economics, 1 balanced
C_TOPUP_QUIRK = 7  # reserve_topup_ignores_grid_charging_flag
N_CONTROLS = 8

MODE_SELF = 0
MODE_AUTONOMOUS = 1
MODE_BACKUP = 2
EXPORT_BATTERY_OK = 0
EXPORT_PV_ONLY = 1
EXPORT_NEVER = 2

# --- flags (controller latches) -------------------------------------------------------
F_DARK = 0
F_GEN_ON = 1
F_TOPUP = 2
F_EV_HOLD = 3  # Wall Connectors held at the off-grid EV reserve (until the margin above it)
N_FLAGS = 4

# --- out: one decision ----------------------------------------------------------------
O_SOLAR = 0
O_BATTERY = 1
O_GRID = 2
O_GENERATOR = 3
O_LOAD = 4
O_UNSERVED = 5  # home load shed [W]
O_CELLS = 6  # 10 flows in CELLS order follow
N_CELLS = 10
N_OUT = O_CELLS + N_CELLS

# --- autonomous classes ---------------------------------------------------------------
CLASS_NONE = 0  # no tariff or a flat day: behave as self_consumption
CLASS_OFF_PEAK = 1
CLASS_MID = 2
CLASS_PEAK = 3

CHARGE_W_TOPUP_PER_PW = 1_800
CHARGE_W_BACKUP_PER_PW = 3_300
CHARGE_W_OFF_PEAK_PER_PW = 5_000
WC_MIN_W = 1_440  # minimum Wall Connector charging power (6 A at 240 V) [W]
UNCAPPED_W = 1.0e12

_MODES = {OperationMode.SELF_CONSUMPTION: MODE_SELF, OperationMode.AUTONOMOUS: MODE_AUTONOMOUS,
          OperationMode.BACKUP: MODE_BACKUP}
_EXPORTS = {ExportRule.BATTERY_OK: EXPORT_BATTERY_OK, ExportRule.PV_ONLY: EXPORT_PV_ONLY,
            ExportRule.NEVER: EXPORT_NEVER}


def _grid_charge_cap_w(spec: SiteSpec) -> float:
    """Sum of per-unit grid-charge caps; units without a cap contribute their charge power [W]."""
    if not any(b.grid_charge_cap_w is not None for b in spec.batteries):
        return UNCAPPED_W
    return float(sum(
        (b.grid_charge_cap_w if b.grid_charge_cap_w is not None
         else (b.max_charge_w or b.spec.max_charge_w)) * b.count
        for b in spec.batteries if not b.spec.is_expansion))


def pack_params(spec: SiteSpec) -> npt.NDArray[np.float64]:
    """The ``params`` row of one site (layout above)."""
    p = np.zeros(N_PARAMS)
    has_battery = spec.has_battery and spec.total_pack_wh > 0
    p[P_PACK_WH] = spec.total_pack_wh if has_battery else 0.0
    p[P_ROUND_TRIP] = spec.round_trip
    p[P_ETA] = math.sqrt(spec.round_trip)
    p[P_CHARGE_W] = spec.max_charge_w if has_battery else 0
    p[P_DISCHARGE_W] = spec.max_discharge_w if has_battery else 0
    p[P_POWERWALLS] = spec.powerwall_count
    p[P_GRID_CHARGE_CAP_W] = _grid_charge_cap_w(spec)
    p[P_HAS_BATTERY] = has_battery
    p[P_INV_PACK] = 1.0 / p[P_PACK_WH] if has_battery else 0.0
    p[P_CHARGE_RATE] = p[P_ETA] / 3600.0
    p[P_DISCHARGE_RATE] = 1.0 / (3600.0 * p[P_ETA])
    p[P_CHARGE_WS_PER_WH] = 3600.0 / p[P_ETA]
    p[P_DISCHARGE_WS_PER_WH] = 3600.0 * p[P_ETA]
    p[P_HAS_BACKUP] = spec.has_backup and has_battery
    p[P_EV_RESERVE_SUPPORTED] = spec.ev_reserve_supported
    p[P_STORM_CAPABLE] = spec.storm_capable and has_battery
    p[P_MAX_IMPORT_W] = spec.max_import_w
    p[P_MAX_EXPORT_W] = spec.max_export_w
    p[P_RESTART_PCT] = spec.restart_pct
    gen = spec.generator
    if gen is not None:
        p[P_GEN_PRESENT] = 1
        p[P_GEN_RATED_W] = gen.rated_w
        p[P_GEN_START_PCT] = gen.start_pct
        p[P_GEN_STOP_PCT] = gen.stop_pct
        p[P_GEN_CHARGES] = gen.charges_battery
    return p


def pack_controls(controls: SiteControls, quirks: Iterable[Quirk] = ()) -> npt.NDArray[np.float64]:
    """The ``controls`` row of one site (layout above)."""
    c = np.zeros(N_CONTROLS)
    c[C_RESERVE_PCT] = controls.backup_reserve_pct
    c[C_MODE] = _MODES[OperationMode(controls.mode)]
    c[C_STORM_ENABLED] = controls.storm_mode_enabled
    c[C_EXPORT_RULE] = _EXPORTS[ExportRule(controls.export_rule)]
    c[C_GRID_CHARGING] = controls.grid_charging_allowed
    c[C_EV_RESERVE_PCT] = controls.ev_reserve_pct
    c[C_STRATEGY] = Strategy(controls.strategy) is Strategy.BALANCED
    c[C_TOPUP_QUIRK] = Quirk.RESERVE_TOPUP_IGNORES_GRID_CHARGING_FLAG in set(quirks)
    return c


class Params(NamedTuple):
    """A site's ``params`` row by name (a value tuple: no array views, no refcounting in
    hot loops). Flags are 0.0 / 1.0; every field is a float for numba."""

    pack_wh: float  # T, total pack energy [Wh] (0 without a battery)
    eta: float  # one-way efficiency sqrt(round trip) [-]
    round_trip: float  # [-]
    charge_w: float  # Pc, site charge limit before the taper [W]
    discharge_w: float  # Pd, site discharge limit [W]
    powerwalls: float  # Powerwall units, expansions excluded [-]
    grid_charge_cap_w: float  # cap on the grid-fed part of charging [W]
    has_battery: float  # 1: the site has a pack
    has_backup: float  # 1: the site islands in an outage
    ev_reserve_supported: float  # 1: the off-grid EV reserve applies
    storm_capable: float  # 1: Storm Watch can act
    max_import_w: float  # site meter import limit [W]
    max_export_w: float  # site meter export limit [W]
    restart_pct: float  # app % at which a dark site reconnects [%]
    gen_present: float  # 1: a generator is installed
    gen_rated_w: float  # generator rating [W]
    gen_start_pct: float  # app % at or below which the generator starts [%]
    gen_stop_pct: float  # app % at which a running generator stops [%]
    gen_charges: float  # 1: the generator runs at rating and charges the battery
    inv_pack_per_wh: float  # 1/T [1/Wh] (0 without a battery)
    charge_wh_per_w_s: float  # eta/3600: dE/dt per watt charging [Wh/(W s)]
    discharge_wh_per_w_s: float  # 1/(3600 eta): -dE/dt per watt discharging [Wh/(W s)]
    charge_ws_per_wh: float  # 3600/eta: AC watt-seconds charged per stored Wh [W s/Wh]
    discharge_ws_per_wh: float  # 3600 eta: AC watt-seconds discharged per stored Wh [W s/Wh]


class Controls(NamedTuple):
    """A site's ``controls`` row by name (floats for numba; codes as in the layout above)."""

    reserve_pct: float  # backup reserve r, app scale [%]
    mode: float  # MODE_*
    storm_enabled: float  # 1: Storm Watch enabled
    export_rule: float  # EXPORT_*
    grid_charging: float  # 1: grid charging allowed
    ev_reserve_pct: float  # off-grid EV charging reserve, app scale [%]
    strategy: float  # 0 economics (Cost Saving), 1 balanced
    topup_quirk: float  # 1: reserve_topup_ignores_grid_charging_flag is active


@kernel
def params_tuple(p: npt.NDArray[np.float64], i: int) -> Params:
    """Row i of a (n_sites, N_PARAMS) array as Params."""
    return Params(p[i, 0], p[i, 1], p[i, 2], p[i, 3], p[i, 4], p[i, 5], p[i, 6], p[i, 7],
                  p[i, 8], p[i, 9], p[i, 10], p[i, 11], p[i, 12], p[i, 13], p[i, 14],
                  p[i, 15], p[i, 16], p[i, 17], p[i, 18], p[i, 19], p[i, 20], p[i, 21],
                  p[i, 22], p[i, 23])


@kernel
def controls_tuple(c: npt.NDArray[np.float64], i: int) -> Controls:
    """Row i of a (n_sites, N_CONTROLS) array as Controls."""
    return Controls(c[i, 0], c[i, 1], c[i, 2], c[i, 3], c[i, 4], c[i, 5], c[i, 6], c[i, 7])
