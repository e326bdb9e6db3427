"""``GET …/site_info`` (wire-format §7). Powers [W], energies [Wh], percentages [%]."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gridtwin.client.types._model import WireModel, WireTime

__all__ = [
    "BatteryDevice",
    "Components",
    "Gateway",
    "Inverter",
    "SiteInfo",
    "TouSettings",
    "UserSettings",
    "WallConnectorDevice",
]


class Gateway(WireModel):
    device_id: str
    din: str
    serial_number: str | None = None
    part_number: str | None = None
    part_type: int | None = None
    part_name: str | None = None
    is_active: bool | None = None
    site_id: str | None = None
    firmware_version: str | None = None
    updated_datetime: str | None = None
    """UTC with milliseconds, e.g. ``2024-05-14T00:00:00.000Z`` (kept as text)."""


class BatteryDevice(WireModel):
    device_id: str
    din: str
    serial_number: str | None = None
    part_number: str | None = None
    part_type: int | None = None
    part_name: str | None = None
    nameplate_max_charge_power: int | None = None
    nameplate_max_discharge_power: int | None = None
    nameplate_energy: int | None = None


class Inverter(WireModel):
    device_id: str
    din: str
    part_number: str | None = None
    part_type: int | None = None
    part_name: str | None = None
    is_active: bool | None = None
    site_id: str | None = None


class WallConnectorDevice(WireModel):
    device_id: str
    din: str
    part_name: str | None = None
    is_active: bool | None = None


class Components(WireModel):
    """``components`` (§7.2). Flags absent on some site types default to None; the grid
    settings ``disallow_charge_from_grid_with_solar_installed`` and
    ``non_export_configured`` are emitted only while true."""

    solar: bool
    battery: bool
    grid: bool | None = None
    solar_type: str | None = None
    battery_type: str | None = None
    backup: bool | None = None
    gateway: str | None = None
    load_meter: bool | None = None
    generator: bool | None = None
    market_type: str | None = None
    tou_capable: bool | None = None
    storm_mode_capable: bool | None = None
    off_grid_vehicle_charging_reserve_supported: bool | None = None
    flex_energy_request_capable: bool | None = None
    car_charging_data_supported: bool | None = None
    set_islanding_mode_enabled: bool | None = None
    backup_time_remaining_enabled: bool | None = None
    configurable: bool | None = None
    energy_service_self_scheduling_enabled: bool | None = None
    wifi_commissioning_enabled: bool | None = None
    system_alerts_enabled: bool | None = None
    grid_services_enabled: bool | None = None
    battery_solar_offset_view_enabled: bool | None = None
    solar_value_enabled: bool | None = None
    show_grid_import_battery_source_cards: bool | None = None
    vehicle_charging_performance_view_enabled: bool | None = None
    vehicle_charging_solar_offset_view_enabled: bool | None = None
    energy_value_header: str | None = None
    energy_value_subheader: str | None = None
    customer_preferred_export_rule: str | None = None
    disallow_charge_from_grid_with_solar_installed: bool = False
    non_export_configured: bool = False
    net_meter_mode: str | None = None
    gateways: list[Gateway] | None = None
    batteries: list[BatteryDevice] | None = None
    inverters: list[Inverter] | None = None
    wall_connectors: list[WallConnectorDevice] | None = None

    @property
    def grid_charging_allowed(self) -> bool:
        return not self.disallow_charge_from_grid_with_solar_installed


class UserSettings(WireModel):
    """All null on solar-only sites except the two alert flags (§7.3)."""

    storm_mode_enabled: bool | None
    sync_grid_alert_enabled: bool | None
    breaker_alert_enabled: bool | None
    powerwall_onboarding_settings_set: bool | None = None
    powerwall_tesla_electric_interested_in: bool | None = None
    go_off_grid_test_banner_enabled: bool | None = None
    vpp_tour_enabled: bool | None = None


class TouSettings(WireModel):
    optimization_strategy: str | None = None
    schedule: list[dict[str, Any]] = Field(default_factory=list)


class SiteInfo(WireModel):
    """Configuration and settings of a site. Battery-only fields are None elsewhere."""

    id: str
    site_name: str
    backup_reserve_percent: int | None = None
    default_real_mode: str | None = None
    installation_date: WireTime
    installation_time_zone: str
    user_settings: UserSettings
    components: Components
    version: str | None = None
    battery_count: int | None = None
    tou_settings: TouSettings | None = None
    nameplate_power: int | None = None
    nameplate_energy: int | None = None
    off_grid_vehicle_charging_reserve_percent: int | None = None
    max_site_meter_power_ac: int | None = None
    min_site_meter_power_ac: int | None = None
    vpp_backup_reserve_percent: int | None = None
    tariff_content_v2: dict[str, Any] | None = None
    """The stored tariff, echoed as submitted (kept as plain JSON)."""
    tariff_content: dict[str, Any] | None = None
    """The same tariff in the legacy v1 shape (flat rate maps, bare period lists)."""
    tariff_id: str | None = None
