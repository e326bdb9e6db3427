"""Site-local wall-clock fields of UTC instants, vectorised over numpy arrays (§3.1).

The UTC offset is piecewise constant: ``offset_spans`` finds its transitions over a range
with zoneinfo (sampling every few hours, then bisecting to the second), so a year of
instants is mapped to local minute, weekday and date without a per-instant Python call.
Assumes at most one offset transition per sampling step, true of every real zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np

from gridtwin.tariff.tiling import LEAP_MONTH_START

__all__ = [
    "LocalFields",
    "OffsetSpans",
    "leap_day_index",
    "local_fields",
    "offset_spans",
    "utc_offset_s",
    "zone",
]

_SAMPLE_S: Final = 12 * 3600
_DAY_S: Final = 86_400
_MONTH_START: Final = np.array(LEAP_MONTH_START, dtype=np.int64)


@lru_cache(maxsize=64)
def _zone_from_key(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def zone(tz: str | tzinfo) -> tzinfo:
    """The tzinfo of an IANA zone name (or ``tz`` itself when already a tzinfo)."""
    return _zone_from_key(tz) if isinstance(tz, str) else tz


def utc_offset_s(t_s: int, tz: tzinfo) -> int:
    """UTC offset of zone ``tz`` at Unix instant ``t_s`` [s]."""
    offset = datetime.fromtimestamp(t_s, tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def leap_day_index(month: int, day: int) -> int:
    """Index of (month, day) among the 366 days of a leap year, Jan 1 = 0 [-]."""
    return LEAP_MONTH_START[month - 1] + day - 1


@dataclass(frozen=True)
class OffsetSpans:
    """Piecewise-constant UTC offset: ``offset_s[k]`` holds from ``start_s[k]`` on [s]."""

    start_s: np.ndarray
    offset_s: np.ndarray

    def local_s(self, t_s: np.ndarray) -> np.ndarray:
        """Local wall-clock seconds (as if UTC) of Unix instants ``t_s`` [s]."""
        offsets: np.ndarray
        if self.offset_s.size == 1:
            offsets = self.offset_s[:1]
        elif t_s.size > 1 and bool(np.all(t_s[1:] >= t_s[:-1])):
            # Sorted instants: one offset per contiguous run, no per-instant search.
            edges = np.searchsorted(t_s, self.start_s[1:], side="left")
            offsets = np.repeat(self.offset_s, np.diff(np.concatenate(([0], edges, [t_s.size]))))
        else:
            index = np.searchsorted(self.start_s, t_s, side="right") - 1
            offsets = self.offset_s[np.maximum(index, 0)]
        local: np.ndarray = t_s + offsets
        return local


def offset_spans(tz: tzinfo, start_s: int, end_s: int) -> OffsetSpans:
    """Offset spans of ``tz`` covering instants ``start_s`` .. ``end_s`` inclusive [s]."""
    starts, offsets = [start_s], [utc_offset_s(start_s, tz)]
    t = start_s
    while t < end_s:
        nxt = min(t + _SAMPLE_S, end_s)
        if utc_offset_s(nxt, tz) != offsets[-1]:
            change = _first_change(tz, t, nxt, offsets[-1])
            starts.append(change)
            offsets.append(utc_offset_s(change, tz))
        t = nxt
    return OffsetSpans(np.array(starts, dtype=np.int64), np.array(offsets, dtype=np.int64))


def _first_change(tz: tzinfo, low_s: int, high_s: int, offset_s: int) -> int:
    """First instant in (low_s, high_s] whose offset differs from ``offset_s`` [s]."""
    while high_s - low_s > 1:
        mid = (low_s + high_s) // 2
        if utc_offset_s(mid, tz) == offset_s:
            low_s = mid
        else:
            high_s = mid
    return high_s


@dataclass(frozen=True)
class LocalFields:
    """Local calendar fields per instant (all int64 arrays).

    day: days since 1970-01-01 of the local date [d].
    minute_of_week: minutes since local Monday 00:00, seconds ignored [min].
    leap_day: index of the local (month, day) in a leap year, Jan 1 = 0 [-].
    """

    day: np.ndarray
    minute_of_week: np.ndarray
    leap_day: np.ndarray

    @property
    def weekday(self) -> np.ndarray:
        """Local weekday, 0 = Monday [-]."""
        return self.minute_of_week // 1440

    @property
    def minute(self) -> np.ndarray:
        """Minute of the local day [min]."""
        return self.minute_of_week % 1440


def local_fields(local_s: np.ndarray) -> LocalFields:
    """Calendar fields of local wall-clock seconds ``local_s`` [s]."""
    minutes = np.floor_divide(local_s, 60)
    day = np.floor_divide(minutes, 1440)
    # 1970-01-01 was a Thursday: Monday 00:00 lies 3 days (4320 min) before it.
    minute_of_week = (minutes + 4320) % 10080
    if day.size == 0:
        return LocalFields(day, minute_of_week, day)
    first, last = (
        (int(day[0]), int(day[-1])) if _is_sorted(day) else (int(day.min()), int(day.max()))
    )
    return LocalFields(day, minute_of_week, _leap_days(first, last)[day - first])


def _is_sorted(values: np.ndarray) -> bool:
    return values.size < 2 or bool(values[0] <= values[-1] and np.all(values[1:] >= values[:-1]))


def _leap_days(first_day: int, last_day: int) -> np.ndarray:
    """Leap-year day index of each date from ``first_day`` to ``last_day`` [d] (days since
    1970-01-01); computed once per distinct date, not per instant."""
    dates = np.arange(first_day, last_day + 1, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    month_index = months.astype(np.int64) % 12
    day_of_month = (dates - months.astype("datetime64[D]")).astype(np.int64)
    leap_day: np.ndarray = _MONTH_START[month_index] + day_of_month
    return leap_day
