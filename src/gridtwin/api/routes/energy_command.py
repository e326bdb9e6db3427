"""``POST /api/1/energy_sites/{id}/command`` (grpc_command): gateway reads and backup events.

An unsupported request is a 400 naming it, never a 404 on the site path (clients such as
Home Assistant treat a 404 there as a removed site).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire import energy_command as wire
from gridtwin.api.wire.models import BEARER_DOC, responses
from gridtwin.services import energy_command as svc
from gridtwin.services.auth import Principal
from gridtwin.services.sites import parse_site_id, view_site
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/energy_sites/{energy_site_id}")


def _reply(world: World, principal: Principal, site_id: int, req: svc.GatewayRequest) -> dict[str, Any]:
    view = svc.gateway_view(world, principal, site_id, req)
    name = req.name
    if name == "get_system_info_request":
        return wire.render_system_info(view)
    if name == "get_networking_status_request":
        return wire.render_networking(view)
    if name == "check_internet_request":
        return wire.render_internet(view)
    if name in ("check_for_update_request", "check_for_update_urgency_request"):
        return {}  # the simulated firmware is current: the empty protobuf reply
    if name == "get_config_request":
        return wire.render_config(view)
    if name == "get_backup_events_request":
        return wire.render_backup_events(svc.backup_events(world, principal, view))
    if name == "schedule_manual_backup_event_request":
        svc.schedule_manual_backup(world, principal, view, req.params)
        return {}
    if name == "cancel_manual_backup_event_request":
        svc.cancel_manual_backup(world, principal, view)
        return {}
    svc.set_island_mode(world, principal, view, req.params)
    return {}


@router.post(
    "/command", name="energy_command", operation_id="energy_command", tags=["commands"],
    summary="Gateway request (grpc_command): system info, backup events, island mode",
    dependencies=BEARER_DOC, openapi_extra=wire.command_request_body(),
    responses=responses(wire.GatewayReplyResponse, 400, 401, 403, 404, 413, 429, 500),
)
def energy_command(
    energy_site_id: str,
    principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
    raw: bytes = Depends(deps.raw_body),
) -> WireResponse:
    svc.require_command_scope(principal)
    site_id = parse_site_id(energy_site_id)
    view_site(world, principal, site_id)  # unknown or foreign site: 404 before the body
    req = svc.parse_request(deps.parse_json_object(raw))
    body = _reply(world, principal, site_id, req)
    return envelope(wire.wrap(req.category, req.name, body))
