"""``GET /api/1/products`` (wire-format §6)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import APIRouter, Depends
from starlette.background import BackgroundTask
from starlette.responses import Response

from gridtwin.api import deps
from gridtwin.api.responses import JSON_TYPE
from gridtwin.api.wire.models import BEARER_DOC, ProductsResponse, responses
from gridtwin.api.wire.products import PRODUCT_ITEMS, render_vehicle
from gridtwin.core import jsonio
from gridtwin.services.auth import ENERGY_DATA, VEHICLE_DATA, Principal, require_scope
from gridtwin.services.emulator.vehicles import product_vehicles
from gridtwin.services.product_items import Fresh, save_items, user_items
from gridtwin.services.world import World

_log = logging.getLogger("gridtwin.products")

router = APIRouter()


@router.get(
    "/api/1/products", name="products", operation_id="products", tags=["products"],
    summary="The user's energy sites (and opted-in vehicles)", dependencies=BEARER_DOC,
    responses=responses(ProductsResponse, 401, 403, 429, 500),
)
def products(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> Response:
    """Each site as of its last simulation (none is simulated to list it, docs/decisions.md).
    Items are stored as JSON text with what they were rendered from, by each write of a
    site; only sites changed without storing theirs are rendered here, and stored after the
    reply (services/product_items.py). Vehicles
    come first, as in real replies: the scenario's ``in_products`` vehicles, for a token
    with ``vehicle_device_data`` (every user of the world sees them)."""
    require_scope(principal, ENERGY_DATA, VEHICLE_DATA)
    items: list[str] = []
    fresh: list[Fresh] = []
    if VEHICLE_DATA in principal.scopes:
        items = [jsonio.dumps(render_vehicle(v, i, principal.user_id))
                 for i, v in enumerate(product_vehicles(world))]
    if ENERGY_DATA in principal.scopes:
        energy, fresh = user_items(world, principal, PRODUCT_ITEMS)
        items += energy
    # The bytes envelope() writes for the same items.
    body = '{"response":[' + ",".join(items) + '],"count":' + str(len(items)) + "}"
    return Response(body.encode("utf-8"), media_type=JSON_TYPE,
                    background=BackgroundTask(_store, world, fresh) if fresh else None)


def _store(world: World, fresh: Sequence[Fresh]) -> None:
    """Store the items this listing rendered. Only a cache: a failure costs the next
    listing their rendering again, never a wrong item, so it is logged, not raised."""
    try:
        save_items(world, fresh)
    except Exception:
        _log.warning("storing %d products items failed", len(fresh), exc_info=True)
