"""OpenAPI models of the calendar_history kinds power, soe, self_consumption,
time_of_use_energy and savings (docs/history-kinds.md). Documentation only, like models.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gridtwin.api.wire.models import EnergyBucket, Timestamp, _Closed

__all__ = [
    "PowerHistoryResponse",
    "SavingsHistoryResponse",
    "SelfConsumptionHistoryResponse",
    "SoeHistoryResponse",
    "TouEnergyHistoryResponse",
]

Period = Literal["day", "week", "month", "year", "lifetime"]
AverageWatts = Annotated[float, Field(description="average W over the bucket; an integer for "
                                                  "a whole 5-minute bucket (12 x its Wh)")]
Share = Annotated[float, Field(ge=0, le=100, description="% of home use")]


class _Head(_Closed):
    serial_number: str
    period: Period
    installation_time_zone: Annotated[str, Field(min_length=1)]


class PowerSample(_Closed):
    """One 5-minute bucket; signs as live_status (battery + discharging, grid + importing)."""

    timestamp: Timestamp
    solar_power: AverageWatts
    battery_power: AverageWatts
    grid_power: AverageWatts
    grid_services_power: Literal[0]
    generator_power: AverageWatts
    load_power: AverageWatts


class PowerHistory(_Head):
    time_series: list[PowerSample] | None = Field(description="null when no bucket is returned")


class PowerHistoryResponse(_Closed):
    """``calendar_history?kind=power``."""

    response: PowerHistory


class SoeSample(_Closed):
    timestamp: Timestamp
    soe: Annotated[int, Field(ge=0, le=100, description="app-scale state of energy [%] at "
                                                        "the timestamp")]


class SoeHistory(_Head):
    time_series: list[SoeSample] | None = Field(description="null when no sample is returned "
                                                            "(and on sites without a battery)")


class SoeHistoryResponse(_Closed):
    """``calendar_history?kind=soe``: every 15 minutes."""

    response: SoeHistory


class SelfConsumptionBucket(_Closed):
    timestamp: Timestamp
    solar: Share
    battery: Share


class SelfConsumptionHistory(_Head):
    time_series: list[SelfConsumptionBucket] | None = Field(
        description="null when no bucket is returned")


class SelfConsumptionHistoryResponse(_Closed):
    """``calendar_history?kind=self_consumption``: one bucket per local day (period day,
    week, month), month (year) or year (lifetime)."""

    response: SelfConsumptionHistory


class TouLabelHistory(_Closed):
    time_series: list[EnergyBucket]


class TouEnergyHistoryResponse(_Closed):
    """``calendar_history?kind=time_of_use_energy``: one member per tariff period key
    (``off_peak``, ``partial_peak``, ``peak``, …); ``{}`` without a stored tariff."""

    response: dict[str, TouLabelHistory]


class SavingsItem(_Closed):
    timestamp: Timestamp
    value: Annotated[float, Field(description="energy value of the site against the same home "
                                              "without it [currency], rounded to cents")]
    currency: Annotated[str, Field(description="ISO 4217 code of the stored tariff")]


class SavingsHistoryResponse(_Closed):
    """``calendar_history?kind=savings``: a list, one item per bucket; ``[]`` without a
    stored tariff."""

    response: list[SavingsItem]
