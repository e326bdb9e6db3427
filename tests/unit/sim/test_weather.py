"""TMY weather: stations, mapping onto a site, reference-year calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pvlib
import pytest

from gridtwin.sim import weather
from gridtwin.sim.weather import DAY_S, N_REF_BUCKETS, STATIONS


def _unix(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


@pytest.mark.parametrize("station", STATIONS, ids=lambda s: s.file_name)
def test_station_constants_match_file_headers(station: weather.TmyStation) -> None:
    path = weather._data_path(station.file_name)
    if station.file_name.endswith(".tm2"):
        _, meta = pvlib.iotools.read_tmy2(str(path))
        offset = meta["TZ"]
    else:
        _, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
        offset = meta["TZ"]
    assert meta["latitude"] == pytest.approx(station.latitude_deg)
    assert meta["longitude"] == pytest.approx(station.longitude_deg)
    assert meta["altitude"] == pytest.approx(station.elevation_m)
    assert offset == station.utc_offset_h


@pytest.mark.parametrize("station", STATIONS, ids=lambda s: s.file_name)
def test_station_weather_is_one_plausible_year(station: weather.TmyStation) -> None:
    wx = weather.station_weather(station)
    assert wx.ghi_w_m2.shape == (8760,)
    assert 800 < wx.ghi_w_m2.sum() / 1000 < 2200  # annual GHI [kWh/m2]
    assert -40 < wx.temp_air_c.min() < wx.temp_air_c.max() < 45  # TMY2 tenths converted
    assert wx.wind_speed_m_s.min() >= 0 and wx.wind_speed_m_s.max() < 40
    kc = weather.station_clear_sky_index(station)
    assert kc.min() >= 0 and kc.max() <= 1.3


@pytest.mark.parametrize(("latitude", "expected"), [
    (37.77, "723170TYA.CSV"),  # San Francisco: nearer Greensboro's latitude than Sand Point's
    (61.2, "703165TY.csv"),
    (25.0, "12839.tm2"),
    (-33.9, "723170TYA.CSV"),  # Sydney: by absolute latitude
])
def test_nearest_station_by_absolute_latitude(latitude: float, expected: str) -> None:
    assert weather.nearest_station(latitude).file_name == expected


@pytest.mark.parametrize(("instant", "offset_s"), [
    (_unix(2024, 2, 29, 12), 59 * DAY_S + 12 * 3600),
    (_unix(2025, 2, 28, 23, 59, 59), 58 * DAY_S + DAY_S - 1),
    (_unix(2025, 3, 1), 60 * DAY_S),  # a common year skips the reference Feb 29
    (_unix(2000, 3, 1), 60 * DAY_S),  # 2000 is a leap year
    (_unix(2100, 3, 1), 60 * DAY_S),  # 2100 is not
    (_unix(2100, 2, 1), 31 * DAY_S),
    (_unix(2025, 12, 31, 23, 59), 365 * DAY_S + DAY_S - 60),
])
def test_ref_offset_maps_by_month_and_day(instant: int, offset_s: int) -> None:
    assert weather.ref_offset_s(np.array([instant]))[0] == offset_s


def test_interp_reads_bucket_centres_exactly_and_wraps() -> None:
    values = np.arange(N_REF_BUCKETS, dtype=np.float64)
    centre = weather.REF_START_S + 10 * 300 + 150
    assert weather.interp_ref(np.array([centre]))(values)[0] == 10.0
    assert weather.interp_ref(np.array([centre + 75]))(values)[0] == 10.25
    first = weather.interp_ref(np.array([weather.REF_START_S]))(values)[0]
    assert first == pytest.approx((N_REF_BUCKETS - 1) / 2)  # halfway back to Dec 31


def test_site_weather_at_the_station_keeps_its_annual_irradiance() -> None:
    gso = STATIONS[0]
    wx = weather.site_weather(gso.latitude_deg, gso.longitude_deg, gso.elevation_m)
    station_kwh_m2 = weather.station_weather(gso).ghi_w_m2.sum() / 1000
    site_kwh_m2 = wx.ghi_w_m2.sum() * 300 / 3600 / 1000 * 365 / 366
    assert site_kwh_m2 == pytest.approx(station_kwh_m2, rel=0.04)
    assert wx.temp_air_c.mean() == pytest.approx(weather.station_weather(gso).temp_air_c.mean(),
                                                 abs=0.2)


def test_site_weather_is_dark_at_night_and_splits_consistently() -> None:
    wx = weather.site_weather(37.77, -122.42, 16.0)
    night = wx.sky.zenith_deg > 91  # refraction lifts the sun ~0.6 deg
    assert np.all(wx.ghi_w_m2[night] == 0)
    assert np.all(wx.dni_w_m2 >= 0) and np.all(wx.dhi_w_m2 >= 0)
    cos_z = np.cos(np.radians(wx.sky.zenith_deg))
    day = wx.sky.zenith_deg < 80
    closure = wx.dhi_w_m2[day] + wx.dni_w_m2[day] * cos_z[day]
    assert np.allclose(closure, wx.ghi_w_m2[day], atol=1.0)
    assert not wx.ghi_w_m2.flags.writeable


def test_feb29_reuses_feb28() -> None:
    wx = weather.site_weather(36.1, 0.0, 0.0)  # longitude 0: solar days = UTC days
    feb28 = slice(58 * 288, 59 * 288)
    feb29 = slice(59 * 288, 60 * 288)
    assert np.array_equal(wx.clear_sky_index[feb28], wx.clear_sky_index[feb29])
    assert np.array_equal(wx.temp_air_c[feb28], wx.temp_air_c[feb29])


def test_southern_sites_get_flipped_seasons() -> None:
    north = weather.site_weather(36.1, 150.0, 0.0)
    south = weather.site_weather(-36.1, 150.0, 0.0)
    january, july = slice(0, 31 * 288), slice(182 * 288, 213 * 288)
    assert north.temp_air_c[july].mean() > north.temp_air_c[january].mean() + 10
    assert south.temp_air_c[january].mean() > south.temp_air_c[july].mean() + 10
