"""Outages and islanding (site-behavior §7), generator (§10.3), off-grid EV reserve (§7.3)."""

from __future__ import annotations

from dataclasses import replace

from gridtwin.domain.controls import SiteControls
from gridtwin.domain.site import GeneratorSpec, SiteKind, SiteSpec
from gridtwin.sim.engine import advance, app_percent, initial_state
from gridtwin.sim.state import AdvanceResult, BackupInterval, SiteState
from tests.unit.sim.synthetic import (
    T0,
    ConstEnvironment,
    battery_site,
    event,
    pack_wh,
    plug_in,
)

SPEC = battery_site()
OUTAGE = event("grid_outage", T0 + 600, T0 + 4_200)


def run(solar_w: int, load_w: int, until: int, app: float = 50.0, spec: SiteSpec = SPEC,
        events: tuple = (OUTAGE,), controls: SiteControls = SiteControls(),
        state: SiteState | None = None) -> AdvanceResult:
    if state is None:
        st = initial_state(spec, T0)
        e = pack_wh(spec, app)
        state = replace(st, energy_wh=e, decided_energy_wh=e, planned_energy_wh=e)
    return advance(spec, controls, state, until, env=ConstEnvironment(solar_w, load_w),
                   events=events)


def test_outage_islands_and_records_one_backup_event() -> None:
    during = run(0, 3_000, T0 + 1_000)
    st = during.state
    assert st.islanded and st.grid_down and st.grid_w == 0 and st.battery_w == 3_000
    assert st.island_start_s == T0 + 600 and not st.island_intentional
    assert during.backup_intervals == (BackupInterval(T0 + 600, None, False),)
    after = run(0, 3_000, T0 + 5_000, state=st)
    assert after.backup_intervals == (BackupInterval(T0 + 600, T0 + 4_200, False),)
    assert not after.state.islanded and after.state.island_start_s is None
    assert after.state.grid_down is False and after.state.controller_state == "normal"


def test_islanded_ignores_reserve_then_goes_dark_and_restarts() -> None:
    outage = event("grid_outage", T0, None)
    dark = run(0, 5_000, T0 + 3_600, app=10.0, events=(outage,)).state
    assert dark.dark and dark.load_w == 0 and dark.battery_w == 0
    assert dark.energy_wh == pack_wh(SPEC, 0.0)
    assert dark.controller_state == "dark" and dark.unserved_w == 5_000
    assert dark.unserved_wh > 0
    # sun comes back: charges while dark, reconnects at the restart threshold (5 %)
    sunny = advance(SPEC, SiteControls(), dark, T0 + 3_600 + 1_200,
                    env=ConstEnvironment(20_000, 5_000), events=(outage,)).state
    assert not sunny.dark and app_percent(SPEC, sunny.energy_wh) >= 5.0
    assert sunny.load_w == 5_000


def test_islanded_surplus_is_curtailed() -> None:
    st = run(13_000, 1_000, T0 + 600).state
    assert (st.solar_w, st.battery_w) == (11_000, -10_000)
    full = run(13_000, 1_000, T0 + 600, app=100.0).state
    assert (full.solar_w, full.battery_w, full.grid_w) == (1_000, 0, 0)


def test_deficit_beyond_pd_sheds_wall_connectors_then_home() -> None:
    spec = battery_site(wall_connectors=1)
    ev = plug_in("wc0", T0)
    st = run(0, 7_000, T0 + 600, spec=spec, events=(OUTAGE, ev)).state
    assert (st.battery_w, st.wall_connector_w, st.unserved_w) == (10_000, (3_000,), 0)
    assert st.load_w == 10_000 and st.wall_connector_state == (1,)
    stop = run(0, 9_000, T0 + 600, spec=spec, events=(OUTAGE, ev)).state  # share < 1440 W
    assert (stop.battery_w, stop.wall_connector_w, stop.wall_connector_state) == (
        9_000, (0,), (4,))
    big = run(0, 12_000, T0 + 600).state
    assert big.load_w == 10_000 and big.unserved_w == 2_000


def test_generator_follows_deficit_and_never_exports() -> None:
    spec = battery_site(generator=GeneratorSpec(rated_w=7_000, start_pct=20, stop_pct=60))
    st = run(0, 3_000, T0 + 600, app=15.0, spec=spec).state
    assert st.generator_on and st.generator_w == 3_000 and st.battery_w == 0
    above = run(0, 3_000, T0 + 600, app=50.0, spec=spec).state
    assert not above.generator_on and above.generator_w == 0
    on_grid = run(0, 3_000, T0, app=15.0, spec=spec).state
    assert on_grid.generator_w == 0


def test_generator_charging_battery_runs_at_rated() -> None:
    spec = battery_site(generator=GeneratorSpec(rated_w=7_000, charges_battery=True))
    st = run(0, 3_000, T0 + 600, app=15.0, spec=spec).state
    assert (st.generator_w, st.battery_w) == (7_000, -4_000)
    later = run(0, 3_000, T0 + 4_000, app=15.0, spec=spec)
    assert later.state.counters_j[4] > 0  # generator -> battery recorded
    assert later.state.counters_j[5] == 0  # never to the grid


def test_ev_reserve_holds_wall_connector_off_grid() -> None:
    spec = battery_site(wall_connectors=1,
                        components=(("off_grid_vehicle_charging_reserve_supported", True),))
    ev = plug_in("wc0", T0)
    low = run(0, 1_000, T0 + 600, app=40.0, spec=spec, events=(OUTAGE, ev)).state
    assert low.wall_connector_w == (0,) and low.wall_connector_state == (4,)
    high = run(0, 1_000, T0 + 600, app=60.0, spec=spec, events=(OUTAGE, ev)).state
    assert high.wall_connector_w == (9_000,) and high.battery_w == 10_000
    # at the reserve, only surplus the battery cannot take reaches the car
    sunny = run(14_000, 1_000, T0 + 600, app=40.0, spec=spec, events=(OUTAGE, ev)).state
    assert sunny.battery_w == -10_000 and sunny.wall_connector_w == (3_000,)
    no_feature = battery_site(wall_connectors=1)
    plain = run(0, 1_000, T0 + 600, app=40.0, spec=no_feature, events=(OUTAGE, ev)).state
    assert plain.wall_connector_w == (9_000,)  # ordinary load, reduced to fit Pd
    on_grid = run(0, 1_000, T0 + 60, app=40.0, spec=spec, events=(OUTAGE, ev)).state
    assert on_grid.wall_connector_w == (11_500,)  # no effect on grid


def test_site_without_backup_goes_dark_without_event() -> None:
    spec = battery_site(components=(("backup", False),))
    r = run(5_000, 1_000, T0 + 600, spec=spec)
    st = r.state
    assert (st.solar_w, st.battery_w, st.grid_w, st.load_w) == (0, 0, 0, 0)
    assert st.grid_down and not st.islanded and st.controller_state == "grid_down"
    assert r.backup_intervals == ()
    solar_only = battery_site(powerwalls=0, kind=SiteKind.SOLAR)
    assert run(5_000, 1_000, T0 + 600, spec=solar_only).state.solar_w == 0


def test_intentional_island_and_merging() -> None:
    island = event("island", T0 + 600, T0 + 1_200)
    st = run(0, 1_000, T0 + 700, events=(island,)).state
    assert st.islanded and st.island_intentional
    touching = (island, event("grid_outage", T0 + 1_200, T0 + 1_800))
    r = run(0, 1_000, T0 + 3_000, events=touching)
    assert r.backup_intervals == (BackupInterval(T0 + 600, T0 + 1_800, False),)
    restore = (event("grid_outage", T0 + 600, None), event("grid_restore", T0 + 900, T0 + 900))
    assert run(0, 1_000, T0 + 3_000, events=restore).backup_intervals == (
        BackupInterval(T0 + 600, T0 + 900, False),)


def test_topup_after_outage() -> None:
    outage = event("grid_outage", T0, T0 + 3_600)
    st = run(0, 6_000, T0 + 3_600, app=22.0, events=(outage,)).state
    assert not st.islanded and st.topup_active
    assert st.battery_w == -3_600


def test_generator_runs_on_until_the_stop_level_then_stays_off() -> None:
    """§10.3 hysteresis: started at or below start_pct, it keeps charging past start_pct and
    stops only at stop_pct; it does not start again until the charge falls to start_pct."""
    spec = battery_site(generator=GeneratorSpec(rated_w=7_000, start_pct=20, stop_pct=60,
                                                charges_battery=True))
    outage = event("grid_outage", T0 + 600, None)
    mid = run(0, 3_000, T0 + 600 + 2 * 3_600, app=15.0, spec=spec, events=(outage,)).state
    assert 30.0 < app_percent(spec, mid.energy_wh) < 60.0
    assert mid.generator_on and mid.generator_w == 7_000
    stopped = run(0, 3_000, T0 + 600 + 4 * 3_600, app=15.0, spec=spec, events=(outage,)).state
    assert not stopped.generator_on and stopped.generator_w == 0
    assert 20.0 < app_percent(spec, stopped.energy_wh) < 60.0


def test_island_ended_at_the_state_instant_is_closed() -> None:
    """An island stored open and then ended at the state's own instant (a reconnect or a
    cancel on a frozen clock) comes out closed at that instant from the next advance; an
    interval the state had already left is not given again."""
    open_island = event("island", T0 + 600, None)
    during = run(0, 1_000, T0 + 1_200, events=(open_island,))
    assert during.backup_intervals == (BackupInterval(T0 + 600, None, True),)
    assert during.state.island_start_s == T0 + 600
    ended = (replace(open_island, end_s=T0 + 1_200),)
    after = run(0, 1_000, T0 + 1_800, events=ended, state=during.state)
    assert after.backup_intervals == (BackupInterval(T0 + 600, T0 + 1_200, True),)
    assert not after.state.islanded and after.state.island_start_s is None
    later = run(0, 1_000, T0 + 2_400, events=ended, state=after.state)
    assert later.backup_intervals == ()


def test_island_ended_at_its_start_comes_back_empty() -> None:
    """Islanded from the state's instant, then ended at that same instant (go off grid and
    reconnect, or schedule and cancel, with no time between): the next advance gives it
    back empty, which the runner reads as "drop its stored record"."""
    open_island = event("island", T0 + 600, None)
    start = run(0, 1_000, T0 + 600, events=(open_island,))
    assert start.backup_intervals == (BackupInterval(T0 + 600, None, True),)
    assert start.state.island_start_s == T0 + 600
    gone = (replace(open_island, end_s=T0 + 600),)
    after = run(0, 1_000, T0 + 1_200, events=gone, state=start.state)
    assert after.backup_intervals == (BackupInterval(T0 + 600, T0 + 600, None),)
    assert not after.state.islanded and after.state.island_start_s is None
    assert run(0, 1_000, T0 + 1_800, events=gone, state=after.state).backup_intervals == ()


def test_open_interval_is_closed_when_the_site_can_no_longer_island() -> None:
    """An outage stored open, then the site's backup removed (``components``): the next
    advance closes the stored interval at the state's instant, keeping its kind (None:
    the stored flag stays), and the site is on grid from then on."""
    during = run(0, 3_000, T0 + 1_200)
    assert during.backup_intervals == (BackupInterval(T0 + 600, None, False),)
    no_backup = replace(SPEC, components=(("backup", False),))
    after = run(0, 3_000, T0 + 1_800, spec=no_backup, state=during.state)
    assert after.backup_intervals == (BackupInterval(T0 + 600, T0 + 1_200, None),)
    assert after.state.island_start_s is None and not after.state.islanded
    later = run(0, 3_000, T0 + 2_400, spec=no_backup, state=after.state)
    assert later.backup_intervals == ()
