"""calendar_history kinds power, soe, self_consumption, time_of_use_energy and savings
(described in the docs page history-kinds.md)."""

from __future__ import annotations

from gridtwin.client.types._model import WireModel, WireTime
from gridtwin.client.types.history import EnergyBucket

__all__ = [
    "PowerHistory",
    "PowerSample",
    "SavingsItem",
    "SelfConsumptionBucket",
    "SelfConsumptionHistory",
    "SoeHistory",
    "SoeSample",
    "TouLabelHistory",
]


class PowerSample(WireModel):
    """Average power [W] over one 5-minute bucket; signs as live_status."""

    timestamp: WireTime
    solar_power: float
    battery_power: float
    grid_power: float
    grid_services_power: float
    generator_power: float
    load_power: float


class PowerHistory(WireModel):
    serial_number: str
    period: str
    installation_time_zone: str
    time_series: list[PowerSample] | None


class SoeSample(WireModel):
    timestamp: WireTime
    soe: int
    """App-scale state of energy [%] at ``timestamp``."""


class SoeHistory(WireModel):
    serial_number: str
    period: str
    installation_time_zone: str
    time_series: list[SoeSample] | None


class SelfConsumptionBucket(WireModel):
    timestamp: WireTime
    solar: float
    """Share of home use served by solar [%]."""
    battery: float
    """Share of home use served by the battery [%]."""


class SelfConsumptionHistory(WireModel):
    serial_number: str
    period: str
    installation_time_zone: str
    time_series: list[SelfConsumptionBucket] | None


class TouLabelHistory(WireModel):
    """One tariff period's energy buckets (the ``time_of_use_energy`` reply maps period keys
    such as ``off_peak`` or ``peak`` to these)."""

    time_series: list[EnergyBucket]


class SavingsItem(WireModel):
    timestamp: WireTime
    value: float
    """Energy value of the site against the same home without it [currency]."""
    currency: str
