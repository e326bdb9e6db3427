"""site_info, live_status and the compatibility reads (wire-format §7, §8, §13)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire.live_status import render_live_status
from gridtwin.api.wire.models import (
    BEARER_DOC,
    BackupTimeRemainingResponse,
    LiveStatusResponse,
    SiteInfoResponse,
    SiteStatusResponse,
    responses,
)
from gridtwin.api.wire.products import render_product
from gridtwin.api.wire.site_info import render_site_info
from gridtwin.core.errors import Gone
from gridtwin.services.auth import ENERGY_DATA, Principal, require_scope
from gridtwin.services.sites import (
    SiteView,
    backup_time_remaining_async,
    parse_site_id,
    view_site,
    view_site_async,
)
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/energy_sites/{energy_site_id}")


async def _view(energy_site_id: str, principal: Principal, world: World) -> SiteView:
    # A view cached for this instant is served on the event loop (far cheaper than a
    # thread-pool hop); a miss, which may wait on the site lock, runs on a worker thread.
    require_scope(principal, ENERGY_DATA)
    return await view_site_async(world, principal, parse_site_id(energy_site_id))


@router.get(
    "/site_info", name="site_info", operation_id="site_info", tags=["site"],
    summary="Configuration, settings, components and device lists", dependencies=BEARER_DOC,
    responses=responses(SiteInfoResponse, 401, 403, 404, 429, 500),
)
async def site_info(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
) -> WireResponse:
    return envelope(render_site_info(await _view(energy_site_id, principal, world)))


@router.get(
    "/live_status", name="live_status", operation_id="live_status", tags=["site"],
    summary="Power flows at the current simulated instant", dependencies=BEARER_DOC,
    responses=responses(LiveStatusResponse, 401, 403, 404, 429, 500),
)
async def live_status(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
) -> WireResponse:
    return envelope(render_live_status(await _view(energy_site_id, principal, world)))


@router.get(
    "/site_status", name="site_status", operation_id="site_status", tags=["site"],
    summary="The site's products item (battery sites always with energy)",
    dependencies=BEARER_DOC, responses=responses(SiteStatusResponse, 401, 403, 404, 429, 500),
)
async def site_status(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
) -> WireResponse:
    return envelope(render_product(await _view(energy_site_id, principal, world), always_energy=True))


@router.get(
    "/backup_time_remaining", name="backup_time_remaining",
    operation_id="backup_time_remaining", tags=["site"],
    summary="Hours of backup at the recent home load (load spikes included)", dependencies=BEARER_DOC,
    responses=responses(BackupTimeRemainingResponse, 401, 403, 404, 429, 500),
)
async def backup_time_remaining(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
) -> WireResponse:
    require_scope(principal, ENERGY_DATA)
    hours = await backup_time_remaining_async(world, principal, parse_site_id(energy_site_id))
    return envelope({"time_remaining_hours": hours})


@router.get(
    "/history", name="history", operation_id="history", tags=["site"], deprecated=True,
    summary="Retired: always 410 gone for an owned site", dependencies=BEARER_DOC,
    status_code=410, response_description="Retired route: use calendar_history",
    responses=responses(None, 401, 403, 404, 410, 429, 500),
)
def history(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world),
) -> WireResponse:
    require_scope(principal, ENERGY_DATA)
    view_site(world, principal, parse_site_id(energy_site_id))
    raise Gone()
