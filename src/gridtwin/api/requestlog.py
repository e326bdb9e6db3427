"""One log line per HTTP request (method, path, status, duration, site), like moto's
server console: ``GET /api/1/energy_sites/123/live_status 200 4.1 ms site 123``.

A pure ASGI wrapper, so it times the whole app (routing, auth, simulation catch-up).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["LOGGER_NAME", "RequestLog", "request_line"]

LOGGER_NAME = "gridtwin.request"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SITE = re.compile(r"/(?:energy_sites|sites)/(\d+)(?:/|$)")


def request_line(method: str, path: str, status: int, duration_ms: float) -> str:
    """The log text; the site id is read from ``.../energy_sites/{id}/...`` paths."""
    found = _SITE.search(path)
    site = f" site {found.group(1)}" if found else ""
    return f"{method} {path} {status} {duration_ms:.1f} ms{site}"


class RequestLog:
    """Log every HTTP request at INFO on ``gridtwin.request`` once its reply is sent."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(LOGGER_NAME)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before replying

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.logger.info(request_line(scope["method"], scope["path"], status, ms))
