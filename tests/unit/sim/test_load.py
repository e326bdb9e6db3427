"""Home load: daily energy and shape, wall-clock hours across DST, weather, noise, spikes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import DEFAULT_HOURLY_WEIGHTS, LoadSpec, Location, SiteKind, SiteSpec
from gridtwin.sim import load
from gridtwin.sim.environment import site_environment
from gridtwin.sim.weather import interp_ref, site_weather

LA = ZoneInfo("America/Los_Angeles")


def _spec(**load_changes: Any) -> SiteSpec:
    return SiteSpec(
        energy_site_id=7, kind=SiteKind.BATTERY, name="t", time_zone="America/Los_Angeles",
        location=Location(37.77, -122.42, 16.0), installation_s=0, gateway_din="g",
        site_uuid="u", load=replace(LoadSpec(), **load_changes), seed=11)


def _unix(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=LA).timestamp())


def _kwh(power_w: np.ndarray, step_s: int) -> float:
    return float(power_w.sum()) * step_s / 3.6e6


def test_day_shapes_hold_the_daily_energy() -> None:
    weekday, weekend = load.day_shapes_w(LoadSpec(daily_kwh=30.0))
    assert weekday.sum() == pytest.approx(30_000.0)
    assert weekend.sum() == pytest.approx(30_000.0)
    assert weekend[11] > weekday[11] and weekend[7] < weekday[7]  # home at midday


def test_custom_weights_are_taken_literally() -> None:
    flat = LoadSpec(daily_kwh=12.0, hourly_weights=(1.0,) * 24)
    weekday, weekend = load.day_shapes_w(flat)
    assert np.array_equal(weekday, weekend) and np.allclose(weekday, 500.0)


def test_bad_weights_are_rejected() -> None:
    with pytest.raises(ValueError):
        load.day_shapes_w(LoadSpec(hourly_weights=(1.0,) * 23))


def test_base_load_interpolates_between_hour_centres() -> None:
    spec = LoadSpec(weather_sensitive=False)
    weekday, _ = load.day_shapes_w(spec)
    monday = 4 * 86_400  # 1970-01-05 was a Monday
    at = np.array([monday + 7 * 3600 + 1800, monday + 8 * 3600], dtype=np.int64)
    got = load.base_load_w(at, spec)
    assert got[0] == pytest.approx(weekday[7])
    assert got[1] == pytest.approx((weekday[7] + weekday[8]) / 2)


def test_hvac_only_outside_the_comfort_band() -> None:
    temps = np.array([-5.0, 14.0, 20.0, 24.0, 34.0])
    extra = load.hvac_load_w(temps, LoadSpec(daily_kwh=48.0))
    assert extra[1:4].tolist() == [0.0, 0.0, 0.0]
    assert extra[0] == pytest.approx(2 * 60 * 19) and extra[4] == pytest.approx(2 * 120 * 10)
    assert not load.hvac_load_w(temps, LoadSpec(weather_sensitive=False)).any()


def test_noise_factor_bounds() -> None:
    f = load.load_noise_factor(1, 2, np.arange(100_000))
    assert f.min() >= 0.8 and f.max() < 1.2 and f.mean() == pytest.approx(1.0, abs=0.005)


def _mild_local_day() -> int:
    """Local midnight of a 2025 day whose TMY temperature stays in the comfort band."""
    wx = site_weather(37.77, -122.42, 16.0)
    for day in range(100, 300):
        date = datetime(2025, 1, 1) + timedelta(days=day)
        start = _unix(date.year, date.month, date.day)
        mids = start + np.arange(288, dtype=np.int64) * 300 + 150
        temp = interp_ref(mids)(wx.temp_air_c)
        if temp.min() > load.HEATING_BASE_C + 0.5 and temp.max() < load.COOLING_BASE_C - 0.5:
            return start
    raise AssertionError("no mild day")


def test_mild_day_energy_is_daily_kwh_within_noise() -> None:
    start = _mild_local_day()
    env = site_environment(_spec(), start, 288, 300)
    assert _kwh(env.home_load_forecast_w, 300) == pytest.approx(24.0, rel=1e-3)
    # 288 independent factors in [0.8, 1.2): the mean is within 0.4 / sqrt(12 x 288) x 5
    assert _kwh(env.home_load_w, 300) == pytest.approx(24.0, rel=0.04)


def test_hot_days_use_more() -> None:
    july = site_environment(_spec(), _unix(2025, 7, 1), 288 * 31, 300)
    mild = site_environment(_spec(weather_sensitive=False), _unix(2025, 7, 1), 288 * 31, 300)
    assert _kwh(july.home_load_forecast_w, 300) > 1.15 * _kwh(mild.home_load_forecast_w, 300)


def test_never_below_min_w() -> None:
    spec = _spec(daily_kwh=1.0, min_w=150)
    env = site_environment(spec, _unix(2025, 4, 1), 288 * 3, 300)
    assert env.home_load_w.min() == 150 and env.home_load_forecast_w.min() == 150


def test_spring_forward_day_skips_the_missing_hour() -> None:
    spec = _spec(weather_sensitive=False)
    start, end = _unix(2025, 3, 9), _unix(2025, 3, 10)
    assert end - start == 23 * 3600
    day = site_environment(spec, start, (end - start) // 60, 60).home_load_forecast_w
    before = site_environment(spec, _unix(2025, 3, 8), 24 * 60, 60).home_load_forecast_w
    # Mar 8 and 9 are both weekend days; wall-clock 03:00 onward lines up
    assert np.array_equal(day[2 * 60:], before[3 * 60:])
    assert np.array_equal(day[:2 * 60], before[:2 * 60])
    _, weekend = load.day_shapes_w(spec.load)
    assert _kwh(day, 60) == pytest.approx(24.0 - weekend[2] / 1000, rel=2e-3)


def test_fall_back_day_plays_the_repeated_hour_twice() -> None:
    spec = _spec(weather_sensitive=False)
    start, end = _unix(2025, 11, 2), _unix(2025, 11, 3)
    assert end - start == 25 * 3600
    day = site_environment(spec, start, (end - start) // 60, 60).home_load_forecast_w
    first, second = day[60:120], day[120:180]  # 01:00-02:00 PDT, then 01:00-02:00 PST
    assert np.array_equal(first, second)
    _, weekend = load.day_shapes_w(spec.load)
    assert _kwh(day, 60) == pytest.approx(24.0 + weekend[1] / 1000, rel=2e-3)


def test_spike_adds_exactly_its_power_over_its_interval() -> None:
    spec = _spec()
    start = _unix(2025, 5, 1, 17)
    spike = SiteEvent("s", EventType.LOAD_SPIKE, start + 600, start + 1500,
                      params={"power_w": 4000})
    plain = site_environment(spec, start, 60, 60)
    spiked = site_environment(spec, start, 60, 60, events=[spike])
    diff = spiked.home_load_w - plain.home_load_w
    assert diff[10:25].tolist() == [4000] * 15
    assert not diff[:10].any() and not diff[25:].any()
    assert np.array_equal(spiked.home_load_forecast_w, plain.home_load_forecast_w)


def test_partial_step_gets_the_time_weighted_share() -> None:
    starts = np.array([0, 300, 600], dtype=np.int64)
    events = [SiteEvent("a", EventType.LOAD_SPIKE, 450, None, params={"power_w": 1000}),
              SiteEvent("b", EventType.LOAD_SPIKE, 0, None, params={"power_w": 60,
                                                                    "duration_s": 150})]
    assert load.spike_load_w(events, starts, 300).tolist() == [30.0, 500.0, 1000.0]


def test_default_weights_are_the_spec_table() -> None:
    assert len(DEFAULT_HOURLY_WEIGHTS) == 24 and DEFAULT_HOURLY_WEIGHTS[18] == 66
