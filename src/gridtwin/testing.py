"""gridtwin for your own tests: a real server in-process on a free port, frozen clock.

    from gridtwin.testing import running_gridtwin

    with running_gridtwin() as gt:           # or use the ``gridtwin`` pytest fixture
        httpx.get(gt.url("live_status"), headers=gt.headers)
        gt.control.outage(gt.site_id, duration_s=3600)

The ``gridtwin`` fixture is registered as a pytest plugin when gridtwin is installed.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from gridtwin.api.app import create_app
from gridtwin.client.control import ControlClient
from gridtwin.core.settings import KEEP_ALIVE_S, Settings
from gridtwin.services.emulator.presets import preset
from gridtwin.services.emulator.scenario import load_scenario
from gridtwin.services.world import open_world
from gridtwin.web import attach as attach_dashboard

__all__ = ["RunningGridtwin", "postgres_database", "running_gridtwin"]

ADMIN_TOKEN = "gridtwin-test-admin-token"
DEFAULT_START = "2025-07-15T12:00:00-07:00"
"""Where the helper starts a world that has no start of its own (the ``demo`` preset,
a scenario without ``clock.start``): noon in Los Angeles, so tests reproduce."""


class _OwnStart:
    """``start`` not given: the preset's or scenario's own start, else DEFAULT_START."""

    def __repr__(self) -> str:
        return "<own start>"


OWN_START: Any = _OwnStart()


@dataclass
class RunningGridtwin:
    base_url: str
    token: str
    site_id: int
    site_ids: list[int]
    tokens: dict[str, str]
    control: ControlClient

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, endpoint: str, site_id: int | None = None) -> str:
        """``<base>/api/1/energy_sites/<site>/<endpoint>``."""
        return f"{self.base_url}/api/1/energy_sites/{site_id or self.site_id}/{endpoint}"


@contextmanager
def postgres_database(admin_url: str, prefix: str = "gridtwin_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL database next to ``admin_url``'s, dropped afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_gridtwin(
    preset_name: str = "demo",
    *,
    scenario: dict[str, Any] | None = None,
    seed: int = 0,
    start: Any = OWN_START,
    db: str | None = None,
) -> Iterator[RunningGridtwin]:
    """Serve gridtwin on 127.0.0.1:<free port> with a frozen clock.

    The clock starts at the preset's (or scenario's) own ``clock.start``, and at
    DEFAULT_START when it has none; ``start`` given moves a preset there (a scenario
    only when it has no start of its own), and ``start=None`` keeps a start-less world
    at the wall-clock now."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gridtwin-") as tmp:
        url = db or f"sqlite:///{Path(tmp) / 'gridtwin.db'}"
        world = open_world(Settings(db_url=url, public_base_url=base, admin_token=ADMIN_TOKEN,
                                    demo_on_empty=False, seed=seed))
        given = start is not OWN_START
        doc = scenario or preset(preset_name, seed, start if given else None)
        doc["clock"] = {**(doc.get("clock") or {}), "mode": "frozen"}
        if doc["clock"].get("start") is None:
            doc["clock"]["start"] = start if given else DEFAULT_START
        loaded = load_scenario(world, doc)
        server = uvicorn.Server(uvicorn.Config(attach_dashboard(create_app(world), world), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off",
                                               timeout_keep_alive=KEEP_ALIVE_S))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("gridtwin did not start")
            time.sleep(0.02)
        control = ControlClient(base, ADMIN_TOKEN)
        try:
            first = next(iter(loaded["tokens"].values()))
            yield RunningGridtwin(base, first, loaded["sites"][0], loaded["sites"],
                                  loaded["tokens"], control)
        finally:
            control.close()
            server.should_exit = True
            thread.join(timeout=10)
            world.store.dispose()
