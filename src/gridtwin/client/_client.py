"""``Client`` and ``AsyncClient``: the Fleet API energy endpoints and gridtwin's control
plane over httpx.

    with Client("http://127.0.0.1:8080", token) as client:
        site = client.energy_site(client.energy_site_ids()[0])
        print(site.live_status().battery_power)
        site.backup(30)

Pass ``transport=httpx.ASGITransport(app)`` (async) or ``http_client=TestClient(app)``
(sync) to drive an app in-process; the real Fleet API is a ``base_url`` away
(``FLEET_API_BASE_URLS``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx

from gridtwin.client._base import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    AsyncCore,
    ClientConfig,
    RetryPolicy,
    SyncCore,
)
from gridtwin.client.resources.account import (
    AsyncOAuth,
    OAuth,
    feature_config_call,
    me_call,
    orders_call,
    products_call,
    region_call,
    status_call,
)
from gridtwin.client.resources.control import AsyncControl, Control
from gridtwin.client.resources.energy_sites import AsyncEnergySite, EnergySite
from gridtwin.client.types import Region, UserMe

__all__ = ["AsyncClient", "Client"]


def _config(base_url: str, token: str | None, admin_token: str | None, max_retries: int,
            retry: RetryPolicy | None, headers: dict[str, str] | None) -> ClientConfig:
    policy = retry or RetryPolicy(max_retries=max_retries)
    return ClientConfig(base_url, token, admin_token, policy, dict(headers or {}))


def _site_ids(products: list[Any]) -> list[int]:
    return [int(p.energy_site_id) for p in products if hasattr(p, "energy_site_id")]


class Client:
    """Synchronous client.

    base_url: gridtwin (default ``http://127.0.0.1:8080``) or a Fleet API host.
    token: access token for ``/api/1``; admin_token: for ``client.control``.
    timeout: per request [s]. max_retries / retry: see :class:`RetryPolicy`.
    transport: an httpx transport; http_client: a ready ``httpx.Client`` (e.g. Starlette's
    ``TestClient``), used as is and not closed by :meth:`close`.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, *,
                 admin_token: str | None = None, timeout: float = DEFAULT_TIMEOUT_S,
                 max_retries: int = DEFAULT_MAX_RETRIES, retry: RetryPolicy | None = None,
                 headers: dict[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 http_client: httpx.Client | None = None) -> None:
        config = _config(base_url, token, admin_token, max_retries, retry, headers)
        http = http_client or httpx.Client(timeout=timeout, transport=transport)
        self._core = SyncCore(config, http, owned=http_client is None)
        self.control = Control(self._core)
        self.oauth = OAuth(self._core)

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    def products(self) -> list[Any]:
        """Products items: ``BatteryProduct``, ``SolarProduct``, ``WallConnectorProduct``,
        ``VehicleProduct``."""
        return self._core.run(products_call())

    def energy_site_ids(self) -> list[int]:
        return _site_ids(self.products())

    def energy_site(self, site_id: int) -> EnergySite:
        return EnergySite(self._core, site_id)

    def region(self) -> Region:
        return self._core.run(region_call())

    def me(self) -> UserMe:
        """``GET /api/1/users/me``: the token's user."""
        return self._core.run(me_call())

    def feature_config(self) -> dict[str, Any]:
        return self._core.run(feature_config_call())

    def orders(self) -> list[dict[str, Any]]:
        return self._core.run(orders_call())

    def status(self) -> str:
        """``GET /status``: ``"ok"`` when the server is up (no token needed)."""
        return self._core.run(status_call())

    def close(self) -> None:
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncClient:
    """Asynchronous twin of :class:`Client`; ``transport=httpx.ASGITransport(app)`` runs
    the app in-process."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, *,
                 admin_token: str | None = None, timeout: float = DEFAULT_TIMEOUT_S,
                 max_retries: int = DEFAULT_MAX_RETRIES, retry: RetryPolicy | None = None,
                 headers: dict[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 http_client: httpx.AsyncClient | None = None) -> None:
        config = _config(base_url, token, admin_token, max_retries, retry, headers)
        http = http_client or httpx.AsyncClient(timeout=timeout, transport=transport)
        self._core = AsyncCore(config, http, owned=http_client is None)
        self.control = AsyncControl(self._core)
        self.oauth = AsyncOAuth(self._core)

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    async def products(self) -> list[Any]:
        return await self._core.run(products_call())

    async def energy_site_ids(self) -> list[int]:
        return _site_ids(await self.products())

    def energy_site(self, site_id: int) -> AsyncEnergySite:
        return AsyncEnergySite(self._core, site_id)

    async def region(self) -> Region:
        return await self._core.run(region_call())

    async def me(self) -> UserMe:
        return await self._core.run(me_call())

    async def feature_config(self) -> dict[str, Any]:
        return await self._core.run(feature_config_call())

    async def orders(self) -> list[dict[str, Any]]:
        return await self._core.run(orders_call())

    async def status(self) -> str:
        return await self._core.run(status_call())

    async def close(self) -> None:
        await self._core.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()
