"""``ControlClient``: a standalone synchronous client for the control plane only.

It is :class:`gridtwin.client.Control` bound to its own connection, with the
constructor the first control client had (``ControlClient(base_url, admin_token)``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from gridtwin.client._base import ClientConfig, RetryPolicy, SyncCore
from gridtwin.client._exceptions import ControlError
from gridtwin.client.resources.control import Control

__all__ = ["ControlClient", "ControlError"]


class ControlClient(Control):
    """The control plane of the gridtwin at ``base_url``; errors raise ``ControlError``
    (the SDK's ``APIStatusError``: ``.status``, ``.body``)."""

    def __init__(self, base_url: str, admin_token: str, *, timeout_s: float = 120.0,
                 max_retries: int = 0, transport: httpx.BaseTransport | None = None,
                 http_client: httpx.Client | None = None) -> None:
        config = ClientConfig(base_url, None, admin_token, RetryPolicy(max_retries=max_retries))
        http = http_client or httpx.Client(timeout=timeout_s, transport=transport)
        super().__init__(SyncCore(config, http, owned=http_client is None))

    def close(self) -> None:
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
