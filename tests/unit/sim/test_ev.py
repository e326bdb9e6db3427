"""Wall Connector sessions (site-behavior §8): power, states, exact energy, records."""

from __future__ import annotations

from gridtwin.domain.controls import SiteControls
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.state import AdvanceResult, SiteState
from tests.unit.sim.synthetic import T0, ConstEnvironment, battery_site, event, plug_in

ENV = ConstEnvironment(0, 500)


def run(events: tuple, until: int, n_wc: int = 1, state: SiteState | None = None,
        group_limit_w: int | None = None, step_s: int = 60) -> AdvanceResult:
    spec = battery_site(wall_connectors=n_wc, group_limit_w=group_limit_w, step_s=step_s)
    st = state or initial_state(spec, T0)
    return advance(spec, SiteControls(), st, until, env=ENV, events=events)


def test_session_delivers_exactly_its_target_and_records_instants() -> None:
    plug = plug_in("wc0", T0 + 17, energy_wh=1_001)
    r = run((plug,), T0 + 3_600)
    (s,) = r.sessions
    assert s.delivered_j == 1_001 * 3_600
    assert s.first_power_s == T0 + 17
    # 11.5 kW: 313 full seconds (3 599 500 J) then one second at the remaining 100 W
    assert s.last_power_s == T0 + 17 + 314
    assert r.state.wall_connector_state == (4,) and r.state.wall_connector_w == (0,)
    assert r.state.sessions == (s,)  # still plugged


def test_energy_is_exact_however_it_is_observed() -> None:
    plug = plug_in("wc0", T0 + 5, energy_wh=777, max_power_w=7_000)
    whole = run((plug,), T0 + 1_000)
    st = initial_state(battery_site(wall_connectors=1), T0)
    for t in (T0 + 5, T0 + 6, T0 + 333, T0 + 399, T0 + 400, T0 + 401, T0 + 1_000):
        st = run((plug,), t, state=st).state
    assert st == whole.state
    assert whole.sessions[0].delivered_j == 777 * 3_600


def test_power_is_the_smallest_limit() -> None:
    r = run((plug_in("wc0", T0, max_power_w=7_000, vehicle_max_w=9_000),), T0 + 60)
    assert r.state.wall_connector_w == (7_000,) and r.state.wall_connector_state == (1,)
    r = run((plug_in("wc0", T0, vehicle_max_w=5_000),), T0 + 60)
    assert r.state.wall_connector_w == (5_000,)
    assert r.state.load_w == 5_500  # WC power is part of H


def test_group_limit_is_shared_and_small_shares_pause() -> None:
    both = (plug_in("wc0", T0), plug_in("wc1", T0))
    assert run(both, T0 + 60, n_wc=2, group_limit_w=10_000).state.wall_connector_w == (
        5_000, 5_000)
    paused = run(both, T0 + 60, n_wc=2, group_limit_w=2_000).state
    assert paused.wall_connector_w == (0, 0) and paused.wall_connector_state == (4, 4)


def test_scheduled_start_fault_and_unplug() -> None:
    plug = plug_in("wc0", T0, scheduled_start_s=T0 + 600)
    waiting = run((plug,), T0 + 300).state
    assert waiting.wall_connector_state == (5,) and waiting.wall_connector_w == (0,)
    assert run((plug,), T0 + 660).state.wall_connector_state == (1,)
    fault = event("wc_fault", T0 + 700, T0 + 800, din="wc0")
    st = run((plug, fault), T0 + 750).state
    assert st.wall_connector_state == (7,) and st.wall_connector_w == (0,)
    unplug = event("ev_unplug", T0 + 900, T0 + 900, din="wc0")
    r = run((plug, fault, unplug), T0 + 1_000)
    assert r.state.wall_connector_state == (2,) and r.state.sessions == ()
    (s,) = r.sessions
    assert s.unplugged_s == T0 + 900 and s.first_power_s == T0 + 600
    assert s.delivered_j == 11_500 * (100 + 100)


def test_session_without_power_has_no_first_instant() -> None:
    r = run((plug_in("wc0", T0, scheduled_start_s=T0 + 9_999),), T0 + 60)
    assert r.sessions[0].first_power_s is None and r.sessions[0].delivered_j == 0
