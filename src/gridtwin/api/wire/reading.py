"""Renders catalogue fields (domain/catalogue.py) from one site view.

:class:`Reading` is what the catalogue's ``source`` paths are read from: the view's state,
spec and controls, plus the values the wire derives from them (computed once, on first use).
A renderer subclasses it to add the sources of its nested shapes (components, device
lists); list items are rendered from their own objects with :func:`render_item`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from functools import cached_property
from typing import Any

from gridtwin.api.wire.common import app_energy, grid_status, local_timestamp
from gridtwin.domain.catalogue import VALUE_RULES, Cast, Const, Presence, WireField, kept
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind, SiteSpec
from gridtwin.services.sites import SiteView
from gridtwin.sim.state import SiteState

__all__ = ["Reading", "render_fields", "render_item", "row", "value_of"]


class Reading:
    """A site view as the catalogue's sources see it."""

    def __init__(self, view: SiteView, *, always_energy: bool = False) -> None:
        self.view = view
        self.always_energy = always_energy
        """site_status carries the deprecated energy fields whatever the quirks."""

    @property
    def state(self) -> SiteState:
        return self.view.state

    @property
    def spec(self) -> SiteSpec:
        return self.view.spec

    @property
    def controls(self) -> SiteControls:
        return self.view.controls

    @cached_property
    def _energy(self) -> tuple[float, int, float]:
        return app_energy(self.view)

    @property
    def energy_left(self) -> float:
        return self._energy[0]

    @property
    def total_pack_energy(self) -> int:
        return self._energy[1]

    @property
    def percentage_charged(self) -> float:
        return self._energy[2]

    @cached_property
    def _grid(self) -> tuple[str, str]:
        return grid_status(self.view)

    @property
    def grid_status(self) -> str:
        return self._grid[0]

    @property
    def island_status(self) -> str:
        return self._grid[1]

    @property
    def is_battery(self) -> bool:
        """A battery site (SiteKind), whether or not units are installed yet."""
        return self.spec.kind is SiteKind.BATTERY

    @property
    def battery_true(self) -> bool | None:
        return True if self.is_battery else None

    @property
    def battery_false(self) -> bool | None:
        return False if self.is_battery else None

    @property
    def storm_mode_setting(self) -> bool | None:
        return self.controls.storm_mode_enabled if self.is_battery else None

    @property
    def backup_capable(self) -> bool:
        return bool(self.is_battery and self.spec.has_backup)

    @property
    def storm_mode_active(self) -> bool:
        """D11: a storm event is active, storm mode is enabled and the site is capable."""
        return bool(self.state.storm_active and self.controls.storm_mode_enabled
                    and self.spec.storm_capable)

    @property
    def now(self) -> str:
        return local_timestamp(self.view.now_s, self.spec.time_zone)

    @property
    def site_text_id(self) -> str:
        return self.spec.gateway_din if self.is_battery else self.spec.site_uuid

    @property
    def warp_site_number(self) -> str:
        return f"STE{self.spec.installation_s % 10**8:08d}-{self.view.site_id % 100000:05d}"

    @property
    def installation_date(self) -> str:
        return local_timestamp(self.spec.installation_s, self.spec.time_zone)

    @property
    def installation_time_zone(self) -> str:
        return "" if Quirk.BLANK_SITE_INFO_TIME_ZONE in self.view.quirks else self.spec.time_zone

    @property
    def min_site_meter_w(self) -> int:
        return -self.spec.max_export_w

    def present(self, presence: Presence) -> bool:
        """Whether a field with this presence rule is in this site's replies."""
        if presence is Presence.BATTERY:
            return self.is_battery and self.spec.has_battery
        if presence is Presence.ENERGY:
            return self.always_energy or Quirk.OMIT_DEPRECATED_ENERGY_FIELDS not in self.view.quirks
        if presence is Presence.EV_RESERVE:
            return self.spec.ev_reserve_supported
        if presence is Presence.TARIFF:
            return self.view.tariff_doc is not None
        if presence is Presence.SOLAR:
            return self.has_solar
        return True  # ALWAYS, or a rule decided by the value (VALUE_RULES)

    @property
    def has_solar(self) -> bool:
        return self.spec.solar is not None


def _resolve(source: object, path: str) -> Any:
    value = source
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _cast(value: Any, cast: Cast) -> Any:
    if cast is Cast.INT:
        return int(value)
    if cast is Cast.ENUM:
        return value.value if isinstance(value, Enum) else value
    return value


def value_of(field: WireField, source: object) -> Any:
    """A field's JSON value read from ``source`` (a :class:`Reading` or any object)."""
    if isinstance(field.source, Const):
        return field.source.value
    return _cast(_resolve(source, field.source or field.key), field.cast)


def render_fields(fields: Iterable[WireField], reading: Reading) -> dict[str, Any]:
    """The fields present for this site, in catalogue order."""
    out: dict[str, Any] = {}
    for f in fields:
        if not reading.present(f.presence):
            continue
        value = value_of(f, reading)
        if f.presence not in VALUE_RULES or kept(f.presence, value):
            out[f.key] = value
    return out


def render_item(fields: Iterable[WireField], source: object) -> dict[str, Any]:
    """One list item (a device, a history entry) read from its own object; only the rules
    decided by the value apply."""
    out: dict[str, Any] = {}
    for f in fields:
        value = value_of(f, source)
        if f.presence not in VALUE_RULES or kept(f.presence, value):
            out[f.key] = value
    return out


def row(fields: Sequence[WireField], *values: Any) -> dict[str, Any]:
    """An item whose fields are all present, from its values in catalogue order (the fast
    form for history entries)."""
    return dict(zip([f.key for f in fields], values, strict=True))
