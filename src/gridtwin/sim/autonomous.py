"""Autonomous (Time-Based Control) planning inputs, site-behavior §5.3.

From effective prices and the noise-free forecasts, per step: the price class of the
local day (peak = the day's maximum buy price, off-peak = its minimum, mid otherwise; a
flat day is class 0, self-consumption), the peak need N (energy deficit over the next
peak block within 24 h) and the expected solar surplus U before that block, both as
exact integer joules so that every window over the same steps gives identical values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from gridtwin.sim.params import CLASS_MID, CLASS_NONE, CLASS_OFF_PEAK, CLASS_PEAK

__all__ = ["AutonomousPlan", "local_midnights", "plan_autonomous", "planning_window"]

HORIZON_S = 86_400
_I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class AutonomousPlan:
    """Per-step planning arrays over a window of steps (all length n).

    price_class: CLASS_* codes; need_j: peak need N [J]; surplus_j: pre-peak surplus U [J];
    export_ok: 1 where selling now beats the day's cheapest buy over the round trip.
    """

    price_class: _I64
    need_j: _I64
    surplus_j: _I64
    export_ok: _I64


def local_midnights(tz: str, start_s: int, end_s: int) -> list[int]:
    """Unix instants [s] of the local midnights from the day containing start_s up to
    the first midnight at or after end_s (first instant of the day where midnight is
    skipped)."""
    zone = ZoneInfo(tz)
    day = datetime.fromtimestamp(start_s, tz=UTC).astimezone(zone).date()
    out: list[int] = []
    while True:
        instant = int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
        out.append(instant)
        if instant >= end_s:
            return out
        day += timedelta(days=1)


def planning_window(tz: str, step_s: int, first_step_s: int, last_step_s: int
                    ) -> tuple[int, int, list[int]]:
    """Window (start [s], n steps, midnights) covering whole local days from the day of
    first_step_s to 24 h past last_step_s."""
    midnights = local_midnights(tz, first_step_s, last_step_s + step_s + HORIZON_S)
    start = midnights[0] - midnights[0] % step_s
    end = -(-midnights[-1] // step_s) * step_s
    return start, (end - start) // step_s, midnights


def _classes(buy: npt.NDArray[np.float64], day: _I64, n_days: int
             ) -> tuple[_I64, npt.NDArray[np.float64]]:
    """Price class per step and the minimum buy price per step's day."""
    day_max = np.full(n_days, -np.inf)
    day_min = np.full(n_days, np.inf)
    np.maximum.at(day_max, day, buy)
    np.minimum.at(day_min, day, buy)
    hi = day_max[day]
    lo = day_min[day]
    cls = np.full(buy.shape[0], CLASS_MID, dtype=np.int64)
    cls[buy == lo] = CLASS_OFF_PEAK
    cls[buy == hi] = CLASS_PEAK
    cls[hi == lo] = CLASS_NONE
    return cls, lo


def _next_index(mask: npt.NDArray[np.bool_]) -> _I64:
    """For each i, the first j >= i with mask[j] (len(mask) when none)."""
    n = mask.shape[0]
    idx = np.where(mask, np.arange(n, dtype=np.int64), n)
    return np.minimum.accumulate(idx[::-1])[::-1]


def plan_autonomous(step_s: int, start_s: int, midnights: list[int],
                    buy: npt.NDArray[np.float64], sell: npt.NDArray[np.float64],
                    solar_fc_w: _I64, load_fc_w: _I64, charge_w: int,
                    round_trip: float) -> AutonomousPlan:
    """Planning arrays for the window of len(buy) steps from start_s [s].

    buy, sell: effective prices [currency/kWh]; solar_fc_w, load_fc_w: forecasts [W];
    charge_w: site max charge Pc [W]; round_trip [-].
    """
    n = buy.shape[0]
    t = start_s + step_s * np.arange(n, dtype=np.int64)
    day = np.searchsorted(np.asarray(midnights, dtype=np.int64), t, side="right") - 1
    day = np.clip(day, 0, len(midnights) - 1).astype(np.int64)
    cls, day_min_buy = _classes(buy, day, len(midnights))
    deficit = np.maximum(0, load_fc_w - solar_fc_w) * step_s
    surplus = np.minimum(charge_w, np.maximum(0, solar_fc_w - load_fc_w)) * step_s
    cs_def = np.concatenate(([0], np.cumsum(deficit, dtype=np.int64)))
    cs_sur = np.concatenate(([0], np.cumsum(surplus, dtype=np.int64)))
    is_peak = cls == CLASS_PEAK
    start = _next_index(is_peak)
    after = np.append(_next_index(~is_peak), n)
    horizon = np.arange(n, dtype=np.int64) + HORIZON_S // step_s
    valid = (start < n) & (start < horizon)
    s = np.minimum(start, n)
    end = np.minimum(np.minimum(after[s], horizon), n)
    idx = np.arange(n, dtype=np.int64)
    need = np.where(valid, cs_def[end] - cs_def[s], 0)
    pre = np.where(valid, cs_sur[s] - cs_sur[idx], 0)
    export_ok = (sell > day_min_buy / round_trip).astype(np.int64)
    return AutonomousPlan(cls, need.astype(np.int64), pre.astype(np.int64), export_ok)
