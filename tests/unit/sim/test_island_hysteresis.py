"""Hysteresis where real equipment has it (issue 16): during a long outage a Wall Connector
fed by the battery starts at most once per crossing of the off-grid EV reserve, and a
blacked-out home goes dark at most once per night instead of reconnecting into a deficit
and dropping again."""

from __future__ import annotations

import itertools
from dataclasses import replace

from gridtwin.domain.controls import SiteControls
from gridtwin.sim.engine import advance, app_percent, initial_state
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import (
    T0,
    BellEnvironment,
    ConstEnvironment,
    battery_site,
    event,
    pack_wh,
    plug_in,
)

HOURS = 44
STEP_S = 60


def _trace(spec, env, events, app: float, controls: SiteControls = SiteControls()) -> list[SiteState]:
    state = initial_state(spec, T0)
    e = pack_wh(spec, app)
    state = replace(state, energy_wh=e, decided_energy_wh=e, planned_energy_wh=e)
    out = [state]
    for k in range(1, HOURS * 3600 // STEP_S + 1):
        state = advance(spec, controls, state, T0 + k * STEP_S, env=env, events=events).state
        out.append(state)
    return out


def test_wall_connector_starts_once_per_reserve_crossing() -> None:
    spec = battery_site(wall_connectors=1,
                        components=(("off_grid_vehicle_charging_reserve_supported", True),))
    events = (event("grid_outage", T0, T0 + HOURS * 3600), plug_in("wc0", T0, energy_wh=500_000))
    env = BellEnvironment(solar_peak_w=12_000, base_load_w=500, evening_load_w=1_000)
    reserve = SiteControls().ev_reserve_pct
    states = _trace(spec, env, events, app=60.0)
    # Starts the battery feeds: at the reserve the car may still take solar surplus the
    # battery cannot (§7.3), which follows the sun; what must not chatter is the battery.
    fed = [s.wall_connector_w[0] > 0 and s.battery_w > 0 for s in states]
    starts = [b for a, b in itertools.pairwise(states)
              if b.grid_down and b.wall_connector_w[0] > 0 and b.battery_w > 0
              and a.wall_connector_w[0] == 0]
    holds = sum(1 for a, b in itertools.pairwise(states)
                if b.ev_reserve_hold and not a.ev_reserve_hold)  # each a crossing down
    assert holds >= 2 and sum(fed) > 0  # the scenario crosses the reserve again and again
    assert len(starts) <= holds + 1
    for s in starts:  # each resumes only after the battery regained the margin
        assert app_percent(spec, s.energy_wh) > reserve + 4.0  # the margin is 5 points


def test_a_dark_home_goes_dark_at_most_once_a_night() -> None:
    spec = battery_site(powerwalls=1)
    events = (event("grid_outage", T0, T0 + HOURS * 3600),)
    env = BellEnvironment(solar_peak_w=3_500, base_load_w=900, evening_load_w=2_500)
    states = _trace(spec, env, events, app=30.0)
    onsets = [s.t_s for a, s in itertools.pairwise(states) if s.dark and not a.dark]
    assert onsets, "the scenario must black out"
    nights = [((t - T0 + 6 * 3600) // 86_400) for t in onsets]  # a night runs 18:00 to 18:00
    assert len(nights) == len(set(nights)), onsets


def test_a_dark_home_reconnects_only_when_it_can_stay_lit() -> None:
    """Weak sun under a larger load: while dark the sun refills the battery; the home
    comes back only when the battery can carry the deficit for an hour, so each
    lit spell lasts at least that long (reconnecting at the 5 % restart level into a
    2 kW deficit gave 40-minute spells and a blackout after each)."""
    spec = battery_site()
    outage = (event("grid_outage", T0, None),)
    dark = advance(spec, SiteControls(), _at(spec, 0.0), T0 + 600, env=ConstEnvironment(0, 5_000),
                   events=outage).state
    assert dark.dark
    env = ConstEnvironment(3_000, 5_000)
    states = [dark]
    for k in range(1, 12 * 60 + 1):
        states.append(advance(spec, SiteControls(), states[-1], T0 + 600 + k * 60, env=env,
                              events=outage).state)
    edges = [(s.t_s, s.dark) for a, s in itertools.pairwise(states) if s.dark != a.dark]
    lit = [(t1 - t0) for (t0, d0), (t1, _) in itertools.pairwise(edges) if not d0]
    assert lit, "the home must come back at least once"
    assert min(lit) >= 55 * 60, lit  # the rule asks for an hour of the deficit


def _at(spec, app: float) -> SiteState:
    state = initial_state(spec, T0)
    e = pack_wh(spec, app)
    return replace(state, energy_wh=e, decided_energy_wh=e, planned_energy_wh=e)
