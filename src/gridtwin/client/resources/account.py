"""Account-level calls: products, region, ``/status`` and the OAuth2 token endpoint."""

from __future__ import annotations

from typing import Any

from gridtwin.client._base import AsyncCore, Call, SyncCore, parse_with
from gridtwin.client.types import Product, Region, TokenGrant, UserMe

__all__ = [
    "AsyncOAuth",
    "OAuth",
    "feature_config_call",
    "me_call",
    "orders_call",
    "products_call",
    "region_call",
    "status_call",
]


def products_call() -> Call[list[Any]]:
    return Call("GET", "/api/1/products", parse_with(list[Product]))


def region_call() -> Call[Region]:
    return Call("GET", "/api/1/users/region", parse_with(Region))


def me_call() -> Call[UserMe]:
    return Call("GET", "/api/1/users/me", parse_with(UserMe))


def feature_config_call() -> Call[dict[str, Any]]:
    return Call("GET", "/api/1/users/feature_config", parse_with(dict[str, Any]))


def orders_call() -> Call[list[dict[str, Any]]]:
    return Call("GET", "/api/1/users/orders", parse_with(list[dict[str, Any]]))


def status_call() -> Call[str]:
    return Call("GET", "/status", str, auth="none", text=True)


def _grant(form: dict[str, str | None]) -> Call[TokenGrant]:
    body = {k: v for k, v in form.items() if v is not None}
    return Call("POST", "/oauth2/v3/token", parse_with(TokenGrant), json=body, auth="none",
                envelope=False)


def client_credentials_call(client_id: str, client_secret: str, scope: str | None,
                            audience: str | None) -> Call[TokenGrant]:
    return _grant({"grant_type": "client_credentials", "client_id": client_id,
                   "client_secret": client_secret, "scope": scope, "audience": audience})


def refresh_call(client_id: str, refresh_token: str) -> Call[TokenGrant]:
    return _grant({"grant_type": "refresh_token", "client_id": client_id,
                   "refresh_token": refresh_token})


class OAuth:
    """``POST /oauth2/v3/token`` (gridtwin's; the real one lives on Tesla's auth host)."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def client_credentials(self, client_id: str, client_secret: str, *, scope: str | None = None,
                           audience: str | None = None) -> TokenGrant:
        return self._core.run(client_credentials_call(client_id, client_secret, scope, audience))

    def refresh(self, client_id: str, refresh_token: str) -> TokenGrant:
        return self._core.run(refresh_call(client_id, refresh_token))


class AsyncOAuth:
    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def client_credentials(self, client_id: str, client_secret: str, *,
                                 scope: str | None = None,
                                 audience: str | None = None) -> TokenGrant:
        return await self._core.run(
            client_credentials_call(client_id, client_secret, scope, audience))

    async def refresh(self, client_id: str, refresh_token: str) -> TokenGrant:
        return await self._core.run(refresh_call(client_id, refresh_token))
