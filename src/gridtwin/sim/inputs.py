"""Per-step exogenous inputs of one advance: environment and autonomous planning arrays.

The providers are pure, so asking for a longer window (whole local days and 24 h of
lookahead for autonomous mode) returns the same values for the steps that overlap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gridtwin.domain.controls import OperationMode, SiteControls
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.autonomous import plan_autonomous, planning_window
from gridtwin.sim.conditions import Conditions
from gridtwin.sim.plans import optimiser_window, plan_days
from gridtwin.sim.state import Environment, EnvironmentProvider, PriceProvider
from gridtwin.sim.tbc import STAGE_S, PlanTables, empty_plan

__all__ = ["StepInputs", "decision_key", "step_inputs"]


@dataclass(frozen=True)
class StepInputs:
    """Inputs for steps k0 .. k0+n-1 (step k covers [k*step_s, (k+1)*step_s)).

    env: (2, n) available solar and home load [W]; auto_f: (2, n) peak need and pre-peak
    surplus [J] (float64 copies of exact integers) of the reference controller; auto_i:
    (4, n) its price class and battery-export permission, the optimiser's stage row
    in ``plan`` (-1: no plan) and the demand code 2 x local month + (1 if the step has
    a demand price) for the optimiser's running monthly peak (-1: no demand charges).
    """

    k0: int
    env: npt.NDArray[np.int64]
    auto_f: npt.NDArray[np.float64]
    auto_i: npt.NDArray[np.int64]
    plan: PlanTables = field(default_factory=empty_plan)


def step_inputs(spec: SiteSpec, controls: SiteControls, env: EnvironmentProvider,
                prices: PriceProvider | None, k0: int, k1: int) -> StepInputs:
    """Inputs for steps k0..k1 inclusive."""
    step = spec.step_s
    n = k1 - k0 + 1
    autonomous = OperationMode(controls.mode) is OperationMode.AUTONOMOUS
    if not (autonomous and prices is not None and spec.has_battery):
        e = _checked(env(k0 * step, n, step), n)
        return StepInputs(k0, np.stack([e.solar_w, e.home_load_w]).astype(np.int64),
                          np.zeros((2, n)), _no_plan_rows(n))
    if spec.controller != "reference":
        return _optimiser_inputs(spec, controls, env, prices, k0, k1)
    w0, wn, midnights = planning_window(spec.time_zone, step, k0 * step, k1 * step)
    e = _checked(env(w0, wn, step), wn)
    p = prices(w0, wn, step)
    if len(p.buy_eff) != wn or len(p.sell_eff) != wn:
        raise ValueError(f"price provider returned {len(p.buy_eff)} steps, expected {wn}")
    plan = plan_autonomous(step, w0, midnights, np.asarray(p.buy_eff, dtype=np.float64),
                           np.asarray(p.sell_eff, dtype=np.float64),
                           np.asarray(e.solar_forecast_w, dtype=np.int64),
                           np.asarray(e.home_load_forecast_w, dtype=np.int64),
                           spec.max_charge_w, spec.round_trip)
    i = k0 - w0 // step
    sl = slice(i, i + n)
    return StepInputs(
        k0, np.stack([e.solar_w[sl], e.home_load_w[sl]]).astype(np.int64),
        np.stack([plan.need_j[sl], plan.surplus_j[sl]]).astype(np.float64),
        np.stack([plan.price_class[sl], plan.export_ok[sl],
                  np.full(n, -1, dtype=np.int64),
                  np.full(n, -1, dtype=np.int64)]).astype(np.int64))


def _no_plan_rows(n: int) -> npt.NDArray[np.int64]:
    out = np.zeros((4, n), dtype=np.int64)
    out[2:] = -1
    return out


def _optimiser_inputs(spec: SiteSpec, controls: SiteControls, env: EnvironmentProvider,
                      prices: PriceProvider, k0: int, k1: int) -> StepInputs:
    """Environment and the optimiser's plans (one per local day, 48 h each) for k0..k1."""
    step = spec.step_s
    n = k1 - k0 + 1
    w0, wn, midnights = optimiser_window(spec.time_zone, step, k0 * step, k1 * step)
    e = _checked(env(w0, wn, step), wn)
    p = prices(w0, wn, step)
    if len(p.buy_eff) != wn or len(p.sell_eff) != wn:
        raise ValueError(f"price provider returned {len(p.buy_eff)} steps, expected {wn}")
    i = k0 - w0 // step
    sl = slice(i, i + n)
    env_now = np.stack([e.solar_w[sl], e.home_load_w[sl]]).astype(np.int64)
    rows = _no_plan_rows(n)
    dem = p.demand_price_kw
    if dem is not None and p.demand_month is not None:
        if len(dem) != wn or len(p.demand_month) != wn:
            raise ValueError(f"price provider returned {len(dem)} demand steps, expected {wn}")
        rows[3] = 2 * np.asarray(p.demand_month, dtype=np.int64)[sl] + (
            np.asarray(dem)[sl] > 0)
    plan = plan_days(spec, controls, e, p.buy_eff, p.sell_eff, midnights, dem)
    if plan is not None:
        tables, first_row = plan
        t = (k0 + np.arange(n, dtype=np.int64)) * step
        day = np.searchsorted(midnights, t, side="right") - 1
        rows[2] = first_row[day] + (t - midnights[day]) // STAGE_S
        return StepInputs(k0, env_now, np.zeros((2, n)), rows, tables)
    return StepInputs(k0, env_now, np.zeros((2, n)), rows)


def _checked(e: Environment, n: int) -> Environment:
    if len(e.solar_w) != n or len(e.home_load_w) != n:
        raise ValueError(f"environment provider returned {len(e.solar_w)} steps, expected {n}")
    return e


def decision_key(prm: npt.NDArray[np.float64], ctl: npt.NDArray[np.float64],
                 cond: Conditions, inputs: StepInputs, t_s: int, step_s: int) -> str:
    """Digest of everything a decision at t_s depends on besides the site state."""
    i = t_s // step_s - inputs.k0
    row = int(inputs.auto_i[2, i])
    plan = inputs.plan
    stage: tuple[object, ...] = () if row < 0 else (
        int(plan.stage_end_s[row]), float(plan.net_w[row]), float(plan.buy[row]),
        float(plan.sell[row]), float(plan.floor_wh[row]), float(plan.top_wh[row]),
        plan.value[row].tolist())
    if row >= 0 and int(inputs.auto_i[3, i]) >= 0:  # demand charges: every cap's table
        stage += (int(inputs.auto_i[3, i]), float(plan.demand[row]),
                  plan.value[plan.cap_row[row]].tolist())
    parts: tuple[object, ...] = (prm.tolist(), ctl.tolist(), cond, inputs.env[:, i].tolist(),
                                 inputs.auto_f[:, i].tolist(), inputs.auto_i[:2, i].tolist())
    payload = repr(parts + ((stage,) if stage else ()))
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
