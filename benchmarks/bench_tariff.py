"""Tariff engine benchmark: validation of a 48-label tariff and a year of 5-minute prices.

Run: ``python benchmarks/bench_tariff.py``. Not part of the test run.
Targets (spec tariff.md §4.4, issue): validation within 5 ms; the vectorised year
(``price_series``) at least 50x faster than a per-timestamp ``price_at`` loop.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from gridtwin.tariff import (
    CompiledTariff,
    Intervals,
    compute_bill,
    loads,
    price_at,
    price_series,
    validate,
)

TZ = "America/Los_Angeles"
STEP_S = 300
YEAR_STEPS = 365 * 288


def half_hour_tariff() -> dict[str, Any]:
    """A 48-label tariff shaped like Teslemetry's read-back (one label per half hour)."""

    def label(m: int) -> str:
        return f"PERIOD_{m // 60:02d}_{m % 60:02d}"

    def period(m: int) -> dict[str, int]:
        fields = {
            "toDayOfWeek": 6,
            "fromHour": m // 60,
            "fromMinute": m % 60,
            "toHour": (m + 30) // 60,
            "toMinute": (m + 30) % 60,
        }
        return {k: v for k, v in fields.items() if v}

    starts = range(0, 1440, 30)
    seasons = {
        "Summer": {
            "fromDay": 1,
            "toDay": 31,
            "fromMonth": 1,
            "toMonth": 12,
            "tou_periods": {label(m): {"periods": [period(m)]} for m in starts},
        },
        "Winter": {},
    }
    buy = {label(m): 0.42 if 960 <= m < 1260 else 0.24 if m < 360 else 0.31 for m in starts}
    sell = {label(m): 0.45 if 1020 <= m < 1110 else 0.05 for m in starts}
    doc = {
        "code": "BENCH",
        "name": "Half-hourly",
        "utility": "Bench",
        "currency": "USD",
        "version": 1,
        "daily_charges": [{"name": "Charge", "amount": 1.1}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
        "energy_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": buy}},
        "seasons": seasons,
        "sell_tariff": {
            "name": "Half-hourly",
            "utility": "Bench",
            "energy_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": sell}},
            "seasons": seasons,
        },
    }
    import json

    return loads(json.dumps(doc))  # numbers as the API parses them (Decimal)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls [s] and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def naive_year(tariff: CompiledTariff, start_s: int) -> tuple[np.ndarray, np.ndarray]:
    buy = np.empty(YEAR_STEPS)
    sell = np.empty(YEAR_STEPS)
    for i in range(YEAR_STEPS):
        point = price_at(tariff, datetime.fromtimestamp(start_s + STEP_S * i, UTC), TZ)
        buy[i], sell[i] = float(point.buy_eff), float(point.sell_eff)
    return buy, sell


def main() -> None:
    doc = half_hour_tariff()
    report = validate(doc)
    assert report.ok and report.tariff is not None, report.errors
    tariff = report.tariff
    start_s = int(datetime(2025, 1, 1, 8, 0, tzinfo=UTC).timestamp())  # local midnight

    validate_s, _ = timed(lambda: validate(doc), 200)
    vector_s, vector = timed(lambda: price_series(tariff, TZ, start_s, YEAR_STEPS, STEP_S), 20)
    naive_s, naive = timed(lambda: naive_year(tariff, start_s), 1)
    assert isinstance(vector, tuple) and isinstance(naive, tuple)
    assert np.array_equal(vector[0], naive[0]) and np.array_equal(vector[1], naive[1])

    grid = start_s + STEP_S * np.arange(YEAR_STEPS, dtype=np.int64)
    intervals = Intervals.of(grid, np.full(YEAR_STEPS, 120), np.full(YEAR_STEPS, 40))
    bill_s, _ = timed(
        lambda: compute_bill([(0, tariff)], TZ, start_s, start_s + STEP_S * YEAR_STEPS, intervals),
        5,
    )

    rows = [
        ("validate 48-label tariff", validate_s * 1e3, "target <= 5 ms"),
        ("price_series, year of 5 min", vector_s * 1e3, f"{YEAR_STEPS} steps"),
        ("price_at loop, year of 5 min", naive_s * 1e3, "naive reference"),
        ("compute_bill, year of 5 min", bill_s * 1e3, "energy, export, daily, demand"),
    ]
    print(f"{'case':<32}{'ms':>12}  note")
    for name, ms, note in rows:
        print(f"{name:<32}{ms:>12.3f}  {note}")
    print(f"{'speed-up price_series':<32}{naive_s / vector_s:>11.0f}x  target >= 50x")


if __name__ == "__main__":
    main()
