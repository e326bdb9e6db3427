"""The six energy commands (wire-format §12): 200 ``{"code": 201, "message": "Updated"}``;
under quirk ``command_ack_messages`` (``observed``) the message names the command where
real sites were seen to do so ("Backup reserve updated")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire.models import BEARER_DOC, CommandAckResponse, command_body, responses
from gridtwin.services.auth import ENERGY_CMDS, Principal, require_scope
from gridtwin.services.commands import COMMANDS, run_command
from gridtwin.services.sites import parse_site_id
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/energy_sites/{energy_site_id}")


def _endpoint(name: str) -> Any:
    def handler(
        energy_site_id: str,
        principal: Principal = Depends(deps.principal),
        world: World = Depends(deps.world),
        raw: bytes = Depends(deps.raw_body),
    ) -> WireResponse:
        require_scope(principal, ENERGY_CMDS)
        site_id = parse_site_id(energy_site_id)
        message = run_command(world, principal, site_id, name, lambda: deps.parse_json_object(raw))
        return envelope({"code": 201, "message": message})

    handler.__name__ = f"command_{name}"
    return handler


for _name in COMMANDS:
    router.add_api_route(
        f"/{_name}", _endpoint(_name), methods=["POST"], name=_name, operation_id=_name,
        tags=["commands"], summary=f"Command {_name}", dependencies=BEARER_DOC,
        responses=responses(CommandAckResponse, 400, 401, 403, 404, 413, 429, 500),
        openapi_extra=command_body(_name),
    )
