"""Autonomous (Time-Based Control) reference algorithm, site-behavior §5.3 (`controller: reference`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.sim.autonomous import local_midnights, plan_autonomous
from gridtwin.sim.engine import advance, app_percent, initial_state
from gridtwin.sim.params import CLASS_MID, CLASS_NONE, CLASS_OFF_PEAK, CLASS_PEAK
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import (
    DAY_S,
    T0,
    BellEnvironment,
    ConstEnvironment,
    TouPrices,
    battery_site,
    pack_wh,
)

SPEC = replace(battery_site(), controller="reference")  # the §5.3 heuristic
AUTO = SiteControls(mode=OperationMode.AUTONOMOUS)
ETA = 0.9 ** 0.5
T_PCT = 20 + 100 * 5_000 / (0.95 * ETA * SPEC.total_pack_wh)  # 5 h of 1 kW at the peak


def plan(solar_w: int = 0, load_w: int = 1_000, prices: TouPrices = TouPrices()):
    n = 3 * 288
    e = ConstEnvironment(solar_w, load_w)(T0, n, 300)
    p = prices(T0, n, 300)
    return plan_autonomous(300, T0, local_midnights("UTC", T0, T0 + n * 300), p.buy_eff,
                           p.sell_eff, e.solar_forecast_w, e.home_load_forecast_w, 10_000, 0.9)


def test_classes_and_peak_need() -> None:
    p = plan()
    at = {h: h * 12 for h in (3, 10, 17, 22)}
    assert [int(p.price_class[i]) for i in at.values()] == [
        CLASS_OFF_PEAK, CLASS_MID, CLASS_PEAK, CLASS_MID]
    assert p.need_j[at[10]] == 5 * 3_600 * 1_000
    assert p.need_j[at[17]] == 4 * 3_600 * 1_000  # the rest of the block in progress
    assert p.need_j[at[22]] == 5 * 3_600 * 1_000  # tomorrow's block, within 24 h
    flat = plan(prices=TouPrices(peak=0.2, mid=0.2, off_peak=0.2))
    assert (flat.price_class == CLASS_NONE).all()


def test_pre_peak_surplus_counts_charge_limited_solar() -> None:
    p = plan(solar_w=13_000, load_w=1_000)
    assert p.need_j[10 * 12] == 0
    assert p.surplus_j[10 * 12] == 10_000 * 300 * 6 * 12  # Pc-capped, 10:00 -> 16:00


def decide(hour: float, app: float, controls: SiteControls = AUTO, solar_w: int = 0,
           prices: TouPrices | None = TouPrices(), seconds: int = 0) -> SiteState:
    t = T0 + int(hour * 3600)
    st = replace(initial_state(SPEC, t), energy_wh=pack_wh(SPEC, app))
    st = replace(st, decided_energy_wh=st.energy_wh, planned_energy_wh=st.energy_wh)
    return advance(SPEC, controls, st, t + seconds, env=ConstEnvironment(solar_w, 1_000),
                   prices=prices).state


def test_mid_keeps_the_peak_target() -> None:
    assert decide(10, 50.0).battery_w == 1_000
    assert decide(10, T_PCT - 1).battery_w == 0
    st = decide(10, T_PCT + 0.5, seconds=3 * 3600)
    assert app_percent(SPEC, st.energy_wh) == pytest.approx(T_PCT)
    assert st.controller_state == "mid"


def test_off_peak_grid_charges_to_the_target_only_if_allowed() -> None:
    st = decide(3, 30.0)
    assert (st.battery_w, st.grid_w) == (-10_000, 11_000)
    full = decide(3, 30.0, seconds=2 * 3600)
    assert app_percent(SPEC, full.energy_wh) == pytest.approx(T_PCT)
    no_gc = decide(3, 30.0, replace(AUTO, grid_charging_allowed=False))
    assert (no_gc.battery_w, no_gc.grid_w) == (0, 1_000)
    assert decide(3, 80.0).battery_w == 0  # no discharge off peak


def test_peak_discharges_to_reserve_and_exports_solar_first() -> None:
    assert decide(17, 30.0).battery_w == 1_000
    assert decide(17, 20.0).battery_w == 0
    sunny = decide(17, 50.0, solar_w=5_000)
    assert (sunny.battery_w, sunny.grid_w) == (0, -4_000)
    never = decide(17, 50.0, replace(AUTO, export_rule=ExportRule.NEVER), solar_w=5_000)
    assert (never.battery_w, never.grid_w) == (-4_000, 0)


def test_battery_export_only_when_it_pays() -> None:
    ok = replace(AUTO, export_rule=ExportRule.BATTERY_OK)
    paid = decide(17, 50.0, ok, prices=TouPrices(sell=0.20))
    assert (paid.battery_w, paid.grid_w) == (10_000, -9_000)
    assert paid.counters_j[7] == 0 and decide(17, 50.0, ok, prices=TouPrices(sell=0.20),
                                             seconds=600).counters_j[7] > 0
    assert decide(17, 50.0, ok, prices=TouPrices(sell=0.05)).battery_w == 1_000
    assert decide(17, 50.0, prices=TouPrices(sell=0.20)).battery_w == 1_000  # pv_only


def test_without_prices_behaves_as_self_consumption() -> None:
    assert decide(3, 80.0, prices=None).battery_w == 1_000
    assert decide(3, 80.0, prices=None).controller_state == "normal"


def test_balanced_charges_less_when_sun_is_expected() -> None:
    env = BellEnvironment(solar_peak_w=3_000, base_load_w=800, evening_load_w=3_000)
    st = replace(initial_state(SPEC, T0), energy_wh=pack_wh(SPEC, 20.0))
    st = replace(st, decided_energy_wh=st.energy_wh, planned_energy_wh=st.energy_wh)
    ends = {}
    for strategy in Strategy:
        c = replace(AUTO, strategy=strategy)
        ends[strategy] = advance(SPEC, c, st, T0 + 6 * 3600, env=env, prices=TouPrices()).state
    assert ends[Strategy.BALANCED].energy_wh < ends[Strategy.ECONOMICS].energy_wh
    assert ends[Strategy.BALANCED].counters_j[9] > 0


def test_autonomous_is_observation_independent() -> None:
    env = BellEnvironment()
    st = initial_state(SPEC, T0)
    whole = advance(SPEC, AUTO, st, T0 + 2 * DAY_S, env=env, prices=TouPrices()).state
    for t in np.linspace(T0 + 1, T0 + 2 * DAY_S, 13).astype(int):
        st = advance(SPEC, AUTO, st, int(t), env=env, prices=TouPrices()).state
    assert st == whole
