"""``users/me``, ``users/feature_config`` and ``users/orders`` (the account reads clients make).

The token needs ``user_data`` (Tesla's scope for these reads) or ``openid`` (which every
gridtwin and Tesla user token carries): gridtwin's choice, see docs/decisions.md.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.api.wire.models import BEARER_DOC, responses
from gridtwin.services import users
from gridtwin.services.auth import Principal, require_scope
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/users")
USER_SCOPES = ("user_data", "openid")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Me(_Open):
    email: str
    full_name: str
    profile_image_url: str
    vault_uuid: str


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeResponse(_Closed):
    response: Me


class FeatureConfigResponse(_Closed):
    response: dict[str, Any]


class OrdersResponse(_Closed):
    response: list[dict[str, Any]]
    count: int


@router.get(
    "/me", name="users_me", operation_id="users_me", tags=["meta"],
    summary="The token's user: e-mail, full name, profile image URL, vault UUID",
    dependencies=BEARER_DOC, responses=responses(MeResponse, 401, 403, 429, 500),
)
def me(principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)) -> WireResponse:
    require_scope(principal, *USER_SCOPES)
    return envelope(users.me(world, principal))


@router.get(
    "/feature_config", name="users_feature_config", operation_id="users_feature_config",
    tags=["meta"], summary="Feature flags of the user (vehicle signaling off)",
    dependencies=BEARER_DOC, responses=responses(FeatureConfigResponse, 401, 403, 429, 500),
)
def feature_config(
    principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)
) -> WireResponse:
    require_scope(principal, *USER_SCOPES)
    return envelope(users.feature_config(world, principal))


@router.get(
    "/orders", name="users_orders", operation_id="users_orders", tags=["meta"],
    summary="The user's active vehicle orders (none)", dependencies=BEARER_DOC,
    responses=responses(OrdersResponse, 401, 403, 429, 500),
)
def orders(principal: Principal = Depends(deps.principal), world: World = Depends(deps.world)) -> WireResponse:
    require_scope(principal, *USER_SCOPES)
    items = users.orders(world, principal)
    return envelope(items, count=len(items))
