"""Battery energy model: app scale, taper, bound-exact sizing (site-behavior §3)."""

from __future__ import annotations

import math

import pytest

from gridtwin.domain.battery import BatteryModel
from gridtwin.sim import battery as bat
from gridtwin.sim.engine import app_percent, energy_left_wh, initial_state
from gridtwin.sim.params import N_PARAMS, Params, pack_params
from tests.unit.sim.synthetic import battery_site

SPEC = battery_site(powerwalls=2)
PRM = Params(*pack_params(SPEC))
T = SPEC.total_pack_wh
ETA = math.sqrt(0.9)


def test_params_tuple_covers_every_param() -> None:
    assert len(PRM) == N_PARAMS


def test_app_scale_hides_bottom_five_percent() -> None:
    # T is the stored energy whose 95 % delivers 2 x 13.5 kWh of AC at sqrt(0.9)
    assert T == round(2 * 13_500 / (0.95 * ETA)) == 29_958
    assert app_percent(SPEC, 0.05 * T) == 0.0
    assert app_percent(SPEC, 0.0) == 0.0
    assert app_percent(SPEC, T) == pytest.approx(100.0)
    assert energy_left_wh(SPEC, T) == pytest.approx(SPEC.usable_ac_wh) == 27_000
    assert energy_left_wh(SPEC, 0.01 * T) == 0.0
    # reserve r maps to E = T (0.05 + 0.0095 r)
    assert app_percent(SPEC, T * (0.05 + 0.0095 * 20)) == pytest.approx(20.0)
    assert bat.app_pct(T * (0.05 + 0.0095 * 37), PRM) == pytest.approx(37.0)


def test_initial_state_is_given_app_percent() -> None:
    st = initial_state(SPEC, 0, app_pct=80.0)
    assert app_percent(SPEC, st.energy_wh) == pytest.approx(80.0)
    assert st.counters_j == (0,) * 10


def test_pw3_eta_and_pack() -> None:
    spec = battery_site(powerwalls=1, model=BatteryModel.POWERWALL_3)
    prm = pack_params(spec)
    # 89 % solar -> battery -> home behind a 97.5 % PV inverter: 0.89 / 0.975 AC to AC
    assert prm[2] == pytest.approx(0.89 / 0.975)
    assert prm[1] == pytest.approx(math.sqrt(0.89 / 0.975))
    assert spec.total_pack_wh == round(13_500 / (0.95 * prm[1])) == 14_874


@pytest.mark.parametrize(("app", "factor"), [(90.0, 1.0), (95.0, 1.0), (97.5, 0.5), (99.5, 0.2)])
def test_taper_above_95(app: float, factor: float) -> None:
    assert bat.tapered_charge_w(10_000.0, app) == math.floor(10_000 * factor)


def test_charge_limit_never_crosses_and_lands_within_a_watt() -> None:
    e = T - 123.456
    p = bat.charge_limit_w(e, T, 1 / 60, PRM)
    assert e + ETA * p * 60 / 3600 <= T + 1e-9
    assert e + ETA * (p + 1) * 60 / 3600 > T
    end = bat.settle_energy_wh(e, -p, 60.0, PRM, -1.0, -1.0, -1.0)
    assert end == T  # snapped exactly onto 100 %


def test_discharge_limit_lands_on_floor_exactly() -> None:
    floor = 0.05 * T
    e = floor + 10.0
    p = bat.discharge_limit_w(e, floor, 1 / 300, PRM)
    assert e - p * 300 / (3600 * ETA) >= floor - 1e-9
    assert e - (p + 1) * 300 / (3600 * ETA) < floor
    assert bat.settle_energy_wh(e, p, 300.0, PRM, -1.0, -1.0, -1.0) == floor


def test_settle_applies_efficiency_each_way() -> None:
    e = 10_000.0
    assert bat.settle_energy_wh(e, -1000.0, 3600.0, PRM, -1.0, -1.0, -1.0) == pytest.approx(
        e + 1000 * ETA)
    assert bat.settle_energy_wh(e, 1000.0, 3600.0, PRM, -1.0, -1.0, -1.0) == pytest.approx(
        e - 1000 / ETA)


def test_energy_between_stays_inside_the_interval() -> None:
    end = bat.settle_energy_wh(T - 1.0, -500.0, 60.0, PRM, -1.0, -1.0, -1.0)
    for elapsed in (0, 10, 59, 60):
        mid = bat.energy_between(T - 1.0, end, -500.0, PRM, float(elapsed))
        assert T - 1.0 <= mid <= end
