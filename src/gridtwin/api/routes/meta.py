"""``/status`` and ``/api/1/users/region`` (wire-format §13)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import PlainTextResponse

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire.models import BEARER_DOC, RegionResponse, responses
from gridtwin.services.auth import Principal
from gridtwin.services.world import World

router = APIRouter()


@router.get(
    "/status", name="status", operation_id="status", tags=["meta"], summary="Liveness (text/plain ok)",
    response_class=PlainTextResponse,
    responses=responses(None, 429, 500, by_reference=True, ok_description="ok (no auth)",
                        ok_content={"text/plain": {"schema": {"type": "string", "const": "ok"}}}),
)
async def status() -> PlainTextResponse:
    # On the event loop: liveness must not wait for a worker thread (they may all be busy).
    return PlainTextResponse("ok")


@router.get(
    "/api/1/users/region", name="region", operation_id="region", tags=["meta"],
    summary="The token's region and the public base URL", dependencies=BEARER_DOC,
    responses=responses(RegionResponse, 401, 429, 500),
)
def region(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> WireResponse:
    return envelope({
        "region": principal.region.lower(),
        "fleet_api_base_url": world.settings.public_base_url.rstrip("/"),
    })
