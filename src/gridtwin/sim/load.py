"""Home load (site-behavior §10.2): a daily energy shaped by local wall-clock hours.

``daily_kwh`` is spread over 24 hourly weights (normalised to sum 1). The hourly values
sit at hour centres and are joined linearly (periodic over the day), which keeps the
daily energy exact and avoids hourly staircases. With the default weights, weekends use
a shifted occupancy shape (later morning, people home at midday); custom weights are
used as given on every day. Weather-sensitive homes add cooling above 24 C and heating
below 14 C of TMY air temperature, scaled with ``daily_kwh``. A seeded factor in
[0.8, 1.2) per 5-minute bucket (stream ``load``) gives noise; ``load_spike`` events add
their ``power_w`` over ``[start_s, end_s)``; the result never drops below ``min_w``.

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

__all__ = [
    "COOLING_BASE_C",
    "HEATING_BASE_C",
    "WEEKEND_FACTORS",
    "base_load_w",
    "day_shapes_w",
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


def home_load_w(
    load: LoadSpec, local_mid_s: IntArray, temp_air_c: FloatArray, noise: FloatArray,
    spike_w: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(actual, forecast) home load per step [W], both >= ``load.min_w``.

    local_mid_s: wall-clock step mid-points [s]; temp_air_c [C]; noise: factor per step
    [-]; spike_w: event power per step [W], added after the floor so a spike adds
    exactly its power. The forecast has neither noise nor spikes.
    """
    shaped = base_load_w(local_mid_s, load) + hvac_load_w(temp_air_c, load)
    actual = np.maximum(shaped * noise, load.min_w) + spike_w
    return actual, np.maximum(shaped, load.min_w)
