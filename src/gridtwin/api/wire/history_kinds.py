"""Replies of calendar_history kinds power, soe, self_consumption, time_of_use_energy and
savings (docs/history-kinds.md)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gridtwin.api.wire.common import local_timestamp
from gridtwin.api.wire.history import history_head, render_energy
from gridtwin.api.wire.reading import row
from gridtwin.domain.catalogue import POWER_SAMPLE, TIMESTAMP
from gridtwin.domain.catalogue_series import (
    SAVINGS_ITEM,
    SELF_CONSUMPTION_BUCKET,
    SOE_SAMPLE,
    TIME_SERIES,
)
from gridtwin.domain.energy import CELLS, signed_matrix
from gridtwin.services.history import EnergyHistory
from gridtwin.services.history_kinds import (
    KindHistory,
    PowerHistory,
    SavingsHistory,
    SelfConsumptionHistory,
    SoeHistory,
    TouEnergyHistory,
)
from gridtwin.tariff import round_money

__all__ = ["POWER_FIELDS", "render_kind"]

_POWER = [f for f in POWER_SAMPLE if f.history is not None]
POWER_FIELDS: tuple[str, ...] = tuple(f.key for f in _POWER)
"""The power-history fields after the timestamp, in wire order."""
_POWER_M = np.asarray(signed_matrix([f.history or () for f in _POWER]), dtype=np.int64)
"""cells x fields: signed Wh of each field from the cells; signs as live_status (D15)."""


def _watts(wh: int, seconds: int) -> int | float:
    """Average power [W] of ``wh`` over ``seconds``: an integer for a whole bucket (12 x Wh)."""
    watts = wh * 3600 / seconds
    return int(watts) if watts.is_integer() else watts


def render_power(h: PowerHistory) -> dict[str, Any]:
    signed = (np.asarray(h.wh, dtype=np.int64).reshape(-1, len(CELLS)) @ _POWER_M).tolist()
    series = []
    for t, values, seconds in zip(h.starts, signed, h.seconds, strict=True):
        item: dict[str, Any] = {TIMESTAMP.key: local_timestamp(t, h.zone)}
        item.update((name, _watts(v, seconds)) for name, v in zip(POWER_FIELDS, values, strict=True))
        series.append(item)
    return history_head(h.view, h.period, series or None)


def render_soe(h: SoeHistory) -> dict[str, Any]:
    series = [row(SOE_SAMPLE, local_timestamp(t, h.zone), round(pct))
              for t, pct in zip(h.starts, h.pct, strict=True)]
    return history_head(h.view, h.period, series or None)


def render_self_consumption(h: SelfConsumptionHistory) -> dict[str, Any]:
    series = [row(SELF_CONSUMPTION_BUCKET, local_timestamp(t, h.zone), solar, battery)
              for t, solar, battery in zip(h.starts, h.solar_pct, h.battery_pct, strict=True)]
    return history_head(h.view, h.period, series or None)


def render_tou_energy(h: TouEnergyHistory) -> dict[str, Any]:
    """``{key: {"time_series": [energy bucket, ...]}}`` per tariff period key; the buckets
    have exactly the fields of kind=energy (wire-format §9.4)."""
    out = {}
    for key, wh in h.by_label.items():
        energy = render_energy(EnergyHistory(h.view, h.period, h.zone, h.starts, wh))
        out[key] = {TIME_SERIES.key: energy[TIME_SERIES.key]}
    return out


def render_savings(h: SavingsHistory) -> list[dict[str, Any]]:
    return [row(SAVINGS_ITEM, local_timestamp(t, "UTC"), float(round_money(value)), h.currency)
            for t, value in zip(h.starts, h.values, strict=True)]


def render_kind(h: KindHistory) -> dict[str, Any] | list[dict[str, Any]]:
    if isinstance(h, PowerHistory):
        return render_power(h)
    if isinstance(h, SoeHistory):
        return render_soe(h)
    if isinstance(h, SelfConsumptionHistory):
        return render_self_consumption(h)
    if isinstance(h, TouEnergyHistory):
        return render_tou_energy(h)
    return render_savings(h)
