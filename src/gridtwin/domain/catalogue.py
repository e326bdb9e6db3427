"""The wire catalogue: every top-level field of live_status, site_info (with its
user_settings), the products items and the energy and power history samples, declared once
as frozen description data.

Each :class:`WireField` says what a client sees (key, JSON type, unit, value constraints,
when the field is present) and where the value comes from (``source``: an attribute path
read from the renderer's view of the site, or a constant). The reply renderers in
``api/wire`` iterate these tuples in order, the OpenAPI models are generated from them, and
tests compare replies with them. The declarations live in ``domain`` (not ``api``) because
services read the same names (command bodies, scenario settings, the dashboard) and may
not import ``api``; the sources are therefore plain data, resolved by the API layer
(api/wire/reading.py).

The nested shapes (components, device lists, Wall Connector items, settings) are in
``catalogue_nested``, the history items (every calendar_history kind, backup events, charge
sessions) in ``catalogue_series``; both reuse the fields declared here, so each wire key is
written once. The tariff documents (``tariff_content_v2`` and its v1 view) are a format, not
a reply: they are echoed, not catalogued.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from gridtwin.domain.energy import (
    BATTERY_CHARGE,
    BATTERY_DISCHARGE,
    FLOWS,
    GENERATOR_OUTPUT,
    GRID_EXPORT,
    GRID_IMPORT,
    HOME_USAGE,
    SOLAR_GENERATION,
    TOTALS,
)

__all__ = [
    "BACKUP_CAPABLE",
    "BACKUP_RESERVE_PERCENT",
    "BANNER",
    "BATTERY_COUNT",
    "BATTERY_POWER",
    "BATTERY_PRODUCT",
    "BATTERY_TYPE",
    "BREAKER_ALERT",
    "COMPONENTS",
    "DEFAULT_REAL_MODE",
    "ENERGY_BUCKET",
    "ENERGY_LEFT",
    "ENERGY_SITE_ID",
    "EV_RESERVE_PERCENT",
    "FEATURES",
    "GENERATOR_POWER",
    "GRID_POWER",
    "GRID_SERVICES_POWER",
    "INSTALLATION_DATE",
    "INSTALLATION_TIME_ZONE",
    "INTERESTED",
    "LIVE_STATUS",
    "LOAD_POWER",
    "MAX_SITE_METER_POWER",
    "MIN_SITE_METER_POWER",
    "NAMEPLATE_ENERGY",
    "NAMEPLATE_POWER",
    "ONBOARDING",
    "PERCENTAGE_CHARGED",
    "POWER_SAMPLE",
    "PRODUCT_COMPONENTS",
    "RAW_TIMESTAMP",
    "RESOURCE_TYPE",
    "SAME",
    "SITE_ID",
    "SITE_INFO",
    "SITE_NAME",
    "SOLAR_POWER",
    "SOLAR_PRODUCT",
    "SOLAR_TYPE",
    "STORM_MODE_ENABLED",
    "SYNC_ALERT",
    "TARIFF_CONTENT_V2",
    "TIMESTAMP",
    "TOTAL_PACK_ENERGY",
    "TOU_SETTINGS",
    "USER_SETTINGS",
    "VALUE_RULES",
    "VERSION",
    "VPP_TOUR",
    "WALL_CONNECTORS",
    "WALL_CONNECTOR_PRODUCT",
    "Cast",
    "Const",
    "Json",
    "Presence",
    "WireField",
    "kept",
]


class Json(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    STRING = "string"
    OBJECT = "object"
    ARRAY = "array"
    NULL = "null"


class Presence(StrEnum):
    """When a field is in a reply (otherwise it is absent, never ``null``)."""

    ALWAYS = "always"
    BATTERY = "battery sites"
    ENERGY = "omitted under quirk omit_deprecated_energy_fields"
    EV_RESERVE = "only when components.off_grid_vehicle_charging_reserve_supported"
    TARIFF = "only when a tariff is stored"
    SOLAR = "only when the site has solar"
    NONZERO = "only when non-zero"
    TRUE = "only while true"
    SET = "only when it has a value (never null)"
    SOME = "only on some site kinds"


VALUE_RULES = frozenset({Presence.NONZERO, Presence.TRUE, Presence.SET})
"""Presence rules decided by the value itself (zero, false, ``None`` leaves the key out)."""


def kept(presence: Presence, value: object) -> bool:
    """Whether a value-ruled field with this value is in the reply."""
    if presence is Presence.SET:
        return value is not None
    if presence in (Presence.NONZERO, Presence.TRUE):
        return bool(value)
    return True


class Cast(StrEnum):
    """How a source value becomes its JSON value."""

    NONE = "none"
    INT = "int"  # engine powers are floats; the wire truncates them
    ENUM = "enum"  # an enum's .value


@dataclass(frozen=True)
class Const:
    """A value that does not depend on the site."""

    value: object


SAME = ""
"""``source`` of a field read from the reading's attribute of the same name as its key."""


@dataclass(frozen=True)
class WireField:
    key: str
    json: Json
    source: str | Const
    """Dotted attribute path on the renderer's site reading (:data:`SAME`: the attribute
    named like the key), or a constant."""
    presence: Presence = Presence.ALWAYS
    unit: str = ""
    doc: str = ""
    cast: Cast = Cast.NONE
    nullable: bool = False
    choices: tuple[object, ...] = ()
    """The closed set of values, if any (a JSON ``enum``/``const``)."""
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""
    shape: str = ""
    """Name of the nested object (or array item) shape, defined by the API layer."""
    history: tuple[tuple[str, int], ...] | None = None
    """Power fields: the (energy flow, sign) terms of their calendar_history power value."""


TIMESTAMP = WireField("timestamp", Json.STRING, SAME, shape="Timestamp")


def _watts(key: str, source: str, flows: tuple[tuple[str, int], ...],
           minimum: float | None = None) -> WireField:
    """A power [W] read from the engine state, truncated to an integer like the app."""
    return WireField(key, Json.INTEGER, source, unit="W", cast=Cast.INT, minimum=minimum,
                     history=flows)


# ------------------------------------------------------------------------- live_status (§8)

SOLAR_POWER = _watts("solar_power", "state.solar_w", ((SOLAR_GENERATION, 1),), minimum=0)
ENERGY_LEFT = WireField("energy_left", Json.NUMBER, SAME, Presence.ENERGY, "Wh", minimum=0)
TOTAL_PACK_ENERGY = WireField("total_pack_energy", Json.INTEGER, SAME, Presence.ENERGY, "Wh",
                              minimum=1)
PERCENTAGE_CHARGED = WireField("percentage_charged", Json.NUMBER, SAME, unit="%", minimum=0,
                               maximum=100)
BACKUP_CAPABLE = WireField("backup_capable", Json.BOOLEAN, SAME)
BATTERY_POWER = _watts("battery_power", "state.battery_w",
                       ((BATTERY_DISCHARGE, 1), (BATTERY_CHARGE, -1)))
LOAD_POWER = _watts("load_power", "state.load_w", ((HOME_USAGE, 1),))
GRID_POWER = _watts("grid_power", "state.grid_w", ((GRID_IMPORT, 1), (GRID_EXPORT, -1)))
GRID_SERVICES_POWER = WireField("grid_services_power", Json.INTEGER, Const(0), unit="W",
                                choices=(0,), history=())
GENERATOR_POWER = _watts("generator_power", "state.generator_w", ((GENERATOR_OUTPUT, 1),),
                         minimum=0)
WALL_CONNECTORS = WireField(
    "wall_connectors", Json.ARRAY, "live_wall_connectors", nullable=True,
    shape="LiveWallConnector",
    doc="null on solar-only sites; [] on battery sites without Wall Connectors")

LIVE_STATUS: tuple[WireField, ...] = (
    SOLAR_POWER,
    ENERGY_LEFT,
    TOTAL_PACK_ENERGY,
    PERCENTAGE_CHARGED,
    BACKUP_CAPABLE,
    BATTERY_POWER,
    LOAD_POWER,
    WireField("grid_status", Json.STRING, SAME, choices=("Active", "Inactive", "Unknown")),
    WireField("grid_services_active", Json.BOOLEAN, Const(False), choices=(False,)),
    GRID_POWER,
    GRID_SERVICES_POWER,
    GENERATOR_POWER,
    WireField("island_status", Json.STRING, SAME, choices=(
        "on_grid", "off_grid_intentional", "off_grid_unintentional", "island_status_unknown")),
    WireField("storm_mode_active", Json.BOOLEAN, SAME),
    replace(TIMESTAMP, source="now"),
    WALL_CONNECTORS,
)
"""``live_status`` (wire-format §8), in wire order."""

POWER_SAMPLE: tuple[WireField, ...] = (
    TIMESTAMP, SOLAR_POWER, BATTERY_POWER, GRID_POWER, GRID_SERVICES_POWER, GENERATOR_POWER,
    LOAD_POWER,
)
"""One ``calendar_history?kind=power`` sample: average powers of the bucket, each from its
``history`` flows (docs/history-kinds.md), in wire order."""

# --------------------------------------------------------------------------- site_info (§7)

SITE_ID = WireField("id", Json.STRING, "site_text_id")
SITE_NAME = WireField("site_name", Json.STRING, "spec.name")
BACKUP_RESERVE_PERCENT = WireField(
    "backup_reserve_percent", Json.INTEGER, "controls.backup_reserve_pct", Presence.BATTERY,
    "%", minimum=0, maximum=100)
DEFAULT_REAL_MODE = WireField("default_real_mode", Json.STRING, "controls.mode",
                              Presence.BATTERY, cast=Cast.ENUM,
                              choices=("self_consumption", "autonomous", "backup"))
INSTALLATION_DATE = WireField("installation_date", Json.STRING, SAME, shape="Timestamp")
INSTALLATION_TIME_ZONE = WireField(
    "installation_time_zone", Json.STRING, SAME,
    doc="IANA zone; empty only under quirk blank_site_info_time_zone")
COMPONENTS = WireField("components", Json.OBJECT, SAME, shape="SiteComponents")
VERSION = WireField("version", Json.STRING, "spec.version")
BATTERY_COUNT = WireField("battery_count", Json.INTEGER, "spec.powerwall_count",
                          Presence.BATTERY, minimum=1)
TOU_SETTINGS = WireField("tou_settings", Json.OBJECT, SAME, shape="TouSettings")
NAMEPLATE_POWER = WireField("nameplate_power", Json.INTEGER, "spec.max_discharge_w",
                            Presence.BATTERY, "W", minimum=0)
NAMEPLATE_ENERGY = WireField("nameplate_energy", Json.INTEGER, "spec.nameplate_wh",
                             Presence.BATTERY, "Wh", minimum=0)
EV_RESERVE_PERCENT = WireField(
    "off_grid_vehicle_charging_reserve_percent", Json.INTEGER, "controls.ev_reserve_pct",
    Presence.EV_RESERVE, "%", minimum=0, maximum=100)
MAX_SITE_METER_POWER = WireField("max_site_meter_power_ac", Json.INTEGER, "spec.max_import_w",
                                 unit="W")
MIN_SITE_METER_POWER = WireField("min_site_meter_power_ac", Json.INTEGER, "min_site_meter_w",
                                 unit="W", maximum=0)
TARIFF_CONTENT_V2 = WireField("tariff_content_v2", Json.OBJECT, "tariff_v2", Presence.TARIFF,
                              doc="echo of the stored tariff")

SITE_INFO: tuple[WireField, ...] = (
    SITE_ID,
    SITE_NAME,
    BACKUP_RESERVE_PERCENT,
    DEFAULT_REAL_MODE,
    INSTALLATION_DATE,
    INSTALLATION_TIME_ZONE,
    WireField("user_settings", Json.OBJECT, SAME, shape="UserSettings"),
    COMPONENTS,
    VERSION,
    BATTERY_COUNT,
    TOU_SETTINGS,
    NAMEPLATE_POWER,
    NAMEPLATE_ENERGY,
    EV_RESERVE_PERCENT,
    MAX_SITE_METER_POWER,
    MIN_SITE_METER_POWER,
    WireField("vpp_backup_reserve_percent", Json.INTEGER, Const(0)),
    TARIFF_CONTENT_V2,
    WireField("tariff_content", Json.OBJECT, "tariff_v1", Presence.TARIFF,
              doc="the stored tariff in the legacy v1 shape"),
)
"""``site_info`` (wire-format §7.1), in wire order."""

# ------------------------------------------------------------------- user_settings (§7.1)

_BOOL = Json.BOOLEAN
STORM_MODE_ENABLED = WireField("storm_mode_enabled", _BOOL, "storm_mode_setting", nullable=True)
ONBOARDING = WireField("powerwall_onboarding_settings_set", _BOOL, "battery_true",
                       nullable=True)
BANNER = WireField("go_off_grid_test_banner_enabled", _BOOL, "battery_false", nullable=True)
INTERESTED = WireField("powerwall_tesla_electric_interested_in", _BOOL, "battery_false",
                       nullable=True)
VPP_TOUR = WireField("vpp_tour_enabled", _BOOL, "battery_false", nullable=True)
SYNC_ALERT = WireField("sync_grid_alert_enabled", _BOOL, "is_battery")
BREAKER_ALERT = WireField("breaker_alert_enabled", _BOOL, "is_battery")


def _null(f: WireField) -> WireField:
    """The field as an always-null member (products items carry these as null)."""
    return replace(f, json=Json.NULL, source=Const(None), nullable=False)


USER_SETTINGS: tuple[WireField, ...] = (
    STORM_MODE_ENABLED, SYNC_ALERT, BREAKER_ALERT, ONBOARDING, INTERESTED, BANNER, VPP_TOUR,
)
"""``site_info.user_settings`` (wire-format §7.1): null or false off battery sites."""

# ---------------------------------------------------------------------- products (§6)

ENERGY_SITE_ID = WireField("energy_site_id", Json.INTEGER, "spec.energy_site_id", minimum=1,
                           maximum=2**53 - 1, doc="energy_site_id (JSON integer)")
RESOURCE_TYPE = WireField("resource_type", Json.STRING, Const("battery"), choices=("battery",))
_ASSET = (WireField("asset_site_id", Json.STRING, "spec.site_uuid"),
          WireField("warp_site_number", Json.STRING, SAME))
PRODUCT_COMPONENTS = replace(COMPONENTS, source="product_components", shape="ProductComponents")
FEATURES = WireField("features", Json.OBJECT, SAME, shape="Features")
BATTERY_TYPE = WireField("battery_type", Json.STRING, "spec.battery_type")
SOLAR_TYPE = WireField("solar_type", Json.STRING, Const("pv_panel"), choices=("pv_panel",))

BATTERY_PRODUCT: tuple[WireField, ...] = (
    ENERGY_SITE_ID,
    RESOURCE_TYPE,
    SITE_NAME,
    SITE_ID,
    WireField("gateway_id", Json.STRING, "spec.gateway_din"),
    *_ASSET,
    ENERGY_LEFT,
    TOTAL_PACK_ENERGY,
    PERCENTAGE_CHARGED,
    BATTERY_TYPE,
    BACKUP_CAPABLE,
    BATTERY_POWER,
    _null(BANNER),
    replace(STORM_MODE_ENABLED, nullable=False),
    replace(ONBOARDING, nullable=False),
    _null(INTERESTED),
    _null(VPP_TOUR),
    SYNC_ALERT,
    BREAKER_ALERT,
    PRODUCT_COMPONENTS,
    FEATURES,
)
"""A battery-site products item (wire-format §6.1); also site_status."""

SOLAR_PRODUCT: tuple[WireField, ...] = (
    ENERGY_SITE_ID,
    replace(RESOURCE_TYPE, source=Const("solar"), choices=("solar",)),
    SITE_NAME,
    SITE_ID,
    *_ASSET,
    SOLAR_POWER,
    SOLAR_TYPE,
    _null(BANNER),
    _null(STORM_MODE_ENABLED),
    _null(ONBOARDING),
    _null(INTERESTED),
    SYNC_ALERT,
    BREAKER_ALERT,
    PRODUCT_COMPONENTS,
    FEATURES,
)
"""A solar-only products item (wire-format §6.2)."""

WALL_CONNECTOR_PRODUCT: tuple[WireField, ...] = (ENERGY_SITE_ID, PRODUCT_COMPONENTS)
"""A Wall-Connector-only products item (wire-format §6.3)."""

# -------------------------------------------------------------- energy history (§9.4)

RAW_TIMESTAMP = replace(TIMESTAMP, key="raw_timestamp", source=TIMESTAMP.key)
"""The bucket's second copy of its timestamp (real replies carry both)."""

ENERGY_BUCKET: tuple[WireField, ...] = (
    TIMESTAMP,
    *(WireField(flow, Json.INTEGER, SAME, unit="Wh", minimum=0,
                choices=() if FLOWS[flow] else (0,))
      for flow in FLOWS if flow not in TOTALS),
    RAW_TIMESTAMP,
    *(WireField(flow, Json.INTEGER, SAME, Presence.NONZERO, "Wh", minimum=1) for flow in TOTALS),
)
"""One energy-history bucket (wire-format §9.4): the flows of the cells→flow table
(``domain.energy.FLOWS``) between the two timestamps, then the non-zero totals."""
