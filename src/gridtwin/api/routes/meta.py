"""``/status`` and ``/api/1/users/region`` (wire-format §13)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import PlainTextResponse

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.services.auth import Principal
from gridtwin.services.world import World

router = APIRouter()


@router.get("/status", name="status")
def status() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/api/1/users/region", name="region")
def region(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> WireResponse:
    return envelope({
        "region": principal.region.lower(),
        "fleet_api_base_url": world.settings.public_base_url.rstrip("/"),
    })
