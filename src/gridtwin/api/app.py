"""The FastAPI application for the emulated Fleet API."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse

from gridtwin import __version__
from gridtwin.api import admin
from gridtwin.api.emulation import EmulationMiddleware
from gridtwin.api.errors import error_response
from gridtwin.api.middleware import WireMiddleware
from gridtwin.api.responses import WireResponse
from gridtwin.api.routes import commands, history, meta, oauth, products, site
from gridtwin.api.routes import energy_command as gateway_routes
from gridtwin.api.routes import users as user_routes
from gridtwin.core.errors import GridtwinError, MethodNotAllowed, NotFound
from gridtwin.services.world import World

__all__ = ["create_app"]


async def _gridtwin_error(_request: Request, exc: Exception) -> WireResponse:
    assert isinstance(exc, GridtwinError)
    return error_response(exc)


async def _http_error(_request: Request, exc: Exception) -> WireResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return error_response(MethodNotAllowed())
    return error_response(NotFound())


def create_app(world: World) -> FastAPI:
    app = FastAPI(
        title="gridtwin",
        version=__version__,
        description="Tesla Fleet API energy endpoints over a simulated site.",
        redirect_slashes=False,
        # Served below behind the admin token, like the rest of the control plane.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.world = world
    for module in (meta, oauth, products, site, history, commands, gateway_routes, user_routes):
        app.include_router(module.router)
    if world.settings.enable_admin:
        app.include_router(admin.router)
        _serve_openapi(app)
    app.add_exception_handler(GridtwinError, _gridtwin_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Starlette wraps later middleware around earlier: Wire is outermost, then Emulation.
    app.add_middleware(EmulationMiddleware, world=world)
    app.add_middleware(WireMiddleware, world=world)
    return app


def _serve_openapi(app: FastAPI) -> None:
    """``/_gridtwin/openapi.json`` and ``/_gridtwin/docs``, admin token required (absent with
    ``--no-admin``). The docs page embeds the document: a browser would not send the token
    when fetching it."""
    guard = [Depends(admin.require_admin)]

    @app.get("/_gridtwin/openapi.json", include_in_schema=False, dependencies=guard)
    async def openapi_document() -> WireResponse:
        return WireResponse(app.openapi())

    @app.get("/_gridtwin/docs", include_in_schema=False, dependencies=guard)
    async def openapi_docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="", title=f"{app.title} API",
                                   swagger_ui_parameters={"spec": app.openapi()})
