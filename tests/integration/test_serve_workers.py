"""``gridtwin serve --workers 2`` starts when workers are slow to import, and says so when
a worker dies.

On a loaded 2-core machine a spawned worker took 9-14 s to import the CLI and the app,
uvicorn's health check gave it 5 s, and the parent killed and respawned every worker
forever, printing nothing. The slow import is made deterministic here: a
``sitecustomize`` on the workers' path sleeps in every spawned multiprocessing child.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from gridtwin.cli.workers import WORKER_HEALTHCHECK_S
from tests.conftest import POSTGRES_URL, postgres_database
from tests.integration.server_process import Server, running_server

pytestmark = [
    pytest.mark.server, pytest.mark.slow, pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="GRIDTWIN_TEST_POSTGRES_URL is not set"),
]

SLOW_IMPORT_S = 8  # more than uvicorn's default 5 s health check

SITECUSTOMIZE = f"""
import sys, time
# Only in multiprocessing's spawned children (uvicorn's workers), not in the server itself.
if "--multiprocessing-fork" in sys.argv:
    time.sleep({SLOW_IMPORT_S})
"""


def _children(pid: int) -> list[int]:
    """uvicorn's worker processes under ``pid`` (not multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        pytest.skip("needs Linux /proc/<pid>/task/<pid>/children")
    out = []
    for child in path.read_text().split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue  # exited meanwhile
        if b"--multiprocessing-fork" in cmdline:
            out.append(int(child))
    return sorted(out)


def _wait_for_workers(server: Server, n: int, deadline: float) -> list[int]:
    while len(workers := _children(server.process.pid)) < n:
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.2)
    return workers


@pytest.mark.timeout(240)
def test_two_workers_start_when_each_worker_takes_longer_than_five_seconds(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    with postgres_database() as url, running_server(
            url, extra_args=["--workers", "2"], extra_env={"PYTHONPATH": path},
            timeout_s=150) as server:
        # Both workers answer, and none was killed while it was starting.
        workers = _wait_for_workers(server, 2, time.monotonic() + 60)
        assert len(workers) == 2, server.log_tail()
        # Until a worker has imported the app, connections wait in the listen backlog;
        # a worker not ready within the health-check timeout would be replaced anyway.
        with httpx.Client(base_url=server.base_url, timeout=WORKER_HEALTHCHECK_S) as client:
            for _ in range(40):
                response = client.get("/status", headers={"Connection": "close"})
                assert response.text == "ok", server.log_tail()
        assert _children(server.process.pid) == workers, "replaced\n" + server.log_tail()
        assert "died" not in server.stderr_path.read_text(), server.log_tail()


@pytest.mark.timeout(600)
def test_a_dead_worker_is_reported_and_replaced():
    with postgres_database() as url, running_server(
            url, extra_args=["--workers", "2"], timeout_s=150) as server:
        victim, survivor = _wait_for_workers(server, 2, time.monotonic() + 60)
        os.kill(victim, signal.SIGKILL)
        expected = f"gridtwin worker [{victim}] died"
        # uvicorn's supervisor pings its workers one after another, and a worker that is
        # still starting (the victim itself, or the survivor) does not answer yet: the
        # supervisor may wait out the whole health-check timeout before it sees the death.
        deadline = time.monotonic() + WORKER_HEALTHCHECK_S + 60
        while expected not in server.stderr_path.read_text():
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        replaced = set(_wait_for_workers(server, 2, deadline))
        assert survivor in replaced and victim not in replaced, server.log_tail()
        assert httpx.get(f"{server.base_url}/status", timeout=30).text == "ok"
