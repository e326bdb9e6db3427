"""Replies of the energy ``command`` endpoint: ``{"message": {"Payload": {Category: {"Message":
{Name: body}}}}}`` as tesla-fleet-api's and pypowerwall's parsers read them.

The envelope keys are the ones those parsers name; body members use the gateway protobuf
field names (snake_case), timestamps ``{"seconds": n}``, enums as integers. Hardware
values come from the site_info rendering, so both always agree.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gridtwin.api.wire.site_info import render_site_info
from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    BATTERY_COUNT,
    COMPONENTS,
    DEFAULT_REAL_MODE,
    MAX_SITE_METER_POWER,
    MIN_SITE_METER_POWER,
    NAMEPLATE_ENERGY,
    NAMEPLATE_POWER,
    SITE_NAME,
    VERSION,
)
from gridtwin.services.energy_command import BackupEvents, ManualBackup
from gridtwin.services.sites import SiteView

__all__ = [
    "GatewayReplyResponse",
    "command_request_body",
    "render_backup_events",
    "render_config",
    "render_internet",
    "render_networking",
    "render_system_info",
    "wrap",
]

class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class GatewayMessage(_Open):
    Payload: dict[str, Any] = Field(description="{Category: {Message: {NameResponse: body}}}")


class GatewayReply(_Open):
    message: GatewayMessage


class GatewayReplyResponse(BaseModel):
    """HTTP 200 ``{"response": {"message": {"Payload": ...}}}``."""

    model_config = ConfigDict(extra="forbid")
    response: GatewayReply


_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["command_type", "command_properties"],
    "properties": {
        "command_type": {"type": "string", "const": "grpc_command"},
        "command_properties": {
            "type": "object", "required": ["message"],
            "properties": {
                "message": {
                    "type": "object", "minProperties": 1, "maxProperties": 1,
                    "description": "{category: {request: params}}, e.g. "
                                   "{\"teg\": {\"get_backup_events_request\": {}}}",
                    "additionalProperties": {"type": "object"},
                },
                "identifier_type": {"type": "integer", "enum": [1, 2], "default": 1},
            },
        },
    },
}


def command_request_body() -> dict[str, Any]:
    """``openapi_extra=`` of the command route: its JSON request body."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": _REQUEST_SCHEMA,
        "example": {"command_type": "grpc_command", "command_properties": {
            "message": {"common": {"get_system_info_request": {}}}, "identifier_type": 1}},
    }}}}


_CATEGORY = {"common": "Common", "teg": "Teg", "authorization": "Authorization"}
DEVICE_TYPE_GATEWAY = 1


def wrap(category: str, request_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``get_system_info_request`` -> ``{"message": {"Payload": {"Common": {"Message":
    {"GetSystemInfoResponse": body}}}}}``."""
    stem = request_name.removesuffix("_request")
    name = "".join(part.capitalize() for part in stem.split("_")) + "Response"
    return {"message": {"Payload": {_CATEGORY[category]: {"Message": {name: body}}}}}


def _gateway(view: SiteView) -> dict[str, Any]:
    gateway: dict[str, Any] = render_site_info(view)[COMPONENTS.key]["gateways"][0]
    return gateway


def render_system_info(view: SiteView) -> dict[str, Any]:
    gw = _gateway(view)
    githash = hashlib.blake2b(str(gw["firmware_version"]).encode(), digest_size=10).digest()
    return {
        "device_id": {"part_number": gw["part_number"], "serial_number": gw["serial_number"]},
        "din": gw["din"],
        "firmware_version": {
            "version": gw["firmware_version"], "githash": base64.b64encode(githash).decode()},
        "system_update": {"update_status": 0, "handshake_result": 0},
        "device_type": DEVICE_TYPE_GATEWAY,
    }


def _mac(view: SiteView, interface: str) -> str:
    raw = bytearray(hashlib.blake2b(f"{view.spec.gateway_din}:{interface}".encode(), digest_size=6).digest())
    raw[0] = (raw[0] | 0x02) & 0xFE  # locally administered, unicast
    return base64.b64encode(bytes(raw)).decode()


def _interface(view: SiteView, name: str, connected: bool) -> dict[str, Any]:
    return {
        "mac_address": _mac(view, name), "enabled": connected, "active_route": name == "eth",
        "connectivity_status": {
            "connected_physical": connected, "connected_internet": connected,
            "connected_tesla": connected},
    }


def render_networking(view: SiteView) -> dict[str, Any]:
    """The simulated gateway is wired: Ethernet up and routing, Wi-Fi and cellular off."""
    return {"wifi": _interface(view, "wifi", False), "eth": _interface(view, "eth", True),
            "gsm": _interface(view, "gsm", False)}


def render_internet(view: SiteView) -> dict[str, Any]:
    return render_networking(view)


def _scheduling(start_s: int, duration_s: int, priority: int) -> dict[str, Any]:
    return {"start_time": {"seconds": start_s}, "duration_seconds": duration_s,
            "priority": priority}


def render_manual(manual: ManualBackup) -> dict[str, Any]:
    return {"scheduling_info": _scheduling(manual.start_s, manual.duration_s, manual.priority)}


def render_backup_events(events: BackupEvents) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if events.manual is not None:
        out["manual_backup_event"] = render_manual(events.manual)
    out["backup_events"] = [
        {"id": f"backup-{b.start_s}", "name": "manual_backup" if b.intentional else "grid_outage",
         "scheduling_info": _scheduling(b.start_s, b.duration_s, 0)}
        for b in events.past
    ]
    return out


def render_config(view: SiteView) -> dict[str, Any]:
    """The gateway's configuration as the site_info reply states it (gridtwin's shape)."""
    info = render_site_info(view)
    comps = info[COMPONENTS.key]
    return {"config": {
        "din": _gateway(view)["din"], SITE_NAME.key: info[SITE_NAME.key],
        "time_zone": view.spec.time_zone, "firmware_version": info[VERSION.key],
        BATTERY_COUNT.key: info.get(BATTERY_COUNT.key, 0),
        "nameplate_power_w": info.get(NAMEPLATE_POWER.key),
        "nameplate_energy_wh": info.get(NAMEPLATE_ENERGY.key),
        BACKUP_RESERVE_PERCENT.key: info.get(BACKUP_RESERVE_PERCENT.key),
        DEFAULT_REAL_MODE.key: info.get(DEFAULT_REAL_MODE.key),
        "solar": comps.get("solar", False), "backup": comps.get("backup", False),
        "batteries": [
            {"din": b["din"], "part_number": b["part_number"], "nameplate_energy_wh": b["nameplate_energy"]}
            for b in comps.get("batteries", [])
        ],
        "max_site_meter_power_ac_w": info[MAX_SITE_METER_POWER.key],
        "min_site_meter_power_ac_w": info[MIN_SITE_METER_POWER.key],
    }}
