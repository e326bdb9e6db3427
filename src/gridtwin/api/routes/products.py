"""``GET /api/1/products`` (wire-format §6)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from gridtwin.api import deps
from gridtwin.api.responses import JSON_TYPE
from gridtwin.api.wire.models import BEARER_DOC, ProductsResponse, responses
from gridtwin.api.wire.products import render_product
from gridtwin.core import jsonio
from gridtwin.services.auth import ENERGY_DATA, VEHICLE_DATA, Principal, require_scope
from gridtwin.services.sites import SiteView, render_user_sites
from gridtwin.services.world import World

router = APIRouter()


@router.get(
    "/api/1/products", name="products", operation_id="products", tags=["products"],
    summary="The user's energy sites (and opted-in vehicles)", dependencies=BEARER_DOC,
    responses=responses(ProductsResponse, 401, 403, 429, 500),
)
def products(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> Response:
    """Each site as of its last simulation (none is simulated to list it, docs/decisions.md);
    items are rendered once per change of a site and kept as JSON text."""
    require_scope(principal, ENERGY_DATA, VEHICLE_DATA)
    items: list[str] = []
    if ENERGY_DATA in principal.scopes:
        items = render_user_sites(world, principal, _item_json, world.products_cache)
    # The bytes envelope() writes for the same items.
    body = '{"response":[' + ",".join(items) + '],"count":' + str(len(items)) + "}"
    return Response(body.encode("utf-8"), media_type=JSON_TYPE)


def _item_json(view: SiteView) -> str:
    return jsonio.dumps(render_product(view))
