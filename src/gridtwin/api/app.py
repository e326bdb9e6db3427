"""The FastAPI application for the emulated Fleet API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridtwin import __version__
from gridtwin.api import admin, admin_docs, control_pages
from gridtwin.api.emulation import EmulationMiddleware
from gridtwin.api.errors import error_response
from gridtwin.api.middleware import WireMiddleware
from gridtwin.api.responses import WireResponse
from gridtwin.api.routes import commands, history, meta, oauth, products, site
from gridtwin.api.routes import energy_command as gateway_routes
from gridtwin.api.routes import users as user_routes
from gridtwin.api.wire.products import PRODUCT_ITEMS
from gridtwin.core.errors import GridtwinError, MethodNotAllowed, NotFound
from gridtwin.services.product_items import write_through
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


def _bare_app(enable_admin: bool) -> FastAPI:
    app = FastAPI(
        title="gridtwin",
        version=__version__,
        description="Tesla Fleet API energy endpoints over a simulated site.",
        redirect_slashes=False,
        # Served by control_pages (admin token), like the rest of the control plane.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    for module in (meta, oauth, products, site, history, commands, gateway_routes, user_routes):
        app.include_router(module.router)
    if enable_admin:
        app.include_router(admin.router)
        control_pages.attach(app)
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            # FastAPI adds a 422 to routes with path parameters; gridtwin never answers 422
            # (paths are read as text and checked by the route: 404).
            doc = plain_openapi()
            for item in doc["paths"].values():
                for op in item.values():
                    op["responses"].pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                doc.get("components", {}).get("schemas", {}).pop(name, None)
            admin_docs.describe_path_parameters(doc)
        return plain_openapi()

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def openapi_document() -> dict[str, Any]:
    """The server's OpenAPI document (control plane included), without a world."""
    return _bare_app(enable_admin=True).openapi()


def create_app(world: World) -> FastAPI:
    app = _bare_app(world.settings.enable_admin)
    app.state.world = world
    # A site's write stores its products item too: listing after any change is a read.
    write_through(world, PRODUCT_ITEMS)
    app.add_exception_handler(GridtwinError, _gridtwin_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Starlette wraps later middleware around earlier: Wire is outermost, then Emulation.
    app.add_middleware(EmulationMiddleware, world=world)
    app.add_middleware(WireMiddleware, world=world)
    return app
