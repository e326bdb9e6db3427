"""Request dependencies: the world, the caller's principal, query parameters and JSON bodies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from gridtwin.core import jsonio
from gridtwin.services.auth import Principal, verify_access_token
from gridtwin.services.world import World

__all__ = ["parse_json_object", "principal", "query", "raw_body", "world", "world_of"]


async def world(request: Request) -> World:
    return world_of(request)


def world_of(request: Request) -> World:
    w: World = request.app.state.world
    return w


async def principal(request: Request) -> Principal:
    # async: a cached verification costs microseconds, a thread-pool hop far more.
    return verify_access_token(world_of(request), request.headers.get("authorization"))


def query(request: Request) -> dict[str, str]:
    """Query parameters; for a repeated parameter the first value wins (§1.2)."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, value)
    return out


async def raw_body(request: Request) -> bytes:
    return await request.body()


def parse_json_object(raw: bytes, *, decimals: bool = True) -> dict[str, Any]:
    """The POST body as a JSON object (see :func:`gridtwin.core.jsonio.load_object`)."""
    return jsonio.load_object(raw, decimals=decimals)
