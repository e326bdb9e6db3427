"""The web dashboard served at ``/``: site list, live power flow, energy charts, the
tariff grid and controls. ``attach(app, world)`` adds it to an app (asgi.py does).

The page is static HTML, CSS and hand-written JS (no CDN, no chart library); its data
comes from ``/dashboard/api/...``, which reads and acts through ``gridtwin.services``.
"""

from gridtwin.web.routes import attach

__all__ = ["attach"]
