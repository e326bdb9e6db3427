"""Time-Based Control optimiser: behaviour a Powerwall owner would recognise.

Synthetic site (2 x Powerwall 2, 28 kWh), TOU buy prices (off-peak 00-06, peak 16-21),
one local day simulated from midnight at 20 % reserve in autonomous mode.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest

from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.sim.engine import advance, app_percent, initial_state
from gridtwin.sim.state import AdvanceResult, PriceSeries
from tests.unit.sim.synthetic import DAY_S, T0, BellEnvironment, TouPrices, battery_site

pytestmark = pytest.mark.timeout(300)

SPEC = battery_site(powerwalls=2, step_s=300)
AUTO = SiteControls(mode=OperationMode.AUTONOMOUS, backup_reserve_pct=20)
SOLAR_GRID, BATTERY_HOME, BATTERY_GRID, GRID_HOME, GRID_BATTERY = 2, 6, 7, 8, 9
SUNNY = BellEnvironment(solar_peak_w=9_000, base_load_w=500, evening_load_w=1_500)
CLOUDY = BellEnvironment(solar_peak_w=300, base_load_w=500, evening_load_w=1_500)
# Mid-day imports cost about what off-peak energy costs after the round trip, so only
# the peak makes grid charging pay.
TOU = TouPrices(peak=0.50, mid=0.13, off_peak=0.12, sell=0.05)


@dataclass(frozen=True)
class PeakSell:
    """TOU buy prices; the sell price is 0.40 during the peak, 0.02 otherwise."""

    def __call__(self, start_s: int, n_steps: int, step_s: int) -> PriceSeries:
        p = TOU(start_s, n_steps, step_s)
        return PriceSeries(start_s, step_s, p.buy_eff,
                           np.where(p.buy_eff == TOU.peak, 0.40, 0.02))


def day(env: BellEnvironment, controls: SiteControls = AUTO, prices: object = TOU,
        app: float = 20.0, hours: float = 24) -> AdvanceResult:
    return advance(SPEC, controls, initial_state(SPEC, T0, app), T0 + int(hours * 3600),
                   env=env, prices=prices)  # type: ignore[arg-type]


def by_hour(r: AdvanceResult, cell: int) -> np.ndarray:
    hour = (r.bucket_starts % DAY_S) // 3600
    return np.bincount(hour, weights=r.bucket_wh[:, cell], minlength=24)


def test_sunny_forecast_no_grid_charging_overnight() -> None:
    r = day(SUNNY)
    grid_charge = by_hour(r, GRID_BATTERY)
    assert grid_charge[:6].sum() == 0
    # at most a small pre-peak top-up where the (erring) forecast saw a shortfall
    assert grid_charge.sum() < 0.05 * by_hour(r, BATTERY_HOME)[16:21].sum()
    peak = by_hour(r, BATTERY_HOME)[16:21].sum()
    assert peak > 0.9 * (peak + by_hour(r, GRID_HOME)[16:21].sum())  # the sun filled it


def test_cloudy_forecast_charges_off_peak_for_what_the_peak_needs() -> None:
    r = day(CLOUDY)
    grid_charge = by_hour(r, GRID_BATTERY)
    # charging happens off peak; at most a token top-up later (ties between charging now
    # and later go to later, so a forecast error can leave a few Wh for the mid price)
    assert grid_charge[:6].sum() > 0 and grid_charge[6:].sum() <= 0.01 * grid_charge[:6].sum()
    # the stored energy covers the peak and no more: at 16:00 the battery holds about
    # the peak's deficit over the reserve, at 21:00 it is back near the reserve
    at16 = day(CLOUDY, hours=16).state
    stored = (at16.energy_wh - SPEC.total_pack_wh * (0.05 + 0.0095 * 20)) * 0.9 ** 0.5
    peak_home = (by_hour(r, BATTERY_HOME) + by_hour(r, GRID_HOME))[16:21].sum()
    # (the plan's resolution is a state-of-energy grid step, 0.9 kWh here, and energy
    # left after the peak is worth as much to tomorrow's peak, so some may be banked)
    assert 0.9 * peak_home <= stored <= 1.6 * peak_home
    assert by_hour(r, BATTERY_HOME)[16:21].sum() > 0.85 * peak_home
    assert app_percent(SPEC, day(CLOUDY, hours=21).state.energy_wh) < 40
    assert app_percent(SPEC, at16.energy_wh) < 90  # not charged to full


def test_battery_ok_exports_at_the_peak_when_it_pays() -> None:
    ok = replace(AUTO, export_rule=ExportRule.BATTERY_OK)
    r = day(CLOUDY, ok, PeakSell())
    export = by_hour(r, BATTERY_GRID)
    assert export[16:21].sum() > 5_000 and export[:16].sum() + export[21:].sum() == 0
    balanced = day(CLOUDY, replace(ok, strategy=Strategy.BALANCED), PeakSell())
    assert balanced.state.counters_j[BATTERY_GRID] == 0
    pv_only = day(CLOUDY, AUTO, PeakSell())
    assert pv_only.state.counters_j[BATTERY_GRID] == 0


def test_grid_charging_disallowed_never_grid_to_battery() -> None:
    no_gc = replace(AUTO, grid_charging_allowed=False)
    for env in (CLOUDY, SUNNY):
        assert day(env, no_gc).state.counters_j[GRID_BATTERY] == 0


def test_reference_controller_still_grid_charges_by_its_rule() -> None:
    ref = advance(replace(SPEC, controller="reference"), AUTO, initial_state(SPEC, T0, 20.0),
                  T0 + 5 * 3600, env=SUNNY, prices=TOU)
    assert ref.state.counters_j[GRID_BATTERY] > 0  # §5.3 charges to the peak target
    assert ref.state.controller_state == "off_peak"
    assert day(SUNNY, hours=1).state.controller_state == "optimiser"


def test_optimiser_day_is_observation_independent() -> None:
    whole = day(CLOUDY, replace(AUTO, export_rule=ExportRule.BATTERY_OK), PeakSell()).state
    st = initial_state(SPEC, T0, 20.0)
    for t in np.linspace(T0 + 7, T0 + DAY_S, 11).astype(int):
        st = advance(SPEC, replace(AUTO, export_rule=ExportRule.BATTERY_OK), st, int(t),
                     env=CLOUDY, prices=PeakSell()).state
    assert st == whole


def test_site_description_chooses_the_controller() -> None:
    from gridtwin.core.errors import InvalidField
    from gridtwin.domain.codec import spec_from_dict, spec_to_dict
    from gridtwin.services.emulator.describe import parse_site

    base = {"time_zone": "America/Los_Angeles"}
    assert parse_site(base, seed=0, now_s=T0, index=0).spec.controller == "optimiser"
    ref = parse_site({**base, "controller": "reference"}, seed=0, now_s=T0, index=0).spec
    assert ref.controller == "reference"
    assert spec_from_dict(spec_to_dict(ref)) == ref  # stored and read back
    with pytest.raises(InvalidField) as info:
        parse_site({**base, "controller": "clever"}, seed=0, now_s=T0, index=0)
    assert set(info.value.messages) == {"site.controller"}


def _peak_import_w(r: AdvanceResult) -> float:
    """Highest 5-minute mean grid import during the peak (16:00-21:00) [W]."""
    hour = (r.bucket_starts % DAY_S) // 3600
    imports = (r.bucket_wh[:, GRID_HOME] + r.bucket_wh[:, GRID_BATTERY]) * 12.0
    return float(imports[(hour >= 16) & (hour < 21)].max())


def test_demand_charge_keeps_the_monthly_peak_import_lower() -> None:
    # The battery cannot cover the whole evening: without demand charges it serves the
    # load until it is empty and the grid then takes all of it; with a peak demand price
    # the optimiser spreads the shortfall into a low, flat import.
    no_gc = replace(AUTO, grid_charging_allowed=False)
    heavy = BellEnvironment(solar_peak_w=300, base_load_w=900, evening_load_w=2_600)
    plain = day(heavy, no_gc, TOU, app=45.0)
    demand = day(heavy, no_gc, replace(TOU, demand_kw=15.0), app=45.0)
    assert _peak_import_w(plain) > 2_000
    assert _peak_import_w(demand) < 0.6 * _peak_import_w(plain)
    assert demand.state.demand_peak_w == pytest.approx(_peak_import_w(demand), abs=60)
    assert demand.state.demand_month >= 0 and plain.state.demand_month == -1
    # the energy the battery delivers at the peak is about the same: it is only spread
    served = by_hour(demand, BATTERY_HOME)[16:21].sum()
    assert served > 0.9 * by_hour(plain, BATTERY_HOME)[16:21].sum()


def test_demand_peak_is_observation_independent() -> None:
    prices = replace(TOU, demand_kw=15.0)
    heavy = BellEnvironment(solar_peak_w=300, base_load_w=900, evening_load_w=2_600)
    no_gc = replace(AUTO, grid_charging_allowed=False)
    whole = day(heavy, no_gc, prices, app=45.0).state
    st = initial_state(SPEC, T0, 45.0)
    for t in np.linspace(T0 + 7, T0 + DAY_S, 13).astype(int):
        st = advance(SPEC, no_gc, st, int(t), env=heavy, prices=prices).state
    assert st == whole and whole.demand_peak_w > 0

