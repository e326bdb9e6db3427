"""The optimiser's plans for a window of steps: one per local day, from forecasts and
prices (gridtwin.sim.tbc solves them).

A day's plan depends only on (site, controls, that day's and the next day's forecasts
and prices), never on the window that asks for it, so advancing a->b->c builds the same
plans as a->c. Solved plans are cached per (inputs digest), so the server's frequent
short advances solve each day once (long offline windows are solved directly).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import ExportRule, SiteControls, Strategy
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.autonomous import local_midnights
from gridtwin.sim.forecast import forecasts
from gridtwin.sim.state import Environment
from gridtwin.sim.tbc import (
    BALANCED_GRID_CHARGE_PENALTY,
    HORIZON_DAYS,
    PlanSettings,
    PlanTables,
    solve_plans,
)

__all__ = ["optimiser_window", "plan_days", "plan_settings"]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
SPIKY_DEMAND_LOAD_MARGIN = 0.3
"""A home with appliance spikes (``LoadSpec.appliances``) is planned at this much more
home load in demand-priced steps [-]: a heavy evening the hourly forecast cannot see
costs a month's demand charge once the battery is empty, a kWh too many only its round
trip (bench_control's example TOU + demand row with a spiky load: 89.9 % of the optimum
without the margin and the sustained-import rule of gridtwin.sim.tbc, 95.1 % with)."""
_CACHE_SIZE = 64
_CACHED_DAYS = 6  # windows of up to this many midnights are cached
_cache: OrderedDict[bytes, tuple[PlanTables, _I64]] = OrderedDict()
_lock = threading.Lock()


def optimiser_window(tz: str, step_s: int, first_step_s: int, last_step_s: int
                     ) -> tuple[int, int, _I64]:
    """Window (start [s], n steps, local midnights) covering whole local days from the
    day of first_step_s to HORIZON_DAYS days past the day of last_step_s."""
    start, n, midnights = _optimiser_window(tz, step_s, first_step_s, last_step_s)
    return start, n, midnights.copy()


@lru_cache(maxsize=64)
def _optimiser_window(tz: str, step_s: int, first_step_s: int, last_step_s: int
                      ) -> tuple[int, int, _I64]:
    """optimiser_window, memoised: a fleet chunk asks for the same window once per home
    and variant, and a year's local midnights cost milliseconds each time."""
    mids = local_midnights(tz, first_step_s, last_step_s + step_s)  # ends at the day's end
    for _ in range(HORIZON_DAYS - 1):
        mids.append(local_midnights(tz, mids[-1], mids[-1] + 1)[-1])
    midnights = np.asarray(mids, dtype=np.int64)
    start = int(midnights[0] - midnights[0] % step_s)
    end = -(-int(midnights[-1]) // step_s) * step_s
    return start, (end - start) // step_s, midnights


def plan_settings(spec: SiteSpec, controls: SiteControls) -> PlanSettings:
    """The optimiser's view of the site and its controls (mirrors dispatch._plan_settings)."""
    balanced = Strategy(controls.strategy) is Strategy.BALANCED
    export = ExportRule(controls.export_rule) is ExportRule.BATTERY_OK and not balanced
    charge = float(spec.max_charge_w)
    caps = [b for b in spec.batteries if not b.spec.is_expansion]
    grid_cap = charge
    if any(b.grid_charge_cap_w is not None for b in caps):
        grid_cap = float(sum((b.grid_charge_cap_w if b.grid_charge_cap_w is not None
                              else (b.max_charge_w or b.spec.max_charge_w)) * b.count
                             for b in caps))
    return PlanSettings(
        math.sqrt(spec.round_trip), charge, float(spec.max_discharge_w),
        min(charge, grid_cap) if controls.grid_charging_allowed else 0.0,
        1.0 if export else 0.0, BALANCED_GRID_CHARGE_PENALTY if balanced else 0.0)


def plan_days(spec: SiteSpec, controls: SiteControls, env: Environment,
              buy: npt.ArrayLike, sell: npt.ArrayLike, midnights: _I64,
              demand_kw: npt.ArrayLike | None = None) -> tuple[PlanTables, _I64] | None:
    """Plans for the days starting at ``midnights[:-HORIZON_DAYS]`` over the window of
    ``env`` (which starts at midnights[0] and reaches midnights[-1]) and the first stage
    row of each; None when the battery has no usable range above the reserve.
    demand_kw: per step demand price [currency/kW] (None: no demand charges)."""
    pack = float(spec.total_pack_wh)
    floor_wh = pack * (0.05 + 0.0095 * controls.backup_reserve_pct)
    if pack - floor_wh < 1.0:
        return None
    sell_a = np.asarray(sell, dtype=np.float64)
    if ExportRule(controls.export_rule) is ExportRule.NEVER:
        sell_a = np.zeros_like(sell_a)
    buy_a = np.asarray(buy, dtype=np.float64)
    dem = None if demand_kw is None else np.asarray(demand_kw, dtype=np.float64)
    settings = plan_settings(spec, controls)
    if len(midnights) > _CACHED_DAYS:  # long offline runs: solving beats hashing
        return _solve(spec, env, midnights, buy_a, sell_a, floor_wh, pack, settings, dem)
    perfect = spec.controller == "perfect_foresight"
    key = _digest(spec, controls, env.start_s, env.step_s, midnights, env.solar_forecast_w,
                  env.home_load_forecast_w, buy_a, sell_a, dem,
                  *((env.solar_w, env.home_load_w) if perfect else ()))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    solved = _solve(spec, env, midnights, buy_a, sell_a, floor_wh, pack, settings, dem)
    with _lock:
        _cache[key] = solved
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return solved


def _solve(spec: SiteSpec, env: Environment, midnights: _I64, buy: _F64, sell: _F64,
           floor_wh: float, pack: float, settings: PlanSettings, demand_kw: _F64 | None
           ) -> tuple[PlanTables, _I64]:
    solar_fc, load_fc = _forecasts(spec, env, midnights)
    margin = SPIKY_DEMAND_LOAD_MARGIN if spec.load.appliances else 0.0
    return solve_plans(midnights, env.start_s, env.step_s, solar_fc, load_fc, buy, sell,
                       floor_wh, pack, settings, demand_kw, margin)


_last = threading.local()


def _forecasts(spec: SiteSpec, env: Environment, midnights: _I64) -> tuple[_F64, _F64]:
    """forecast.forecasts, kept for the last (spec, env, midnights) of this thread: the
    variants of one home (a fleet study's Time-based ones) plan on the same objects."""
    hit = getattr(_last, "entry", None)
    if (hit is not None and hit[0] is spec and hit[1] is env
            and np.array_equal(hit[2], midnights)):
        return hit[3]  # type: ignore[no-any-return]
    made = forecasts(spec, env, midnights, spec.controller == "perfect_foresight")
    _last.entry = (spec, env, np.array(midnights, copy=True), made)
    return made


def _digest(*parts: object) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    return h.digest()
