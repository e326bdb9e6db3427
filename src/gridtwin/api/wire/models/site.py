"""``site_info`` and ``live_status`` (wire-format §7, §8)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from gridtwin.api.wire.models.base import (
    UTC_MILLIS_PATTERN,
    Closed,
    ExportRule,
    NonNegWatts,
    Open,
    Strategy,
    Wh,
    omitted,
)
from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.domain.catalogue import LIVE_STATUS, SITE_INFO, USER_SETTINGS

__all__ = ["LiveStatusResponse", "SiteInfoResponse"]

UserSettings = catalogue_model("UserSettings", USER_SETTINGS,
                               "``site_info.user_settings`` (§7.1).")


class Gateway(Closed):
    device_id: str
    din: str
    serial_number: str
    part_number: str
    part_type: Literal[10]
    part_name: str
    is_active: bool
    site_id: str
    firmware_version: str
    updated_datetime: Annotated[str, Field(pattern=UTC_MILLIS_PATTERN)]


class Battery(Closed):
    device_id: str
    din: str
    serial_number: str
    part_number: str
    part_type: Literal[2]
    part_name: str
    nameplate_max_charge_power: NonNegWatts
    nameplate_max_discharge_power: NonNegWatts
    nameplate_energy: Wh


class Inverter(Open):
    device_id: str
    din: str
    part_number: str
    part_type: Literal[7]
    part_name: str
    is_active: bool
    site_id: str


class SiteWallConnector(Open):
    device_id: str
    din: str
    part_name: str
    is_active: bool


class SiteComponents(Open):
    """``site_info.components`` (§7.2). Open: a scenario may override or add any flag."""

    solar: bool
    solar_type: Literal["pv_panel"] = omitted(description="omitted when the site has no solar")
    battery: bool
    battery_type: str | None = omitted()
    grid: bool
    backup: bool
    gateway: Literal["teg", "neo"]
    load_meter: bool
    generator: Literal[True] = omitted(description="present only with a generator")
    market_type: str
    tou_capable: bool
    storm_mode_capable: bool
    off_grid_vehicle_charging_reserve_supported: bool = omitted()
    customer_preferred_export_rule: ExportRule = omitted(description="battery sites")
    disallow_charge_from_grid_with_solar_installed: Literal[True] = omitted(
        description="present only while grid charging is disallowed"
    )
    non_export_configured: Literal[True] = omitted(
        description="present only while the export rule is never"
    )
    net_meter_mode: str = omitted()
    gateways: list[Gateway] = omitted(description="battery sites")
    batteries: list[Battery] = omitted(description="battery sites, one per unit")
    inverters: list[Inverter] = omitted(description="third-party PV inverters only")
    wall_connectors: list[SiteWallConnector] = omitted(description="omitted when none")


class TouSettings(Closed):
    optimization_strategy: Strategy
    schedule: list[dict[str, Any]]


SiteInfo = catalogue_model("SiteInfo", SITE_INFO, "``site_info`` (§7.1).", {
    "UserSettings": UserSettings, "SiteComponents": SiteComponents, "TouSettings": TouSettings,
})


class SiteInfoResponse(Closed):
    response: SiteInfo  # type: ignore[valid-type]


class LiveWallConnector(Closed):
    """A live_status Wall Connector (§8.1)."""

    din: str
    vin: str = omitted(description="present only while a vehicle is connected")
    wall_connector_state: Literal[1, 2, 4, 5, 7]
    wall_connector_fault_state: Literal[2, 3, 8]
    wall_connector_power: NonNegWatts


LiveStatus = catalogue_model("LiveStatus", LIVE_STATUS,
                             "A snapshot at the current simulated instant (§8).",
                             {"LiveWallConnector": LiveWallConnector})


class LiveStatusResponse(Closed):
    response: LiveStatus  # type: ignore[valid-type]
