"""Fault injection and the request journal for emulated routes (emulator §7.1, §9).

Rules are evaluated before route matching, auth and validation (wire-format §3). The
control plane is never fault-injected or journaled. With several workers each request first
adopts what other workers changed (``World.sync_shared``: one round trip).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from typing import Any
from urllib.parse import parse_qsl

import jwt
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridtwin.api.errors import error_response
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.core.errors import RateLimited
from gridtwin.core.rng import uniform_one
from gridtwin.services.commands import dropped_ack
from gridtwin.services.emulator.faults import FaultRule, RequestFacts
from gridtwin.services.emulator.journal import BODY_CAP, redact_body
from gridtwin.services.world import World

__all__ = ["EmulationMiddleware"]

_EMULATED = ("/api/1", "/oauth2", "/status")


_SITE_PATH = re.compile(r"^/api/1/energy_sites/([^/]+)/([a-z_]+)/?$")
_FIXED = {"/api/1/products": "products", "/api/1/users/region": "region",
          "/oauth2/v3/token": "token", "/status": "status"}
_SITE_ENDPOINTS = frozenset({
    "site_info", "live_status", "site_status", "backup_time_remaining", "history", "backup",
    "operation", "storm_mode", "grid_import_export", "off_grid_vehicle_charging_reserve",
    "time_of_use_settings", "calendar_history", "telemetry_history",
})


def _endpoint(path: str, query: dict[str, str]) -> tuple[str | None, int | None]:
    """Route name (emulator §7.1 ``endpoint``) and site id of an emulated path."""
    if path.rstrip("/") in _FIXED:
        return _FIXED[path.rstrip("/")], None
    m = _SITE_PATH.match(path)
    if m is None or m.group(2) not in _SITE_ENDPOINTS:
        return None, None
    site, name = m.groups()
    site_id = int(site) if site.isascii() and site.isdigit() and len(site) < 17 else None
    if name == "calendar_history":
        name = "backup_history" if query.get("kind") == "backup" else "energy_history"
    elif name == "telemetry_history":
        name = "charge_history"
    return name, site_id


def _user(scope: Scope, world: World) -> tuple[str | None, str | None]:
    """The caller's ``sub`` and ``jti`` for matching rules (signature checked, expiry not)."""
    for key, value in scope.get("headers", []):
        if key == b"authorization" and value[:7].lower() == b"bearer ":
            token = value[7:].decode("latin-1").strip()
            cached = world.verified_tokens.get(token)
            if cached is not None:
                return cached[0].user_id, cached[0].jti
            try:
                claims = jwt.decode(token, world.jwt_secret, algorithms=["HS256"],
                                    options={"verify_aud": False, "verify_exp": False})
                return str(claims.get("sub")), str(claims.get("jti"))
            except jwt.PyJWTError:
                return None, None
    return None, None


class EmulationMiddleware:
    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(_EMULATED):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        endpoint, site_id = _endpoint(scope["path"], query)
        self.world.sync_shared(site_id)
        user, jti = _user(scope, self.world)
        seq = int(scope.get("gridtwin_seq") or self.world.request_seq())
        facts = RequestFacts(scope["method"], scope["path"], endpoint, site_id, user, query, seq)
        rule = self.world.faults.pick(facts, self.world.seed)
        request_body = bytearray()

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < BODY_CAP:
                request_body.extend(message.get("body", b"")[: BODY_CAP - len(request_body)])
            return message

        status = 0
        response_headers: list[tuple[bytes, bytes]] = []
        response_body = bytearray()
        journaled = False

        def entry() -> dict[str, Any]:
            return {
                "seq": seq, "txid": scope.get("gridtwin_txid", ""),
                # Several workers: the clock was adopted at the start of this request.
                "wall_time": time.time(), "sim_time": self.world.clock.now_s(),
                "method": scope["method"], "path": scope["path"], "query": query,
                "headers": {k.decode("latin-1"): (f"sub={user} jti={jti}"
                                                  if k == b"authorization"
                                                  else v.decode("latin-1"))
                            for k, v in scope.get("headers", [])},
                "body": redact_body(request_body.decode("utf-8", errors="replace")),
                "status": status,
                "response_headers": {k.decode("latin-1"): v.decode("latin-1")
                                     for k, v in response_headers},
                "response_body": redact_body(response_body.decode("utf-8", errors="replace")),
                "duration_ms": round((time.monotonic() - started) * 1000, 3),
                "endpoint": endpoint, "user": user, "site_id": site_id,
                "fault_rule": rule.id if rule else None,
                "worker": os.getpid(),  # which process served it (serve --workers N)
            }

        async def journal() -> None:
            nonlocal journaled
            journaled = True
            if self.world.settings.shared_clock:
                await run_in_threadpool(self.world.journal.add, entry())  # a database write
            else:
                self.world.journal.add(entry())

        async def recording_send(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                if len(response_body) < BODY_CAP:
                    response_body.extend(message.get("body", b"")[: BODY_CAP - len(response_body)])
                if not message.get("more_body", False):
                    # journaled before the last byte leaves: a client holding its reply
                    # finds the request in the journal, whichever worker it asks
                    await journal()
            await send(message)

        await self._serve(rule, facts, jti, scope, recording_receive, recording_send)
        if not journaled:  # no reply was completed (the client left, or an error)
            await journal()

    async def _limited(self, facts: RequestFacts, jti: str | None, scope: Scope,
                       receive: Receive, send: Send) -> None:
        """Apply rate limits (after faults; wire-format §14): 429 or RateLimit-* headers."""
        decision = self.world.limits.check(facts, jti)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            await self._drain(receive)
            await error_response(RateLimited(decision.reset_s))(scope, receive, send)
            return
        extra = [(b"ratelimit-limit", str(decision.limit).encode()),
                 (b"ratelimit-remaining", str(decision.remaining).encode()),
                 (b"ratelimit-reset", str(decision.reset_s).encode())]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _serve(self, rule: FaultRule | None, facts: RequestFacts, jti: str | None,
                     scope: Scope, receive: Receive, send: Send) -> None:
        seq = facts.seq
        if rule is None:
            await self._limited(facts, jti, scope, receive, send)
            return
        action = rule.action
        latency = action.get("latency_ms")
        if latency is not None:
            lo, hi = (latency, latency) if isinstance(latency, int) else latency
            draw = uniform_one(self.world.seed, 0, f"latency:{rule.id}", seq)
            await asyncio.sleep((lo + (hi - lo) * draw) / 1000)
        if action.get("reset_connection"):
            raise ConnectionResetError("fault rule reset_connection")
        if action.get("drop_command") and scope["method"] == "POST":
            await self._drain(receive)
            message = await run_in_threadpool(dropped_ack, self.world, facts.site_id,
                                              facts.endpoint)
            await envelope({"code": 201, "message": message})(scope, receive, send)
            return
        if "status" not in action and "body" not in action:
            await self._limited(facts, jti, scope, receive, send)
            return
        await self._drain(receive)
        await self._fault_response(action)(scope, receive, send)

    @staticmethod
    async def _drain(receive: Receive) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] == "http.request"

    @staticmethod
    def _fault_response(action: dict[str, Any]) -> WireResponse:
        status = int(action.get("status", 500))
        if "body" in action:
            body: Any = action["body"]
        else:
            body = {"response": None, "error": action.get("error", "fault_injected"),
                    "error_description": action.get("error_description", "Injected fault")}
        headers = {str(k): str(v) for k, v in (action.get("headers") or {}).items()}
        return WireResponse(body, status_code=status, headers=headers)
