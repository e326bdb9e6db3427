"""Solar: the PVWatts chain, sky modes and sub-hourly cloud noise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import BatteryBank, Location, SiteKind, SiteSpec, SolarSpec
from gridtwin.sim import solar
from gridtwin.sim.environment import local_wall_s, site_environment
from gridtwin.sim.solar import RANDOM, Sky
from gridtwin.sim.state import Environment
from gridtwin.sim.weather import interp_ref, site_weather

DAY_S = 86_400


def _spec(sky: str = "clear", **changes: Any) -> SiteSpec:
    spec = SiteSpec(
        energy_site_id=42, kind=SiteKind.BATTERY, name="t", time_zone="America/Los_Angeles",
        location=Location(37.77, -122.42, 16.0), installation_s=0, gateway_din="g",
        site_uuid="u", batteries=(BatteryBank(BatteryModel.POWERWALL_2, 2),),
        solar=SolarSpec(), sky=sky, seed=3)
    return replace(spec, **changes)


def _local_midnight(year: int, month: int, day: int) -> int:
    """Unix seconds of local midnight in Los Angeles (PST/PDT chosen by the caller's date)."""
    from zoneinfo import ZoneInfo

    return int(datetime(year, month, day, tzinfo=ZoneInfo("America/Los_Angeles")).timestamp())


def _day(spec: SiteSpec, year: int, month: int, day: int) -> Environment:
    return site_environment(spec, _local_midnight(year, month, day), 288, 300)


def _day_kwh(power_w: np.ndarray) -> float:
    return float(power_w.sum()) * 300 / 3.6e6


def test_ac_power_zero_without_light_and_clipped_at_the_cap() -> None:
    args = (7.6, 14.0, 5000.0)
    assert solar.pv_ac_power_w(np.array([0.0]), np.array([25.0]), *args)[0] == 0.0
    assert solar.pv_ac_power_w(np.array([2000.0]), np.array([25.0]), *args)[0] == 5000.0


def test_ac_power_follows_pvwatts_at_reference_conditions() -> None:
    pac = solar.pv_ac_power_w(np.array([1000.0]), np.array([25.0]), 7.6, 14.0, 9120.0)[0]
    pdc = 7600 * 0.86
    zeta = pdc / (9120 / 0.96)
    eta = 0.96 / 0.9637 * (-0.0162 * zeta - 0.0059 / zeta + 0.9858)
    assert pac == pytest.approx(pdc * eta, rel=1e-9)
    hot = solar.pv_ac_power_w(np.array([1000.0]), np.array([65.0]), 7.6, 14.0, 9120.0)[0]
    assert hot / pac == pytest.approx(1 - 0.0037 * 40, rel=0.01)


def test_no_ac_capacity_means_no_power() -> None:
    assert np.all(solar.pv_ac_power_w(np.array([900.0]), np.array([30.0]), 7.6, 14.0, 0) == 0)


@pytest.mark.parametrize(("name", "code"), [
    ("tmy", Sky.TMY), ("clear", Sky.CLEAR), ("partly_cloudy", Sky.PARTLY_CLOUDY),
    ("overcast", Sky.OVERCAST), ("storm", Sky.STORM), ("random", RANDOM),
    ("Clear", Sky.CLEAR), ("hazy", Sky.TMY), ("", Sky.TMY),
])
def test_sky_names(name: str, code: int) -> None:
    assert solar.sky_from_name(name) == code


def test_cloud_factors_keep_each_hour_mean_and_bounds() -> None:
    bucket = np.arange(5_000 * 12, 5_010 * 12, dtype=np.int64)
    tmy, partly = solar.cloud_factors(1, 2, bucket, np.full(bucket.shape, 0.4))
    assert np.allclose(tmy.reshape(-1, 12).mean(axis=1), 1.0)
    assert tmy.std() > 0.1
    assert partly.min() >= 0.3 and partly.max() < 1.1
    smooth, _ = solar.cloud_factors(1, 2, bucket, np.zeros(bucket.shape))
    assert np.all(smooth == 1.0)


def test_cloud_factors_do_not_depend_on_the_window() -> None:
    bucket = np.arange(1_000, 1_100, dtype=np.int64)
    amp = np.full(bucket.shape, 0.3)
    whole = solar.cloud_factors(5, 6, bucket, amp)
    part = solar.cloud_factors(5, 6, bucket[37:61], amp[37:61])
    assert np.array_equal(whole[0][37:61], part[0])
    assert np.array_equal(whole[1][37:61], part[1])


def test_zero_at_night_and_peak_near_solar_noon() -> None:
    env = _day(_spec(), 2025, 6, 21)
    local_h = (np.arange(288) * 300 + 150) / 3600
    assert np.all(env.solar_w[(local_h < 4.5) | (local_h > 21.5)] == 0)
    # solar noon at 122.42 W on June 21 is about 13:11 PDT (equation of time ~ -2 min);
    # the top of a clear day is flat, so check the peak loosely and the centroid tightly
    assert abs(local_h[np.argmax(env.solar_w)] - 13.18) < 1.0
    centroid_h = (local_h * env.solar_w).sum() / env.solar_w.sum()
    assert abs(centroid_h - 13.18) < 0.25
    assert env.solar_w.max() > 4_000


def test_summer_beats_winter() -> None:
    for sky in ("clear", "tmy"):
        spec = _spec(sky)
        june = sum(_day_kwh(_day(spec, 2025, 6, d).solar_forecast_w) for d in range(10, 20))
        december = sum(_day_kwh(_day(spec, 2025, 12, d).solar_forecast_w) for d in range(10, 20))
        assert june > 1.3 * december, sky


def test_clear_beats_overcast_beats_storm() -> None:
    kwh = {sky: _day_kwh(_day(_spec(sky), 2025, 5, 1).solar_w)
           for sky in ("clear", "overcast", "storm")}
    assert kwh["clear"] > 30
    assert kwh["overcast"] / kwh["clear"] == pytest.approx(0.25, abs=0.03)
    assert kwh["storm"] / kwh["clear"] == pytest.approx(0.1, abs=0.02)


def test_partly_cloudy_is_noisy_around_seventy_percent() -> None:
    clear = _day(_spec("clear"), 2025, 5, 1)
    partly = _day(_spec("partly_cloudy"), 2025, 5, 1)
    assert _day_kwh(partly.solar_w) / _day_kwh(clear.solar_w) == pytest.approx(0.7, abs=0.07)
    assert _day_kwh(partly.solar_forecast_w) / _day_kwh(clear.solar_w) == pytest.approx(
        0.7, abs=0.02)
    lit = clear.solar_w > 1000
    ratio = partly.solar_w[lit] / clear.solar_w[lit]
    assert ratio.min() > 0.25 and ratio.max() < 1.15 and ratio.std() > 0.1


def test_five_minute_tmy_varies_within_a_cloudy_hour() -> None:
    spec = _spec("tmy")
    start = _local_midnight(2025, 6, 20)
    env = site_environment(spec, start, 288 * 10, 300)
    mids = start + np.arange(env.solar_w.size) * 300 + 150
    kc = interp_ref(mids)(site_weather(37.77, -122.42, 16.0).clear_sky_index)
    hours = (env.solar_forecast_w.reshape(-1, 12) > 1500).all(axis=1)
    cloudy = hours & (np.abs(kc.reshape(-1, 12) - 0.5) < 0.2).all(axis=1)
    assert cloudy.sum() >= 3
    actual = env.solar_w.reshape(-1, 12)[cloudy]
    smooth = env.solar_forecast_w.reshape(-1, 12)[cloudy]
    assert np.all((actual / smooth).std(axis=1) > 0.05)
    assert actual.sum() / smooth.sum() == pytest.approx(1.0, abs=0.05)


def test_clear_tmy_hours_stay_smooth() -> None:
    start = _local_midnight(2025, 6, 20)
    env = site_environment(_spec("tmy"), start, 288 * 10, 300)
    mids = start + np.arange(env.solar_w.size) * 300 + 150
    kc = interp_ref(mids)(site_weather(37.77, -122.42, 16.0).clear_sky_index)
    assert np.array_equal(env.solar_w[kc >= 1.0], env.solar_forecast_w[kc >= 1.0])


def test_sky_event_overrides_one_local_day() -> None:
    spec = _spec("clear")
    event = SiteEvent("e1", EventType.SKY, _local_midnight(2025, 5, 2),
                      params={"date": "2025-05-02", "sky": "storm"})
    start = _local_midnight(2025, 5, 1)
    env = site_environment(spec, start, 3 * 288, 300, events=[event])
    plain = site_environment(spec, start, 3 * 288, 300)
    kwh = [_day_kwh(d) for d in env.solar_w.reshape(3, 288)]
    assert kwh[1] / _day_kwh(plain.solar_w[288:576]) == pytest.approx(0.1, abs=0.02)
    assert np.array_equal(env.solar_w[:288], plain.solar_w[:288])
    assert np.array_equal(env.solar_w[576:], plain.solar_w[576:])
    assert env.solar_w[288 - 1] == 0 and env.solar_w[2 * 288] == 0  # days split at midnight


def test_random_sky_is_one_seeded_mode_per_local_day() -> None:
    spec = _spec("random")
    start = _local_midnight(2025, 4, 1)
    n = 60 * 288
    mids = start + np.arange(n, dtype=np.int64) * 300 + 150
    from gridtwin.sim.environment import sky_per_step

    codes = sky_per_step(spec, (), local_wall_s(mids, spec.time_zone)).reshape(60, 288)
    assert np.all(codes == codes[:, :1])
    assert set(np.unique(codes)) == {Sky.CLEAR, Sky.PARTLY_CLOUDY, Sky.OVERCAST, Sky.STORM}
    other = sky_per_step(replace(spec, seed=4), (), local_wall_s(mids, spec.time_zone))
    assert not np.array_equal(codes.ravel(), other)


def test_ac_cap_of_a_powerwall_plus_site_clips() -> None:
    spec = _spec("clear", batteries=(BatteryBank(BatteryModel.POWERWALL_PLUS, 1),),
                 solar=SolarSpec(dc_kw=12.0))
    env = _day(spec, 2025, 6, 21)
    assert env.solar_w.max() == spec.solar_ac_limit_w
    assert (env.solar_w == spec.solar_ac_limit_w).sum() > 6


def test_solarless_sites_produce_nothing() -> None:
    env = _day(_spec("clear", solar=None, batteries=()), 2025, 6, 21)
    assert not env.solar_w.any() and not env.solar_forecast_w.any()


def test_southern_site_faces_north_and_peaks_in_december() -> None:
    spec = _spec("clear", time_zone="Australia/Sydney", location=Location(-33.87, 151.21, 40.0))
    from zoneinfo import ZoneInfo

    def day_kwh(month: int) -> float:
        start = int(datetime(2025, month, 21, tzinfo=ZoneInfo("Australia/Sydney")).timestamp())
        return _day_kwh(site_environment(spec, start, 288, 300).solar_forecast_w)

    assert day_kwh(12) > 1.3 * day_kwh(6)
    assert day_kwh(6) > 15  # facing north, winter output stays substantial


def test_instants_use_utc_days() -> None:
    # a common-year instant after Feb reads the reference table one day later
    t = int(datetime(2025, 3, 1, 20, tzinfo=UTC).timestamp())
    spec = _spec("clear")
    a = site_environment(spec, t, 1, 300).solar_forecast_w[0]
    b = site_environment(spec, t - DAY_S, 1, 300).solar_forecast_w[0]
    assert a > 0 and abs(int(a) - int(b)) < 0.05 * a
