"""Vectorised price schedules: classes and effective prices for many instants (§4.2).

Each instant is priced at its own local wall-clock minute; DST is handled through the
zone's offset spans (see localtime.py). Results are numpy arrays, one entry per instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from gridtwin.tariff.localtime import LocalFields, local_fields, offset_spans, zone
from gridtwin.tariff.model import CompiledSide, CompiledTariff

_WEEK_MIN = 7 * 1440

__all__ = ["ClassSeries", "class_series", "classes_at", "label_series", "price_series"]


@dataclass(frozen=True)
class ClassSeries:
    """Price classes per instant: indices into ``tariff.buy.classes`` / ``tariff.sell.classes``.

    buy_class: buy-side class per instant [-]. sell_class: sell-side class, or None
    without a sell side [-].
    """

    buy_class: np.ndarray
    sell_class: np.ndarray | None

    def effective_prices(self, tariff: CompiledTariff) -> tuple[np.ndarray, np.ndarray]:
        """(buy_eff, sell_eff) per instant as float64 [currency/kWh]."""
        buy = tariff.buy.energy_eff_per_kwh[self.buy_class]
        if tariff.sell is None or self.sell_class is None:
            return buy, np.zeros_like(buy)
        sell = tariff.sell.energy_eff_per_kwh[self.sell_class]
        return np.maximum(buy, sell), sell


def _side_classes(side: CompiledSide, fields: LocalFields) -> np.ndarray:
    cell = side.season_of_day[fields.leap_day].astype(np.int64) * _WEEK_MIN
    cell += fields.minute_of_week
    classes: np.ndarray = side.class_grids.reshape(-1)[cell]
    return classes


def classes_at(tariff: CompiledTariff, tz: str | tzinfo, t_s: np.ndarray) -> ClassSeries:
    """Price classes at arbitrary Unix instants ``t_s`` (int64 array) [s]."""
    t_s = np.asarray(t_s, dtype=np.int64)
    if t_s.size == 0:
        empty = np.zeros(0, dtype=np.int32)
        return ClassSeries(empty, None if tariff.sell is None else empty)
    spans = offset_spans(zone(tz), int(t_s.min()), int(t_s.max()))
    fields = local_fields(spans.local_s(t_s))
    sell = None if tariff.sell is None else _side_classes(tariff.sell, fields)
    return ClassSeries(_side_classes(tariff.buy, fields), sell)


def class_series(
    tariff: CompiledTariff, tz: str | tzinfo, start_s: int, n: int, step_s: int
) -> ClassSeries:
    """Price classes at ``start_s + i*step_s`` for i in 0..n-1.

    start_s: first instant [s]. n: number of steps [-]. step_s: step length, > 0 [s].
    """
    if step_s <= 0 or n < 0:
        raise ValueError("step_s must be positive and n non-negative")
    return classes_at(tariff, tz, start_s + step_s * np.arange(n, dtype=np.int64))


label_series = class_series
"""Alias: classes are (season, label) pairs, see ``CompiledSide.classes``."""


def price_series(
    tariff: CompiledTariff, tz: str | tzinfo, start_s: int, n: int, step_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """Effective buy and sell prices at the start of each step (float64 arrays).

    tariff: a compiled tariff. tz: IANA zone of the site.
    start_s: first step start, Unix time [s]. n: number of steps [-]. step_s: step [s].
    Returns (buy_eff, sell_eff) [currency/kWh].
    """
    return class_series(tariff, tz, start_s, n, step_s).effective_prices(tariff)
