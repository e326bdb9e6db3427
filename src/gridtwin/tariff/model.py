"""Frozen result types of the tariff engine: problems, reports, compiled tariffs, prices.

A ``CompiledTariff`` exists only for a document that validated without errors, so every
lookup on it is total (spec tariff.md §4.1). Its arrays are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

import numpy as np

from gridtwin.tariff.rules import Severity

__all__ = [
    "CompiledSide",
    "CompiledTariff",
    "PricePoint",
    "Problem",
    "Report",
    "Segment",
    "Severity",
]


@dataclass(frozen=True)
class Problem:
    """One finding of the validator (§5.1).

    code: rule id such as ``E10``. severity: error, normalised or warning.
    path: JSON path relative to the tariff (HTTP-level for E01 and E02 on ``tariff_content``).
    text: one ASCII sentence, without the rule id.
    """

    code: str
    severity: Severity
    path: str
    text: str

    def line(self) -> str:
        """``<severity> <ID> <path>: <text>`` as the CLI prints it."""
        return f"{self.severity} {self.code} {self.path}: {self.text}"


@dataclass(frozen=True)
class Report:
    """Every problem found, in the order of §5.2, and the compiled tariff when valid."""

    problems: tuple[Problem, ...]
    tariff: CompiledTariff | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems of severity error, in report order."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Normalised and warning problems, in report order."""
        return tuple(p for p in self.problems if p.severity is not Severity.ERROR)

    @property
    def ok(self) -> bool:
        """True when there is no error (the tariff is accepted)."""
        return not self.errors


def _frozen_array(values: np.ndarray) -> np.ndarray:
    array = np.array(values, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class CompiledSide:
    """One side (buy, or ``sell_tariff``) of a validated tariff, ready for O(1) lookup.

    seasons: active season names in document order.
    classes: (season, label) of each price class, grouped by season in document order.
    season_of_day: season index of each day of a leap year, Jan 1 = 0 (366,) [-].
    class_grids: class index per season, weekday (0 = Monday) and minute (n, 7, 1440) [-].
    energy_price: raw energy price of each class [currency/kWh].
    demand_price: raw demand price of each class, 0 where none [currency/kW].
    """

    seasons: tuple[str, ...]
    classes: tuple[tuple[str, str], ...]
    season_of_day: np.ndarray
    class_grids: np.ndarray
    energy_price: tuple[Decimal, ...]
    demand_price: tuple[Decimal, ...]
    energy_eff_per_kwh: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "season_of_day", _frozen_array(self.season_of_day))
        object.__setattr__(self, "class_grids", _frozen_array(self.class_grids))
        eff = np.array([float(max(p, Decimal(0))) for p in self.energy_price], dtype=np.float64)
        object.__setattr__(self, "energy_eff_per_kwh", _frozen_array(eff))

    def class_at(self, day_of_leap_year: int, weekday: int, minute: int) -> int:
        """Class index at a local date (leap-year day index), weekday and minute [-]."""
        season = int(self.season_of_day[day_of_leap_year])
        return int(self.class_grids[season, weekday, minute])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompiledSide):
            return NotImplemented
        return _fields_equal(self, other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class CompiledTariff:
    """A validated tariff with normalised prices (§4).

    currency: ISO 4217 code of every amount. buy: the buy side. sell: the sell side or None.
    daily_charges: (name, amount after N01) of the buy side [currency/day].
    """

    currency: str
    buy: CompiledSide
    sell: CompiledSide | None
    daily_charges: tuple[tuple[str, Decimal], ...]

    @property
    def daily_charge_per_day(self) -> Decimal:
        """Sum of the buy side's daily charges [currency/day]."""
        return sum((amount for _, amount in self.daily_charges), Decimal(0))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompiledTariff):
            return NotImplemented
        return _fields_equal(self, other)

    __hash__ = None  # type: ignore[assignment]


def _fields_equal(a: CompiledSide | CompiledTariff, b: object) -> bool:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


@dataclass(frozen=True)
class PricePoint:
    """Prices in force at one instant (§4.2, §4.3); money is Decimal.

    buy, sell: raw prices as written [currency/kWh] (sell 0 without a sell side).
    buy_eff, sell_eff: effective prices used by the controller and bills [currency/kWh].
    demand: effective demand price of the buy side [currency/kW].
    """

    buy_season: str
    buy_label: str
    buy: Decimal
    sell_season: str | None
    sell_label: str | None
    sell: Decimal
    buy_eff: Decimal
    sell_eff: Decimal
    demand: Decimal


@dataclass(frozen=True)
class Segment:
    """A maximal run ``[start, end)`` of aware instants over which ``price`` is constant."""

    start: datetime
    end: datetime
    price: PricePoint
