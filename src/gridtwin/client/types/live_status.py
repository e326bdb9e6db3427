"""``GET …/live_status`` (wire-format §8). Powers [W]: battery + discharging, grid + importing."""

from __future__ import annotations

from gridtwin.client.types._model import WireModel, WireTime

__all__ = ["LiveStatus", "LiveWallConnector"]


class LiveWallConnector(WireModel):
    din: str
    vin: str | None = None
    """Present only while a vehicle is connected."""
    wall_connector_state: int
    wall_connector_fault_state: int
    wall_connector_power: int


class LiveStatus(WireModel):
    """A snapshot at the current simulated instant; load = solar + battery + grid + generator."""

    solar_power: int
    energy_left: float | None = None
    """Omitted under quirk ``omit_deprecated_energy_fields``."""
    total_pack_energy: int | None = None
    percentage_charged: float
    backup_capable: bool
    battery_power: int
    load_power: int
    grid_status: str
    grid_services_active: bool
    grid_power: int
    grid_services_power: int
    generator_power: int
    island_status: str
    storm_mode_active: bool
    timestamp: WireTime
    wall_connectors: list[LiveWallConnector] | None
    """None on solar-only sites."""
