"""Composition root: Settings → store → world → app. ``uvicorn gridtwin.asgi:app``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from fastapi import FastAPI

from gridtwin.api.app import create_app
from gridtwin.api.wire.products import PRODUCT_ITEMS
from gridtwin.core.settings import Settings
from gridtwin.services.product_items import refresh_items
from gridtwin.services.provision import ensure_demo
from gridtwin.services.world import World, open_world
from gridtwin.web import attach as attach_dashboard

if TYPE_CHECKING:
    from gridtwin.api.requestlog import RequestLog

__all__ = ["SWITCH_INTERVAL_S", "build", "logged_app"]


SWITCH_INTERVAL_S = 0.001
"""How often a thread running Python hands the GIL to a waiting one (CPython: 5 ms). Sync
routes run on worker threads; while one renders a large history reply, the event loop
waits up to this long for the GIL at each wake-up. bench_history: /status p99 while a
31-day 5-minute reply loops fell from 54-130 ms to 15-33 ms at 1 ms."""


def build(settings: Settings) -> tuple[FastAPI, World]:
    """The server's app and world (each server process, every worker, builds its own)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    world = open_world(settings)
    if settings.demo_on_empty:
        ensure_demo(world)
    # Sites simulated before the server started (serve's scenario load and warm-up) or by
    # an older gridtwin: their products items are rendered once here, in batches.
    refresh_items(world, PRODUCT_ITEMS)
    return attach_dashboard(create_app(world), world), world


def __getattr__(name: str) -> FastAPI:
    # Built lazily so importing this module (tests, tools) does not open a database.
    if name == "app":
        application, _ = build(Settings.from_env())
        globals()["app"] = application
        return application
    raise AttributeError(name)


def logged_app() -> RequestLog:
    """``app`` with one log line per request (``gridtwin serve`` without ``--quiet``);
    a factory for ``uvicorn --factory`` so each worker builds its own."""
    from gridtwin.api.requestlog import RequestLog

    application = globals().get("app") or __getattr__("app")
    return RequestLog(application)
