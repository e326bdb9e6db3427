"""advance(): stepping, lazy observation, commands mid-step, buckets, installation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls
from gridtwin.sim.batch import simulate_batch
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import (
    DAY_S,
    T0,
    BellEnvironment,
    ConstEnvironment,
    battery_site,
    event,
    plug_in,
)

SPEC = battery_site(step_s=60, wall_connectors=1)
ENV = BellEnvironment()
EVENTS = (event("grid_outage", T0 + 20 * 3600 + 17, T0 + 22 * 3600 + 5),
          plug_in("wc0", T0 + 18 * 3600 + 33, energy_wh=9_000),
          event("storm_alert", T0 + 5 * 3600 + 7, T0 + 9 * 3600 - 3))


def _run(state: SiteState, cuts: list[int], controls: SiteControls = SiteControls()
         ) -> tuple[SiteState, np.ndarray]:
    rows = []
    for t in cuts:
        r = advance(SPEC, controls, state, t, env=ENV, events=EVENTS)
        rows.append(r.bucket_wh)
        state = r.state
    return state, np.concatenate(rows)


def test_observing_more_often_never_changes_the_trajectory() -> None:
    start = initial_state(SPEC, T0)
    end = T0 + DAY_S
    whole, rows_whole = _run(start, [end])
    rng = np.random.default_rng(7)
    cuts = sorted({int(x) for x in rng.integers(T0 + 1, end, 60)} | {T0 + 18 * 3600 + 33})
    pieces, rows_pieces = _run(start, [*cuts, end])
    assert pieces == whole
    assert np.array_equal(rows_pieces, rows_whole)
    assert len(rows_whole) == DAY_S // 300


def test_balance_holds_at_every_observation() -> None:
    state = initial_state(SPEC, T0)
    for t in range(T0 + 37, T0 + DAY_S, 1_111):
        state = advance(SPEC, SiteControls(), state, t, env=ENV, events=EVENTS).state
        assert state.load_w == state.solar_w + state.battery_w + state.grid_w + state.generator_w
        assert state.load_w == ENV(t - t % 60, 1, 60).home_load_w[0] + sum(
            state.wall_connector_w) or state.islanded


def test_buckets_sum_to_counter_differences() -> None:
    state = initial_state(SPEC, T0 + 1234)
    r1 = advance(SPEC, SiteControls(), state, T0 + 5 * 3600 + 77, env=ENV, events=EVENTS)
    r2 = advance(SPEC, SiteControls(), r1.state, T0 + DAY_S, env=ENV, events=EVENTS)
    wh = (np.array(r2.state.counters_j) + 1800) // 3600
    total = r1.bucket_wh.sum(axis=0) + r2.bucket_wh.sum(axis=0)
    assert np.array_equal(total, wh)  # started at zero counters
    assert r1.bucket_starts[0] == T0 + 1200  # the bucket holding the start completes
    assert (np.diff(np.concatenate([r1.bucket_starts, r2.bucket_starts])) == 300).all()
    # only completed buckets: r1 stopped mid-bucket
    assert r1.bucket_starts[-1] + 300 <= T0 + 5 * 3600 + 77


def test_nothing_recorded_before_installation() -> None:
    spec = replace(SPEC, installation_s=T0 + 3600 + 150)
    st = initial_state(spec, T0)
    r = advance(spec, SiteControls(), st, T0 + 2 * 3600, env=ConstEnvironment(0, 1000))
    assert r.bucket_starts[0] == T0 + 3600 + 0  # bucket containing the installation
    assert r.bucket_wh[0, 6] == round(1000 * 150 / 3600)  # battery->home after install only
    assert r.state.counters_j[6] == 1000 * (3600 - 150)


def test_command_mid_step_redecides_only_when_controls_change() -> None:
    env = ConstEnvironment(0, 2000)
    st = initial_state(SPEC, T0)
    mid = advance(SPEC, SiteControls(), st, T0 + 30, env=env).state
    assert mid.battery_w == 2000
    same = advance(SPEC, SiteControls(), mid, T0 + 60, env=env).state
    assert same == advance(SPEC, SiteControls(), st, T0 + 60, env=env).state
    backup = SiteControls(mode=OperationMode.BACKUP)
    after = advance(SPEC, backup, mid, T0 + 30, env=env).state  # the command instant
    assert after.battery_w < 0 and after.decided_s == T0 + 30
    assert after.grid_w == 2000 - after.battery_w
    assert after.counters_j == mid.counters_j


def test_state_at_step_boundary_holds_the_new_steps_powers() -> None:
    env = BellEnvironment()
    r = advance(SPEC, SiteControls(), initial_state(SPEC, T0), T0 + 12 * 3600, env=env)
    assert r.state.decided_s == T0 + 12 * 3600
    assert r.state.solar_w == env(T0 + 12 * 3600, 1, 60).solar_w[0]


def test_until_before_state_is_rejected() -> None:
    with pytest.raises(ValueError, match="before"):
        advance(SPEC, SiteControls(), initial_state(SPEC, T0), T0 - 1, env=ENV)


def test_batch_uses_the_same_kernel_as_advance() -> None:
    spec = battery_site(step_s=300)
    controls = [SiteControls(), SiteControls(export_rule=ExportRule.NEVER, backup_reserve_pct=60)]
    n = 3 * 288
    e = ENV(T0, n, 300)
    batch = simulate_batch([spec, spec], controls, e.solar_w, e.home_load_w, step_s=300)
    for i, c in enumerate(controls):
        r = advance(spec, c, initial_state(spec, T0), T0 + n * 300, env=ENV)
        assert tuple(batch.counters_j[i]) == r.state.counters_j
        assert batch.energy_wh[i] == r.state.energy_wh


def test_batch_buckets_are_advance_buckets_of_grid_import_and_export() -> None:
    spec = battery_site(step_s=60)
    controls = [SiteControls(), SiteControls(export_rule=ExportRule.BATTERY_OK,
                                             backup_reserve_pct=40)]
    n = 2 * 1440
    e = ENV(T0, n, 60)
    batch = simulate_batch([spec, spec], controls, e.solar_w, e.home_load_w, step_s=60,
                           start_s=T0, buckets=True)
    assert batch.import_wh.shape == (2 * 288, 2)
    for i, c in enumerate(controls):
        r = advance(spec, c, initial_state(spec, T0), T0 + n * 60, env=ENV)
        assert np.array_equal(batch.import_wh[:, i], r.bucket_wh[:, [8, 9]].sum(axis=1))
        assert np.array_equal(batch.export_wh[:, i], r.bucket_wh[:, [2, 5, 7]].sum(axis=1))
    assert batch.import_wh.sum() > 0 and batch.export_wh.sum() > 0
    with pytest.raises(ValueError, match="5-minute mark"):
        simulate_batch([spec], controls[:1], e.solar_w, e.home_load_w, step_s=60,
                       start_s=T0 + 60, buckets=True)
    plain = simulate_batch([spec], controls[:1], e.solar_w, e.home_load_w, step_s=60)
    assert plain.import_wh.shape == (0, 0)
