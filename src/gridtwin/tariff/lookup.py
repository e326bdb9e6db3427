"""Price lookup at one instant and constant-price segments (spec tariff.md §4).

Lookup is O(1) on a compiled tariff: leap-year day index -> season -> (weekday, minute)
-> class -> prices.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

import numpy as np

from gridtwin.tariff.localtime import leap_day_index, offset_spans, zone
from gridtwin.tariff.model import CompiledTariff, PricePoint, Segment
from gridtwin.tariff.schedule import classes_at

__all__ = ["point_of", "price_at", "segments"]

_ZERO = Decimal(0)


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("a naive datetime has no instant; pass an aware datetime")
    return when


def _classes(tariff: CompiledTariff, when: datetime, tz: tzinfo) -> tuple[int, int | None]:
    local = _aware(when).astimezone(tz)
    day = leap_day_index(local.month, local.day)
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    buy = tariff.buy.class_at(day, weekday, minute)
    sell = None if tariff.sell is None else tariff.sell.class_at(day, weekday, minute)
    return buy, sell


def point_of(tariff: CompiledTariff, buy_class: int, sell_class: int | None) -> PricePoint:
    """The PricePoint of a (buy class, sell class) pair of ``tariff``."""
    buy_season, buy_label = tariff.buy.classes[buy_class]
    buy = tariff.buy.energy_price[buy_class]
    sell_season = sell_label = None
    sell = _ZERO
    if tariff.sell is not None and sell_class is not None:
        sell_season, sell_label = tariff.sell.classes[sell_class]
        sell = tariff.sell.energy_price[sell_class]
    sell_eff = max(sell, _ZERO)
    return PricePoint(
        buy_season=buy_season,
        buy_label=buy_label,
        buy=buy,
        sell_season=sell_season,
        sell_label=sell_label,
        sell=sell,
        buy_eff=max(buy, _ZERO, sell_eff),
        sell_eff=sell_eff,
        demand=max(tariff.buy.demand_price[buy_class], _ZERO),
    )


def price_at(tariff: CompiledTariff, when: datetime, tz: str | tzinfo) -> PricePoint:
    """Prices in force at ``when`` (aware) on the wall clock of zone ``tz`` (§4.1).

    Returns raw and effective buy/sell prices [currency/kWh] and the demand price
    [currency/kW].
    """
    return point_of(tariff, *_classes(tariff, when, zone(tz)))


def segments(
    tariff: CompiledTariff, start: datetime, end: datetime, tz: str | tzinfo
) -> list[Segment]:
    """Maximal runs in ``[start, end)`` over which ``price_at`` is constant.

    Boundaries are the instants where the price point changes: period and season
    boundaries, local midnights and DST jumps. Interior boundaries are UTC datetimes.
    """
    tzi = zone(tz)
    start_ts, end_ts = _aware(start).timestamp(), _aware(end).timestamp()
    if end_ts <= start_ts:
        return []
    candidates = _candidates(tzi, start_ts, end_ts)
    series = classes_at(tariff, tzi, candidates)
    n_buy = len(tariff.buy.classes)
    keys = _keys(series.buy_class, series.sell_class, n_buy)
    first = _key_of(_classes(tariff, start, tzi), n_buy)
    previous = np.concatenate(([first], keys[:-1]))
    changes = candidates[keys != previous]
    edges = [start, *(datetime.fromtimestamp(int(t), UTC) for t in changes), end]
    return [Segment(a, b, price_at(tariff, a, tzi)) for a, b in itertools.pairwise(edges)]


def _key_of(classes: tuple[int, int | None], n_buy: int) -> int:
    buy, sell = classes
    return (0 if sell is None else sell) * n_buy + buy


def _keys(buy: np.ndarray, sell: np.ndarray | None, n_buy: int) -> np.ndarray:
    keys = buy.astype(np.int64)
    return keys if sell is None else keys + sell.astype(np.int64) * n_buy


def _candidates(tz: tzinfo, start_ts: float, end_ts: float) -> np.ndarray:
    """Instants in (start, end) where a local minute starts or the offset changes [s]."""
    low, high = math.floor(start_ts), math.ceil(end_ts)
    spans = offset_spans(tz, low, high)
    parts = [spans.start_s[1:]]
    bounds = [*spans.start_s.tolist(), high]
    for k, offset in enumerate(spans.offset_s.tolist()):
        first = bounds[k] + (-(bounds[k] + offset)) % 60
        parts.append(np.arange(first, bounds[k + 1], 60, dtype=np.int64))
    instants = np.unique(np.concatenate(parts))
    return instants[(instants > start_ts) & (instants < end_ts)]
