"""Frozen server settings, read once at startup from GRIDTWIN_* variables.

Nothing else in gridtwin reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["KEEP_ALIVE_S", "Settings", "default_db_url", "export_to_env"]

KEEP_ALIVE_S = 75
"""How long an idle kept-alive connection stays open, s (uvicorn's default is 5).

The server must hold an idle connection longer than its clients do, or a client may
send its next request on a connection the server is closing at that instant and get
"Server disconnected without sending a response" (a stale-connection race). httpx drops
idle connections after 5 s and aiohttp after 15 s, so uvicorn's 5 s sits right on
httpx's expiry; and a server whose event loop is held up (a long garbage collection on
a loaded machine) can fire its timer before it reads a request that already arrived.
75 s is nginx's default."""


def default_db_url() -> str:
    return f"sqlite:///{Path('gridtwin.db').resolve()}"


def _to_url(db: str) -> str:
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).resolve()}"


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=default_db_url)
    public_base_url: str = "http://127.0.0.1:8080"
    jwt_secret: str | None = None
    check_audience: bool = False
    token_leeway_s: int = 60
    access_token_ttl_s: int = 28_800
    refresh_token_ttl_s: int = 90 * 86_400
    max_body_bytes: int = 1 << 20
    admin_token: str | None = None
    enable_admin: bool = True
    demo_on_empty: bool = True
    seed: int = 0
    clock_start_s: int | None = None
    clock_mode: str = "realtime"
    clock_rate: float = 1.0
    shared_clock: bool = False
    rate_limits: str = "off"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        base = cls()
        values: dict[str, object] = {}
        if "GRIDTWIN_DB" in env:
            values["db_url"] = _to_url(env["GRIDTWIN_DB"])
        if "GRIDTWIN_PUBLIC_URL" in env:
            values["public_base_url"] = env["GRIDTWIN_PUBLIC_URL"].rstrip("/")
        if "GRIDTWIN_JWT_SECRET" in env:
            values["jwt_secret"] = env["GRIDTWIN_JWT_SECRET"]
        if "GRIDTWIN_ADMIN_TOKEN" in env:
            values["admin_token"] = env["GRIDTWIN_ADMIN_TOKEN"]
        if "GRIDTWIN_SEED" in env:
            values["seed"] = int(env["GRIDTWIN_SEED"])
        if "GRIDTWIN_CLOCK_START" in env:
            values["clock_start_s"] = int(env["GRIDTWIN_CLOCK_START"])
        if "GRIDTWIN_CLOCK_MODE" in env:
            values["clock_mode"] = env["GRIDTWIN_CLOCK_MODE"]
        if "GRIDTWIN_RATE_LIMITS" in env:
            values["rate_limits"] = env["GRIDTWIN_RATE_LIMITS"]
        if env.get("GRIDTWIN_SHARED_CLOCK") == "1":
            values["shared_clock"] = True
        if env.get("GRIDTWIN_NO_ADMIN") == "1":
            values["enable_admin"] = False
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("db_url"), str):
            values["db_url"] = _to_url(str(values["db_url"]))
        return replace(base, **values)  # type: ignore[arg-type]


def export_to_env(settings: Settings) -> None:
    """Hand settings to a server process started by import string (uvicorn workers)."""
    os.environ["GRIDTWIN_DB"] = settings.db_url
    os.environ["GRIDTWIN_PUBLIC_URL"] = settings.public_base_url
    os.environ["GRIDTWIN_SEED"] = str(settings.seed)
    if settings.admin_token:
        os.environ["GRIDTWIN_ADMIN_TOKEN"] = settings.admin_token
    if settings.clock_start_s is not None:
        os.environ["GRIDTWIN_CLOCK_START"] = str(settings.clock_start_s)
    os.environ["GRIDTWIN_CLOCK_MODE"] = settings.clock_mode
    if not settings.enable_admin:
        os.environ["GRIDTWIN_NO_ADMIN"] = "1"
    if settings.shared_clock:
        os.environ["GRIDTWIN_SHARED_CLOCK"] = "1"
    os.environ["GRIDTWIN_RATE_LIMITS"] = settings.rate_limits
