"""Spec tariff.md §9.2, bills: TC-37 to TC-44, plus bill edge cases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np
import pytest
import tariff_docs as td
from tariff_checks import local

from gridtwin.core.errors import InvalidField
from gridtwin.tariff import Bill, CompiledTariff, Intervals, compute_bill, validate

LA = "America/Los_Angeles"


def compiled(doc: dict) -> CompiledTariff:
    report = validate(doc)
    assert report.tariff is not None, report.errors
    return report.tariff


def flat(buy: str = "0.20", sell: str = "0.05", daily: dict[str, str] | None = None) -> dict:
    doc = td.flat(buy, sell)
    if daily is not None:
        doc["daily_charges"] = [{"name": k, "amount": Decimal(v)} for k, v in daily.items()]
    return doc


def bill(
    doc: dict,
    start: datetime,
    end: datetime,
    imports: dict[datetime, int] | int = 0,
    exports: dict[datetime, int] | int = 0,
    tz: str = LA,
) -> Bill:
    """Bill of [start, end) with per-bucket Wh given as {bucket start: Wh} or one constant."""
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    grid = np.arange(start_s, end_s, 300, dtype=np.int64)
    return compute_bill(
        [(0, compiled(doc))],
        tz,
        start,
        end,
        Intervals.of(grid, _series(grid, imports), _series(grid, exports)),
    )


def _series(grid: np.ndarray, values: dict[datetime, int] | int) -> np.ndarray:
    if isinstance(values, int):
        return np.full(grid.size, values, dtype=np.int64)
    out = np.zeros(grid.size, dtype=np.int64)
    for when, wh in values.items():
        out[np.flatnonzero(grid == int(when.timestamp()))[0]] = wh
    return out


DAY = (local("2025-07-15 00:00"), local("2025-07-16 00:00"))


def test_tc37_flat() -> None:
    result = bill(flat(daily={"Charge": "1.00"}), *DAY, imports=100, exports=50)
    assert result.energy_charge == Decimal("5.76")
    assert result.export_credit == Decimal("0.72")
    assert result.daily_charge == Decimal("1.00")
    assert result.total == Decimal("6.04")
    assert result.currency == "USD"


def test_tc38_time_of_use() -> None:
    result = bill(td.pge(), *DAY, imports=100)
    assert result.energy_charge == Decimal("9.90348")
    assert result.total == Decimal("9.90348")
    assert result.display()["total"] == "9.90"
    lines = {(line.season, line.label): line for line in result.energy_lines}
    assert lines["Winter", "OFF_PEAK"].energy_kwh == Decimal("18")
    assert lines["Winter", "PARTIAL_PEAK"].energy_kwh == Decimal("4.8")
    assert lines["Winter", "ON_PEAK"].amount == Decimal("3.3456")


def test_tc39_export_credit() -> None:
    peak = {
        local(f"2025-07-15 {h:02d}:{m:02d}"): 200 for h in range(16, 21) for m in range(0, 60, 5)
    }
    assert len(peak) == 60
    result = bill(td.pge(), *DAY, exports=peak)
    assert result.export_credit == Decimal("6.6912")
    assert result.total == Decimal("-6.6912")


def test_tc40_daily_charges() -> None:
    doc = flat(daily={"Charge": "1.00", "Meter": "0.50"})
    windows = [
        (local("2025-07-15 10:00"), local("2025-07-17 10:00"), "3.00"),
        (local("2025-07-15 00:00"), local("2025-07-15 00:05"), "1.50"),
        (local("2025-07-14 23:55"), local("2025-07-15 00:00"), "0"),
    ]
    for start, end, expected in windows:
        assert bill(doc, start, end).daily_charge == Decimal(expected)


def test_tc40_daily_charge_on_a_day_without_midnight() -> None:
    doc = flat(daily={"Charge": "1.00", "Meter": "0.50"})
    santiago = "America/Santiago"
    accrual = datetime.fromisoformat("2025-09-07T04:00:00+00:00")
    assert accrual == datetime.fromisoformat("2025-09-07T01:00:00-03:00")
    before = datetime.fromisoformat("2025-09-07T03:55:00+00:00")
    after = datetime.fromisoformat("2025-09-07T04:05:00+00:00")
    assert bill(doc, accrual, after, tz=santiago).daily_charge == Decimal("1.50")
    assert bill(doc, before, accrual, tz=santiago).daily_charge == Decimal("0")


def demand_doc() -> dict:
    doc = td.buy_periods(
        flat(),
        {"ON_PEAK": "0.40", "OFF_PEAK": "0.20"},
        ON_PEAK=[td.period("0-6", "16:00", "21:00")],
        OFF_PEAK=[td.period("0-6", "21:00", "16:00")],
    )
    doc["demand_charges"] = {"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {"ON_PEAK": 10}}}
    return doc


def test_tc41_demand() -> None:
    imports = {
        local("2025-07-10 17:00"): 500,
        local("2025-07-10 17:05"): 400,
        local("2025-07-10 17:10"): 350,
        local("2025-07-11 03:00"): 700,
        local("2025-07-11 03:05"): 700,
        local("2025-07-11 03:10"): 700,
        local("2025-07-12 16:00"): 300,
        local("2025-07-12 16:05"): 300,
        local("2025-07-12 16:10"): 300,
    }
    result = bill(demand_doc(), local("2025-07-01 00:00"), local("2025-08-01 00:00"), imports)
    assert result.energy_charge == Decimal("1.28")
    assert result.demand_charge == Decimal("50.00")
    assert result.total == Decimal("51.28")
    [line] = result.demand_lines
    assert (line.month, line.season, line.label) == ("2025-07", "Summer", "ON_PEAK")
    assert line.max_demand_kw == Decimal("5.0")
    assert line.price_per_kw == Decimal(10)


def test_tc41_demand_windows_lie_wholly_inside_the_window() -> None:
    imports = {local("2025-07-10 17:00"): 500, local("2025-07-10 17:05"): 400}
    result = bill(demand_doc(), local("2025-07-10 17:00"), local("2025-07-10 17:10"), imports)
    assert result.demand_charge == 0  # two buckets only: no 15-minute window


def test_tc42_price_at_interval_start() -> None:
    doc = td.buy_periods(
        flat(),
        {"ON_PEAK": "0.40", "OFF_PEAK": "0.20"},
        ON_PEAK=[td.period("0-6", "16:03", "21:00")],
        OFF_PEAK=[td.period("0-6", "21:00", "16:03")],
    )
    imports = {local("2025-07-15 16:00"): 100, local("2025-07-15 16:05"): 100}
    assert bill(doc, *DAY, imports).energy_charge == Decimal("0.06")


def test_tc43_effective_prices_in_bills() -> None:
    one = {local("2025-07-15 12:00"): 1000}
    result = bill(flat("-0.05", "0"), *DAY, imports=one)
    assert result.energy_charge == 0
    other = {local("2025-07-15 13:00"): 1000}
    result = bill(flat("0.07", "0.15"), *DAY, imports=one, exports=other)
    assert result.energy_charge == Decimal("0.15")
    assert result.export_credit == Decimal("0.15")
    assert result.total == 0


@pytest.mark.parametrize(
    ("day", "intervals", "total"),
    [
        ("2025-03-09", 276, "6.52"),
        ("2025-11-02", 300, "7.00"),
    ],
)
def test_tc44_dst_days(day: str, intervals: int, total: str) -> None:
    start = local(f"{day} 00:00")
    end = local(f"{day} 00:00").replace(day=start.day + 1)
    assert (end.timestamp() - start.timestamp()) / 300 == intervals
    result = bill(flat(daily={"Charge": "1.00"}), start, end, imports=100)
    assert result.energy_charge + result.daily_charge == Decimal(total)


def test_bill_rejects_windows_off_five_minute_marks() -> None:
    with pytest.raises(InvalidField):
        bill(flat(), local("2025-07-15 00:01"), local("2025-07-15 01:00"))
    with pytest.raises(InvalidField):
        compute_bill([(0, compiled(flat()))], LA, 0, 600, Intervals.of([7], [1], [0]))


def test_bill_uses_the_tariff_in_force_at_each_interval() -> None:
    cheap, dear = compiled(flat("0.10")), compiled(flat("0.30"))
    start, switch, end = local("2025-07-15 00:00"), local("2025-07-15 12:00"), DAY[1]
    grid = np.arange(int(start.timestamp()), int(end.timestamp()), 300)
    intervals = Intervals.of(grid, np.full(grid.size, 100), np.zeros(grid.size, dtype=int))
    result = compute_bill([(switch, dear), (start, cheap)], LA, start, end, intervals)
    assert result.energy_charge == Decimal("144") * Decimal("0.01") + Decimal("144") * Decimal(
        "0.03"
    )
    before = compute_bill([(end, dear)], LA, start, end, intervals)
    assert before.total == 0 and before.energy_lines == ()


def test_bill_float_energies_are_read_as_their_text() -> None:
    start = local("2025-07-15 00:00")
    t0 = int(start.timestamp())
    intervals = Intervals.of([t0, t0 + 300], [0.1, 0.2], [0.0, 0.0])
    result = compute_bill([(0, compiled(flat("0.20")))], LA, start, DAY[1], intervals)
    assert result.energy_charge == Decimal("0.3") * Decimal("0.20") / 1000
