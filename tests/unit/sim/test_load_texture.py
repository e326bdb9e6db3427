"""Home-load texture: appliance runs and compressor cycles over a year of the demo site.

The texture is opt-in (``LoadSpec.appliances``); off, the load is the smooth model. Pins the 5-minute distribution, checks that the energy and the daily shape stay those of
the smooth model, and that the texture is seeded, per home and window-independent.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gridtwin.domain.controls import SiteControls
from gridtwin.domain.site import LoadSpec, SiteSpec
from gridtwin.services import provision
from gridtwin.sim import appliances, load
from gridtwin.sim.batch import simulate_batch
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.environment import environment_provider, local_wall_s, site_environment
from gridtwin.sim.state import Environment

YEAR_START_S = 1_735_718_400  # 2025-01-01T00:00 America/Los_Angeles
STEP_S = 300
N_STEPS = 365 * 86_400 // STEP_S
DAY_S = 86_400


def _demo(**changes: object) -> SiteSpec:
    spec = provision.demo_spec(0, YEAR_START_S)
    spec = replace(spec, installation_s=0, load=replace(spec.load, appliances=True))
    return replace(spec, **changes)


def test_off_by_default_the_load_is_the_smooth_model_bit_for_bit() -> None:
    spec = replace(_demo(), load=replace(_demo().load, appliances=False))
    assert LoadSpec().appliances is False and provision.demo_spec(0, 0).load == spec.load
    n = 288 * 60
    env = site_environment(spec, YEAR_START_S, n, STEP_S)
    mids = YEAR_START_S + STEP_S * np.arange(n, dtype=np.int64) + STEP_S // 2
    local = local_wall_s(mids, "America/Los_Angeles")
    ref = site_environment(replace(spec, load=replace(spec.load, weather_sensitive=False)),
                           YEAR_START_S, n, STEP_S)
    # the smooth model, written out: shape + HVAC, times noise, floored at min_w
    base = load.base_load_w(local, spec.load)
    noise = load.load_noise_factor(spec.seed, spec.energy_site_id,
                                   (mids - STEP_S // 2) // 300)  # 5-minute buckets
    dry = np.rint(np.maximum(base * noise, spec.load.min_w)).astype(np.int64)
    assert np.array_equal(ref.home_load_w, dry)
    assert np.array_equal(ref.home_load_forecast_w,
                          np.rint(np.maximum(base, spec.load.min_w)).astype(np.int64))
    textured = site_environment(_demo(), YEAR_START_S, n, STEP_S)
    assert np.array_equal(textured.home_load_forecast_w, env.home_load_forecast_w)
    assert np.mean(textured.home_load_w != env.home_load_w) > 0.5


@pytest.fixture(scope="module")
def year() -> Environment:
    return site_environment(_demo(), YEAR_START_S, N_STEPS, STEP_S)


def _local_days(n_steps: int, step_s: int) -> np.ndarray:
    mids = YEAR_START_S + step_s * np.arange(n_steps, dtype=np.int64) + step_s // 2
    day = local_wall_s(mids, "America/Los_Angeles") // DAY_S
    return day - day[0]


def test_five_minute_peaks_of_real_homes(year: Environment) -> None:
    actual = year.home_load_w.astype(np.float64)
    days = _local_days(N_STEPS, STEP_S)
    daily_max = np.full(days.max() + 1, -np.inf)
    np.maximum.at(daily_max, days, actual)
    assert (daily_max > 5_000).mean() > 0.5
    p50, p99, top = np.percentile(actual, [50, 99, 100])
    # pinned: 838 / 6 332 / 11 378 W (the smooth model: 1 232 / 2 690 / 3 565 W)
    assert 700 < p50 < 1_000
    assert 5_500 < p99 < 7_500
    assert 9_000 < top <= 12_000
    assert (daily_max <= 12_000).all()


def test_energy_and_daily_shape_stay_the_smooth_models(year: Environment) -> None:
    actual = year.home_load_w.astype(np.float64)
    smooth = year.home_load_forecast_w.astype(np.float64)
    assert actual.sum() == pytest.approx(smooth.sum(), rel=0.03)
    days = _local_days(N_STEPS, STEP_S)
    ratio = np.bincount(days, actual) / np.bincount(days, smooth)
    assert ratio.mean() == pytest.approx(1.0, abs=0.03)
    # pinned: 364 of 365 days within 3 %, the other (a floor-bound day) at +4.5 %
    assert (np.abs(ratio - 1.0) < 0.03).mean() > 0.99 and np.abs(ratio - 1.0).max() < 0.05
    hour = (local_wall_s(YEAR_START_S + STEP_S * np.arange(N_STEPS, dtype=np.int64),
                         "America/Los_Angeles") % DAY_S) // 3600
    by_hour = np.bincount(hour, actual) / np.bincount(hour, smooth)
    assert np.abs(by_hour - 1.0).max() < 0.06


def test_texture_is_correlated_in_time(year: Environment) -> None:
    dev = year.home_load_w.astype(np.float64) - year.home_load_forecast_w
    dev -= dev.mean()
    assert (dev[1:] * dev[:-1]).mean() / dev.var() > 0.3  # white noise gives ~0


def test_seeded_per_home(year: Environment) -> None:
    again = site_environment(_demo(), YEAR_START_S, 288 * 14, STEP_S)
    assert np.array_equal(again.home_load_w, year.home_load_w[:288 * 14])
    other = site_environment(_demo(energy_site_id=12), YEAR_START_S, 288 * 14, STEP_S)
    assert np.array_equal(other.home_load_forecast_w, again.home_load_forecast_w)
    assert np.mean(other.home_load_w != again.home_load_w) > 0.5


def test_a_year_in_weekly_chunks_equals_one_call(year: Environment) -> None:
    week = 7 * 288
    chunks = [site_environment(_demo(), YEAR_START_S + i * STEP_S, min(week, N_STEPS - i),
                               STEP_S).home_load_w for i in range(0, N_STEPS, week)]
    assert np.array_equal(np.concatenate(chunks), year.home_load_w)


def test_one_minute_steps_average_to_the_five_minute_step(year: Environment) -> None:
    fine = site_environment(_demo(), YEAR_START_S, N_STEPS * 5, 60).home_load_w
    mean = fine.reshape(N_STEPS, 5).mean(axis=1)
    diff = np.abs(mean - year.home_load_w)
    assert mean.sum() == pytest.approx(float(year.home_load_w.sum()), rel=1e-3)
    # compressor runs follow the temperature at each step's mid-point, so they may move
    assert np.percentile(diff, 99) < 60
    dry = _demo(load=LoadSpec(weather_sensitive=False, appliances=True))
    coarse = site_environment(dry, YEAR_START_S, 288 * 30, STEP_S).home_load_w
    fine = site_environment(dry, YEAR_START_S, 288 * 30 * 5, 60).home_load_w
    assert np.abs(fine.reshape(-1, 5).mean(axis=1) - coarse).max() <= 1.0  # rounding only


def test_appliance_power_is_exact_at_any_step_length() -> None:
    homes = load.home_appliances(3, 4, LoadSpec())
    day = 20_000 * DAY_S
    per_second, _ = appliances.appliance_w(homes, day + np.arange(DAY_S, dtype=np.int64), 1)
    for step_s in (7, 60, 300):
        starts = day + step_s * np.arange(DAY_S // step_s, dtype=np.int64)
        got, _ = appliances.appliance_w(homes, starts, step_s)
        want = per_second[: starts.size * step_s].reshape(-1, step_s).mean(axis=1)
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert per_second.max() >= 3_000  # the water heater ran in full seconds


def test_appliances_average_to_their_expected_profile() -> None:
    homes = load.home_appliances(5, 6, LoadSpec())
    starts = 19_000 * DAY_S + np.arange(0, 3 * 365 * DAY_S, 300, dtype=np.int64)
    runs, excess = appliances.appliance_w(homes, starts, 300)
    expected = appliances.expected_profile_w(homes, starts + 150)
    assert runs.mean() == pytest.approx(expected.mean(), rel=0.03)
    hourly = runs.reshape(-1, 24, 12).mean(axis=(0, 2))
    want = expected.reshape(-1, 24, 12).mean(axis=(0, 2))
    assert np.abs(hourly - want).max() < 0.15 * want.max()
    assert abs(excess.mean()) < 0.05 * homes.daily_j


def test_compressor_delivers_the_demand() -> None:
    starts = 30_000 * DAY_S + np.arange(0, DAY_S, 60, dtype=np.int64)
    demand = np.full(starts.size, 700.0)
    got = appliances.compressor_w(1, 2, demand, 3_500.0, starts, 60)
    assert got.mean() == pytest.approx(700.0, rel=1e-9)
    assert set(np.unique(got)) >= {0.0, 3_500.0}  # on at its rating or off
    assert not appliances.compressor_w(1, 2, np.zeros(10), 3_500.0, starts[:10], 60).any()
    big = appliances.compressor_w(1, 2, np.full(10, 5_000.0), 3_500.0, starts[:10], 60)
    assert np.allclose(big, 5_000.0)


def test_appliances_scale_with_the_home() -> None:
    assert load.home_appliances(0, 1, LoadSpec(daily_kwh=2.0)).slots == ()  # under the floor
    ref = load.home_appliances(0, 1, LoadSpec())
    assert 0.2 < ref.daily_j / 86.4e6 < 0.32  # 5-7.5 of its 24 kWh a day
    big = load.home_appliances(0, 1, LoadSpec(daily_kwh=96.0))
    # 4x the frequencies; the reference home is trimmed a little to fit its morning base
    assert 4.0 - 1e-9 < big.daily_j / ref.daily_j < 5.0


def test_batch_equals_advance_with_the_texture_on() -> None:
    spec = replace(_demo(), step_s=STEP_S)
    n = 3 * 288
    env = site_environment(spec, YEAR_START_S, n, STEP_S)
    batch = simulate_batch([spec], [SiteControls()], env.solar_w, env.home_load_w,
                           step_s=STEP_S)
    r = advance(spec, SiteControls(), initial_state(spec, YEAR_START_S),
                YEAR_START_S + n * STEP_S, env=environment_provider(spec))
    assert tuple(batch.counters_j[0]) == r.state.counters_j
    assert batch.energy_wh[0] == r.state.energy_wh and spec.batteries
