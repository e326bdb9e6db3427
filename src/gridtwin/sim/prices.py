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

__all__ = ["compile_stored", "tariff_price_provider"]


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
        for k in np.unique(which):
            # Before the first tariff the first one applies: the controller needs some prices.
            idx = np.nonzero(which == k)[0]
            b, s = price_series(versions[max(int(k), 0)][1], time_zone, start_s, n_steps, step_s)
            buy[idx], sell[idx] = b[idx], s[idx]
        return PriceSeries(start_s, step_s, buy, sell)

    return provide
