"""Powerwall unit specifications (site-behavior §3.1)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["UNIT_SPECS", "BatteryModel", "UnitSpec"]


class BatteryModel(StrEnum):
    POWERWALL_2 = "powerwall_2"
    POWERWALL_PLUS = "powerwall_plus"
    POWERWALL_3 = "powerwall_3"
    POWERWALL_3_EXPANSION = "powerwall_3_expansion"


@dataclass(frozen=True)
class UnitSpec:
    """One unit's datasheet values.

    nameplate_wh [Wh], full_pack_wh [Wh], max_charge_w [W], max_discharge_w [W],
    round_trip [-] (AC to AC), solar_inverter_w [W] (PV AC capacity the unit adds).
    """

    model: BatteryModel
    part_name: str
    part_number: str
    battery_type: str
    nameplate_wh: int
    full_pack_wh: int
    max_charge_w: int
    max_discharge_w: int
    round_trip: float
    solar_inverter_w: int
    is_expansion: bool = False

    @property
    def one_way_efficiency(self) -> float:
        """sqrt(round trip) [-]: applied once on charge and once on discharge."""
        return math.sqrt(self.round_trip)


UNIT_SPECS: dict[BatteryModel, UnitSpec] = {
    BatteryModel.POWERWALL_2: UnitSpec(
        BatteryModel.POWERWALL_2, "Powerwall 2", "3012170-05-C", "ac_powerwall",
        13_500, 14_000, 5_000, 5_000, 0.90, 0,
    ),
    BatteryModel.POWERWALL_PLUS: UnitSpec(
        BatteryModel.POWERWALL_PLUS, "Powerwall+", "2012170-25-E", "solar_powerwall",
        13_500, 14_000, 5_000, 5_800, 0.90, 7_600,
    ),
    BatteryModel.POWERWALL_3: UnitSpec(
        BatteryModel.POWERWALL_3, "Powerwall 3", "1707000-11-J", "solar_powerwall",
        13_500, 14_000, 5_000, 11_500, 0.89, 11_500,
    ),
    BatteryModel.POWERWALL_3_EXPANSION: UnitSpec(
        BatteryModel.POWERWALL_3_EXPANSION, "Powerwall 3 Expansion", "1807000-20-B",
        "solar_powerwall", 13_500, 14_000, 0, 0, 0.89, 0, is_expansion=True,
    ),
}
