"""``site_info`` (wire-format §7): configuration, settings, components and device lists."""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any

from gridtwin.api.wire.common import utc_millis
from gridtwin.api.wire.reading import Reading, render_fields
from gridtwin.domain.catalogue import SITE_INFO, USER_SETTINGS
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView
from gridtwin.tariff import zero_omission_echo
from gridtwin.tariff.to_v1 import to_v1

__all__ = ["render_site_info"]

# Capability and UI flags of a battery site with solar, in wire order (§7.2); the scenario
# may override any of them through SiteSpec.components.
_BATTERY_FLAGS: tuple[tuple[str, object], ...] = (
    ("tou_capable", True),
    ("storm_mode_capable", True),
    ("off_grid_vehicle_charging_reserve_supported", False),
    ("flex_energy_request_capable", False),
    ("car_charging_data_supported", False),
    ("set_islanding_mode_enabled", True),
    ("backup_time_remaining_enabled", True),
    ("configurable", True),
    ("energy_service_self_scheduling_enabled", True),
    ("wifi_commissioning_enabled", True),
    ("system_alerts_enabled", True),
    ("grid_services_enabled", False),
    ("battery_solar_offset_view_enabled", True),
    ("solar_value_enabled", True),
    ("show_grid_import_battery_source_cards", True),
    ("vehicle_charging_performance_view_enabled", False),
    ("vehicle_charging_solar_offset_view_enabled", False),
    ("energy_value_header", "Energy Value"),
    ("energy_value_subheader", "Estimated Value"),
)


def _serial(*parts: object) -> str:
    """A stable serial number derived from the site and unit position."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=6).digest()
    return f"TG{int.from_bytes(digest, 'big') % 10**12:012d}"


def _devices(view: SiteView) -> dict[str, Any]:
    spec = view.spec
    updated = utc_millis(spec.installation_s)
    out: dict[str, Any] = {}
    if spec.has_battery:
        out["gateways"] = [{
            "device_id": spec.site_uuid, "din": spec.gateway_din,
            "serial_number": spec.gateway_din.split("--")[-1], "part_number": "1152100-14-J",
            "part_type": 10, "part_name": "Tesla Backup Gateway 2", "is_active": True,
            "site_id": spec.site_uuid, "firmware_version": spec.version,
            "updated_datetime": updated,
        }]
        batteries: list[dict[str, Any]] = []
        for bank in spec.batteries:
            unit = bank.spec
            for _ in range(bank.count):
                serial = _serial(spec.energy_site_id, unit.model.value, len(batteries))
                batteries.append({
                    "device_id": f"{spec.site_uuid[:-4]}{len(batteries):04d}",
                    "din": f"{unit.part_number}--{serial}", "serial_number": serial,
                    "part_number": unit.part_number, "part_type": 2, "part_name": unit.part_name,
                    "nameplate_max_charge_power": bank.max_charge_w or unit.max_charge_w,
                    "nameplate_max_discharge_power": bank.max_discharge_w or unit.max_discharge_w,
                    "nameplate_energy": unit.nameplate_wh,
                })
        out["batteries"] = batteries
    if spec.wall_connectors:
        out["wall_connectors"] = [
            {"device_id": wc.device_id, "din": wc.din, "part_name": "Gen 3 Wall Connector",
             "is_active": True}
            for wc in spec.wall_connectors
        ]
    return out


def _components(view: SiteView) -> dict[str, Any]:
    spec, ctl = view.spec, view.controls
    solar = spec.solar is not None
    if spec.kind is not SiteKind.BATTERY:
        comp: dict[str, Any] = {
            "solar": solar, "battery": False, "grid": True, "backup": False,
            "gateway": "neo", "load_meter": False, "market_type": "residential",
            "tou_capable": True, "storm_mode_capable": False,
        }
        if solar:
            comp["solar_type"] = "pv_panel"
        return {**comp, **dict(spec.components), **_devices(view)}
    comp = {"solar": solar}
    if solar:
        comp["solar_type"] = "pv_panel"
    comp.update({
        "battery": spec.has_battery, "battery_type": spec.battery_type, "grid": True,
        "backup": spec.has_backup, "gateway": "teg", "load_meter": True,
    })
    if spec.generator is not None:
        comp["generator"] = True
    comp["market_type"] = "residential"
    comp.update(_BATTERY_FLAGS)
    comp["customer_preferred_export_rule"] = ctl.export_rule.value
    if not ctl.grid_charging_allowed:
        comp["disallow_charge_from_grid_with_solar_installed"] = True
    if ctl.export_rule.value == "never":
        comp["non_export_configured"] = True
    comp["net_meter_mode"] = "battery_ok"
    comp.update(dict(spec.components))
    comp.update(_devices(view))
    return comp


class _SiteInfoReading(Reading):
    @property
    def user_settings(self) -> dict[str, Any]:
        return render_fields(USER_SETTINGS, self)

    @property
    def components(self) -> dict[str, Any]:
        return _components(self.view)

    @cached_property
    def tariff_v2(self) -> dict[str, Any] | None:
        doc = self.view.tariff_doc
        if doc is not None and Quirk.TARIFF_READBACK_ZERO_OMISSION in self.view.quirks:
            doc = zero_omission_echo(doc)
        return doc

    @property
    def tariff_v1(self) -> dict[str, Any] | None:
        # The legacy v1 view (pypowerwall's get_tariff reads it); absent without a tariff,
        # as clients call .get("tariff_content", {}).get(...).
        return None if self.tariff_v2 is None else to_v1(self.tariff_v2)


def render_site_info(view: SiteView) -> dict[str, Any]:
    return render_fields(SITE_INFO, _SiteInfoReading(view))
