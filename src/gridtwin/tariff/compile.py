"""Compilation of a validated document, and the sell-above-buy check N02 (§4, §5.3).

Runs only when validation found no error, so every draft here is complete: each active
season has a label grid and each side a 366-entry season index.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from gridtwin.tariff.draft import Collector, SideDraft
from gridtwin.tariff.model import CompiledSide, CompiledTariff
from gridtwin.tariff.rules import WEEKDAYS, ascii_text, hhmm, path_key

__all__ = ["check_sell_above_buy", "compile_side", "compile_tariff"]

_ZERO = Decimal(0)


def compile_side(side: SideDraft) -> CompiledSide:
    """Freeze one side: season index, class grids and raw prices per (season, label)."""
    seasons = side.counted_seasons()
    classes: list[tuple[str, str]] = []
    grids: list[np.ndarray] = []
    for season in seasons:
        assert season.grid is not None  # guaranteed by a clean P2
        grids.append(season.grid.astype(np.int32) + len(classes))
        classes.extend((season.name, label.name) for label in season.labels)
    assert side.season_of_day is not None  # guaranteed by a clean P3
    energy = tuple(_price(side.energy.find(s, lb)) for s, lb in classes)
    demand = tuple(_price(side.demand.find(s, lb)) for s, lb in classes)
    return CompiledSide(
        seasons=tuple(season.name for season in seasons),
        classes=tuple(classes),
        season_of_day=side.season_of_day,
        class_grids=np.stack(grids),
        energy_price=energy,
        demand_price=demand,
    )


def _price(found: tuple[bool, Decimal | None]) -> Decimal:
    return found[1] if found[0] and found[1] is not None else _ZERO


def compile_tariff(buy: SideDraft, sell: CompiledSide | None) -> CompiledTariff:
    """The compiled tariff of a clean document (``buy`` draft, compiled sell side)."""
    currency = buy.currency if isinstance(buy.currency, str) else ""
    return CompiledTariff(
        currency=currency, buy=compile_side(buy), sell=sell, daily_charges=tuple(buy.daily)
    )


def _effective(price: Decimal) -> Decimal:
    return price if price > 0 else _ZERO


def check_sell_above_buy(buy: CompiledSide, sell: CompiledSide, out: Collector) -> None:
    """N02: one problem per (buy season, buy label, sell season, sell label) where the
    effective sell price exceeds the effective buy price, in order of first occurrence."""
    buy_eff = [_effective(p) for p in buy.energy_price]
    sell_eff = [_effective(p) for p in sell.energy_price]
    rank = {price: index for index, price in enumerate(sorted(set(buy_eff) | set(sell_eff)))}
    buy_rank = np.array([rank[p] for p in buy_eff])
    sell_rank = np.array([rank[p] for p in sell_eff])
    for buy_season, sell_season in _season_pairs(buy, sell):
        buy_grid = buy.class_grids[buy_season].ravel()
        sell_grid = sell.class_grids[sell_season].ravel()
        cells = np.flatnonzero(sell_rank[sell_grid] > buy_rank[buy_grid])
        if cells.size == 0:
            continue
        pair_codes = buy_grid[cells].astype(np.int64) * len(sell.classes) + sell_grid[cells]
        _, first = np.unique(pair_codes, return_index=True)
        for cell in sorted(int(cells[i]) for i in first):
            b, s = int(buy_grid[cell]), int(sell_grid[cell])
            out.add(
                "N02",
                _sell_label_path(sell, s),
                _n02_text(buy, sell, b, s, buy_eff[b], sell_eff[s], cell),
            )


def _season_pairs(buy: CompiledSide, sell: CompiledSide) -> list[tuple[int, int]]:
    """(buy season, sell season) pairs sharing a date, in order of their first date."""
    pairs: dict[tuple[int, int], None] = {}
    for b, s in zip(buy.season_of_day.tolist(), sell.season_of_day.tolist(), strict=True):
        pairs.setdefault((b, s), None)
    return list(pairs)


def _sell_label_path(sell: CompiledSide, sell_class: int) -> str:
    season, label = sell.classes[sell_class]
    path = path_key(path_key(path_key("sell_tariff", "seasons"), season), "tou_periods")
    return path_key(path, label)


def _n02_text(
    buy: CompiledSide,
    sell: CompiledSide,
    b: int,
    s: int,
    buy_price: Decimal,
    sell_price: Decimal,
    cell: int,
) -> str:
    buy_season, buy_label = (ascii_text(x) for x in buy.classes[b])
    sell_season, sell_label = (ascii_text(x) for x in sell.classes[s])
    weekday, minute = divmod(cell, 1440)
    return (
        f"Effective sell price {sell_price} (season '{sell_season}', label '{sell_label}') "
        f"exceeds effective buy price {buy_price} (season '{buy_season}', label "
        f"'{buy_label}'), first on {WEEKDAYS[weekday]} at {hhmm(minute)}; the buy price is "
        f"raised to {sell_price}."
    )
