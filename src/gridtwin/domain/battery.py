"""Powerwall unit specifications (site-behavior §3.1, calibrated per docs/decisions.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["APP_BUFFER_FRACTION", "PV_INVERTER_ETA", "UNIT_SPECS", "BatteryModel", "UnitSpec"]

APP_BUFFER_FRACTION = 0.05
"""Bottom of the pack the app hides and the controller never uses (site-behavior §3.3)."""
PV_INVERTER_ETA = 0.96
"""PVWatts' nominal inverter efficiency, used for PV behind any inverter but a PW3's [-]."""
PW3_SOLAR_TO_GRID = 0.975
"""Powerwall 3 datasheet: solar-to-grid efficiency (its PV inverter) [-]."""
PW3_SOLAR_BATTERY_HOME = 0.89
"""Powerwall 3 datasheet: solar-to-battery-to-home efficiency, the whole path [-]."""


class BatteryModel(StrEnum):
    POWERWALL_2 = "powerwall_2"
    POWERWALL_PLUS = "powerwall_plus"
    POWERWALL_3 = "powerwall_3"
    POWERWALL_3_EXPANSION = "powerwall_3_expansion"


@dataclass(frozen=True)
class UnitSpec:
    """One unit's datasheet values.

    nameplate_wh [Wh]: the datasheet's usable energy, delivered as AC from app 100 % to
    0 %; max_charge_w [W], max_discharge_w [W] (continuous ratings); round_trip [-] (AC
    to AC); solar_inverter_w [W] (PV AC capacity the unit adds); pv_inverter_eta [-]
    (nominal efficiency of that PV inverter, PVWatts' 0.96 where the datasheet gives none).
    """

    model: BatteryModel
    part_name: str
    part_number: str
    battery_type: str
    nameplate_wh: int
    max_charge_w: int
    max_discharge_w: int
    round_trip: float
    solar_inverter_w: int
    is_expansion: bool = False
    pv_inverter_eta: float = PV_INVERTER_ETA

    @property
    def one_way_efficiency(self) -> float:
        """sqrt(round trip) [-]: applied once on charge and once on discharge."""
        return math.sqrt(self.round_trip)

    @property
    def full_pack_wh(self) -> float:
        """Stored (DC) energy of a full pack [Wh]: what the hidden 5 % and the discharge
        efficiency leave as ``nameplate_wh`` of AC, ``nameplate / (0.95 sqrt(rt))``."""
        return self.nameplate_wh / ((1.0 - APP_BUFFER_FRACTION) * self.one_way_efficiency)


# The PW3's PV and battery share one inverter: solar reaches the AC side at 97.5 % and
# solar -> battery -> home is 89 % in all. Solar counted after the inverter therefore goes
# through the battery at 0.89 / 0.975, which is the unit's AC round trip here.
_PW3_ROUND_TRIP = PW3_SOLAR_BATTERY_HOME / PW3_SOLAR_TO_GRID

UNIT_SPECS: dict[BatteryModel, UnitSpec] = {
    BatteryModel.POWERWALL_2: UnitSpec(
        BatteryModel.POWERWALL_2, "Powerwall 2", "3012170-05-C", "ac_powerwall",
        13_500, 5_000, 5_000, 0.90, 0,
    ),
    BatteryModel.POWERWALL_PLUS: UnitSpec(
        BatteryModel.POWERWALL_PLUS, "Powerwall+", "2012170-25-E", "solar_powerwall",
        13_500, 5_000, 5_800, 0.90, 7_600,
    ),
    BatteryModel.POWERWALL_3: UnitSpec(
        BatteryModel.POWERWALL_3, "Powerwall 3", "1707000-11-J", "solar_powerwall",
        13_500, 5_000, 11_500, _PW3_ROUND_TRIP, 11_500, pv_inverter_eta=PW3_SOLAR_TO_GRID,
    ),
    BatteryModel.POWERWALL_3_EXPANSION: UnitSpec(
        BatteryModel.POWERWALL_3_EXPANSION, "Powerwall 3 Expansion", "1807000-20-B",
        "solar_powerwall", 13_500, 0, 0, _PW3_ROUND_TRIP, 0, is_expansion=True,
    ),
}
