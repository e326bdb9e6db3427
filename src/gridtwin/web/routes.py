"""Dashboard routes: the page at ``/`` and its JSON API under ``/dashboard/api``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.services import dashboard
from gridtwin.services.sites import parse_site_id
from gridtwin.services.world import World
from gridtwin.web import guard

__all__ = ["attach"]

STATIC = Path(__file__).parent / "static"
_NO_STORE = {"Cache-Control": "no-store"}


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers=_NO_STORE)


async def _body(request: Request) -> dict[str, Any]:
    """The same body rules as the API: strict JSON, an object, empty means {}."""
    return jsonio.load_object(await request.body(), decimals=False)


def _int(body: dict[str, Any], key: str, lo: int, hi: int) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidField.for_field(key, f"must be an integer {lo}-{hi}")
    return value


def build_router(world: World) -> APIRouter:
    def allowed(request: Request) -> World:
        guard.check(request, world)
        return world

    def emulator(request: Request) -> World:
        if not world.settings.enable_admin:
            raise NotFound()
        return allowed(request)

    api = APIRouter(prefix="/dashboard/api", dependencies=[Depends(allowed)])

    @api.get("/session")
    def session() -> JSONResponse:
        return _json({"emulator": world.settings.enable_admin, "sites": dashboard.list_sites(world)})

    @api.get("/sites/{site_id}/live")
    def live(site_id: str) -> JSONResponse:
        clock = dashboard.clock_now(world)
        return _json({**dashboard.live(world, parse_site_id(site_id)),
                      "clock": {"mode": clock["mode"], "rate": clock["rate"]}})

    @api.get("/sites/{site_id}/energy")
    def energy(site_id: str, period: str = "day") -> JSONResponse:
        return _json(dashboard.energy(world, parse_site_id(site_id), period))

    @api.get("/sites/{site_id}/tariff")
    def tariff(site_id: str) -> JSONResponse:
        return _json(dashboard.tariff_grid(world, parse_site_id(site_id)))

    @api.post("/sites/{site_id}/commands/{name}")
    async def command(site_id: str, name: str, request: Request) -> JSONResponse:
        body = await _body(request)
        dashboard.command(world, parse_site_id(site_id), name, body)
        return _json({"code": 201, "message": "Updated"})

    @api.post("/sites/{site_id}/outage", dependencies=[Depends(emulator)])
    async def outage(site_id: str, request: Request) -> JSONResponse:
        seconds = _int(await _body(request), "duration_s", 60, 7 * 86_400)
        return _json(dashboard.outage(world, parse_site_id(site_id), seconds))

    @api.post("/clock/advance", dependencies=[Depends(emulator)])
    async def advance(request: Request) -> JSONResponse:
        seconds = _int(await _body(request), "seconds", 1, 400 * 86_400)
        return _json(dashboard.advance(world, seconds))

    return api


def _page() -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers={
        **_NO_STORE,
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                   "frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    })


def attach(app: FastAPI, world: World) -> FastAPI:
    """Serve the dashboard on ``app`` (returned): ``/`` and ``/dashboard`` (page),
    ``/dashboard/static`` (assets) and ``/dashboard/api`` (data and actions)."""
    app.add_api_route("/", _page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/dashboard", _page, methods=["GET"], include_in_schema=False)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")
    app.include_router(build_router(world), include_in_schema=False)
    return app
