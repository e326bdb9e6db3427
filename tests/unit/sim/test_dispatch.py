"""On-grid dispatch: self-consumption, reserve, top-up, backup, storm, export rule, limits.

Site: 2 x Powerwall 2 (Pc = Pd = 10 kW, T = 28 kWh) unless said otherwise; powers are
read from the state right after a decision at a step boundary.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import BatteryBank, SiteSpec
from gridtwin.sim.engine import advance, app_percent, initial_state
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import T0, ConstEnvironment, battery_site, event, pack_wh

SPEC = battery_site()
TOPUP_QUIRK = frozenset({Quirk.RESERVE_TOPUP_IGNORES_GRID_CHARGING_FLAG})


def decide(solar_w: int, load_w: int, app: float = 50.0, spec: SiteSpec = SPEC,
           controls: SiteControls = SiteControls(), events: tuple = (),
           quirks: frozenset = frozenset(), seconds: int = 0) -> SiteState:
    st = replace(initial_state(spec, T0), energy_wh=pack_wh(spec, app))
    st = replace(st, decided_energy_wh=st.energy_wh, planned_energy_wh=st.energy_wh)
    return advance(spec, controls, st, T0 + seconds, env=ConstEnvironment(solar_w, load_w),
                   events=events, quirks=quirks).state


def powers(st: SiteState) -> tuple[int, int, int]:
    assert st.load_w == st.solar_w + st.battery_w + st.grid_w + st.generator_w
    return st.solar_w, st.battery_w, st.grid_w


@pytest.mark.parametrize(("solar", "load", "expected"), [
    (0, 2_000, (0, 2_000, 0)),          # deficit from the battery
    (0, 15_000, (0, 10_000, 5_000)),    # beyond Pd from the grid
    (6_000, 1_000, (6_000, -5_000, 0)),  # surplus charges
    (13_000, 1_000, (13_000, -10_000, -2_000)),  # beyond Pc exported (pv_only)
])
def test_self_consumption(solar: int, load: int, expected: tuple[int, int, int]) -> None:
    assert powers(decide(solar, load)) == expected


def test_never_export_curtails_solar() -> None:
    st = decide(13_000, 1_000, controls=SiteControls(export_rule=ExportRule.NEVER))
    assert powers(st) == (11_000, -10_000, 0)
    full = decide(13_000, 1_000, app=100.0, controls=SiteControls(export_rule=ExportRule.NEVER))
    assert powers(full) == (1_000, 0, 0)


def test_export_limit_charges_then_curtails() -> None:
    spec = battery_site(max_export_w=1_000)
    assert powers(decide(13_000, 1_000, spec=spec)) == (12_000, -10_000, -1_000)
    assert powers(decide(13_000, 1_000, app=100.0, spec=spec)) == (2_000, 0, -1_000)


def test_never_discharges_below_reserve_and_lands_on_it() -> None:
    at_reserve = decide(0, 2_000, app=20.0)
    assert powers(at_reserve) == (0, 0, 2_000)
    reserve_wh = pack_wh(SPEC, 20.0)
    st = decide(0, 9_000, app=20.3, seconds=3_600)
    assert st.energy_wh == reserve_wh
    assert powers(st) == (0, 0, 9_000)


def test_reserve_100_never_discharges() -> None:
    assert powers(decide(0, 2_000, app=99.0, controls=SiteControls(backup_reserve_pct=100)))[1] <= 0


@pytest.mark.parametrize(("gc", "quirks", "battery"), [
    (True, frozenset(), -3_600),
    (False, frozenset(), 0),
    (False, TOPUP_QUIRK, -3_600),
])
def test_topup_below_reserve(gc: bool, quirks: frozenset, battery: int) -> None:
    st = decide(0, 1_000, app=10.0, controls=SiteControls(grid_charging_allowed=gc),
                quirks=quirks)
    assert powers(st) == (0, battery, 1_000 - battery)
    assert st.topup_active


def test_topup_uses_solar_first_and_stops_at_reserve() -> None:
    first = decide(1_000, 500, app=10.0)
    assert powers(first) == (1_000, -3_600, 3_100)  # 500 W of solar, the rest from grid
    st = decide(1_000, 500, app=10.0, seconds=6 * 3600)
    assert app_percent(SPEC, st.energy_wh) > 20.0  # solar keeps charging past r
    assert powers(st) == (1_000, -500, 0)
    st = decide(0, 500, app=10.0, seconds=6 * 3600)
    assert st.energy_wh == pack_wh(SPEC, 20.0)
    assert not st.topup_active and powers(st) == (0, 0, 500)


def test_topup_has_one_point_hysteresis() -> None:
    assert powers(decide(0, 1_000, app=19.5)) == (0, 0, 1_000)


def test_backup_mode_grid_charges_only_when_allowed() -> None:
    backup = SiteControls(mode=OperationMode.BACKUP)
    assert powers(decide(0, 1_000, controls=backup)) == (0, -6_600, 7_600)
    no_gc = replace(backup, grid_charging_allowed=False)
    assert powers(decide(0, 1_000, controls=no_gc)) == (0, 0, 1_000)
    assert powers(decide(3_000, 1_000, controls=no_gc)) == (3_000, -2_000, 0)


def test_grid_charge_cap_per_unit() -> None:
    spec = replace(SPEC, batteries=(BatteryBank(BatteryModel.POWERWALL_3, 2,
                                                grid_charge_cap_w=1_500),))
    st = decide(0, 1_000, spec=spec, controls=SiteControls(mode=OperationMode.BACKUP))
    assert powers(st) == (0, -3_000, 4_000)


def test_storm_watch_charges_and_holds() -> None:
    storm = (event("storm_alert", T0 - 60, T0 + 3_600),)
    assert powers(decide(0, 1_000, events=storm)) == (0, -6_600, 7_600)
    st = decide(0, 1_000, events=storm)
    assert st.storm_active and st.controller_state == "storm"
    off = SiteControls(storm_mode_enabled=False)
    assert powers(decide(0, 1_000, events=storm, controls=off)) == (0, 1_000, 0)
    incapable = battery_site(components=(("storm_mode_capable", False),))
    assert powers(decide(0, 1_000, events=storm, spec=incapable)) == (0, 1_000, 0)


def test_storm_ends_at_once() -> None:
    storm = (event("storm_alert", T0 - 60, T0 + 90),)
    st = decide(0, 1_000, events=storm, seconds=90)
    assert powers(st) == (0, 1_000, 0) and not st.storm_active


def test_taper_above_95() -> None:
    assert powers(decide(20_000, 0, app=97.5))[1] == pytest.approx(-5_000, abs=1)
    assert powers(decide(20_000, 0, app=99.5))[1] == -2_000
    assert powers(decide(20_000, 0, app=94.0))[1] == -10_000


def test_import_limit_drops_grid_charging() -> None:
    spec = battery_site(max_import_w=2_000)
    st = decide(0, 1_000, app=10.0, spec=spec)
    assert powers(st) == (0, -1_000, 2_000)


def test_import_limit_is_soft_at_the_floor() -> None:
    spec = battery_site(max_import_w=2_000)
    assert powers(decide(0, 8_000, app=20.0, spec=spec)) == (0, 0, 8_000)


def test_site_without_battery() -> None:
    spec = battery_site(powerwalls=0)
    assert powers(decide(3_000, 1_000, spec=spec)) == (3_000, 0, -2_000)
    never = SiteControls(export_rule=ExportRule.NEVER)
    assert powers(decide(3_000, 1_000, spec=spec, controls=never)) == (1_000, 0, 0)
