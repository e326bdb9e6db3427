"""Input and result types of bills (spec tariff.md §8). Money is Decimal, never rounded
inside; ``Bill.display`` rounds to cents with ROUND_HALF_EVEN for presentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

__all__ = ["Bill", "DemandLine", "EnergyLine", "Intervals", "round_money"]

_CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """``amount`` rounded to 2 decimals, half to even [currency]."""
    return amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Intervals:
    """Grid energy per 5-minute history bucket (site-behavior.md §9).

    start_s: bucket start instants, Unix time on 5-minute marks, unique [s].
    import_wh: grid import per bucket, >= 0 [Wh]. export_wh: grid export per bucket,
    >= 0 [Wh]. Integer arrays are exact; float arrays are read as ``Decimal(str(x))``.
    Buckets outside the bill window are ignored; missing buckets count as zero.
    """

    start_s: np.ndarray
    import_wh: np.ndarray
    export_wh: np.ndarray

    @classmethod
    def of(cls, start_s: object, import_wh: object, export_wh: object) -> Intervals:
        """Build from any array-likes of equal length."""
        starts = np.asarray(start_s, dtype=np.int64).ravel()
        imports, exports = np.asarray(import_wh).ravel(), np.asarray(export_wh).ravel()
        if not starts.shape == imports.shape == exports.shape:
            raise ValueError("start_s, import_wh and export_wh must have the same length")
        return cls(starts, imports, exports)


@dataclass(frozen=True)
class EnergyLine:
    """Energy of one (season, label) and its amount [kWh], [currency]."""

    season: str
    label: str
    energy_kwh: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DemandLine:
    """Demand charge of one local month and (tariff version, season, label).

    month: ``YYYY-MM`` of the local month. tariff_index: position of the tariff version
    in the list given to ``compute_bill`` [-]. max_demand_kw: highest 15-minute average
    import [kW]. price_per_kw: effective demand price [currency/kW]. amount: [currency].
    """

    month: str
    tariff_index: int
    season: str
    label: str
    max_demand_kw: Decimal
    price_per_kw: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Bill:
    """A bill for a window (§8.4); every amount in ``currency``.

    total = energy_charge - export_credit + daily_charge + demand_charge [currency].
    """

    currency: str
    energy_charge: Decimal
    export_credit: Decimal
    daily_charge: Decimal
    demand_charge: Decimal
    total: Decimal
    energy_lines: tuple[EnergyLine, ...] = ()
    export_lines: tuple[EnergyLine, ...] = ()
    demand_lines: tuple[DemandLine, ...] = ()

    def display(self) -> dict[str, str]:
        """The five amounts rounded to cents as text, for presentation."""
        names = ("energy_charge", "export_credit", "daily_charge", "demand_charge", "total")
        return {name: str(round_money(getattr(self, name))) for name in names}
