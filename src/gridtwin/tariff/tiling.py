"""Pass P3: active seasons must tile the 366 days of a leap year (spec tariff.md §3.6).

Reports E08, E12 and E13; when the year is tiled exactly once, stores the 366-entry
season index used by the compiled tariff.
"""

from __future__ import annotations

import itertools
from typing import Final

import numpy as np

from gridtwin.tariff.draft import SeasonDraft, SideDraft
from gridtwin.tariff.periods import LEAP_MONTH_DAYS
from gridtwin.tariff.rules import ascii_text, date_text, join_names, path_key

__all__ = ["LEAP_DATES", "LEAP_MONTH_START", "check_tiling", "season_mask"]

LEAP_DATES: Final = tuple(
    (month, day) for month in range(1, 13) for day in range(1, LEAP_MONTH_DAYS[month - 1] + 1)
)
LEAP_MONTH_START: Final = tuple(int(x) for x in np.cumsum((0, *LEAP_MONTH_DAYS[:-1])))
"""Index of the 1st of each month in a leap year, January first [-]."""

_DATE_KEYS: Final = np.array([month * 100 + day for month, day in LEAP_DATES], dtype=np.int32)


def season_mask(bounds: tuple[int, int, int, int]) -> np.ndarray:
    """Which of the 366 leap-year dates a season with these bounds contains (366,) [-]."""
    first = bounds[0] * 100 + bounds[1]
    last = bounds[2] * 100 + bounds[3]
    if first <= last:
        return (first <= _DATE_KEYS) & (last >= _DATE_KEYS)
    return (first <= _DATE_KEYS) | (last >= _DATE_KEYS)


def check_tiling(side: SideDraft) -> None:
    """Report E08, then E12/E13 from Jan 1 to Dec 31; store ``side.season_of_day``."""
    if not side.seasons_usable:
        return
    seasons = side.counted_seasons()
    path = path_key(side.base, "seasons")
    if not seasons:
        side.out.add(
            "E08", path, "No season has time periods; at least one season needs tou_periods."
        )
        return
    if not all(season.bounds_ok for season in seasons):
        return
    member = np.stack([season_mask(season.bounds) for season in seasons])
    problems_before = len(side.out.problems)
    _report_runs(seasons, member, side, path)
    if len(side.out.problems) == problems_before:
        side.season_of_day = np.argmax(member, axis=0).astype(np.int16)


def _report_runs(
    seasons: list[SeasonDraft], member: np.ndarray, side: SideDraft, path: str
) -> None:
    changed = np.any(member[:, 1:] != member[:, :-1], axis=0)
    edges = [0, *(np.flatnonzero(changed) + 1).tolist(), len(LEAP_DATES)]
    for first, end in itertools.pairwise(edges):
        inside = [s for s, m in zip(seasons, member[:, first], strict=True) if m]
        if len(inside) == 1:
            continue
        span = date_text(*LEAP_DATES[first])
        if end - 1 > first:
            span += " to " + date_text(*LEAP_DATES[end - 1])
        if not inside:
            side.out.add("E12", path, f"No season covers {span}.")
        else:
            names = join_names([f"'{ascii_text(s.name)}'" for s in inside])
            verb = "both" if len(inside) == 2 else "all"
            side.out.add("E13", path, f"Seasons {names} {verb} cover {span}.")
