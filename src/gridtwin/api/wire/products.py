"""``products`` items and ``site_status`` (wire-format §6, §13)."""

from __future__ import annotations

from typing import Any

from gridtwin.api.wire.common import app_energy
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView

__all__ = ["render_product", "warp_site_number"]


def warp_site_number(view: SiteView) -> str:
    return f"STE{view.spec.installation_s % 10**8:08d}-{view.site_id % 100000:05d}"


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


def _battery_item(view: SiteView, always_energy: bool) -> dict[str, Any]:
    spec = view.spec
    left, total, pct = app_energy(view)
    item: dict[str, Any] = {
        "energy_site_id": spec.energy_site_id,
        "resource_type": "battery",
        "site_name": spec.name,
        "id": spec.gateway_din,
        "gateway_id": spec.gateway_din,
        "asset_site_id": spec.site_uuid,
        "warp_site_number": warp_site_number(view),
    }
    if always_energy or Quirk.OMIT_DEPRECATED_ENERGY_FIELDS not in view.quirks:
        item["energy_left"] = left
        item["total_pack_energy"] = total
    item.update({
        "percentage_charged": pct,
        "battery_type": spec.battery_type,
        "backup_capable": spec.has_backup,
        "battery_power": int(view.state.battery_w),
        "go_off_grid_test_banner_enabled": None,
        "storm_mode_enabled": view.controls.storm_mode_enabled,
        "powerwall_onboarding_settings_set": True,
        "powerwall_tesla_electric_interested_in": None,
        "vpp_tour_enabled": None,
        "sync_grid_alert_enabled": True,
        "breaker_alert_enabled": True,
        "components": _components(view),
        "features": {"rate_plan_manager_no_pricing_constraint": True},
    })
    return item


def _solar_item(view: SiteView) -> dict[str, Any]:
    spec = view.spec
    return {
        "energy_site_id": spec.energy_site_id,
        "resource_type": "solar",
        "site_name": spec.name,
        "id": spec.site_uuid,
        "asset_site_id": spec.site_uuid,
        "warp_site_number": warp_site_number(view),
        "solar_power": int(view.state.solar_w),
        "solar_type": "pv_panel",
        "go_off_grid_test_banner_enabled": None,
        "storm_mode_enabled": None,
        "powerwall_onboarding_settings_set": None,
        "powerwall_tesla_electric_interested_in": None,
        "sync_grid_alert_enabled": False,
        "breaker_alert_enabled": False,
        "components": {
            "battery": False, "solar": True, "solar_type": "pv_panel", "grid": True,
            "load_meter": False, "market_type": "residential",
        },
        "features": {},
    }


def _wall_connector_item(view: SiteView) -> dict[str, Any]:
    return {
        "energy_site_id": view.spec.energy_site_id,
        "components": {
            "battery": False, "solar": False, "grid": False, "load_meter": False,
            "market_type": "residential", "wall_connectors": _wall_connectors(view),
        },
    }


def render_product(view: SiteView, *, always_energy: bool = False) -> dict[str, Any]:
    """The products item of a site; ``always_energy`` for site_status (pypowerwall reads it)."""
    if view.spec.kind is SiteKind.SOLAR:
        return _solar_item(view)
    if view.spec.kind is SiteKind.WALL_CONNECTOR:
        return _wall_connector_item(view)
    return _battery_item(view, always_energy)
