"""Hypothesis properties of the Time-Based Control optimiser's executed dispatch.

Random sites, controls (reserve, export rule, grid charging, strategy), TOU prices with a
random sell price and with or without a peak demand charge, and random events (outages, islands, storms) over two days in
autonomous mode: every observation keeps the site-behavior §5.3 invariants, split
advances equal one advance, and ``simulate_batch`` with the same plans equals advance.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.events import SiteEvent
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.batch import OptimiserInputs, simulate_batch
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.inputs import step_inputs
from gridtwin.sim.state import SiteState
from tests.properties.strategies import draw_outage_and_storm
from tests.unit.sim.synthetic import (
    DAY_S,
    T0,
    BellEnvironment,
    TouPrices,
    site_controls,
    site_events,
    site_specs,
)

SPAN_S = 2 * DAY_S
GRID_BATTERY, BATTERY_GRID = 9, 7
EXPORTS = (2, 5, 7)


def _auto(ctl: SiteControls) -> SiteControls:
    return replace(ctl, mode=OperationMode.AUTONOMOUS)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[SiteSpec, SiteControls, BellEnvironment, TouPrices,
                                        tuple[SiteEvent, ...], float, list[int]]:
    spec = replace(draw(site_specs()), wall_connectors=(),
                   controller=draw(st.sampled_from(["optimiser", "perfect_foresight"])))
    ctl = _auto(draw(site_controls()))
    env = BellEnvironment(solar_peak_w=draw(st.integers(0, 12_000)),
                          base_load_w=draw(st.integers(150, 2_500)),
                          evening_load_w=draw(st.integers(0, 5_000)),
                          sky=lambda day: 0.3 + 0.7 * ((day * 7919) % 10) / 10)
    prices = TouPrices(sell=draw(st.sampled_from([0.0, 0.05, 0.2, 0.6])),
                       demand_kw=draw(st.sampled_from([0.0, 15.0])))
    evs = draw(site_events(0, span_s=SPAN_S))
    cuts = sorted(set(draw(st.lists(st.integers(T0 + 1, T0 + SPAN_S - 1), max_size=6))))
    return spec, ctl, env, prices, evs, draw(st.floats(0, 100)), [*cuts, T0 + SPAN_S]


def _states(spec: SiteSpec, ctl: SiteControls, env: BellEnvironment, prices: TouPrices,
            evs: tuple[SiteEvent, ...], app: float, cuts: list[int]) -> list[SiteState]:
    state = initial_state(spec, T0, app)
    out = [state]
    for t in cuts:
        state = advance(spec, ctl, state, t, env=env, prices=prices, events=evs).state
        out.append(state)
    return out


def _off_grid_between(evs: tuple[SiteEvent, ...], t0: int, t1: int) -> bool:
    """Whether an outage or island overlaps [t0, t1]: the battery may serve the home
    below the reserve then, and the states at t0 and t1 cannot show it."""
    return any(e.type.value in ("grid_outage", "island") and e.start_s <= t1
               and (e.end_s is None or e.end_s >= t0) for e in evs)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_optimiser_keeps_the_invariants(case: tuple) -> None:  # type: ignore[type-arg]
    spec, ctl, env, prices, evs, app, cuts = case
    states = _states(spec, ctl, env, prices, evs, app, cuts)
    reserve_wh = spec.total_pack_wh * (0.05 + 0.0095 * ctl.backup_reserve_pct)
    storms = any(e.type.value == "storm_alert" for e in evs) and ctl.storm_mode_enabled
    for prev, cur in itertools.pairwise(states):
        assert cur.load_w == cur.solar_w + cur.battery_w + cur.grid_w + cur.generator_w
        assert -spec.max_charge_w <= cur.battery_w <= spec.max_discharge_w
        on_grid_all_along = not (prev.grid_down or cur.grid_down or prev.islanded
                                 or cur.islanded or prev.dark
                                 or _off_grid_between(evs, prev.t_s, cur.t_s))
        if on_grid_all_along and prev.energy_wh >= reserve_wh:
            # never below the reserve on grid (to the rounding of whole-watt powers)
            assert cur.energy_wh >= reserve_wh - 1e-5 * spec.total_pack_wh
        if ctl.export_rule is ExportRule.NEVER:
            assert cur.grid_w >= 0
        if not (ctl.export_rule is ExportRule.BATTERY_OK and ctl.strategy is Strategy.ECONOMICS):
            # the battery never pushes energy to the grid
            assert cur.battery_w <= max(0, cur.load_w - cur.solar_w) or cur.grid_w >= 0
        # the month's running peak import only rises (the two days share one month)
        assert cur.demand_peak_w >= prev.demand_peak_w >= 0
        if prices.demand_kw == 0:
            assert cur.demand_month == -1 and cur.demand_peak_w == 0
    c = np.array(states[-1].counters_j)
    if not (ctl.export_rule is ExportRule.BATTERY_OK and ctl.strategy is Strategy.ECONOMICS):
        assert c[BATTERY_GRID] == 0
    if ctl.export_rule is ExportRule.NEVER:
        assert c[list(EXPORTS)].sum() == 0
    if not ctl.grid_charging_allowed and not storms:
        assert c[GRID_BATTERY] == 0
    whole = _states(spec, ctl, env, prices, evs, app, [T0 + SPAN_S])
    assert whole[-1] == states[-1]  # a->b->c equals a->c


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=site_specs(), ctl=site_controls(), data=st.data())
def test_batch_matches_advance_with_the_optimiser(spec: SiteSpec, ctl: SiteControls,
                                                  data: st.DataObject) -> None:
    spec = replace(spec, step_s=300, wall_connectors=())
    ctl = _auto(ctl)
    n = 2 * 288
    env = BellEnvironment(solar_peak_w=data.draw(st.integers(0, 12_000)),
                          evening_load_w=data.draw(st.integers(0, 5_000)))
    prices = TouPrices(sell=data.draw(st.sampled_from([0.05, 0.2])),
                       demand_kw=data.draw(st.sampled_from([0.0, 15.0])))
    down, storm, evs = draw_outage_and_storm(data, n, T0)
    app = data.draw(st.floats(0, 100))
    inputs = step_inputs(spec, ctl, env, prices, T0 // 300, T0 // 300 + n)
    p = prices(T0, n, 300)
    e = env(T0, n, 300)
    batch = simulate_batch([spec], [ctl], e.solar_w, e.home_load_w, step_s=300,
                           energy_wh=np.array([initial_state(spec, T0, app).energy_wh]),
                           grid_down=down, storm=storm, buy=p.buy_eff, sell=p.sell_eff,
                           optimiser=OptimiserInputs(inputs.plan, inputs.auto_i[2, :n],
                                                     inputs.auto_i[3, :n]),
                           start_s=T0)
    r = advance(spec, ctl, initial_state(spec, T0, app), T0 + n * 300, env=env,
                prices=prices, events=tuple(evs))
    assert tuple(batch.counters_j[0]) == r.state.counters_j
    assert batch.energy_wh[0] == r.state.energy_wh
    assert batch.demand_peak_w[0] == r.state.demand_peak_w
    assert batch.demand_month[0] == r.state.demand_month
