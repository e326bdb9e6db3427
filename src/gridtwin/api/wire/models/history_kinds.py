"""OpenAPI models of the calendar_history kinds power, soe, self_consumption,
time_of_use_energy and savings (docs/history-kinds.md). Documentation only, like the rest of this package.
"""

from __future__ import annotations

from dataclasses import replace

from gridtwin.api.wire.models.base import Closed
from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.api.wire.models.history import EnergyBucket, history_model
from gridtwin.domain.catalogue import POWER_SAMPLE
from gridtwin.domain.catalogue_series import (
    SAVINGS_ITEM,
    SELF_CONSUMPTION_BUCKET,
    SOE_SAMPLE,
    TIME_SERIES,
)

__all__ = [
    "PowerHistoryResponse",
    "SavingsHistoryResponse",
    "SelfConsumptionHistoryResponse",
    "SoeHistoryResponse",
    "TouEnergyHistoryResponse",
]

PowerSample = catalogue_model(
    "PowerSample", POWER_SAMPLE,
    "One 5-minute bucket; signs as live_status (battery + discharging, grid + importing).",
    number=True, unit="average W over the bucket; an integer for a whole 5-minute bucket "
    "(12 x its Wh)")


PowerHistory = history_model("PowerHistory", "PowerSample", PowerSample)


class PowerHistoryResponse(Closed):
    """``calendar_history?kind=power``."""

    response: PowerHistory  # type: ignore[valid-type]


SoeSample = catalogue_model("SoeSample", SOE_SAMPLE, "One state-of-energy sample.")
SoeHistory = history_model("SoeHistory", "SoeSample", SoeSample)


class SoeHistoryResponse(Closed):
    """``calendar_history?kind=soe``: every 15 minutes."""

    response: SoeHistory  # type: ignore[valid-type]


SelfConsumptionBucket = catalogue_model("SelfConsumptionBucket", SELF_CONSUMPTION_BUCKET,
                                        "Shares of home use met by solar and battery.")
SelfConsumptionHistory = history_model("SelfConsumptionHistory", "SelfConsumptionBucket",
                                       SelfConsumptionBucket)


class SelfConsumptionHistoryResponse(Closed):
    """``calendar_history?kind=self_consumption``: one bucket per local day (period day,
    week, month), month (year) or year (lifetime)."""

    response: SelfConsumptionHistory  # type: ignore[valid-type]


TouLabelHistory = catalogue_model(
    "TouLabelHistory", (replace(TIME_SERIES, shape="EnergyBucket", nullable=False, doc=""),),
    "The energy buckets of one tariff period.", {"EnergyBucket": EnergyBucket})


class TouEnergyHistoryResponse(Closed):
    """``calendar_history?kind=time_of_use_energy``: one member per tariff period key
    (``off_peak``, ``partial_peak``, ``peak``, …); ``{}`` without a stored tariff."""

    response: dict[str, TouLabelHistory]  # type: ignore[valid-type]


SavingsItem = catalogue_model("SavingsItem", SAVINGS_ITEM, "The savings of one bucket.")


class SavingsHistoryResponse(Closed):
    """``calendar_history?kind=savings``: a list, one item per bucket; ``[]`` without a
    stored tariff."""

    response: list[SavingsItem]  # type: ignore[valid-type]
