"""The wire catalogue's gateway shapes: the bodies of the energy ``command`` replies
(grpc_command), named as the gateway protobuf fields, and their envelope.

Same conventions as :mod:`gridtwin.domain.catalogue`. The OpenAPI document leaves these
bodies open (one ``Payload`` object), so only the renderers and tests read this module.
"""

from __future__ import annotations

from dataclasses import replace

from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    BATTERY_COUNT,
    DEFAULT_REAL_MODE,
    SAME,
    SITE_ID,
    SITE_NAME,
    VERSION,
    Json,
    Presence,
    WireField,
)
from gridtwin.domain.catalogue_nested import (
    BACKUP,
    BATTERIES,
    DEVICE_ID,
    DIN,
    FIRMWARE_VERSION,
    PART_NUMBER,
    SERIAL_NUMBER,
    SOLAR,
)

__all__ = [
    "BACKUP_EVENTS",
    "BACKUP_EVENT_ITEM",
    "CONFIG",
    "CONFIG_BATTERY",
    "CONNECTIVITY",
    "ENVELOPE",
    "ETH",
    "GATEWAY_CONFIG",
    "INTERFACE",
    "MANUAL_BACKUP",
    "NETWORKING",
    "PART",
    "SCHEDULING",
    "SYSTEM_INFO",
    "SYSTEM_UPDATE",
    "VERSION_INFO",
]

_OBJ, _INT, _BOOL, _STR = Json.OBJECT, Json.INTEGER, Json.BOOLEAN, Json.STRING

ENVELOPE: tuple[WireField, ...] = (
    WireField("message", _OBJ, SAME),
    WireField("Payload", _OBJ, SAME, doc="{Category: {Message: {NameResponse: body}}}"),
    WireField("Message", _OBJ, SAME),
)
"""``{"message": {"Payload": {Category: {"Message": {Name: body}}}}}``, outermost first
(the category and response names are built from the request's)."""

# ---------------------------------------------------------------- get_system_info_request

PART: tuple[WireField, ...] = (PART_NUMBER, SERIAL_NUMBER)
VERSION_INFO: tuple[WireField, ...] = (VERSION, WireField("githash", _STR, SAME, doc="base64"))
SYSTEM_UPDATE: tuple[WireField, ...] = (
    WireField("update_status", _INT, SAME), WireField("handshake_result", _INT, SAME))
SYSTEM_INFO: tuple[WireField, ...] = (
    replace(DEVICE_ID, json=_OBJ, shape="Part"),
    DIN,
    replace(FIRMWARE_VERSION, json=_OBJ, shape="VersionInfo"),
    WireField("system_update", _OBJ, SAME, shape="SystemUpdate"),
    WireField("device_type", _INT, SAME),
)

# ------------------------------------------------- networking status and internet check

CONNECTIVITY: tuple[WireField, ...] = (
    WireField("connected_physical", _BOOL, SAME),
    WireField("connected_internet", _BOOL, SAME),
    WireField("connected_tesla", _BOOL, SAME),
)
INTERFACE: tuple[WireField, ...] = (
    WireField("mac_address", _STR, SAME, doc="base64 of 6 bytes"),
    WireField("enabled", _BOOL, SAME),
    WireField("active_route", _BOOL, SAME),
    WireField("connectivity_status", _OBJ, SAME, shape="Connectivity"),
)
ETH = WireField("eth", _OBJ, SAME, shape="Interface", doc="Ethernet")
NETWORKING: tuple[WireField, ...] = (
    WireField("wifi", _OBJ, SAME, shape="Interface"), ETH,
    WireField("gsm", _OBJ, SAME, shape="Interface"),
)
"""The interfaces by name, in wire order."""

# ------------------------------------------------------------------------ backup events

SCHEDULING: tuple[WireField, ...] = (
    WireField("start_time", _OBJ, SAME, shape="Seconds"),
    WireField("duration_seconds", _INT, SAME, unit="s"),
    WireField("priority", _INT, SAME),
)
_SCHEDULING_INFO = WireField("scheduling_info", _OBJ, SAME, shape="Scheduling")
MANUAL_BACKUP: tuple[WireField, ...] = (_SCHEDULING_INFO,)
BACKUP_EVENT_ITEM: tuple[WireField, ...] = (
    SITE_ID, WireField("name", _STR, SAME, choices=("manual_backup", "grid_outage")),
    _SCHEDULING_INFO)
BACKUP_EVENTS: tuple[WireField, ...] = (
    WireField("manual_backup_event", _OBJ, SAME, shape="ManualBackup",
              doc="only while a manual backup is scheduled"),
    WireField("backup_events", Json.ARRAY, SAME, shape="BackupEventItem"),
)

# ------------------------------------------------------------------- get_config_request

_WH = WireField("nameplate_energy_wh", _INT, SAME, unit="Wh")
CONFIG_BATTERY: tuple[WireField, ...] = (DIN, PART_NUMBER, _WH)
GATEWAY_CONFIG: tuple[WireField, ...] = (
    DIN, SITE_NAME, WireField("time_zone", _STR, SAME), FIRMWARE_VERSION, BATTERY_COUNT,
    WireField("nameplate_power_w", _INT, SAME, unit="W", nullable=True),
    replace(_WH, nullable=True), BACKUP_RESERVE_PERCENT, DEFAULT_REAL_MODE, SOLAR, BACKUP,
    replace(BATTERIES, shape="ConfigBattery", presence=Presence.ALWAYS),
    WireField("max_site_meter_power_ac_w", _INT, SAME, unit="W"),
    WireField("min_site_meter_power_ac_w", _INT, SAME, unit="W"),
)
"""``get_config_request``: the gateway's configuration as site_info states it."""
CONFIG: tuple[WireField, ...] = (WireField("config", _OBJ, SAME, shape="GatewayConfig"),)
