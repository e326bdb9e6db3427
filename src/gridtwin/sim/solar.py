"""PV output: a PVWatts-v8-style chain on pvlib (site-behavior §10.1).

Chain: sun position and sky on the reference grid (:mod:`gridtwin.sim.weather`) →
Perez plane-of-array irradiance (albedo 0.2) → cover transmission (physical IAM, AR
glass; Marion diffuse integrals) and the De Soto air-mass spectral modifier → NOCT cell
temperature (SAM model, INOCT 49 C as PVWatts' roof mount) → ``pvwatts_dc`` (gamma
-0.0037/C) x (1 - losses) → ``pvlib.inverter.pvwatts`` (eta 0.96; a Powerwall 3's 0.975) clipped at the AC cap.

The expensive part (up to effective irradiance) is tabulated once per site location
and array orientation (:func:`plane_response`, cached). Serving a window is then index
arithmetic plus the cheap DC/AC step. Every sky mode scales irradiance: the cell
temperature rise above ambient is linear in irradiance in the SAM NOCT model, so scaling
the tabulated rise by the same factor is exact.

Sky modes (per local day): ``tmy`` real weather with seeded 5-minute cloud noise,
``clear`` x1.0, ``partly_cloudy`` uniform factor in [0.3, 1.1] per 5 minutes (mean 0.7),
``overcast`` x0.25, ``storm`` x0.1, ``random`` a seeded draw of the four clear-sky modes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pvlib

from gridtwin.core import rng
from gridtwin.domain.battery import PV_INVERTER_ETA
from gridtwin.sim import weather, weather_files
from gridtwin.sim.tablecache import cached_tables
from gridtwin.sim.weather import BUCKET_S, ClearSky, RefInterp, TmyStation, site_weather

__all__ = [
    "ETA_INV_NOM",
    "GAMMA_PDC_PER_C",
    "PlaneResponse",
    "Sky",
    "cloud_factors",
    "effective_irradiance",
    "plane_response",
    "pv_ac_power_w",
    "sky_from_name",
    "solar_power_w",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

GAMMA_PDC_PER_C = -0.0037
"""PVWatts v8 standard module power temperature coefficient [1/C]."""
ETA_INV_NOM = PV_INVERTER_ETA
"""PVWatts nominal inverter efficiency [-] (0.96)."""
ALBEDO = 0.2
INOCT_C = 49.0
"""PVWatts v8 installed NOCT for a roof-mounted array [C]."""
MODULE_EFFICIENCY = 0.19
N_AR = 1.3  # anti-reflective coating index; PVWatts' standard module has AR glass
DESOTO_AM = {"A0": 0.918093, "A1": 0.086257, "A2": -0.024459, "A3": 0.002816,
             "A4": -0.000126}
CLOUD_VARIABILITY = 0.4
"""5-minute cloud noise amplitude at a clear-sky index of 0.5 [-]."""
_BUCKETS_PER_HOUR = 3600 // BUCKET_S


class Sky(IntEnum):
    TMY = 0
    CLEAR = 1
    PARTLY_CLOUDY = 2
    OVERCAST = 3
    STORM = 4


RANDOM = -1
"""Marker for the ``random`` sky (a draw per local day)."""
SKY_SCALE: FloatArray = np.array([1.0, 1.0, 0.7, 0.25, 0.1])
"""Mean irradiance factor per Sky [-] (TMY relative to its own weather)."""
_NAMES = {"tmy": Sky.TMY, "clear": Sky.CLEAR, "partly_cloudy": Sky.PARTLY_CLOUDY,
          "overcast": Sky.OVERCAST, "storm": Sky.STORM, "random": RANDOM}


def sky_from_name(name: str) -> int:
    """Sky code for a scenario name; ``random`` → RANDOM, anything unknown → TMY."""
    return int(_NAMES.get(name.strip().lower(), Sky.TMY))


@dataclass(frozen=True)
class PlaneResponse:
    """On the reference grid (read-only arrays).

    tmy_effective_w_m2, clear_effective_w_m2: irradiance reaching the cells [W/m2];
    tmy_rise_c, clear_rise_c: cell temperature above ambient [C]; temp_air_c [C];
    cloud_amplitude: 5-minute TMY cloud noise amplitude [-].
    """

    tmy_effective_w_m2: FloatArray
    tmy_rise_c: FloatArray
    clear_effective_w_m2: FloatArray
    clear_rise_c: FloatArray
    temp_air_c: FloatArray
    cloud_amplitude: FloatArray


def effective_irradiance(
    tilt_deg: float, azimuth_deg: float, sky: ClearSky,
    dni_w_m2: FloatArray, ghi_w_m2: FloatArray, dhi_w_m2: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(plane-of-array global, effective after cover and spectrum) [W/m2]."""
    with np.errstate(all="ignore"):
        poa = pvlib.irradiance.get_total_irradiance(
            tilt_deg, azimuth_deg, sky.apparent_zenith_deg, sky.azimuth_deg,
            dni_w_m2, ghi_w_m2, dhi_w_m2, dni_extra=sky.dni_extra_w_m2,
            airmass=sky.airmass_relative, albedo=ALBEDO, model="perez")
        aoi = pvlib.irradiance.aoi(tilt_deg, azimuth_deg, sky.apparent_zenith_deg,
                                   sky.azimuth_deg)
        iam_beam = pvlib.iam.physical(aoi, n_ar=N_AR)
        spectral = pvlib.spectrum.spectral_factor_sapm(sky.airmass_absolute, DESOTO_AM)
    iam = _diffuse_iam(tilt_deg)
    cells = (poa["poa_direct"] * iam_beam + poa["poa_sky_diffuse"] * iam["sky"]
             + poa["poa_ground_diffuse"] * iam["ground"]) * spectral
    return _clean(poa["poa_global"]), _clean(cells)


@lru_cache(maxsize=32)
def _diffuse_iam(tilt_deg: float) -> dict[str, float]:
    with np.errstate(all="ignore"):
        return {k: float(v) for k, v in
                pvlib.iam.marion_diffuse("physical", tilt_deg, n_ar=N_AR).items()}


def _cell_rise_c(poa_w_m2: FloatArray, wind_speed_m_s: FloatArray) -> FloatArray:
    """Cell temperature above ambient, SAM NOCT model (linear in irradiance) [C]."""
    return np.asarray(pvlib.temperature.noct_sam(
        poa_w_m2, 0.0, wind_speed_m_s, INOCT_C, MODULE_EFFICIENCY), dtype=np.float64)


@lru_cache(maxsize=32)  # about 5 MB each
def plane_response(
    latitude_deg: float, longitude_deg: float, elevation_m: float,
    tilt_deg: float, azimuth_deg: float, station: TmyStation | None = None,
) -> PlaneResponse:
    """Tabulate one array orientation at one site (cached in-process and on disk: about a
    second cold, a few milliseconds from the disk cache). station: the weather's station
    (default: the nearest bundled one; a user's file is keyed by its path and mtime)."""
    key = (latitude_deg, longitude_deg, elevation_m, tilt_deg, azimuth_deg)
    tables = cached_tables("plane", (*key, repr(station)), _PLANE_SOURCES, _PLANE_FIELDS,
                           lambda: _plane_tables(*key, station))
    return PlaneResponse(**{name: _frozen(tables[name]) for name in _PLANE_FIELDS})


_PLANE_FIELDS = tuple(field.name for field in fields(PlaneResponse))
_PLANE_SOURCES = (Path(__file__), Path(weather.__file__), Path(weather_files.__file__))


def _plane_tables(
    latitude_deg: float, longitude_deg: float, elevation_m: float,
    tilt_deg: float, azimuth_deg: float, station: TmyStation | None,
) -> dict[str, FloatArray]:
    wx = site_weather(latitude_deg, longitude_deg, elevation_m, station)
    sky = wx.sky
    tmy_poa, tmy_eff = effective_irradiance(tilt_deg, azimuth_deg, sky, wx.dni_w_m2,
                                            wx.ghi_w_m2, wx.dhi_w_m2)
    clear_poa, clear_eff = effective_irradiance(tilt_deg, azimuth_deg, sky, sky.dni_w_m2,
                                                sky.ghi_w_m2, sky.dhi_w_m2)
    kc = np.clip(wx.clear_sky_index, 0.0, 1.0)
    return {
        "tmy_effective_w_m2": tmy_eff,
        "tmy_rise_c": _cell_rise_c(tmy_poa, wx.wind_speed_m_s),
        "clear_effective_w_m2": clear_eff,
        "clear_rise_c": _cell_rise_c(clear_poa, wx.wind_speed_m_s),
        "temp_air_c": wx.temp_air_c,
        "cloud_amplitude": CLOUD_VARIABILITY * 4.0 * kc * (1.0 - kc),
    }


def pv_ac_power_w(
    effective_w_m2: FloatArray, temp_cell_c: FloatArray,
    dc_kw: float, losses_pct: float, ac_limit_w: float, eta_inv_nom: float = ETA_INV_NOM,
) -> FloatArray:
    """PVWatts DC and inverter: AC power after clipping at ``ac_limit_w`` [W], >= 0.

    effective_w_m2 [W/m2], temp_cell_c [C], dc_kw [kW DC], losses_pct [%], ac_limit_w [W],
    eta_inv_nom [-] (the inverter's nominal efficiency; a Powerwall 3's is 0.975).
    """
    if ac_limit_w <= 0 or dc_kw <= 0:
        return np.zeros(np.shape(effective_w_m2))
    pdc_w = pvlib.pvsystem.pvwatts_dc(effective_w_m2, temp_cell_c, dc_kw * 1000.0,
                                      GAMMA_PDC_PER_C) * (1.0 - losses_pct / 100.0)
    with np.errstate(all="ignore"):
        pac_w = pvlib.inverter.pvwatts(np.maximum(pdc_w, 0.0), ac_limit_w / eta_inv_nom,
                                       eta_inv_nom=eta_inv_nom)
    return np.maximum(np.asarray(pac_w, dtype=np.float64), 0.0)


def cloud_factors(
    seed: int, site_id: int, bucket: IntArray, amplitude: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Seeded 5-minute factors for absolute buckets ``bucket`` (Unix s // 300).

    Returns (tmy, partly_cloudy) [-]. TMY: ``1 + amplitude x v`` with v uniform in
    [-1, 1) minus its mean over the UTC hour, so each hour keeps its mean irradiance
    and clear hours (amplitude 0) stay smooth. Partly cloudy: uniform in [0.3, 1.1).
    """
    if bucket.size == 0:
        return np.ones(0), np.ones(0)
    first = bucket.min() // _BUCKETS_PER_HOUR * _BUCKETS_PER_HOUR
    hours = bucket.max() // _BUCKETS_PER_HOUR - first // _BUCKETS_PER_HOUR + 1
    u = rng.uniform(seed, site_id, "cloud", np.arange(first, first + hours * _BUCKETS_PER_HOUR))
    v = (2.0 * u - 1.0).reshape(hours, _BUCKETS_PER_HOUR)
    v = (v - v.mean(axis=1, keepdims=True)).ravel()
    pos = bucket - first
    return np.maximum(1.0 + amplitude * v[pos], 0.0), 0.3 + 0.8 * u[pos]


def solar_power_w(
    response: PlaneResponse, interp: RefInterp, sky: npt.NDArray[np.int8],
    noise: tuple[FloatArray, FloatArray], dc_kw: float, losses_pct: float, ac_limit_w: float,
    eta_inv_nom: float = ETA_INV_NOM,
) -> tuple[FloatArray, FloatArray]:
    """(actual, forecast) AC power per step [W]; the forecast has no cloud noise.

    interp reads the reference grid at the step mid-points; sky: Sky code per step;
    noise: :func:`cloud_factors` of each step's bucket.
    """
    tmy = sky == Sky.TMY
    eff = np.where(tmy, interp(response.tmy_effective_w_m2),
                   interp(response.clear_effective_w_m2))
    rise = np.where(tmy, interp(response.tmy_rise_c), interp(response.clear_rise_c))
    temp_air = interp(response.temp_air_c)
    mean_scale = SKY_SCALE[sky]
    scale = np.where(tmy, noise[0], np.where(sky == Sky.PARTLY_CLOUDY, noise[1], mean_scale))
    args = (dc_kw, losses_pct, ac_limit_w, eta_inv_nom)
    actual = pv_ac_power_w(eff * scale, temp_air + rise * scale, *args)
    forecast = pv_ac_power_w(eff * mean_scale, temp_air + rise * mean_scale, *args)
    return actual, forecast


def _clean(values: object) -> FloatArray:
    out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return np.maximum(out, 0.0)


def _frozen(values: FloatArray) -> FloatArray:
    values.setflags(write=False)
    return values
