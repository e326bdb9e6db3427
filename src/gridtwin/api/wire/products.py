"""``products`` items and ``site_status`` (wire-format §6, §13)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gridtwin
from gridtwin.api.wire.reading import Reading, render_fields, render_item
from gridtwin.core import jsonio
from gridtwin.domain.catalogue import BATTERY_PRODUCT, SOLAR_PRODUCT, WALL_CONNECTOR_PRODUCT
from gridtwin.domain.catalogue_nested import (
    FEATURE_FLAGS,
    PRODUCT_BATTERY_COMPONENTS,
    PRODUCT_SOLAR_COMPONENTS,
    PRODUCT_WALL_CONNECTOR,
    PRODUCT_WALL_CONNECTOR_COMPONENTS,
    VEHICLE_PRODUCT,
)
from gridtwin.domain.site import SiteKind
from gridtwin.services.emulator.vehicles import Vehicle
from gridtwin.services.product_items import ItemRenderer
from gridtwin.services.sites import SiteView

__all__ = ["PRODUCT_ITEMS", "render_product", "render_vehicle"]


class _ProductReading(Reading):
    @property
    def product_wall_connector_items(self) -> list[dict[str, Any]]:
        return [render_item(PRODUCT_WALL_CONNECTOR, wc) for wc in self.spec.wall_connectors]

    @property
    def product_wall_connectors(self) -> list[dict[str, Any]] | None:
        """Omitted from battery sites without Wall Connectors."""
        return self.product_wall_connector_items or None

    @property
    def product_components(self) -> dict[str, Any]:
        return render_fields(_COMPONENTS[self.spec.kind], self)

    @property
    def prices_unconstrained(self) -> bool:
        return self.spec.kind is not SiteKind.SOLAR

    @property
    def features(self) -> dict[str, Any]:
        return render_fields(FEATURE_FLAGS, self)


_COMPONENTS = {SiteKind.BATTERY: PRODUCT_BATTERY_COMPONENTS,
               SiteKind.SOLAR: PRODUCT_SOLAR_COMPONENTS,
               SiteKind.WALL_CONNECTOR: PRODUCT_WALL_CONNECTOR_COMPONENTS}
_ITEMS = {SiteKind.BATTERY: BATTERY_PRODUCT, SiteKind.SOLAR: SOLAR_PRODUCT,
          SiteKind.WALL_CONNECTOR: WALL_CONNECTOR_PRODUCT}


def render_product(view: SiteView, *, always_energy: bool = False) -> dict[str, Any]:
    """The products item of a site; ``always_energy`` for site_status (pypowerwall reads it)."""
    return render_fields(_ITEMS[view.spec.kind], _ProductReading(view, always_energy=always_energy))


def _item_json(view: SiteView) -> str:
    return jsonio.dumps(render_product(view))


@functools.cache
def _code_digest() -> bytes:
    """A digest of gridtwin's version and of every file of the installed package: products
    items stored by any other code (an upgrade, an edited checkout) are rendered again."""
    root = Path(gridtwin.__file__).parent
    h = hashlib.blake2b(gridtwin.__version__.encode(), digest_size=16)
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.digest()


PRODUCT_ITEMS = ItemRenderer(_item_json, _code_digest)
"""How ``products`` items are rendered and stored (services/product_items.py)."""



def _id53(*parts: str) -> int:
    """A stable positive integer below 2**53 (JSON-safe) from text."""
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 11


@dataclass(frozen=True)
class VehicleReading:
    """What a vehicle's products item reads (catalogue VEHICLE_PRODUCT)."""

    id: int
    user_id: int
    vehicle_id: int
    vin: str
    display_name: str
    id_s: str


def render_vehicle(vehicle: Vehicle, index: int, user_id: str) -> dict[str, Any]:
    """A scenario vehicle's products item, its ids stable integers derived from its UUID."""
    vid = _id53("vehicle", vehicle.id)
    return render_item(VEHICLE_PRODUCT, VehicleReading(
        vid, _id53("user", user_id), _id53("car", vehicle.id), vehicle.vin,
        f"Vehicle {index + 1}", str(vid)))
