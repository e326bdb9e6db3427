"""Mutable working state of one validation run: the parsed sides and the problem sink.

The field pass (P1) fills these drafts; the coverage, tiling and price passes read them,
and compile.py turns them into frozen ``CompiledSide`` values when nothing failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from gridtwin.tariff.model import Problem
from gridtwin.tariff.rules import severity_of

__all__ = [
    "BlockDraft",
    "Collector",
    "LabelDraft",
    "PeriodDraft",
    "SeasonDraft",
    "SideDraft",
    "TableDraft",
]

_UNPREFIXED = frozenset({"E01", "E02", "N02"})


@dataclass
class Collector:
    """Appends problems in report order; texts of the sell side get ``sell_tariff: ``."""

    problems: list[Problem]
    text_prefix: str = ""

    def add(self, code: str, path: str, text: str) -> None:
        """Record rule ``code`` at ``path`` (already absolute within the tariff)."""
        if self.text_prefix and code not in _UNPREFIXED:
            text = self.text_prefix + text
        self.problems.append(Problem(code, severity_of(code), path, text))

    def for_side(self, text_prefix: str) -> Collector:
        """A collector sharing this problem list with another text prefix."""
        return Collector(self.problems, text_prefix)

    @property
    def error_count(self) -> int:
        """Number of errors recorded so far."""
        return sum(1 for p in self.problems if p.code.startswith("E"))


@dataclass
class PeriodDraft:
    """A parsed Period. ``end_min`` is 1..1440; ``start_min > end_min`` is overnight [min]."""

    path: str
    days: tuple[int, ...]
    start_min: int
    end_min: int
    usable: bool

    def minute_ranges(self) -> list[tuple[int, int]]:
        """Half-open minute ranges of one covered day (§3.4, §3.5) [min]."""
        if self.start_min < self.end_min:
            return [(self.start_min, self.end_min)]
        return [(self.start_min, 1440), (0, self.end_min)]


@dataclass
class LabelDraft:
    """A label of a season with its parsed periods."""

    name: str
    path: str
    named_ok: bool
    periods: list[PeriodDraft] = field(default_factory=list)


@dataclass
class SeasonDraft:
    """A season: bounds (fromMonth, fromDay, toMonth, toDay) and labels."""

    name: str
    path: str
    named_ok: bool
    active: bool = False
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)
    bounds_ok: bool = True
    periods_ok: bool = True
    labels: list[LabelDraft] = field(default_factory=list)
    grid: np.ndarray | None = None

    @property
    def counted(self) -> bool:
        """Active and validly named: takes part in coverage, tiling and prices."""
        return self.active and self.named_ok

    @property
    def tou_path(self) -> str:
        """Path of this season's ``tou_periods``."""
        return f"{self.path}.tou_periods"

    def label_names(self) -> list[str]:
        """Labels that passed E07, in document order."""
        return [label.name for label in self.labels if label.named_ok]


@dataclass
class BlockDraft:
    """A ChargeBlock: ``rates`` entries (None = wrong type), or None without ``rates``."""

    key: str
    path: str
    rates: dict[str, Decimal | None] | None


@dataclass
class TableDraft:
    """A ChargeTable (``energy_charges`` or ``demand_charges``)."""

    name: str
    path: str
    present: bool = False
    usable: bool = False
    blocks: list[BlockDraft] = field(default_factory=list)

    def _rates(self, key: str) -> dict[str, Decimal | None]:
        for block in self.blocks:
            if block.key == key:
                return block.rates or {}
        return {}

    def find(self, season: str, label: str) -> tuple[bool, Decimal | None]:
        """(found, price) by the lookup chain of §4.1 step 4, testing presence."""
        for key, rate in ((season, label), (season, "ALL"), ("ALL", label), ("ALL", "ALL")):
            rates = self._rates(key)
            if rate in rates:
                return True, rates[rate]
        return False, None


@dataclass
class SideDraft:
    """One side of the document as parsed by P1."""

    base: str
    out: Collector
    currency: object = None
    seasons: list[SeasonDraft] = field(default_factory=list)
    seasons_usable: bool = False
    energy: TableDraft = field(default_factory=lambda: TableDraft("energy_charges", ""))
    demand: TableDraft = field(default_factory=lambda: TableDraft("demand_charges", ""))
    daily: list[tuple[str, Decimal]] = field(default_factory=list)
    season_of_day: np.ndarray | None = None

    @property
    def is_sell(self) -> bool:
        """True for the ``sell_tariff`` side."""
        return bool(self.base)

    def counted_seasons(self) -> list[SeasonDraft]:
        """Active, validly named seasons in document order."""
        return [s for s in self.seasons if s.counted]
