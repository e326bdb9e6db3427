"""Composition root: Settings → store → world → app. ``uvicorn gridtwin.asgi:app``."""

from __future__ import annotations

from fastapi import FastAPI

from gridtwin.api.app import create_app
from gridtwin.core.settings import Settings
from gridtwin.services.provision import ensure_demo
from gridtwin.services.world import World, open_world
from gridtwin.web import attach as attach_dashboard

__all__ = ["build"]


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
