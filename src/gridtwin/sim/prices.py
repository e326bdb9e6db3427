"""Price provider for the engine: effective buy/sell prices from a site's tariff history.

Each step is priced with the tariff in force at its start (tariff.md §1, §8): the latest
tariff stored at or before that instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from gridtwin.core import jsonio
from gridtwin.sim.state import PriceProvider, PriceSeries
from gridtwin.tariff import CompiledTariff, price_series, validate
from gridtwin.tariff.localtime import local_fields, offset_spans, zone
from gridtwin.tariff.schedule import classes_at

__all__ = ["compile_stored", "demand_series", "tariff_price_provider"]


def demand_series(tariff: CompiledTariff, time_zone: str, start_s: int, n_steps: int,
                  step_s: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(demand price [currency/kW], local month number) per step, the class at each
    step's start (tariff.md §8.3); None when no buy class has a positive demand price."""
    prices = np.array([max(float(p), 0.0) for p in tariff.buy.demand_price])
    if n_steps <= 0 or not np.any(prices > 0):
        return None
    instants = start_s + step_s * np.arange(n_steps, dtype=np.int64)
    cls = classes_at(tariff, time_zone, instants).buy_class.astype(np.int64)
    spans = offset_spans(zone(time_zone), int(instants[0]), int(instants[-1]))
    day = local_fields(spans.local_s(instants)).day
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return prices[cls], month


@lru_cache(maxsize=256)
def compile_stored(raw_json: str) -> CompiledTariff | None:
    """Compile a stored (already accepted) tariff document; None if it no longer validates."""
    report = validate(jsonio.loads(raw_json))
    return report.tariff


def tariff_price_provider(
    time_zone: str, history: Sequence[tuple[int, str]]
) -> PriceProvider | None:
    """A provider over ``history`` = [(stored_s, raw_json), ...]; None when there is no tariff."""
    versions = [(t, c) for t, raw in history if (c := compile_stored(raw)) is not None]
    if not versions:
        return None
    starts = np.array([t for t, _ in versions], dtype=np.int64)

    def provide(start_s: int, n_steps: int, step_s: int) -> PriceSeries:
        instants = start_s + step_s * np.arange(n_steps, dtype=np.int64)
        which = np.searchsorted(starts, instants, side="right") - 1
        buy = np.zeros(n_steps, dtype=np.float64)
        sell = np.zeros(n_steps, dtype=np.float64)
        dem_kw: np.ndarray | None = None
        month: np.ndarray | None = None
        for k in np.unique(which):
            # Before the first tariff the first one applies: the controller needs some prices.
            idx = np.nonzero(which == k)[0]
            compiled = versions[max(int(k), 0)][1]
            b, s = price_series(compiled, time_zone, start_s, n_steps, step_s)
            buy[idx], sell[idx] = b[idx], s[idx]
            dem = demand_series(compiled, time_zone, start_s, n_steps, step_s)
            if dem is not None:
                if dem_kw is None or month is None:
                    dem_kw, month = np.zeros(n_steps), np.zeros(n_steps, dtype=np.int64)
                dem_kw[idx], month[idx] = dem[0][idx], dem[1][idx]
        return PriceSeries(start_s, step_s, buy, sell, dem_kw, month)

    return provide
