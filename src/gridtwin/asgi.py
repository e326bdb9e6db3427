"""Composition root: Settings → store → world → app. ``uvicorn gridtwin.asgi:app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from gridtwin.api.app import create_app
from gridtwin.core.settings import Settings
from gridtwin.services.provision import ensure_demo
from gridtwin.services.world import World, open_world
from gridtwin.web import attach as attach_dashboard

if TYPE_CHECKING:
    from gridtwin.api.requestlog import RequestLog

__all__ = ["build", "logged_app"]


def build(settings: Settings) -> tuple[FastAPI, World]:
    world = open_world(settings)
    if settings.demo_on_empty:
        ensure_demo(world)
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
