"""OpenAPI models of the calendar_history kinds power, soe, self_consumption,
time_of_use_energy and savings (docs/history-kinds.md). Documentation only, like the rest of this package.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gridtwin.api.wire.models.base import Closed, Timestamp
from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.api.wire.models.history import EnergyBucket
from gridtwin.domain.catalogue import POWER_SAMPLE

__all__ = [
    "PowerHistoryResponse",
    "SavingsHistoryResponse",
    "SelfConsumptionHistoryResponse",
    "SoeHistoryResponse",
    "TouEnergyHistoryResponse",
]

Period = Literal["day", "week", "month", "year", "lifetime"]
Share = Annotated[float, Field(ge=0, le=100, description="% of home use")]


class _Head(Closed):
    serial_number: str
    period: Period
    installation_time_zone: Annotated[str, Field(min_length=1)]


PowerSample = catalogue_model(
    "PowerSample", POWER_SAMPLE,
    "One 5-minute bucket; signs as live_status (battery + discharging, grid + importing).",
    number=True, unit="average W over the bucket; an integer for a whole 5-minute bucket "
    "(12 x its Wh)")


class PowerHistory(_Head):
    time_series: list[PowerSample] | None = Field(  # type: ignore[valid-type]
        description="null when no bucket is returned")


class PowerHistoryResponse(Closed):
    """``calendar_history?kind=power``."""

    response: PowerHistory


class SoeSample(Closed):
    timestamp: Timestamp
    soe: Annotated[int, Field(ge=0, le=100, description="app-scale state of energy [%] at "
                                                        "the timestamp")]


class SoeHistory(_Head):
    time_series: list[SoeSample] | None = Field(description="null when no sample is returned "
                                                            "(and on sites without a battery)")


class SoeHistoryResponse(Closed):
    """``calendar_history?kind=soe``: every 15 minutes."""

    response: SoeHistory


class SelfConsumptionBucket(Closed):
    timestamp: Timestamp
    solar: Share
    battery: Share


class SelfConsumptionHistory(_Head):
    time_series: list[SelfConsumptionBucket] | None = Field(
        description="null when no bucket is returned")


class SelfConsumptionHistoryResponse(Closed):
    """``calendar_history?kind=self_consumption``: one bucket per local day (period day,
    week, month), month (year) or year (lifetime)."""

    response: SelfConsumptionHistory


class TouLabelHistory(Closed):
    time_series: list[EnergyBucket]  # type: ignore[valid-type]


class TouEnergyHistoryResponse(Closed):
    """``calendar_history?kind=time_of_use_energy``: one member per tariff period key
    (``off_peak``, ``partial_peak``, ``peak``, …); ``{}`` without a stored tariff."""

    response: dict[str, TouLabelHistory]


class SavingsItem(Closed):
    timestamp: Timestamp
    value: Annotated[float, Field(description="energy value of the site against the same home "
                                              "without it [currency], rounded to cents")]
    currency: Annotated[str, Field(description="ISO 4217 code of the stored tariff")]


class SavingsHistoryResponse(Closed):
    """``calendar_history?kind=savings``: a list, one item per bucket; ``[]`` without a
    stored tariff."""

    response: list[SavingsItem]
