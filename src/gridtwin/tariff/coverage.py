"""Pass P2: gaps (E10) and overlaps (E11) in each season's week grid (spec tariff.md §3.5).

A season's week grid is 7 x 1440 cells (weekday, minute). Every cell must be covered by
exactly one period. When that holds the season's label grid is kept for compilation.
"""

from __future__ import annotations

import itertools

import numpy as np

from gridtwin.tariff.draft import Collector, SeasonDraft, SideDraft
from gridtwin.tariff.rules import WEEKDAYS, ascii_text, hhmm, join_names

__all__ = ["check_coverage"]

_DAYS, _MINUTES = 7, 1440


def check_coverage(side: SideDraft) -> None:
    """Report E10/E11 per active season; store ``season.grid`` where the week is tiled."""
    for season in side.counted_seasons():
        if season.periods_ok:
            _check_season(season, side.out)


def _check_season(season: SeasonDraft, out: Collector) -> None:
    total = np.zeros((_DAYS, _MINUTES), dtype=np.int32)
    label_sum = np.zeros((_DAYS, _MINUTES), dtype=np.int32)
    for index, label in enumerate(season.labels):
        for period in label.periods:
            for day in period.days:
                for first, last in period.minute_ranges():
                    total[day, first:last] += 1
                    label_sum[day, first:last] += index
    if total.min() == 1 and total.max() == 1:
        season.grid = label_sum.astype(np.int16)
        return
    counts = _label_counts(season) if total.max() > 1 else None
    for day in range(_DAYS):
        _report_day(season, day, total[day], counts, out)


def _label_counts(season: SeasonDraft) -> np.ndarray:
    """Periods of each label covering each cell (labels, 7, 1440) [-]."""
    counts = np.zeros((len(season.labels), _DAYS, _MINUTES), dtype=np.int16)
    for index, label in enumerate(season.labels):
        for period in label.periods:
            for day in period.days:
                for first, last in period.minute_ranges():
                    counts[index, day, first:last] += 1
    return counts


def _runs(total: np.ndarray, counts: np.ndarray | None) -> list[tuple[int, int]]:
    """Maximal runs [first, last) of minutes with one constant coverage multiset [min]."""
    if counts is None:
        changed = total[1:] != total[:-1]
    else:
        changed = np.any(counts[:, 1:] != counts[:, :-1], axis=0)
    edges = [0, *(np.flatnonzero(changed) + 1).tolist(), _MINUTES]
    return list(itertools.pairwise(edges))


def _report_day(
    season: SeasonDraft,
    day: int,
    total: np.ndarray,
    counts: np.ndarray | None,
    out: Collector,
) -> None:
    day_counts = None if counts is None else counts[:, day, :]
    name = ascii_text(season.name)
    for first, last in _runs(total, day_counts):
        covered = int(total[first])
        span = f"{hhmm(first)}-{hhmm(last)}"
        if covered == 0:
            out.add(
                "E10",
                season.tou_path,
                f"Season '{name}', {WEEKDAYS[day]}: no period covers {span}.",
            )
        elif covered > 1 and day_counts is not None:
            labels = sorted(
                label.name
                for index, label in enumerate(season.labels)
                for _ in range(int(day_counts[index, first]))
            )
            out.add(
                "E11",
                season.tou_path,
                f"Season '{name}', {WEEKDAYS[day]} {span}: periods "
                f"{join_names([ascii_text(x) for x in labels])} overlap.",
            )
