"""The perfect-foresight LP (gridtwin.sim.optimum) on hand-computable cases, and as a
bound: never above the engine's bill, blocks never above the per-step LP."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from gridtwin import tariff
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.optimum import (
    BatteryLimits,
    DemandCharges,
    Problem,
    demand_charges,
    site_optimum,
    site_problem,
    solve,
)
from gridtwin.sim.prices import tariff_price_provider
from gridtwin.sim.state import CELLS
from tests.unit.sim.synthetic import DAY_S, T0, BellEnvironment, battery_site

pytestmark = pytest.mark.timeout(300)  # the first engine call compiles it (numba, cold cache)

HOUR = 3600
I_HOME = CELLS.index("grid_to_home")
I_GRID_BATTERY = CELLS.index("grid_to_battery")
I_BATTERY_GRID = CELLS.index("battery_to_grid")


def battery(**kw: float) -> BatteryLimits:
    base = {"pack_wh": 10_000.0, "eta": 0.9, "charge_w": 5_000.0, "discharge_w": 5_000.0,
            "grid_charge_cap_w": np.inf, "floor_wh": 500.0, "initial_wh": 500.0}
    base.update(kw)
    return BatteryLimits(**base)


def problem(load_kw: list[float], buy: list[float], *, solar_kw: list[float] | None = None,
            sell: list[float] | None = None, step_s: int = HOUR,
            rule: ExportRule = ExportRule.PV_ONLY, grid_charging: bool = True,
            demand: DemandCharges | None = None, **limits: float) -> Problem:
    n = len(load_kw)
    return Problem(
        start_s=T0, step_s=step_s,
        solar_w=np.array(solar_kw or [0.0] * n) * 1000.0, load_w=np.array(load_kw) * 1000.0,
        buy=np.array(buy, dtype=float), sell=np.array(sell or [0.0] * n, dtype=float),
        battery=battery(**limits), export_rule=rule, grid_charging=grid_charging,
        max_import_w=1e9, max_export_w=1e9, demand=demand)


def exact(p: Problem):  # one LP block per step
    return solve(p, max_block_s=p.step_s)


def test_arbitrage_charges_cheap_with_both_losses():
    # 4 kWh at the 0.5 peak come from 4 / 0.9 / 0.9 kWh bought at 0.1.
    d = exact(problem([0, 0, 2, 2], [0.1, 0.1, 0.5, 0.5]))
    assert d.cost == pytest.approx(4 / 0.81 * 0.1, abs=1e-6)
    assert d.import_w[2:] == pytest.approx([0, 0], abs=1e-6)
    assert d.cells_w[:2, I_GRID_BATTERY].sum() == pytest.approx(4 / 0.81 * 1000, abs=1e-3)
    assert d.energy_wh[-1] == pytest.approx(500, abs=1e-3)


def test_no_grid_charging_means_no_grid_to_battery():
    d = exact(problem([0, 0, 2, 2], [0.1, 0.1, 0.5, 0.5], grid_charging=False))
    assert d.cost == pytest.approx(4 * 0.5, abs=1e-6)
    assert d.cells_w[:, I_GRID_BATTERY] == pytest.approx(np.zeros(4), abs=1e-6)


def test_grid_charge_cap_limits_the_grid_fed_part():
    d = exact(problem([0, 0, 2, 2], [0.1, 0.1, 0.5, 0.5], grid_charge_cap_w=1_000))
    # 2 kWh bought at 0.1 give 2 * 0.81 kWh at the peak; the rest at 0.5.
    assert d.cost == pytest.approx(0.2 + (4 - 2 * 0.81) * 0.5, abs=1e-6)


def test_reserve_is_a_floor_on_raw_energy():
    # Room between the 4.5 kWh floor and the 6 kWh pack: 1.5 kWh stored, 1.35 kWh out.
    d = exact(problem([0, 0, 2, 2], [0.1, 0.1, 0.5, 0.5], pack_wh=6_000, floor_wh=4_500,
                      initial_wh=4_500))
    assert d.cost == pytest.approx(1.5 / 0.9 * 0.1 + (4 - 1.35) * 0.5, abs=1e-6)
    assert d.energy_wh.min() >= 4_500 - 1e-6


def test_a_start_below_the_reserve_is_feasible_and_not_drained():
    # Flat price: nothing to gain from charging; the pack may not go below its start.
    d = exact(problem([1, 1], [0.3, 0.3], floor_wh=5_000, initial_wh=2_000))
    assert d.cost == pytest.approx(0.6, abs=1e-6)
    assert d.energy_wh.min() >= 2_000 - 1e-6
    # With the floor at 500 Wh the 1.5 kWh above it serve 1.35 kWh of the home.
    low = exact(problem([1, 1], [0.3, 0.3], floor_wh=500, initial_wh=2_000))
    assert low.cost == pytest.approx((2 - 1.5 * 0.9) * 0.3, abs=1e-6)


@pytest.mark.parametrize(("rule", "cost"), [
    (ExportRule.NEVER, 0.0),
    (ExportRule.PV_ONLY, -4 * 0.05),
    (ExportRule.BATTERY_OK, -4 * 0.81 * 0.4),
])
def test_export_rules(rule, cost):
    # 4 kWh of solar at noon, nothing to power; the sell price rises to 0.4 later.
    d = exact(problem([0, 0], [0.5, 0.5], solar_kw=[4, 0], sell=[0.05, 0.4], rule=rule,
                      pack_wh=20_000))
    assert d.cost == pytest.approx(cost, abs=1e-6)
    if rule is not ExportRule.BATTERY_OK:
        assert d.cells_w[:, I_BATTERY_GRID] == pytest.approx([0, 0], abs=1e-6)
    if rule is ExportRule.NEVER:
        assert d.export_w == pytest.approx([0, 0], abs=1e-6)


def test_export_limit_curtails():
    p = replace(problem([0, 0], [0.5, 0.5], solar_kw=[4, 0], sell=[0.05, 0.05],
                        charge_w=0), max_export_w=1_000)
    d = exact(p)
    assert d.cost == pytest.approx(-0.05, abs=1e-6)
    assert d.cells_w[0, CELLS.index("solar_to_grid")] == pytest.approx(1_000, abs=1e-3)


def test_taper_envelope_limits_charging_near_full():
    # 100 kWh pack at app 97.5 %: the envelope allows 5 kW x (1 - 0.16 x 2.5) = 3 kW.
    start = 100_000 * (0.05 + 0.0095 * 97.5)
    d = exact(problem([0, 12], [0.1, 1.0], step_s=300, pack_wh=100_000, eta=1.0,
                      discharge_w=100_000, floor_wh=start, initial_wh=start))
    assert d.charge_w[0] == pytest.approx(3_000, abs=1e-3)
    assert d.cost == pytest.approx(0.25 * 0.1 + 0.75 * 1.0, abs=1e-6)


def test_demand_charge_shaves_the_window_peak():
    # Two 15-minute windows at 5-minute steps; 5 kW in the second, Pd 2 kW, $10/kW.
    charges = DemandCharges(window=np.repeat([0, 1], 3), group=np.array([0, 0]),
                            price_per_kw=np.array([10.0]))
    p = problem([1, 1, 1, 5, 5, 5], [0.1] * 6, step_s=300, demand=charges,
                discharge_w=2_000, initial_wh=5_000)
    d = exact(p)
    assert d.cost == pytest.approx(3 * 10 + 3 * 0.25 * 0.1, abs=1e-6)
    assert d.import_w[3:] == pytest.approx([3_000] * 3, abs=1e-3)
    without = exact(replace(p, demand=None))
    assert without.cost == pytest.approx(3 * 0.25 * 0.1, abs=1e-6)


def test_flows_balance_per_step():
    rng = np.random.default_rng(7)
    n = 48
    p = problem(list(rng.uniform(0, 4, n)), list(rng.choice([0.1, 0.3, 0.6], n)),
                solar_kw=list(rng.uniform(0, 5, n)), sell=list(rng.uniform(0, 0.1, n)),
                step_s=300, rule=ExportRule.BATTERY_OK)
    d = solve(p)
    home = d.cells_w[:, [0, 3, 6, 8]].sum(axis=1)
    assert home == pytest.approx(p.load_w, abs=1e-3)
    solar = d.cells_w[:, [0, 1, 2]].sum(axis=1)
    assert np.all(solar <= p.solar_w + 1e-3)
    assert np.all(d.cells_w >= 0)
    dt = p.step_s / 3600 / 1000
    billed = np.sum(d.import_w * p.buy - d.export_w * p.sell) * dt
    assert billed == pytest.approx(d.cost, abs=1e-6)


def test_blocks_relax_the_per_step_lp():
    rng = np.random.default_rng(3)
    n = 2 * 288
    hour = np.arange(n) * 300 / 3600 % 24
    p = problem(list(rng.uniform(0.2, 3, n)), list(np.where((hour >= 16) & (hour < 21), 0.5,
                                                             0.2)),
                solar_kw=list(np.clip(5 * np.sin((hour - 6) / 12 * np.pi), 0, None)
                              * rng.uniform(0.3, 1, n)),
                sell=[0.05] * n, step_s=300)
    per_step = exact(p)
    hourly = solve(p, max_block_s=3600)
    assert hourly.cost <= per_step.cost + 1e-6
    assert hourly.cost >= 0.97 * per_step.cost  # and close to it


TOU = {
    "version": 1, "code": "T", "name": "TOU with demand", "utility": "U", "currency": "USD",
    "daily_charges": [{"name": "Fixed", "amount": 0.5}],
    "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {"PEAK": 8.0}}},
    "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                       "S": {"rates": {"OFF": 0.2, "PEAK": 0.5}}},
    "seasons": {"S": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
                      "tou_periods": {
                          "OFF": {"periods": [
                              {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                               "fromMinute": 0, "toHour": 16, "toMinute": 0},
                              {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 21,
                               "fromMinute": 0, "toHour": 0, "toMinute": 0}]},
                          "PEAK": {"periods": [
                              {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 16,
                               "fromMinute": 0, "toHour": 21, "toMinute": 0}]}}}},
    "sell_tariff": {
        "name": "S", "utility": "U", "daily_charges": [{"name": "C", "amount": 0}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {}}},
        "energy_charges": {"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {"FLAT": 0.04}}},
        "seasons": {"S": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
                          "tou_periods": {"FLAT": {"periods": [
                              {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                               "fromMinute": 0, "toHour": 0, "toMinute": 0}]}}}}},
}


def compiled(doc: dict) -> tariff.CompiledTariff:
    report = tariff.validate(doc)
    assert report.tariff is not None, [p.line() for p in report.errors]
    return report.tariff


def engine_bill(spec, controls, doc, start, end, env) -> tariff.Bill:
    prices = tariff_price_provider(spec.time_zone, [(start, tariff.dumps(doc))])
    r = advance(spec, controls, initial_state(spec, start, 50.0), end, env=env, prices=prices)
    imports = r.bucket_wh[:, [I_HOME, I_GRID_BATTERY]].sum(axis=1)
    exports = r.bucket_wh[:, [CELLS.index(c) for c in CELLS if c.endswith("_to_grid")]]
    return tariff.compute_bill([(start, compiled(doc))], spec.time_zone, start, end,
                               tariff.Intervals.of(r.bucket_starts, imports,
                                                   exports.sum(axis=1)))


def test_demand_windows_follow_the_bill():
    # 16:00-21:00 UTC: 20 windows a day, one group per month.
    d = demand_charges(compiled(TOU), "UTC", T0, 2 * 288, 300)
    assert d is not None
    assert d.group.shape == (40,) and set(d.group.tolist()) == {0}
    assert d.price_per_kw.tolist() == [8.0]
    assert (d.window >= 0).sum() == 40 * 3
    assert np.all(d.window[16 * 12:21 * 12] == np.repeat(np.arange(20), 3))
    without = dict(TOU, demand_charges={"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {}}})
    assert demand_charges(compiled(without), "UTC", T0, 288, 300) is None


@pytest.mark.parametrize("rule", [ExportRule.PV_ONLY, ExportRule.BATTERY_OK])
def test_the_optimum_bounds_the_engine(rule):
    spec = replace(battery_site(powerwalls=1, step_s=300), time_zone="UTC")
    env = BellEnvironment(solar_peak_w=5_000, evening_load_w=2_500)
    start, end = T0, T0 + 3 * DAY_S
    controls = SiteControls(backup_reserve_pct=20, export_rule=rule)
    best = site_optimum(spec, controls, compiled(TOU), start, end, env=env)
    fine = site_optimum(spec, controls, compiled(TOU), start, end, env=env, max_block_s=300)
    assert best.bill.total <= fine.bill.total + Decimal("1e-6")  # blocks relax per-step
    assert best.bill.demand_charge > 0
    # The bill of the LP's buckets is the LP's own cost plus the daily charges.
    assert float(best.bill.total - best.bill.daily_charge) == pytest.approx(
        best.dispatch.cost, abs=1e-6)
    for mode in (OperationMode.SELF_CONSUMPTION, OperationMode.AUTONOMOUS):
        bill = engine_bill(spec, replace(controls, mode=mode), TOU, start, end, env)
        assert fine.bill.total <= bill.total
        assert best.bill.total <= bill.total


def test_a_high_reserve_holds_all_window_when_the_site_starts_below_it():
    # Started at 50 % with an 80 % reserve: the engine charges past 80 % on the first
    # sunny day and then never goes below; the optimum must not cycle down to 50 % all
    # window long (it did: its bill equalled the 50 % reserve optimum's).
    spec = replace(battery_site(powerwalls=1, step_s=300), time_zone="UTC")
    env = BellEnvironment(solar_peak_w=5_000, evening_load_w=2_500)
    start, end = T0, T0 + 4 * DAY_S
    high = SiteControls(backup_reserve_pct=80, export_rule=ExportRule.PV_ONLY)
    low = replace(high, backup_reserve_pct=50)
    at_80 = site_optimum(spec, high, compiled(TOU), start, end, env=env, initial_pct=50.0)
    at_50 = site_optimum(spec, low, compiled(TOU), start, end, env=env, initial_pct=50.0)
    pack = site_problem(spec, high, compiled(TOU), start, end, env=env).battery.pack_wh
    assert at_80.dispatch.energy_wh.min() >= pack * (0.05 + 0.0095 * 80) - 1e-3
    assert at_80.bill.total > at_50.bill.total + Decimal("0.5")
    engine = engine_bill(spec, replace(high, mode=OperationMode.SELF_CONSUMPTION), TOU,
                         start, end, env)
    assert at_80.bill.total <= engine.total


def test_share_of_the_optimum_savings():
    from decimal import Decimal as D

    from gridtwin.services.study import share_of_optimum

    assert share_of_optimum(D(100), D(60), D(50)) == pytest.approx(0.8)
    assert share_of_optimum(D(100), D(110), D(50)) == pytest.approx(-0.2)
    assert share_of_optimum(D(100), D(50), D(50)) == pytest.approx(1.0)
    assert share_of_optimum(D(100), D(100), D("99.999")) is None  # nothing to share


def test_on_a_flat_tariff_self_consumption_is_the_optimum():
    # Storing surplus is always worth it and nothing else is: the bound must be tight
    # (hourly blocks split where solar crosses the load keep it so).
    flat = dict(TOU, demand_charges={"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {}}},
                energy_charges={"ALL": {"rates": {"ALL": 0}}, "S": {"rates": {"F": 0.3}}},
                seasons={"S": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
                               "tou_periods": {"F": {"periods": [
                                   {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                                    "fromMinute": 0, "toHour": 0, "toMinute": 0}]}}}})
    spec = replace(battery_site(powerwalls=1, step_s=300), time_zone="UTC")
    env = BellEnvironment(solar_peak_w=5_000, evening_load_w=2_500)
    start, end = T0, T0 + 3 * DAY_S
    controls = SiteControls(backup_reserve_pct=20)
    best = site_optimum(spec, controls, compiled(flat), start, end, env=env)
    engine = engine_bill(spec, controls, flat, start, end, env)
    # the engine's bill counts whole Wh: up to 0.5 Wh each of import and export at 0.30/kWh
    assert best.bill.total <= engine.total + Decimal("0.0003")
    assert engine.total - best.bill.total < Decimal("0.005")
