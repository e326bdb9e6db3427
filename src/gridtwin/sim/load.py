"""Home load (site-behavior §10.2): a daily energy shaped by local wall-clock hours.

``daily_kwh`` is spread over 24 hourly weights (normalised to sum 1). The hourly values
sit at hour centres and are joined linearly (periodic over the day), which keeps the
daily energy exact and avoids hourly staircases. With the default weights, weekends use
a shifted occupancy shape (later morning, people home at midday); custom weights are
used as given on every day. Weather-sensitive homes add cooling above 24 C and heating
below 14 C of TMY air temperature, scaled with ``daily_kwh``. That smooth load is the
forecast. By default the actual load is the smooth load times a seeded factor in
[0.8, 1.2) per 5-minute bucket (stream ``load``), never below ``min_w``, plus the
``load_spike`` events' ``power_w`` over ``[start_s, end_s)``.

With ``LoadSpec.appliances`` the actual load has texture (``gridtwin.sim.appliances``):
seeded appliance runs
(kettle, hob, oven, washer, dryer, dishwasher, water heater) whose expected power is taken
out of the smooth base, the day's surplus or shortfall of appliance energy offset by the
day's base, and the heating/cooling term played as compressor cycles. The remaining base
takes a seeded factor in [0.8, 1.2) per 5-minute bucket (stream ``load``) and never drops
below ``min_w``; ``load_spike`` events add their ``power_w`` over ``[start_s, end_s)``.

Wall-clock hours follow the site's zone, so a fall-back day plays its repeated hour twice
and a spring-forward day skips the missing one (site-behavior §9.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from gridtwin.core import rng
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import DEFAULT_HOURLY_WEIGHTS, LoadSpec
from gridtwin.sim.appliances import (
    COMPRESSOR_W,
    GRID_S,
    MAX_DAY_SWING,
    REFERENCE_DAILY_KWH,
    ApplianceSet,
    appliance_set,
    appliance_w,
    compressor_w,
    expected_profile_w,
)

__all__ = [
    "COOLING_BASE_C",
    "HEATING_BASE_C",
    "WEEKEND_FACTORS",
    "base_load_w",
    "compressor_rating_w",
    "day_shapes_w",
    "home_appliances",
    "home_load_w",
    "hvac_load_w",
    "load_noise_factor",
    "spike_load_w",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WEEKEND_FACTORS: tuple[float, ...] = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 1.1, 1.3, 1.3, 1.3,
    1.3, 1.3, 1.3, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
)
"""Weekend occupancy multipliers on the default weights per local hour [-]."""
COOLING_BASE_C = 24.0
HEATING_BASE_C = 14.0
COOLING_W_PER_C = 120.0
HEATING_W_PER_C = 60.0
"""Heating/cooling power per degree beyond the base for a 24 kWh/day home [W/C]."""
NOISE_LOW, NOISE_SPAN = 0.8, 0.4
DAY_S = 86_400
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)
_A_SATURDAY, _A_MONDAY = 2, 4  # local day numbers


@lru_cache(maxsize=64)
def day_shapes_w(load: LoadSpec) -> tuple[FloatArray, FloatArray]:
    """(weekday, weekend) load at each local hour centre [W], each averaging daily_kwh/24 h."""
    weights = np.asarray(load.hourly_weights, dtype=np.float64)
    if weights.shape != (24,) or weights.min() < 0 or weights.sum() <= 0:
        raise ValueError("hourly_weights must be 24 non-negative values with a positive sum")
    weekend = weights * np.asarray(WEEKEND_FACTORS)
    if load.hourly_weights != DEFAULT_HOURLY_WEIGHTS:
        weekend = weights
    daily_wh = load.daily_kwh * 1000.0
    shapes = tuple(daily_wh * w / w.sum() for w in (weights, weekend))
    for s in shapes:
        s.setflags(write=False)
    return shapes[0], shapes[1]


def base_load_w(local_s: IntArray, load: LoadSpec) -> FloatArray:
    """Noise-free shaped load at local wall-clock instants [W].

    local_s: wall-clock seconds since 1970-01-01 local [s].
    """
    weekday, weekend = day_shapes_w(load)
    hour = (local_s % DAY_S) / 3600.0
    nodes = np.arange(24) + 0.5
    is_weekend = (local_s // DAY_S + _EPOCH_WEEKDAY) % 7 >= 5
    return np.where(is_weekend, np.interp(hour, nodes, weekend, period=24.0),
                    np.interp(hour, nodes, weekday, period=24.0))


def hvac_load_w(temp_air_c: FloatArray, load: LoadSpec) -> FloatArray:
    """Cooling above COOLING_BASE_C plus heating below HEATING_BASE_C [W]; temp_air_c [C]."""
    if not load.weather_sensitive:
        return np.zeros(np.shape(temp_air_c))
    size = load.daily_kwh / 24.0
    cooling = COOLING_W_PER_C * np.maximum(temp_air_c - COOLING_BASE_C, 0.0)
    heating = HEATING_W_PER_C * np.maximum(HEATING_BASE_C - temp_air_c, 0.0)
    return size * (cooling + heating)


def load_noise_factor(seed: int, site_id: int, bucket: IntArray) -> FloatArray:
    """Seeded factor in [0.8, 1.2) per absolute 5-minute bucket (Unix s // 300) [-]."""
    return NOISE_LOW + NOISE_SPAN * rng.uniform(seed, site_id, "load", bucket)


def _spike_end_s(event: SiteEvent) -> float:
    if event.end_s is not None:
        return float(event.end_s)
    duration = event.params.get("duration_s")
    return float(event.start_s + int(duration)) if duration is not None else np.inf


def spike_load_w(events: Sequence[SiteEvent], starts_s: IntArray, step_s: int) -> FloatArray:
    """Extra power of ``load_spike`` events, averaged over each step [W].

    A step inside [start_s, end_s) gets exactly ``power_w``; a step the interval only
    partly covers gets the time-weighted share, so the energy is exact.
    """
    extra = np.zeros(starts_s.shape)
    for event in events:
        if event.type is not EventType.LOAD_SPIKE:
            continue
        lo = np.maximum(starts_s, event.start_s)
        hi = np.minimum(starts_s + step_s, _spike_end_s(event))
        extra += float(event.params["power_w"]) * np.clip(hi - lo, 0, step_s) / step_s
    return extra


@lru_cache(maxsize=256)
def home_appliances(seed: int, site_id: int, load: LoadSpec) -> ApplianceSet:
    """The appliances of one home, sized to fit under its weekday and weekend shape."""
    nodes = np.arange(0, DAY_S, GRID_S, dtype=np.int64)
    base = np.minimum(base_load_w(_A_MONDAY * DAY_S + nodes, load),
                      base_load_w(_A_SATURDAY * DAY_S + nodes, load))
    return appliance_set(seed, site_id, load.daily_kwh, np.maximum(base - load.min_w, 0.0))


def compressor_rating_w(load: LoadSpec) -> float:
    """AC / heat-pump compressor rating, scaled with the home between 0.5x and 2x [W]."""
    return COMPRESSOR_W * min(max(load.daily_kwh / REFERENCE_DAILY_KWH, 0.5), 2.0)


def home_load_w(
    load: LoadSpec, local_mid_s: IntArray, temp_air_c: FloatArray, noise: FloatArray,
    spike_w: FloatArray, *, seed: int, site_id: int, step_s: int,
) -> tuple[FloatArray, FloatArray]:
    """(actual, forecast) home load per step [W], both >= ``load.min_w``.

    local_mid_s: wall-clock step mid-points [s]; temp_air_c [C]; noise: factor per step
    [-]; spike_w: event power per step [W]; step_s: step length [s]. Appliances, compressor
    and spikes are added after the floor so each adds exactly its power. The forecast is
    the smooth expected load: no noise, appliances at their mean, no spikes.
    """
    base = base_load_w(local_mid_s, load)
    hvac = hvac_load_w(temp_air_c, load)
    forecast = np.maximum(base + hvac, load.min_w)
    if not load.appliances:
        return np.maximum((base + hvac) * noise, load.min_w) + spike_w, forecast
    homes = home_appliances(seed, site_id, load)
    local_start = local_mid_s - step_s // 2
    runs_w, day_excess_j = appliance_w(homes, local_start, step_s)
    day_j = load.daily_kwh * 3.6e6
    swing = np.clip(day_excess_j / day_j, -MAX_DAY_SWING, MAX_DAY_SWING) if day_j > 0 else 0.0
    rest = base * (1.0 - swing) - expected_profile_w(homes, local_mid_s)
    cycles_w = compressor_w(seed, site_id, hvac, compressor_rating_w(load), local_start,
                            step_s)
    actual = np.maximum(rest * noise, load.min_w) + runs_w + cycles_w + spike_w
    return actual, forecast
