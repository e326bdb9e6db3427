"""Powerwall models against their datasheets: usable AC energy per full cycle, round trip,
and backup time consistent with what the pack delivers (docs/decisions.md, issue 16)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import OperationMode, SiteControls
from gridtwin.domain.site import BatteryBank, SiteSpec
from gridtwin.sim.engine import advance, app_percent, energy_left_wh, initial_state
from gridtwin.sim.powerflow import BATTERY_GRID, BATTERY_HOME, GRID_BATTERY, SOLAR_BATTERY
from gridtwin.sim.solar import pv_ac_power_w
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import T0, ConstEnvironment, battery_site, event

USABLE_AC_WH = 13_500  # Tesla datasheets: Powerwall 2, Powerwall+, Powerwall 3 (and expansion)
LOAD_W = 2_000  # a moderate constant home load [W]
OUTAGE = event("grid_outage", T0, None)
SELF = SiteControls(backup_reserve_pct=0, mode=OperationMode.SELF_CONSUMPTION)

# (model, banks): a Powerwall 3 expansion counts only beside a Powerwall 3
SITES = {
    "powerwall_2": (BatteryBank(BatteryModel.POWERWALL_2, 1),),
    "powerwall_plus": (BatteryBank(BatteryModel.POWERWALL_PLUS, 1),),
    "powerwall_3": (BatteryBank(BatteryModel.POWERWALL_3, 1),),
    "powerwall_3_expansion": (BatteryBank(BatteryModel.POWERWALL_3, 1),
                              BatteryBank(BatteryModel.POWERWALL_3_EXPANSION, 1)),
}


def _site(name: str) -> SiteSpec:
    return replace(battery_site(powerwalls=1, dc_kw=None), batteries=SITES[name])


def _at(spec: SiteSpec, app: float) -> SiteState:
    st = initial_state(spec, T0, app_pct=app)
    return replace(st, energy_wh=st.energy_wh, decided_energy_wh=st.energy_wh,
                   planned_energy_wh=st.energy_wh)


def _discharged_wh(st: SiteState) -> float:
    return (st.counters_j[BATTERY_HOME] + st.counters_j[BATTERY_GRID]) / 3600.0


@pytest.mark.parametrize("off_grid", [True, False], ids=["off_grid", "on_grid"])
@pytest.mark.parametrize("name", list(SITES))
def test_full_cycle_delivers_the_datasheet_usable_energy(name: str, off_grid: bool) -> None:
    spec = _site(name)
    units = sum(b.count for b in spec.batteries)
    hours = units * USABLE_AC_WH / LOAD_W + 2.0
    st = advance(spec, SELF, _at(spec, 100.0), T0 + round(hours * 3600),
                 env=ConstEnvironment(0, LOAD_W), events=(OUTAGE,) if off_grid else ()).state
    assert app_percent(spec, st.energy_wh) == 0.0
    assert _discharged_wh(st) == pytest.approx(units * USABLE_AC_WH, rel=0.01)


@pytest.mark.parametrize("name", list(SITES))
def test_energy_left_and_total_pack_energy_are_ac_usable(name: str) -> None:
    spec = _site(name)
    units = sum(b.count for b in spec.batteries)
    assert spec.usable_ac_wh == pytest.approx(units * USABLE_AC_WH, abs=1)
    full = _at(spec, 100.0)
    assert energy_left_wh(spec, full.energy_wh) == pytest.approx(spec.usable_ac_wh)
    assert energy_left_wh(spec, _at(spec, 40.0).energy_wh) == pytest.approx(
        0.4 * spec.usable_ac_wh)


@pytest.mark.parametrize("name", ["powerwall_2", "powerwall_3"])
def test_backup_time_matches_the_simulated_time_to_empty(name: str) -> None:
    spec = _site(name)
    load_w = 1_500
    start = _at(spec, 80.0)
    predicted_s = energy_left_wh(spec, start.energy_wh) / load_w * 3600.0
    env = ConstEnvironment(0, load_w)
    st = advance(spec, SELF, start, T0 + int(0.97 * predicted_s), env=env,
                 events=(OUTAGE,)).state
    assert not st.dark
    while not st.dark:  # minute by minute to the instant the home goes dark
        st = advance(spec, SELF, st, st.t_s + 60, env=env, events=(OUTAGE,)).state
    simulated_s = st.t_s - T0
    assert simulated_s == pytest.approx(predicted_s, rel=0.02)


@pytest.mark.parametrize(("model", "round_trip"), [
    (BatteryModel.POWERWALL_2, 0.90), (BatteryModel.POWERWALL_PLUS, 0.90)])
def test_ac_round_trip_is_the_datasheet_figure(model: BatteryModel, round_trip: float) -> None:
    """Grid-charged 0 -> 100 % in backup mode, then discharged to 0 % into the home."""
    spec = battery_site(powerwalls=1, model=model, dc_kw=None)
    charge = SiteControls(mode=OperationMode.BACKUP, grid_charging_allowed=True)
    full = advance(spec, charge, _at(spec, 0.0), T0 + 8 * 3600,
                   env=ConstEnvironment(0, 0)).state
    assert app_percent(spec, full.energy_wh) == pytest.approx(100.0)
    charged_wh = (full.counters_j[GRID_BATTERY] + full.counters_j[SOLAR_BATTERY]) / 3600.0
    empty = advance(spec, SELF, full, full.t_s + 10 * 3600,
                    env=ConstEnvironment(0, LOAD_W)).state
    assert app_percent(spec, empty.energy_wh) == 0.0
    assert _discharged_wh(empty) / charged_wh == pytest.approx(round_trip, abs=0.002)


def test_pw3_solar_to_battery_to_home_is_89_percent() -> None:
    """Solar charged into a PW3 (counted after its 97.5 % inverter) comes back to the home
    at 0.89 / 0.975 of the AC count, 89 % of the PV's DC energy in all."""
    spec = battery_site(powerwalls=1, model=BatteryModel.POWERWALL_3, dc_kw=None)
    assert spec.solar_inverter_eta == 0.975
    full = advance(spec, SELF, _at(spec, 0.0), T0 + 8 * 3600,
                   env=ConstEnvironment(4_000, 0)).state
    assert app_percent(spec, full.energy_wh) == pytest.approx(100.0)
    assert full.counters_j[GRID_BATTERY] == 0
    charged_ac_wh = full.counters_j[SOLAR_BATTERY] / 3600.0
    empty = advance(spec, SELF, full, full.t_s + 10 * 3600,
                    env=ConstEnvironment(0, LOAD_W)).state
    assert app_percent(spec, empty.energy_wh) == 0.0
    charged_dc_wh = charged_ac_wh / spec.solar_inverter_eta
    assert _discharged_wh(empty) / charged_dc_wh == pytest.approx(0.89, abs=0.002)


@pytest.mark.parametrize("eta", [0.96, 0.975])
def test_pv_inverter_converts_at_its_nominal_efficiency(eta: float) -> None:
    """A PW3's PV reaches the AC side at its datasheet 97.5 % (PVWatts' curve, near
    rated power), other inverters at PVWatts' 0.96."""
    ac = pv_ac_power_w(np.array([1000.0]), np.array([25.0]), 10.0, 0.0, 11_000.0, eta)
    assert ac[0] / 10_000.0 == pytest.approx(eta, abs=0.002)
