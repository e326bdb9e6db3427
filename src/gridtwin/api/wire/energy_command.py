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

from gridtwin.api.wire.reading import row
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
from gridtwin.domain.catalogue_gateway import (
    BACKUP_EVENT_ITEM,
    BACKUP_EVENTS,
    CONFIG,
    CONFIG_BATTERY,
    CONNECTIVITY,
    ENVELOPE,
    ETH,
    GATEWAY_CONFIG,
    INTERFACE,
    MANUAL_BACKUP,
    NETWORKING,
    PART,
    SCHEDULING,
    SYSTEM_INFO,
    SYSTEM_UPDATE,
    VERSION_INFO,
)
from gridtwin.domain.catalogue_nested import (
    BACKUP,
    BATTERIES,
    DIN,
    FIRMWARE_VERSION,
    GATEWAYS,
    PART_NUMBER,
    SERIAL_NUMBER,
    SOLAR,
)
from gridtwin.domain.catalogue_series import SECONDS
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


_MESSAGE = ENVELOPE[0].key
"""The request's ``command_properties.message``, named like the reply's envelope."""

_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["command_type", "command_properties"],
    "properties": {
        "command_type": {"type": "string", "const": "grpc_command"},
        "command_properties": {
            "type": "object", "required": [_MESSAGE],
            "properties": {
                _MESSAGE: {
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
            _MESSAGE: {"common": {"get_system_info_request": {}}}, "identifier_type": 1}},
    }}}}


_CATEGORY = {"common": "Common", "teg": "Teg", "authorization": "Authorization"}
DEVICE_TYPE_GATEWAY = 1


def wrap(category: str, request_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``get_system_info_request`` -> ``{"message": {"Payload": {"Common": {"Message":
    {"GetSystemInfoResponse": body}}}}}``."""
    stem = request_name.removesuffix("_request")
    name = "".join(part.capitalize() for part in stem.split("_")) + "Response"
    message, payload, inner = ENVELOPE
    return {message.key: {payload.key: {_CATEGORY[category]: {inner.key: {name: body}}}}}


def _gateway(view: SiteView) -> dict[str, Any]:
    gateway: dict[str, Any] = render_site_info(view)[COMPONENTS.key][GATEWAYS.key][0]
    return gateway


def render_system_info(view: SiteView) -> dict[str, Any]:
    gw = _gateway(view)
    version = gw[FIRMWARE_VERSION.key]
    githash = hashlib.blake2b(str(version).encode(), digest_size=10).digest()
    return row(SYSTEM_INFO,
               row(PART, gw[PART_NUMBER.key], gw[SERIAL_NUMBER.key]),
               gw[DIN.key],
               row(VERSION_INFO, version, base64.b64encode(githash).decode()),
               row(SYSTEM_UPDATE, 0, 0),
               DEVICE_TYPE_GATEWAY)


def _mac(view: SiteView, interface: str) -> str:
    raw = bytearray(hashlib.blake2b(f"{view.spec.gateway_din}:{interface}".encode(), digest_size=6).digest())
    raw[0] = (raw[0] | 0x02) & 0xFE  # locally administered, unicast
    return base64.b64encode(bytes(raw)).decode()


def render_networking(view: SiteView) -> dict[str, Any]:
    """The simulated gateway is wired: Ethernet up and routing, Wi-Fi and cellular off."""
    def interface(name: str) -> dict[str, Any]:
        up = name == ETH.key  # wired: the one interface up and routing
        return row(INTERFACE, _mac(view, name), up, up, row(CONNECTIVITY, up, up, up))
    return {f.key: interface(f.key) for f in NETWORKING}


def render_internet(view: SiteView) -> dict[str, Any]:
    return render_networking(view)


def _scheduling(start_s: int, duration_s: int, priority: int) -> dict[str, Any]:
    return row(SCHEDULING, row(SECONDS, start_s), duration_s, priority)


def render_manual(manual: ManualBackup) -> dict[str, Any]:
    return row(MANUAL_BACKUP, _scheduling(manual.start_s, manual.duration_s, manual.priority))


_MANUAL, _OUTAGE = BACKUP_EVENT_ITEM[1].choices


def render_backup_events(events: BackupEvents) -> dict[str, Any]:
    manual_key, past_key = BACKUP_EVENTS
    out: dict[str, Any] = {}
    if events.manual is not None:
        out[manual_key.key] = render_manual(events.manual)
    out[past_key.key] = [
        row(BACKUP_EVENT_ITEM, f"backup-{b.start_s}", _MANUAL if b.intentional else _OUTAGE,
            _scheduling(b.start_s, b.duration_s, 0))
        for b in events.past
    ]
    return out


def render_config(view: SiteView) -> dict[str, Any]:
    """The gateway's configuration as the site_info reply states it (gridtwin's shape)."""
    info = render_site_info(view)
    comps = info[COMPONENTS.key]
    batteries = [row(CONFIG_BATTERY, b[DIN.key], b[PART_NUMBER.key], b[NAMEPLATE_ENERGY.key])
                 for b in comps.get(BATTERIES.key, [])]
    return row(CONFIG, row(
        GATEWAY_CONFIG, _gateway(view)[DIN.key], info[SITE_NAME.key], view.spec.time_zone,
        info[VERSION.key], info.get(BATTERY_COUNT.key, 0), info.get(NAMEPLATE_POWER.key),
        info.get(NAMEPLATE_ENERGY.key), info.get(BACKUP_RESERVE_PERCENT.key),
        info.get(DEFAULT_REAL_MODE.key), comps.get(SOLAR.key, False),
        comps.get(BACKUP.key, False), batteries, info[MAX_SITE_METER_POWER.key],
        info[MIN_SITE_METER_POWER.key]))
