"""``products`` items and ``site_status`` (wire-format §6, §13)."""

from __future__ import annotations

from typing import Any

from gridtwin.api.wire.reading import Reading, render_fields
from gridtwin.domain.catalogue import BATTERY_PRODUCT, SOLAR_PRODUCT, WALL_CONNECTOR_PRODUCT
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView

__all__ = ["render_product"]


def _wall_connectors(view: SiteView) -> list[dict[str, Any]]:
    return [
        {"device_id": wc.device_id, "din": wc.din, "is_active": True, "part_number": "1529455-02-D"}
        for wc in view.spec.wall_connectors
    ]


def _components(view: SiteView) -> dict[str, Any]:
    spec = view.spec
    comp: dict[str, Any] = {
        "battery": spec.has_battery,
        "battery_type": spec.battery_type,
        "solar": spec.solar is not None,
    }
    if spec.solar is not None:
        comp["solar_type"] = "pv_panel"
    comp.update({"grid": True, "load_meter": True, "market_type": "residential"})
    if spec.wall_connectors:
        comp["wall_connectors"] = _wall_connectors(view)
    return comp


_SOLAR_COMPONENTS: dict[str, Any] = {
    "battery": False, "solar": True, "solar_type": "pv_panel", "grid": True,
    "load_meter": False, "market_type": "residential",
}


class _ProductReading(Reading):
    @property
    def product_components(self) -> dict[str, Any]:
        if self.spec.kind is SiteKind.SOLAR:
            return dict(_SOLAR_COMPONENTS)
        if self.spec.kind is SiteKind.WALL_CONNECTOR:
            return {"battery": False, "solar": False, "grid": False, "load_meter": False,
                    "market_type": "residential", "wall_connectors": _wall_connectors(self.view)}
        return _components(self.view)

    @property
    def features(self) -> dict[str, Any]:
        if self.spec.kind is SiteKind.SOLAR:
            return {}
        return {"rate_plan_manager_no_pricing_constraint": True}


_ITEMS = {SiteKind.BATTERY: BATTERY_PRODUCT, SiteKind.SOLAR: SOLAR_PRODUCT,
          SiteKind.WALL_CONNECTOR: WALL_CONNECTOR_PRODUCT}


def render_product(view: SiteView, *, always_energy: bool = False) -> dict[str, Any]:
    """The products item of a site; ``always_energy`` for site_status (pypowerwall reads it)."""
    return render_fields(_ITEMS[view.spec.kind], _ProductReading(view, always_energy=always_energy))
