"""Local mode: open the world directly on a database (no server)."""

from __future__ import annotations

from gridtwin.core.settings import Settings
from gridtwin.services.world import World, open_world

__all__ = ["open_local"]


def open_local(settings: Settings) -> World:
    return open_world(settings)
