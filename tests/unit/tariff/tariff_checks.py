"""Assertion helpers for the tariff tests (lookups in local time, reports as (ID, path))."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridtwin.tariff import CompiledTariff, PricePoint, Report, price_at

LA = "America/Los_Angeles"


def local(text: str, tz: str = LA) -> datetime:
    """Aware datetime of wall-clock ``YYYY-MM-DD HH:MM`` in zone ``tz``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def look(tariff: CompiledTariff | None, text: str, tz: str = LA) -> PricePoint:
    """price_at for a local wall-clock time."""
    assert tariff is not None
    return price_at(tariff, local(text, tz), tz)


def check_point(
    point: PricePoint,
    season: str | None = None,
    label: str | None = None,
    buy: str | None = None,
    sell: str | None = None,
    *,
    buy_eff: str | None = None,
    sell_eff: str | None = None,
) -> None:
    """Assert the given parts of a lookup (raw prices unless named effective)."""
    if season is not None:
        assert point.buy_season == season
    if label is not None:
        assert point.buy_label == label
    if buy is not None:
        assert point.buy == Decimal(buy)
    if sell is not None:
        assert point.sell == Decimal(sell)
    if buy_eff is not None:
        assert point.buy_eff == Decimal(buy_eff)
    if sell_eff is not None:
        assert point.sell_eff == Decimal(sell_eff)


def ids(report: Report, which: str = "errors") -> list[tuple[str, str]]:
    """(ID, path) of a report's errors or warnings in report order."""
    return [(p.code, p.path) for p in getattr(report, which)]
