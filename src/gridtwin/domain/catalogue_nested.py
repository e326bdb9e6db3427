"""The wire catalogue's nested shapes: ``components`` (site_info and products forms), the
device lists (gateways, battery units, Wall Connectors), the live Wall Connector items,
``tou_settings`` and ``features``.

Same conventions as :mod:`gridtwin.domain.catalogue`; a key shared with another shape is
declared once and varied with ``replace``. Sources are read from the renderer's site reading
(components, gateways, settings) or from one device (the list items).
"""

from __future__ import annotations

from dataclasses import replace

from gridtwin.domain.catalogue import (
    BATTERY_TYPE,
    NAMEPLATE_ENERGY,
    SAME,
    SITE_ID,
    SOLAR_TYPE,
    WALL_CONNECTORS,
    Cast,
    Const,
    Json,
    Presence,
    WireField,
)

__all__ = [
    "BACKUP",
    "BATTERIES",
    "BATTERY",
    "BATTERY_SITE_COMPONENTS",
    "BATTERY_UNIT",
    "DEVICE_ID",
    "DEVICE_LISTS",
    "DIN",
    "EXPORT_RULE",
    "FEATURE_FLAGS",
    "FIRMWARE_VERSION",
    "GATEWAY",
    "GATEWAYS",
    "GRID_CHARGING_DISALLOWED",
    "INVERTER",
    "LIVE_WALL_CONNECTOR",
    "OPTIMIZATION_STRATEGY",
    "OTHER_SITE_COMPONENTS",
    "PART_NUMBER",
    "PRODUCT_BATTERY_COMPONENTS",
    "PRODUCT_SOLAR_COMPONENTS",
    "PRODUCT_WALL_CONNECTOR",
    "PRODUCT_WALL_CONNECTOR_COMPONENTS",
    "SERIAL_NUMBER",
    "SITE_WALL_CONNECTOR",
    "SOLAR",
    "TOU_SETTINGS_FIELDS",
    "VEHICLE_PRODUCT",
    "VIN",
]

_STR, _BOOL, _INT = Json.STRING, Json.BOOLEAN, Json.INTEGER

# ------------------------------------------------------------------------- device items

DEVICE_ID = WireField("device_id", _STR, SAME)
DIN = WireField("din", _STR, SAME)
SERIAL_NUMBER = WireField("serial_number", _STR, SAME)
PART_NUMBER = WireField("part_number", _STR, SAME)
PART_NAME = WireField("part_name", _STR, SAME)
PART_TYPE = WireField("part_type", _INT, SAME)
IS_ACTIVE = WireField("is_active", _BOOL, Const(True))
SITE_UUID = WireField("site_id", _STR, "spec.site_uuid")
FIRMWARE_VERSION = WireField("firmware_version", _STR, "spec.version")
UTC_MILLIS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"

GATEWAY: tuple[WireField, ...] = (
    replace(DEVICE_ID, source="spec.site_uuid"),
    replace(DIN, source="spec.gateway_din"),
    replace(SERIAL_NUMBER, source="gateway_serial"),
    replace(PART_NUMBER, source=Const("1152100-14-J")),
    replace(PART_TYPE, source=Const(10), choices=(10,)),
    replace(PART_NAME, source=Const("Tesla Backup Gateway 2")),
    IS_ACTIVE,
    SITE_UUID,
    FIRMWARE_VERSION,
    WireField("updated_datetime", _STR, SAME, pattern=UTC_MILLIS,
              doc="UTC with milliseconds"),
)
"""A ``components.gateways`` item, read from the site (wire-format §7.2)."""

BATTERY_UNIT: tuple[WireField, ...] = (
    DEVICE_ID, DIN, SERIAL_NUMBER, PART_NUMBER,
    replace(PART_TYPE, source=Const(2), choices=(2,)),
    PART_NAME,
    WireField("nameplate_max_charge_power", _INT, SAME, unit="W", minimum=0),
    WireField("nameplate_max_discharge_power", _INT, SAME, unit="W", minimum=0),
    replace(NAMEPLATE_ENERGY, source=SAME, presence=Presence.ALWAYS),
)
"""A ``components.batteries`` item: one per installed unit, read from the unit."""

SITE_WALL_CONNECTOR: tuple[WireField, ...] = (
    DEVICE_ID, DIN, replace(PART_NAME, source=Const("Gen 3 Wall Connector")), IS_ACTIVE,
)
"""A site_info ``components.wall_connectors`` item, read from its WallConnectorSpec."""

INVERTER: tuple[WireField, ...] = (
    DEVICE_ID, DIN, PART_NUMBER, replace(PART_TYPE, choices=(7,)), PART_NAME, IS_ACTIVE,
    replace(SITE_UUID, source=SAME),
)
"""A third-party PV inverter: documented only; gridtwin sends none unless a scenario's
``components`` override supplies the list."""

PRODUCT_WALL_CONNECTOR: tuple[WireField, ...] = (
    DEVICE_ID, DIN, IS_ACTIVE, replace(PART_NUMBER, source=Const("1529455-02-D")),
)
"""A products ``components.wall_connectors`` item, read from its WallConnectorSpec."""

VIN = WireField("vin", _STR, SAME, Presence.SET, doc="only while a vehicle is connected")

LIVE_WALL_CONNECTOR: tuple[WireField, ...] = (
    DIN,
    VIN,
    WireField("wall_connector_state", _INT, SAME, choices=(1, 2, 4, 5, 7)),
    WireField("wall_connector_fault_state", _INT, SAME, choices=(2, 3, 8)),
    WireField("wall_connector_power", _INT, SAME, unit="W", cast=Cast.INT, minimum=0),
)
"""A live_status ``wall_connectors`` item (wire-format §8.1)."""

VEHICLE_PRODUCT: tuple[WireField, ...] = (
    replace(SITE_ID, json=_INT, source=SAME),
    WireField("user_id", _INT, SAME),
    WireField("vehicle_id", _INT, SAME),
    replace(VIN, presence=Presence.ALWAYS, doc=""),
    WireField("color", Json.NULL, Const(None)),
    WireField("access_type", _STR, Const("OWNER")),
    WireField("display_name", _STR, SAME),
    WireField("option_codes", Json.NULL, Const(None)),
    WireField("cached_data", _STR, Const("")),
    WireField("granular_access", Json.OBJECT, Const({"hide_private": False})),
    WireField("tokens", Json.ARRAY, Const(())),
    WireField("state", _STR, Const("asleep"), choices=("online", "asleep", "offline"),
              doc="the car is not simulated"),
    WireField("in_service", _BOOL, Const(False)),
    WireField("id_s", _STR, SAME),
    WireField("calendar_enabled", _BOOL, Const(True)),
    WireField("api_version", _INT, Const(73)),
    WireField("backseat_token", Json.NULL, Const(None)),
    WireField("backseat_token_updated_at", Json.NULL, Const(None)),
    WireField("ble_autopair_enrolled", _BOOL, Const(False)),
    WireField("command_signing", _STR, Const("required")),
    WireField("release_notes_supported", _BOOL, Const(True)),
)
"""A scenario vehicle's products item (wire-format §6; members of the vehicle items in
public products replies), read from a VehicleReading."""

BATTERIES = WireField("batteries", Json.ARRAY, SAME, Presence.SET, shape="Battery",
                      doc="sites with a battery, one per unit")
GATEWAYS = WireField("gateways", Json.ARRAY, SAME, Presence.SET, shape="Gateway",
                     doc="sites with a battery")
DEVICE_LISTS: tuple[WireField, ...] = (
    GATEWAYS,
    BATTERIES,
    WireField("inverters", Json.ARRAY, Const(None), Presence.SET, shape="Inverter",
              doc="third-party PV inverters only"),
    replace(WALL_CONNECTORS, source="site_wall_connectors", presence=Presence.SET,
            nullable=False, shape="SiteWallConnector", doc="omitted when the site has none"),
)
"""The device lists closing site_info ``components`` (after any scenario overrides)."""

# --------------------------------------------------------------------------- components

SOLAR = WireField("solar", _BOOL, "has_solar")
BATTERY = WireField("battery", _BOOL, "spec.has_battery")
_SOLAR_TYPE = replace(SOLAR_TYPE, presence=Presence.SOLAR)
GRID = WireField("grid", _BOOL, Const(True))
BACKUP = WireField("backup", _BOOL, "spec.has_backup")
GATEWAY_KIND = WireField("gateway", _STR, Const("teg"), choices=("teg", "neo"))
LOAD_METER = WireField("load_meter", _BOOL, Const(True))
MARKET_TYPE = WireField("market_type", _STR, Const("residential"))
TOU_CAPABLE = WireField("tou_capable", _BOOL, Const(True))
STORM_MODE_CAPABLE = WireField("storm_mode_capable", _BOOL, Const(True))
_TRUE_ONLY = (True,)


def _flag(key: str, value: object) -> WireField:
    """A capability or UI flag of battery sites (a scenario may override it)."""
    return WireField(key, _STR if isinstance(value, str) else _BOOL, Const(value),
                     Presence.ALWAYS)


EXPORT_RULE = WireField("customer_preferred_export_rule", _STR, "controls.export_rule",
                        cast=Cast.ENUM, choices=("battery_ok", "pv_only", "never"))
GRID_CHARGING_DISALLOWED = WireField(
    "disallow_charge_from_grid_with_solar_installed", _BOOL, "grid_charging_disallowed",
    Presence.TRUE, choices=_TRUE_ONLY)

EV_RESERVE_SUPPORTED = _flag("off_grid_vehicle_charging_reserve_supported", False)

BATTERY_SITE_COMPONENTS: tuple[WireField, ...] = (
    SOLAR,
    _SOLAR_TYPE,
    BATTERY,
    replace(BATTERY_TYPE, nullable=True),
    GRID,
    BACKUP,
    GATEWAY_KIND,
    LOAD_METER,
    WireField("generator", _BOOL, "has_generator", Presence.TRUE, choices=_TRUE_ONLY),
    MARKET_TYPE,
    TOU_CAPABLE,
    STORM_MODE_CAPABLE,
    EV_RESERVE_SUPPORTED,
    _flag("flex_energy_request_capable", False),
    _flag("car_charging_data_supported", False),
    _flag("set_islanding_mode_enabled", True),
    _flag("backup_time_remaining_enabled", True),
    _flag("configurable", True),
    _flag("energy_service_self_scheduling_enabled", True),
    _flag("wifi_commissioning_enabled", True),
    _flag("system_alerts_enabled", True),
    _flag("grid_services_enabled", False),
    _flag("battery_solar_offset_view_enabled", True),
    _flag("solar_value_enabled", True),
    _flag("show_grid_import_battery_source_cards", True),
    _flag("vehicle_charging_performance_view_enabled", False),
    _flag("vehicle_charging_solar_offset_view_enabled", False),
    _flag("energy_value_header", "Energy Value"),
    _flag("energy_value_subheader", "Estimated Value"),
    EXPORT_RULE,
    GRID_CHARGING_DISALLOWED,
    WireField("non_export_configured", _BOOL, "never_exports", Presence.TRUE,
              choices=_TRUE_ONLY),
    WireField("net_meter_mode", _STR, Const("battery_ok")),
)
"""site_info ``components`` of a battery site (wire-format §7.2), before the scenario's
overrides and the :data:`DEVICE_LISTS`."""

OTHER_SITE_COMPONENTS: tuple[WireField, ...] = (
    SOLAR,
    replace(BATTERY, source=Const(False)),
    GRID,
    replace(BACKUP, source=Const(False)),
    replace(GATEWAY_KIND, source=Const("neo")),
    replace(LOAD_METER, source=Const(False)),
    MARKET_TYPE,
    TOU_CAPABLE,
    replace(STORM_MODE_CAPABLE, source=Const(False)),
    _SOLAR_TYPE,
)
"""site_info ``components`` of a solar-only or Wall-Connector-only site, before the
overrides and the :data:`DEVICE_LISTS`."""

_PRODUCT_WALL_CONNECTORS = replace(
    WALL_CONNECTORS, source="product_wall_connectors", presence=Presence.SET, nullable=False,
    shape="ProductWallConnector", doc="omitted when the site has none")

PRODUCT_BATTERY_COMPONENTS: tuple[WireField, ...] = (
    BATTERY, BATTERY_TYPE, SOLAR, _SOLAR_TYPE, GRID, LOAD_METER, MARKET_TYPE,
    _PRODUCT_WALL_CONNECTORS,
)
"""products ``components`` of a battery site (wire-format §6.1)."""

PRODUCT_SOLAR_COMPONENTS: tuple[WireField, ...] = (
    replace(BATTERY, source=Const(False)), replace(SOLAR, source=Const(True)), SOLAR_TYPE,
    GRID, replace(LOAD_METER, source=Const(False)), MARKET_TYPE,
)
"""products ``components`` of a solar-only site (wire-format §6.2)."""

PRODUCT_WALL_CONNECTOR_COMPONENTS: tuple[WireField, ...] = (
    replace(BATTERY, source=Const(False)), replace(SOLAR, source=Const(False)),
    replace(GRID, source=Const(False)), replace(LOAD_METER, source=Const(False)), MARKET_TYPE,
    replace(_PRODUCT_WALL_CONNECTORS, source="product_wall_connector_items",
            presence=Presence.ALWAYS),
)
"""products ``components`` of a Wall-Connector-only site (wire-format §6.3)."""

# ----------------------------------------------------------------------------- settings

OPTIMIZATION_STRATEGY = WireField("optimization_strategy", _STR, "controls.strategy",
                                  cast=Cast.ENUM, choices=("economics", "balanced"))
TOU_SETTINGS_FIELDS: tuple[WireField, ...] = (
    OPTIMIZATION_STRATEGY,
    WireField("schedule", Json.ARRAY, "tou_schedule", doc="always empty"),
)
"""site_info ``tou_settings``."""

FEATURE_FLAGS: tuple[WireField, ...] = (
    WireField("rate_plan_manager_no_pricing_constraint", _BOOL, "prices_unconstrained",
              Presence.TRUE, choices=_TRUE_ONLY, doc="battery sites"),
)
"""products ``features``: ``{}`` on solar-only sites."""
