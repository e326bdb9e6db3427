"""``site_info`` (wire-format §7): configuration, settings, components and device lists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from gridtwin.api.wire.common import utc_millis
from gridtwin.api.wire.reading import Reading, render_fields, render_item
from gridtwin.domain.catalogue import SITE_INFO, USER_SETTINGS
from gridtwin.domain.catalogue_nested import (
    BATTERY_SITE_COMPONENTS,
    BATTERY_UNIT,
    DEVICE_LISTS,
    GATEWAY,
    OTHER_SITE_COMPONENTS,
    SITE_WALL_CONNECTOR,
    TOU_SETTINGS_FIELDS,
)
from gridtwin.domain.controls import ExportRule
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind, SiteSpec
from gridtwin.services.sites import SiteView
from gridtwin.tariff import zero_omission_echo
from gridtwin.tariff.to_v1 import to_v1

__all__ = ["render_site_info"]

def _serial(*parts: object) -> str:
    """A stable serial number derived from the site and unit position."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=6).digest()
    return f"TG{int.from_bytes(digest, 'big') % 10**12:012d}"


@dataclass(frozen=True)
class _Unit:
    """One installed battery unit, as its ``components.batteries`` item reads it."""

    device_id: str
    din: str
    serial_number: str
    part_number: str
    part_name: str
    nameplate_max_charge_power: int
    nameplate_max_discharge_power: int
    nameplate_energy: int


def _units(spec: SiteSpec) -> list[_Unit]:
    units: list[_Unit] = []
    for bank in spec.batteries:
        unit = bank.spec
        for _ in range(bank.count):
            serial = _serial(spec.energy_site_id, unit.model.value, len(units))
            units.append(_Unit(
                f"{spec.site_uuid[:-4]}{len(units):04d}", f"{unit.part_number}--{serial}",
                serial, unit.part_number, unit.part_name, bank.max_charge_w or unit.max_charge_w,
                bank.max_discharge_w or unit.max_discharge_w, unit.nameplate_wh))
    return units


class _ComponentsReading(Reading):
    """What site_info ``components`` and its device lists are read from."""

    @property
    def has_generator(self) -> bool:
        return self.spec.generator is not None

    @property
    def grid_charging_disallowed(self) -> bool:
        return not self.controls.grid_charging_allowed

    @property
    def never_exports(self) -> bool:
        return self.controls.export_rule is ExportRule.NEVER

    @property
    def gateway_serial(self) -> str:
        return self.spec.gateway_din.split("--")[-1]

    @property
    def updated_datetime(self) -> str:
        return utc_millis(self.spec.installation_s)

    @property
    def gateways(self) -> list[dict[str, Any]] | None:
        return [render_fields(GATEWAY, self)] if self.spec.has_battery else None

    @property
    def batteries(self) -> list[dict[str, Any]] | None:
        if not self.spec.has_battery:
            return None
        return [render_item(BATTERY_UNIT, u) for u in _units(self.spec)]

    @property
    def site_wall_connectors(self) -> list[dict[str, Any]] | None:
        wcs = self.spec.wall_connectors
        return [render_item(SITE_WALL_CONNECTOR, wc) for wc in wcs] if wcs else None


def _components(view: SiteView) -> dict[str, Any]:
    """The catalogued flags, then the scenario's overrides, then the device lists."""
    reading = _ComponentsReading(view)
    flags = BATTERY_SITE_COMPONENTS if view.spec.kind is SiteKind.BATTERY else OTHER_SITE_COMPONENTS
    return {**render_fields(flags, reading), **dict(view.spec.components),
            **render_fields(DEVICE_LISTS, reading)}


class _SiteInfoReading(Reading):
    @property
    def user_settings(self) -> dict[str, Any]:
        return render_fields(USER_SETTINGS, self)

    @property
    def components(self) -> dict[str, Any]:
        return _components(self.view)

    @property
    def tou_settings(self) -> dict[str, Any]:
        return render_fields(TOU_SETTINGS_FIELDS, self)

    @property
    def tou_schedule(self) -> list[Any]:
        return []

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
