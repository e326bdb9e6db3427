"""A site's exogenous inputs per step: available solar and home load (site-behavior §10).

Every value is a pure function of (site spec, events, step start, step length): physics
is read at the step mid-point from cached reference-year tables, noise is keyed by the
absolute 5-minute bucket, skies and appliance runs by the local day. So [a, b) then
[b, c) equals [a, c), and an instant gets the same value whatever window asks for it
(same step_s).

Watts are rounded half to even (``numpy.rint``) to int64.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from gridtwin.core import rng
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.load import home_load_w, load_noise_factor, spike_load_w
from gridtwin.sim.solar import (
    RANDOM,
    Sky,
    cloud_factors,
    plane_response,
    sky_from_name,
    solar_power_w,
)
from gridtwin.sim.state import Environment, EnvironmentProvider
from gridtwin.sim.weather import (
    BUCKET_S,
    RefInterp,
    TmyStation,
    WeatherFileError,
    file_station,
    interp_ref,
    ref_bucket,
    site_temp_air_c,
)

log = logging.getLogger(__name__)

__all__ = [
    "MAX_STEP_S",
    "environment_provider",
    "local_wall_s",
    "site_environment",
    "sky_per_step",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SkyArray = npt.NDArray[np.int8]

MAX_STEP_S = BUCKET_S
"""Longest step served [s]; physics is tabulated per 5 minutes."""
DAY_S = 86_400
_EPOCH = dt.date(1970, 1, 1)


def site_environment(
    spec: SiteSpec, start_s: int, n_steps: int, step_s: int,
    *, events: Sequence[SiteEvent] = (),
) -> Environment:
    """Solar and home load for ``n_steps`` steps of ``step_s`` [s] from ``start_s`` [Unix s].

    Step i covers [start_s + i*step_s, start_s + (i+1)*step_s). ``sky`` and
    ``load_spike`` events apply; other event types are ignored here.
    """
    if not 1 <= step_s <= MAX_STEP_S:
        raise ValueError(f"step_s must be in 1..{MAX_STEP_S}, got {step_s}")
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    times = _window_times(start_s, n_steps, step_s, spec.time_zone)
    starts, local_mid, interp = times.starts, times.local_mid, times.interp
    solar, solar_fc = _solar(spec, events, times)
    load, load_fc = home_load_w(
        spec.load, local_mid, _temp_air_c(spec, interp),
        load_noise_factor(spec.seed, spec.energy_site_id, times.bucket),
        spike_load_w(events, starts, step_s),
        seed=spec.seed, site_id=spec.energy_site_id, step_s=step_s)
    return Environment(start_s=start_s, step_s=step_s, solar_w=_watts(solar),
                       home_load_w=_watts(load), solar_forecast_w=_watts(solar_fc),
                       home_load_forecast_w=_watts(load_fc))


def environment_provider(
    spec: SiteSpec, events: Sequence[SiteEvent] = (),
) -> EnvironmentProvider:
    """A provider bound to one site and its events (see :func:`site_environment`)."""
    bound = tuple(events)

    def provide(start_s: int, n_steps: int, step_s: int) -> Environment:
        return site_environment(spec, start_s, n_steps, step_s, events=bound)

    return provide


def local_wall_s(unix_s: IntArray, time_zone: str) -> IntArray:
    """Wall-clock seconds since 1970-01-01 local in ``time_zone`` (IANA) [s]."""
    utc = pd.DatetimeIndex(np.asarray(unix_s, dtype="datetime64[s]")).tz_localize("UTC")
    wall = utc.tz_convert(time_zone).tz_localize(None).as_unit("s")
    return np.asarray(wall.asi8, dtype=np.int64)


def sky_per_step(spec: SiteSpec, events: Sequence[SiteEvent], local_s: IntArray) -> SkyArray:
    """Sky code per step from ``spec.sky`` and ``sky`` events (one local day each).

    local_s: wall-clock instants of the steps [s]. ``random`` draws one of the four
    clear-sky modes per local day (stream ``sky``); unknown names mean ``tmy``.
    """
    day = local_s // DAY_S
    sky = _day_skies(spec, sky_from_name(spec.sky), day)
    for event in events:
        if event.type is not EventType.SKY:
            continue
        hit = day == _event_day(event, spec.time_zone)
        if hit.any():
            sky[hit] = _day_skies(spec, sky_from_name(str(event.params.get("sky", ""))), day[hit])
    return sky


def _day_skies(spec: SiteSpec, code: int, day: IntArray) -> SkyArray:
    if code != RANDOM:
        return np.full(day.shape, code, dtype=np.int8)
    u = rng.uniform(spec.seed, spec.energy_site_id, "sky", day)
    return (Sky.CLEAR + np.floor(4.0 * u)).astype(np.int8)


def _event_day(event: SiteEvent, time_zone: str) -> int:
    """Local day number of a sky event: its ``date`` param, else the day it starts in."""
    date = event.params.get("date")
    if date is not None:
        return (dt.date.fromisoformat(str(date)) - _EPOCH).days
    return int(local_wall_s(np.array([event.start_s]), time_zone)[0] // DAY_S)


@dataclass(frozen=True)
class _Times:
    """The per-step time arrays of one window (read-only; shared by every site of a
    time zone asking for the same window)."""

    starts: IntArray  # step starts [Unix s]
    local_mid: IntArray  # step mid-points, local wall clock [s]
    interp: RefInterp  # reference-grid weights at the mid-points
    bucket: IntArray  # absolute 5-minute bucket of each start
    ref_bucket: IntArray  # reference bucket of each start


@lru_cache(maxsize=8)
def _window_times(start_s: int, n_steps: int, step_s: int, time_zone: str) -> _Times:
    """Pure in its arguments, so many sites of one zone (a fleet chunk) compute the
    window's time conversions once (they were a third of an environment's cost)."""
    starts = start_s + step_s * np.arange(n_steps, dtype=np.int64)
    mids = starts + step_s // 2
    interp = interp_ref(mids)
    arrays = (starts, local_wall_s(mids, time_zone), interp.lo, interp.hi, interp.w_hi,
              starts // BUCKET_S, ref_bucket(starts))
    for a in arrays:
        a.setflags(write=False)
    return _Times(arrays[0], arrays[1], interp, arrays[5], arrays[6])


def _solar(
    spec: SiteSpec, events: Sequence[SiteEvent], times: _Times,
) -> tuple[FloatArray, FloatArray]:
    solar = spec.solar
    starts, local_mid, interp = times.starts, times.local_mid, times.interp
    if solar is None or spec.solar_ac_limit_w <= 0:
        return np.zeros(starts.shape), np.zeros(starts.shape)
    loc = spec.location
    azimuth = solar.azimuth_deg
    if azimuth is None:
        azimuth = 180.0 if loc.latitude_deg >= 0 else 0.0
    response = plane_response(loc.latitude_deg, loc.longitude_deg, loc.elevation_m,
                              solar.tilt_deg, azimuth, _station(spec))
    noise = cloud_factors(spec.seed, spec.energy_site_id, times.bucket,
                          response.cloud_amplitude[times.ref_bucket])
    return solar_power_w(response, interp, sky_per_step(spec, events, local_mid), noise,
                         solar.dc_kw, solar.losses_pct, spec.solar_ac_limit_w,
                         spec.solar_inverter_eta)


def _temp_air_c(spec: SiteSpec, interp: RefInterp) -> FloatArray:
    if not spec.load.weather_sensitive:
        return np.zeros(interp.lo.shape)
    loc = spec.location
    return interp(site_temp_air_c(loc.latitude_deg, loc.longitude_deg, _station(spec)))


def _station(spec: SiteSpec) -> TmyStation | None:
    """The site's own weather file's station, or None for the nearest bundled one. A file
    that has gone since the site was described (e.g. a state imported on another machine)
    falls back to the bundled station, with one warning per file, rather than failing
    every read of the site."""
    file = spec.location.weather_file
    if file is None:
        return None
    try:
        return file_station(file)
    except WeatherFileError as exc:
        if file not in _WARNED:
            _WARNED.add(file)
            log.warning("%s; site %s uses the bundled weather instead", exc, spec.energy_site_id)
        return None


_WARNED: set[str] = set()


def _watts(power_w: FloatArray) -> npt.NDArray[np.int64]:
    return np.rint(power_w).astype(np.int64)
