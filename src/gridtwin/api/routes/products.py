"""``GET /api/1/products`` (wire-format §6)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire.models import BEARER_DOC, ProductsResponse, responses
from gridtwin.api.wire.products import render_product
from gridtwin.services.auth import ENERGY_DATA, VEHICLE_DATA, Principal, require_scope
from gridtwin.services.sites import view_user_sites
from gridtwin.services.world import World

router = APIRouter()


@router.get(
    "/api/1/products", name="products", operation_id="products", tags=["products"],
    summary="The user's energy sites (and opted-in vehicles)", dependencies=BEARER_DOC,
    responses=responses(ProductsResponse, 401, 403, 429, 500),
)
def products(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> WireResponse:
    require_scope(principal, ENERGY_DATA, VEHICLE_DATA)
    items = []
    if ENERGY_DATA in principal.scopes:
        items = [render_product(view) for view in view_user_sites(world, principal)]
    return envelope(items, count=len(items))
