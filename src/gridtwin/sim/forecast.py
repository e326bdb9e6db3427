"""What a Powerwall can know ahead: solar and home-load forecasts for the optimiser.

Solar: the noise-free model of the day's sky (clear-sky, or the reference year's hourly
weather, times the day's sky factor) with a seeded forecast error, larger a day ahead
than on the day: a day factor uniform in 1 +- ``DAY_ERROR[lead]`` and an hourly factor
uniform in 1 +- ``HOUR_ERROR`` (standard deviations about 7 % / 14 % and 9 %), clipped
to the inverter's AC limit. Draws are pure functions of (seed, site, lead, local day or
hour) (core.rng), so a plan never depends on when it is computed.
Home load: the site's noise-free load model (profile, weekday shape, temperature); the
realised noise is the forecast's error. ``perfect`` gives the realised series instead
(studies of the value of foresight).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gridtwin.core import rng
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.state import Environment

__all__ = ["DAY_ERROR", "HOUR_ERROR", "forecasts"]

DAY_ERROR = (0.12, 0.25)
"""Half-width of the uniform day factor, same day and a day ahead [-]."""
HOUR_ERROR = 0.15
"""Half-width of the uniform hourly factor [-]."""

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


def forecasts(spec: SiteSpec, env: Environment, midnights: _I64, perfect: bool = False
              ) -> tuple[_F64, _F64]:
    """(solar (2, n), load (n,)) forecasts [W] for the steps of ``env``.

    Row 0 of solar is the forecast issued on the step's own local day, row 1 the one
    issued the day before. midnights: local midnight instants covering the window [s].
    """
    if perfect:
        solar = env.solar_w.astype(np.float64)
        return np.stack([solar, solar]), env.home_load_w.astype(np.float64)
    n = len(env.solar_w)
    t = env.start_s + env.step_s * np.arange(n, dtype=np.int64)
    day = np.clip(np.searchsorted(midnights, t, side="right") - 1, 0, len(midnights) - 1)
    day_start = np.asarray(midnights, dtype=np.int64)[day]
    hour = day_start // 60 + (t - day_start) // 3600  # unique per local day and hour
    base = env.solar_forecast_w.astype(np.float64)
    cap = float(spec.solar_ac_limit_w) if spec.solar is not None else 0.0
    # draws per distinct day and hour (a few dozen), then spread over the steps
    days, day_of = _runs(day_start // 60)
    hours, hour_of = _runs(hour)
    rows = []
    for lead in (0, 1):
        u_day = rng.uniform(spec.seed, spec.energy_site_id, f"solar_forecast_day{lead}", days)
        u_hour = rng.uniform(spec.seed, spec.energy_site_id, f"solar_forecast_hour{lead}",
                             hours)
        f = ((1.0 + DAY_ERROR[lead] * (2.0 * u_day - 1.0))[day_of]
             * (1.0 + HOUR_ERROR * (2.0 * u_hour - 1.0))[hour_of])
        rows.append(np.clip(base * f, 0.0, cap))
    return np.stack(rows), env.home_load_forecast_w.astype(np.float64)


def _runs(keys: _I64) -> tuple[_I64, _I64]:
    """np.unique(keys, return_inverse=True) for non-decreasing keys, without sorting."""
    if keys.shape[0] == 0:
        return keys, np.zeros(0, dtype=np.int64)
    new = np.empty(keys.shape[0], dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    return keys[new], np.cumsum(new) - 1
