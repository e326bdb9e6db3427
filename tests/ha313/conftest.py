"""A real gridtwin server for the Home Assistant end-to-end checks.

This directory runs in .venv-ha313, which has Home Assistant but not gridtwin: the server is
started with the project's own interpreter (``GRIDTWIN_PYTHON``, set by scripts/ha-e2e)
through tests/integration/server_process.py, which never blocks on the live process's pipes
and bounds every wait. One server serves the whole session; its clock is moved to the next
14:00 at the site and frozen there, so every reading Home Assistant takes and every reading
the checks take directly describe the same simulated instant, with most of a day of history.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from server_process import Server, running_server

ADMIN_TOKEN = "ha-e2e-admin-token"
SITE_TZ = ZoneInfo("America/Los_Angeles")  # the demo site's installation_time_zone
AFTERNOON_HOUR = 14


def next_afternoon(now_s: int, tz: ZoneInfo) -> datetime:
    """The first local AFTERNOON_HOUR:00 strictly after ``now_s`` (Unix seconds)."""
    local = datetime.fromtimestamp(now_s, tz)
    target = local.replace(hour=AFTERNOON_HOUR, minute=0, second=0, microsecond=0)
    if target <= local:
        target = (local + timedelta(days=1)).replace(hour=AFTERNOON_HOUR, minute=0,
                                                      second=0, microsecond=0)
    return target


@pytest.fixture(scope="session")
def gridtwin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    interpreter = os.environ.get("GRIDTWIN_PYTHON")
    if not interpreter:
        raise pytest.UsageError("GRIDTWIN_PYTHON (a Python with gridtwin) is not set; "
                                "run scripts/ha-e2e")
    db = tmp_path_factory.mktemp("gridtwin") / "gridtwin.db"
    # Home Assistant's test plugin blocks sockets before each test; this fixture is set up
    # inside the first test's setup and talks to its own server on 127.0.0.1 only.
    import pytest_socket  # only in .venv-ha313; the main suite also loads this conftest

    pytest_socket.enable_socket()
    with running_server(db, interpreter=interpreter, timeout_s=300,
                        extra_env={"GRIDTWIN_ADMIN_TOKEN": ADMIN_TOKEN}) as server:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        clock_url = f"{server.base_url}/_gridtwin/clock"
        # Freeze first, then jump: the target is computed from a clock that no longer moves.
        frozen = httpx.put(clock_url, headers=admin, timeout=60, json={"mode": "frozen"})
        assert frozen.status_code == 200, frozen.text + server.log_tail()
        target = next_afternoon(int(frozen.json()["response"]["now"]), SITE_TZ)
        moved = httpx.put(clock_url, headers=admin, timeout=300,
                          json={"now": target.isoformat()})
        assert moved.status_code == 200, moved.text + server.log_tail()
        assert moved.json()["response"]["now"] == int(target.timestamp())
        yield server
