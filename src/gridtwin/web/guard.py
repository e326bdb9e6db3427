"""Who may use the dashboard API (secure by default).

- Every call must carry ``X-Gridtwin-Dashboard: 1``: a cross-site page cannot add that
  header without a CORS preflight, which this server never grants (CSRF).
- A loopback client (127.0.0.0/8, ::1) that names a loopback host and did not come
  through a proxy (no ``Forwarded``/``X-Forwarded-For``) is trusted: it is the person
  who ran ``gridtwin serve`` on their own machine. The Host check stops DNS rebinding.
- Anyone else must send ``Authorization: Bearer <admin token>``; the page asks for it
  and keeps it in the tab's sessionStorage. The server never sends the token out.
"""

from __future__ import annotations

from starlette.requests import Request

from gridtwin.core.errors import InvalidRequest, Unauthenticated
from gridtwin.core.loopback import is_local_request
from gridtwin.services.world import World

__all__ = ["HEADER", "check", "is_local"]

HEADER = "x-gridtwin-dashboard"


def is_local(request: Request) -> bool:
    """A direct loopback client asking for a loopback host."""
    client = request.client.host if request.client else ""
    return is_local_request(client, request.headers.get("host", ""), request.headers.keys())


def _admin_token_ok(request: Request, world: World) -> bool:
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return world.admin_token_ok(given)


def check(request: Request, world: World) -> None:
    """Raise unless the request may use the dashboard API."""
    if request.headers.get(HEADER) != "1":
        raise InvalidRequest("Dashboard calls need the X-Gridtwin-Dashboard: 1 header")
    if is_local(request) or _admin_token_ok(request, world):
        return
    raise Unauthenticated("The dashboard needs the admin token when not used from this machine")
