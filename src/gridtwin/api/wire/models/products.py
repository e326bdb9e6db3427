"""``products`` items and ``site_status`` (wire-format §6, §13)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from gridtwin.api.wire.models.base import Closed, Open, omitted
from gridtwin.api.wire.models.generate import catalogue_model, merged
from gridtwin.domain.catalogue import BATTERY_PRODUCT, SOLAR_PRODUCT, WALL_CONNECTOR_PRODUCT
from gridtwin.domain.catalogue_nested import (
    FEATURE_FLAGS,
    PRODUCT_BATTERY_COMPONENTS,
    PRODUCT_SOLAR_COMPONENTS,
    PRODUCT_WALL_CONNECTOR,
    PRODUCT_WALL_CONNECTOR_COMPONENTS,
)

__all__ = [
    "BatteryProduct",
    "ProductComponents",
    "ProductsResponse",
    "SiteStatusResponse",
    "SolarProduct",
    "VehicleProduct",
    "WallConnectorProduct",
]


ProductWallConnector = catalogue_model("ProductWallConnector", PRODUCT_WALL_CONNECTOR,
                                       "A Wall Connector in products ``components``.")
ProductComponents = catalogue_model(
    "ProductComponents",
    merged([PRODUCT_BATTERY_COMPONENTS, PRODUCT_SOLAR_COMPONENTS,
            PRODUCT_WALL_CONNECTOR_COMPONENTS]),
    "``components`` in the products form (§6.1).",
    {"ProductWallConnector": ProductWallConnector})
Features = catalogue_model("Features", FEATURE_FLAGS, "products ``features``.", base=Open)

_SHAPES = {"ProductComponents": ProductComponents, "Features": Features}
BatteryProduct = catalogue_model("BatteryProduct", BATTERY_PRODUCT,
                                 "A battery-site products item (§6.1).", _SHAPES)
SolarProduct = catalogue_model("SolarProduct", SOLAR_PRODUCT,
                               "A solar-only products item (§6.2).", _SHAPES)
WallConnectorProduct = catalogue_model("WallConnectorProduct", WALL_CONNECTOR_PRODUCT,
                                       "A Wall-Connector-only products item (§6.3).", _SHAPES)


class VehicleProduct(Open):
    """A vehicle summary (only for scenario vehicles with ``in_products: true``)."""

    id: int | str
    vehicle_id: int | str
    vin: str
    display_name: str | None = omitted()
    state: str | None = omitted()


ProductItem = BatteryProduct | SolarProduct | WallConnectorProduct | VehicleProduct


class ProductsResponse(Closed):
    """``GET /api/1/products``: items in scenario order, ``count`` = their number."""

    response: list[ProductItem]  # type: ignore[valid-type]
    count: Annotated[int, Field(ge=0)]


class SiteStatusResponse(Closed):
    """``GET …/site_status``: the site's products item; battery sites always carry energy."""

    response: BatteryProduct | SolarProduct | WallConnectorProduct  # type: ignore[valid-type]
