"""``GET /api/1/products`` items and ``site_status`` (wire-format §6, §13)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag

from gridtwin.client.types._model import WireModel

__all__ = [
    "BatteryProduct",
    "EnergyProduct",
    "Product",
    "ProductComponents",
    "ProductWallConnector",
    "SolarProduct",
    "VehicleProduct",
    "WallConnectorProduct",
]


class ProductWallConnector(WireModel):
    device_id: str
    din: str
    is_active: bool | None = None
    part_number: str | None = None


class ProductComponents(WireModel):
    """``components`` in the products form; ``battery`` and ``solar`` always present."""

    battery: bool
    solar: bool
    battery_type: str | None = None
    solar_type: str | None = None
    grid: bool | None = None
    load_meter: bool | None = None
    market_type: str | None = None
    wall_connectors: list[ProductWallConnector] | None = None


class BatteryProduct(WireModel):
    """A site with a gateway and Powerwalls (§6.1). Powers [W], energies [Wh], charge [%]."""

    energy_site_id: int
    resource_type: Literal["battery"]
    site_name: str
    id: str
    gateway_id: str
    asset_site_id: str
    warp_site_number: str
    energy_left: float | None = None
    """Omitted under quirk ``omit_deprecated_energy_fields`` (see :meth:`present`)."""
    total_pack_energy: int | None = None
    percentage_charged: float
    battery_type: str
    backup_capable: bool
    battery_power: int
    go_off_grid_test_banner_enabled: bool | None
    storm_mode_enabled: bool | None
    powerwall_onboarding_settings_set: bool | None
    powerwall_tesla_electric_interested_in: bool | None
    vpp_tour_enabled: bool | None
    sync_grid_alert_enabled: bool
    breaker_alert_enabled: bool
    components: ProductComponents
    features: dict[str, Any]


class SolarProduct(WireModel):
    """A solar-only site (§6.2)."""

    energy_site_id: int
    resource_type: Literal["solar"]
    site_name: str
    id: str
    asset_site_id: str
    warp_site_number: str
    solar_power: int
    solar_type: str
    go_off_grid_test_banner_enabled: bool | None
    storm_mode_enabled: bool | None
    powerwall_onboarding_settings_set: bool | None
    powerwall_tesla_electric_interested_in: bool | None
    sync_grid_alert_enabled: bool
    breaker_alert_enabled: bool
    components: ProductComponents
    features: dict[str, Any]


class WallConnectorProduct(WireModel):
    """A site with only Wall Connectors (§6.3)."""

    energy_site_id: int
    components: ProductComponents


class VehicleProduct(WireModel):
    """A vehicle summary; gridtwin lists one only when a scenario opts in."""

    id: int | str
    vehicle_id: int | str | None = None
    vin: str | None = None
    display_name: str | None = None
    state: str | None = None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        if "energy_site_id" not in value:
            return "vehicle"
        kind = value.get("resource_type")
        return kind if kind in ("battery", "solar") else "wall_connector"
    if isinstance(value, BatteryProduct | SolarProduct):
        return value.resource_type
    return "wall_connector" if isinstance(value, WallConnectorProduct) else "vehicle"


EnergyProduct = Annotated[
    Annotated[BatteryProduct, Tag("battery")]
    | Annotated[SolarProduct, Tag("solar")]
    | Annotated[WallConnectorProduct, Tag("wall_connector")],
    Discriminator(_kind),
]
"""One energy item: battery, solar-only or Wall-Connector-only, by its shape."""

Product = Annotated[
    Annotated[BatteryProduct, Tag("battery")]
    | Annotated[SolarProduct, Tag("solar")]
    | Annotated[WallConnectorProduct, Tag("wall_connector")]
    | Annotated[VehicleProduct, Tag("vehicle")],
    Discriminator(_kind),
]
"""Any products item."""
