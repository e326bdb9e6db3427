"""History replies (wire-format §9–§11). Energies are integer Wh per bucket."""

from __future__ import annotations

from gridtwin.client.types._model import WireModel, WireTime

__all__ = [
    "BackupEvent",
    "BackupHistory",
    "ChargeHistory",
    "ChargeSession",
    "EnergyBucket",
    "EnergyHistory",
    "Seconds",
    "TargetId",
]


class EnergyBucket(WireModel):
    """One bucket; the five ``total_*`` fields are emitted only when non-zero (0 here)."""

    timestamp: WireTime
    solar_energy_exported: int
    generator_energy_exported: int
    grid_energy_imported: int
    grid_services_energy_imported: int
    grid_services_energy_exported: int
    grid_energy_exported_from_solar: int
    grid_energy_exported_from_generator: int
    grid_energy_exported_from_battery: int
    battery_energy_exported: int
    battery_energy_imported_from_grid: int
    battery_energy_imported_from_solar: int
    battery_energy_imported_from_generator: int
    consumer_energy_imported_from_grid: int
    consumer_energy_imported_from_solar: int
    consumer_energy_imported_from_battery: int
    consumer_energy_imported_from_generator: int
    raw_timestamp: str
    total_home_usage: int = 0
    total_battery_charge: int = 0
    total_battery_discharge: int = 0
    total_solar_generation: int = 0
    total_grid_energy_exported: int = 0


class EnergyHistory(WireModel):
    serial_number: str
    period: str
    installation_time_zone: str
    time_series: list[EnergyBucket] | None
    """None when the window holds no bucket."""


class BackupEvent(WireModel):
    timestamp: WireTime
    duration: int
    """Seconds (``documented``) or milliseconds (quirk ``backup_duration_ms``)."""


class BackupHistory(WireModel):
    events: list[BackupEvent]
    total_events: int


class Seconds(WireModel):
    seconds: int


class TargetId(WireModel):
    text: str


class ChargeSession(WireModel):
    charge_start_time: Seconds
    charge_duration: Seconds
    energy_added_wh: int
    din: str
    target_id: TargetId


class ChargeHistory(WireModel):
    charge_history: list[ChargeSession]
