"""Outer ASGI middleware: one trailing slash ignored, x-txid on every reply, body size cap,
and a last-resort guard so an unexpected failure is a 500 envelope, never a stack trace."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridtwin import __version__
from gridtwin.api.errors import error_response
from gridtwin.core.errors import GridtwinError, Internal, PayloadTooLarge
from gridtwin.services.world import World

__all__ = ["WireMiddleware"]

log = logging.getLogger("gridtwin.api")

ADMIN_BODY_BYTES = 1 << 30


class BodyTooLarge(Exception):
    pass


class WireMiddleware:
    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path[:-1], "raw_path": path[:-1].encode()}
        seq = self.world.request_seq()
        txid = self.world.txid(seq)
        scope = {**scope, "gridtwin_seq": seq, "gridtwin_txid": txid}
        request_id = txid
        for key, value in scope.get("headers", []):
            if key == b"x-request-id":
                request_id = value.decode("latin-1")[:128]
        extra = [(b"x-txid", txid.encode()), (b"x-request-id", request_id.encode("latin-1")),
                 (b"x-gridtwin-version", __version__.encode())]
        # State snapshots posted to the control plane are far larger than API bodies.
        limit = ADMIN_BODY_BYTES if path.startswith("/_gridtwin") else self.world.settings.max_body_bytes
        started = False
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > limit:
                await self._reply(PayloadTooLarge(limit), send_with_headers)
                return
        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._reply(PayloadTooLarge(limit), send_with_headers)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._reply(Internal(), send_with_headers)

    @staticmethod
    async def _reply(error: GridtwinError, send: Send) -> None:
        response = error_response(error)
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})
