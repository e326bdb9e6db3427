"""The control plane's own documentation: ``/_gridtwin/`` (index), ``/_gridtwin/docs``
(the OpenAPI document as a page) and ``/_gridtwin/openapi.json``. Absent with ``--no-admin``.

Access: the admin token, as for every control-plane route. The two pages, which hold no
world data, also open without it for a browser on this machine (the dashboard's loopback
rule, ``core.loopback``), so the URL ``serve`` prints can simply be clicked.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from starlette.responses import HTMLResponse, Response

from gridtwin.api import admin
from gridtwin.api.reference.html import LINKS, PAGE_HEADERS, docs_page, index_page
from gridtwin.api.reference.model import operations
from gridtwin.api.responses import WireResponse, envelope
from gridtwin.core.errors import Unauthenticated
from gridtwin.core.loopback import is_local_request

__all__ = ["attach"]


def page_access(request: Request) -> None:
    client = request.client.host if request.client else ""
    if is_local_request(client, request.headers.get("host", ""), request.headers.keys()):
        return
    try:
        admin.require_admin(request)
    except Unauthenticated:
        raise Unauthenticated("The control plane needs Authorization: Bearer <admin token> "
                              "(printed by gridtwin serve)") from None


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def attach(app: FastAPI) -> None:
    pages = [Depends(page_access)]

    @app.get("/_gridtwin", include_in_schema=False, dependencies=pages)
    def control_index(request: Request) -> Response:
        doc = app.openapi()
        if _wants_json(request):
            # health is the one route without the token
            return envelope({
                "routes": [{"method": op.method, "path": op.path, "summary": op.summary,
                            "admin_token": op.path != "/_gridtwin/health"}
                           for op in operations(doc, "/_gridtwin")],
                "links": [{"href": href, "title": text} for href, text in LINKS]})
        return HTMLResponse(index_page(doc), headers=PAGE_HEADERS)

    @app.get("/_gridtwin/docs", include_in_schema=False, dependencies=pages)
    def openapi_docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()), headers=PAGE_HEADERS)

    @app.get("/_gridtwin/openapi.json", include_in_schema=False,
             dependencies=[Depends(admin.require_admin)])
    def openapi_document() -> WireResponse:
        return WireResponse(app.openapi())


