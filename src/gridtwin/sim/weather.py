"""Real TMY weather mapped onto any site and calendar year (site-behavior §10.1).

A site may name its own weather file (EPW, TMY3, TMY2, PVGIS, NSRDB; see
:mod:`gridtwin.sim.weather_files`): its year and location are then the station. Otherwise
it takes one of the three typical-meteorological-year files pvlib bundles, the station
nearest in **absolute latitude** (climate and seasonality follow latitude far more than
longitude; by great-circle distance San Francisco would get Sand Point, Alaska). Sites in
the southern hemisphere use the station's year shifted by 182 days so seasons flip.

Mapping: each TMY hour gives a clear-sky index ``kc = GHI / GHI_clear`` at the station
(Ineichen, hourly mean of 5-minute samples). At the site, the TMY hour with the same
day of year and the same *mean solar time* supplies ``kc``, air temperature and wind
speed (met values are instantaneous at the end of their TMY hour, irradiance is the
hour's mean); ``GHI = kc x GHI_clear(site)`` and pvlib's Erbs model splits it into DNI and DHI
at the site's own sun position. So the weather is real while sunrise, noon and the
clear-sky envelope belong to the site.

Everything is tabulated once on a **reference grid**: the leap year 2024 in UTC, 5-minute
buckets (366 x 288), values at bucket centres. Any instant of any year maps onto it by
day of year (:func:`ref_offset_s`); in common years the reference Feb 29 is skipped, and
the reference Feb 29 itself reuses TMY Feb 28.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from gridtwin.sim.weather_files import WeatherFileError, distance_km, read_weather_file

__all__ = [
    "BUCKET_S",
    "N_REF_BUCKETS",
    "REF_START_S",
    "STATIONS",
    "ClearSky",
    "RefInterp",
    "SiteWeather",
    "TmyStation",
    "WeatherFileError",
    "clear_sky",
    "file_station",
    "interp_ref",
    "nearest_station",
    "ref_bucket",
    "ref_offset_s",
    "site_station",
    "site_temp_air_c",
    "site_weather",
    "station_clear_sky_index",
    "station_distance_km",
    "station_weather",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BUCKET_S = 300
"""Reference grid resolution [s]."""
DAY_S = 86_400
REF_START_S = 1_704_067_200
"""2024-01-01T00:00Z, start of the (leap) reference year [Unix s]."""
N_REF_BUCKETS = 366 * DAY_S // BUCKET_S
_FEB29_DAY = 59  # zero-based day of year of Feb 29 in a leap year
_HOURS = 8760
_SOUTH_SHIFT_DAYS = 182
_KC_MIN_CLEAR_W_M2 = 20.0  # below this clear-sky GHI the hourly index is too noisy
_KC_MAX = 1.3


@dataclass(frozen=True)
class TmyStation:
    """A typical-year weather file: one bundled with pvlib (``file_name`` in its data
    directory) or a user's file (``file_name`` a path; ``file_format`` one of
    weather_files.FORMATS; ``stamp`` its modification time [ns], so an edited file is
    read again). utc_offset_h [h]: offset of the clock its rows follow."""

    file_name: str
    name: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    utc_offset_h: float
    file_format: str = ""
    stamp: int = 0


STATIONS: tuple[TmyStation, ...] = (
    TmyStation("723170TYA.CSV", "Greensboro NC (TMY3)", 36.1, -79.95, 273.0, -5.0),
    TmyStation("703165TY.csv", "Sand Point AK (TMY3)", 55.317, -160.517, 7.0, -9.0),
    TmyStation("12839.tm2", "Miami FL (TMY2)", 25.8, -80.26666666666667, 2.0, -5.0),
)
"""Header values of the three files (checked against the files by the unit tests)."""


@dataclass(frozen=True)
class StationWeather:
    """One TMY year in file order: row k covers [k, k+1) h of local standard time.

    ghi_w_m2, dhi_w_m2 [W/m2], temp_air_c [C], wind_speed_m_s [m/s], each of length 8760.
    """

    station: TmyStation
    ghi_w_m2: FloatArray
    temp_air_c: FloatArray
    wind_speed_m_s: FloatArray
    dhi_w_m2: FloatArray


@dataclass(frozen=True)
class ClearSky:
    """Sun position and Ineichen clear sky at some instants (arrays of one length).

    zenith_deg, apparent_zenith_deg, azimuth_deg [deg]; airmass_relative,
    airmass_absolute [-]; dni_extra_w_m2, ghi_w_m2, dni_w_m2, dhi_w_m2 [W/m2];
    day_of_year [-] (fractional).
    """

    zenith_deg: FloatArray
    apparent_zenith_deg: FloatArray
    azimuth_deg: FloatArray
    airmass_relative: FloatArray
    airmass_absolute: FloatArray
    dni_extra_w_m2: FloatArray
    ghi_w_m2: FloatArray
    dni_w_m2: FloatArray
    dhi_w_m2: FloatArray
    day_of_year: FloatArray


@dataclass(frozen=True)
class SiteWeather:
    """TMY weather at a site on the reference grid (length N_REF_BUCKETS, read-only).

    clear_sky_index [-], ghi/dni/dhi_w_m2 [W/m2] (noise-free TMY), temp_air_c [C],
    wind_speed_m_s [m/s]; sky: sun position and clear sky at the bucket centres.
    """

    station: TmyStation
    sky: ClearSky
    clear_sky_index: FloatArray
    ghi_w_m2: FloatArray
    dni_w_m2: FloatArray
    dhi_w_m2: FloatArray
    temp_air_c: FloatArray
    wind_speed_m_s: FloatArray


def nearest_station(latitude_deg: float) -> TmyStation:
    """The station nearest in absolute latitude [deg]; ties go to the first listed."""
    return min(STATIONS, key=lambda s: abs(abs(s.latitude_deg) - abs(latitude_deg)))


def file_station(path: str) -> TmyStation:
    """The station of a user's weather file (read once per modification; raises
    WeatherFileError with a one-line reason)."""
    try:
        stat = Path(path).stat()
    except OSError:
        raise WeatherFileError(f"{path}: no such weather file") from None
    return _file_station(str(Path(path).resolve()), stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _file_station(path: str, stamp: int) -> TmyStation:
    wf = read_weather_file(Path(path))
    return TmyStation(path, wf.name, wf.latitude_deg, wf.longitude_deg, wf.elevation_m,
                      wf.utc_offset_h, wf.file_format, stamp)


def site_station(latitude_deg: float, weather_file: str | None) -> TmyStation:
    """The weather station of a site: its own file, else the nearest bundled station."""
    return nearest_station(latitude_deg) if weather_file is None else file_station(weather_file)


def station_distance_km(station: TmyStation, latitude_deg: float, longitude_deg: float) -> float:
    """How far the station is from a site [km] (great circle)."""
    return distance_km(station.latitude_deg, station.longitude_deg, latitude_deg, longitude_deg)


def _data_path(file_name: str) -> Path:
    return Path(pvlib.__file__).parent / "data" / file_name


@lru_cache(maxsize=16)
def station_weather(station: TmyStation) -> StationWeather:
    """One station's year (cached in-process)."""
    if station.file_format:
        wf = read_weather_file(Path(station.file_name), station.file_format)
        return StationWeather(station, *(_frozen(np.array(a)) for a in (
            wf.ghi_w_m2, wf.temp_air_c, wf.wind_speed_m_s, wf.dhi_w_m2)))
    path = _data_path(station.file_name)
    if station.file_name.endswith(".tm2"):
        data, _ = pvlib.iotools.read_tmy2(str(path))
        ghi, temp, wind = data["GHI"], data["DryBulb"] / 10.0, data["Wspd"] / 10.0
        dhi = data["DHI"]
    else:
        data, _ = pvlib.iotools.read_tmy3(str(path), map_variables=True)
        ghi, temp, wind, dhi = data["ghi"], data["temp_air"], data["wind_speed"], data["dhi"]
    arrays = (np.asarray(x, dtype=np.float64) for x in (ghi, temp, wind, dhi))
    return StationWeather(station, *(_frozen(a) for a in arrays))


def clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float, unix_s: FloatArray
) -> ClearSky:
    """Sun position (NREL SPA) and Ineichen clear sky at instants ``unix_s`` [Unix s].

    Linke turbidity: pvlib's monthly climatology at the location, interpolated by day.
    """
    times = pd.DatetimeIndex((np.asarray(unix_s) * 1e9).astype("datetime64[ns]"), tz="UTC")
    pos = pvlib.solarposition.get_solarposition(times, latitude_deg, longitude_deg,
                                                altitude=elevation_m)
    doy = _day_of_year(np.asarray(unix_s, dtype=np.float64))
    app_zen = pos["apparent_zenith"].to_numpy()
    with np.errstate(all="ignore"):
        am_rel = pvlib.atmosphere.get_relative_airmass(app_zen)
        am_abs = pvlib.atmosphere.get_absolute_airmass(
            am_rel, pvlib.atmosphere.alt2pres(elevation_m))
        extra = pvlib.irradiance.get_extra_radiation(doy)
        linke = _linke_turbidity(latitude_deg, longitude_deg, doy)
        cs = pvlib.clearsky.ineichen(app_zen, am_abs, linke, altitude=elevation_m,
                                     dni_extra=extra)
    return ClearSky(
        zenith_deg=pos["zenith"].to_numpy(), apparent_zenith_deg=app_zen,
        azimuth_deg=pos["azimuth"].to_numpy(), airmass_relative=_clean(am_rel),
        airmass_absolute=_clean(am_abs), dni_extra_w_m2=np.asarray(extra, dtype=np.float64),
        ghi_w_m2=_clean(cs["ghi"]), dni_w_m2=_clean(cs["dni"]), dhi_w_m2=_clean(cs["dhi"]),
        day_of_year=doy,
    )


def _linke_turbidity(latitude_deg: float, longitude_deg: float, doy: FloatArray) -> FloatArray:
    mid_months = pd.date_range("2023-01-01", periods=12, freq="MS", tz="UTC") + pd.Timedelta(days=14)
    monthly = pvlib.clearsky.lookup_linke_turbidity(
        mid_months, latitude_deg, longitude_deg, interp_turbidity=False).to_numpy()
    nodes = (np.arange(12) + 0.5) * 365.0 / 12.0 + 1.0
    return np.asarray(np.interp(doy, nodes, monthly, period=365.0), dtype=np.float64)


def _day_of_year(unix_s: FloatArray) -> FloatArray:
    """Fractional day of year, 1-based, in UTC [-]."""
    year_start = unix_s.astype("datetime64[s]").astype("datetime64[Y]").astype("datetime64[s]")
    return (unix_s - year_start.astype(np.float64)) / DAY_S + 1.0


@lru_cache(maxsize=16)
def station_clear_sky_index(station: TmyStation) -> FloatArray:
    """Hourly clear-sky index GHI / mean clear-sky GHI at the station [-], length 8760.

    Hours whose clear sky is too dim to give a stable ratio take the index of the
    nearest usable hours (linear fill), then the index is clipped to [0, 1.3].
    """
    weather = station_weather(station)
    sub = 12
    local_h = np.arange(_HOURS * sub) / sub + 0.5 / sub
    unix = 1_672_531_200 + (local_h - station.utc_offset_h) * 3600.0  # 2023, a common year
    sky = clear_sky(station.latitude_deg, station.longitude_deg, station.elevation_m, unix)
    clear = sky.ghi_w_m2.reshape(_HOURS, sub).mean(axis=1)
    usable = clear > _KC_MIN_CLEAR_W_M2
    kc = np.zeros(_HOURS)
    kc[usable] = weather.ghi_w_m2[usable] / clear[usable]
    hours = np.arange(_HOURS)
    filled = np.interp(hours, hours[usable], kc[usable], period=_HOURS)
    return _frozen(np.clip(filled, 0.0, _KC_MAX))


def _tmy_row_position(longitude_deg: float, southern: bool, station: TmyStation) -> FloatArray:
    """Fractional TMY row (centred convention) for each reference bucket centre."""
    centre_s = np.arange(N_REF_BUCKETS) * BUCKET_S + BUCKET_S / 2
    solar_s = np.mod(centre_s + longitude_deg / 15.0 * 3600.0, N_REF_BUCKETS * BUCKET_S)
    day, second = np.divmod(solar_s, DAY_S)
    day = np.where(day >= _FEB29_DAY, day - 1, day)  # Feb 29 reuses Feb 28
    if southern:
        day = np.mod(day + _SOUTH_SHIFT_DAYS, 365)
    shift_h = (station.longitude_deg - 15.0 * station.utc_offset_h) / 15.0
    standard_h = day * 24.0 + second / 3600.0 - shift_h
    return np.asarray(np.mod(standard_h - 0.5, _HOURS), dtype=np.float64)


def _interp_rows(hourly: FloatArray, row: FloatArray) -> FloatArray:
    return np.asarray(np.interp(row, np.arange(_HOURS, dtype=np.float64), hourly,
                                period=_HOURS), dtype=np.float64)


@lru_cache(maxsize=8)  # about 14 MB each; plane_response keeps what serving needs
def site_weather(latitude_deg: float, longitude_deg: float, elevation_m: float,
                 station: TmyStation | None = None) -> SiteWeather:
    """Typical-year weather at a site on the reference grid (cached per location and
    station; default station: the nearest bundled one)."""
    station = station or nearest_station(latitude_deg)
    row = _tmy_row_position(longitude_deg, latitude_deg < 0, station)
    centres = REF_START_S + np.arange(N_REF_BUCKETS, dtype=np.float64) * BUCKET_S + BUCKET_S / 2
    sky = clear_sky(latitude_deg, longitude_deg, elevation_m, centres)
    kc = _interp_rows(station_clear_sky_index(station), row)
    ghi = kc * sky.ghi_w_m2
    if station.file_format:
        dni, dhi = _split_by_file(station, row, ghi, sky.zenith_deg)
    else:
        with np.errstate(all="ignore"):
            split = pvlib.irradiance.erbs(ghi, sky.zenith_deg, sky.day_of_year)
        dni, dhi = _clean(split["dni"]), _clean(split["dhi"])
    wind = _interp_rows(station_weather(station).wind_speed_m_s, row - 0.5)
    return SiteWeather(
        station=station, sky=sky, clear_sky_index=_frozen(kc), ghi_w_m2=_frozen(ghi),
        dni_w_m2=_frozen(dni), dhi_w_m2=_frozen(dhi),
        temp_air_c=site_temp_air_c(latitude_deg, longitude_deg, station),
        wind_speed_m_s=_frozen(wind),
    )


def _split_by_file(station: TmyStation, row: FloatArray, ghi_w_m2: FloatArray,
                   zenith_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(DNI, DHI) [W/m2] from the file's own hourly diffuse fraction DHI / GHI, mapped like
    the clear-sky index: a measured split beats a decomposition model where a file has it."""
    wx = station_weather(station)
    usable = wx.ghi_w_m2 > _KC_MIN_CLEAR_W_M2
    hours = np.arange(_HOURS)
    fraction = np.interp(hours, hours[usable], wx.dhi_w_m2[usable] / wx.ghi_w_m2[usable],
                         period=_HOURS)
    dhi = np.clip(_interp_rows(fraction, row), 0.0, 1.0) * ghi_w_m2
    cos_zenith = np.cos(np.radians(zenith_deg))
    up = cos_zenith > 0.05  # below about 87 deg a beam estimate is noise
    dni = np.zeros_like(ghi_w_m2)
    dni[up] = (ghi_w_m2[up] - dhi[up]) / cos_zenith[up]
    return _clean(dni), _clean(dhi)


@lru_cache(maxsize=256)
def site_temp_air_c(latitude_deg: float, longitude_deg: float,
                    station: TmyStation | None = None) -> FloatArray:
    """Typical-year air temperature at a site on the reference grid [C] (cheap: no sun
    position). Met values are instantaneous at the end of their hour, hence the half-row
    shift.
    """
    station = station or nearest_station(latitude_deg)
    row = _tmy_row_position(longitude_deg, latitude_deg < 0, station)
    return _frozen(_interp_rows(station_weather(station).temp_air_c, row - 0.5))


def ref_offset_s(unix_s: IntArray) -> IntArray:
    """Seconds into the reference year for instants of any year [s].

    Same UTC month, day and time of day; common years skip the reference Feb 29.
    """
    t = np.asarray(unix_s, dtype=np.int64)
    year = t.astype("datetime64[s]").astype("datetime64[Y]")
    into = t - year.astype("datetime64[s]").astype(np.int64)
    y = year.astype(np.int64) + 1970
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return np.where(~leap & (into >= _FEB29_DAY * DAY_S), into + DAY_S, into)


def ref_bucket(unix_s: IntArray) -> IntArray:
    """Reference bucket holding each instant [-]."""
    return ref_offset_s(unix_s) // BUCKET_S


@dataclass(frozen=True)
class RefInterp:
    """Linear interpolation weights between reference bucket centres."""

    lo: IntArray
    hi: IntArray
    w_hi: FloatArray

    def __call__(self, values: FloatArray) -> FloatArray:
        return values[self.lo] * (1.0 - self.w_hi) + values[self.hi] * self.w_hi


def interp_ref(unix_s: IntArray) -> RefInterp:
    """Weights to read reference-grid arrays at instants ``unix_s`` [Unix s] (periodic)."""
    x = (ref_offset_s(unix_s) - BUCKET_S // 2) / BUCKET_S
    lo = np.floor(x)
    return RefInterp(np.mod(lo, N_REF_BUCKETS).astype(np.int64),
                     np.mod(lo + 1, N_REF_BUCKETS).astype(np.int64), x - lo)


def _clean(values: object) -> FloatArray:
    out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return np.maximum(out, 0.0)


def _frozen(values: FloatArray) -> FloatArray:
    values.setflags(write=False)
    return values

