"""JSON responses written by gridtwin.core.jsonio (Decimal-exact, no NaN)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gridtwin.core import jsonio

__all__ = ["JSON_TYPE", "WireResponse", "envelope"]

JSON_TYPE = "application/json; charset=utf-8"


class WireResponse(Response):
    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        return jsonio.dumps(content).encode("utf-8")


def envelope(response: Any, **extra: Any) -> WireResponse:
    """``{"response": ...}`` with HTTP 200."""
    return WireResponse({"response": response, **extra})
