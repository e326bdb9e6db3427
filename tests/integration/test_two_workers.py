"""A real ``gridtwin serve --workers 2`` on PostgreSQL is one server: a fault rule, a rate
limit, a revocation and a state import each take effect on every request of every worker.

Which worker served a request is read from the journal (its ``worker`` pid). Requests go
out on several fresh connections at once so both workers take some; each check repeats its
batch (a bounded number of times) until both workers have answered in it.

The server's output goes to files, never to pipes this test reads, and every wait is bounded.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL, postgres_database

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(420)]

ADMIN = "two-workers-admin-token-0123456789"
A = {"Authorization": f"Bearer {ADMIN}"}
START_S = 180.0
BATCH = 16
TRIES = 6


@dataclass
class Server:
    base: str
    token: str
    site_path: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _first_lines(path: Path, n: int, proc: subprocess.Popen[bytes], deadline: float) -> list[str]:
    while True:
        lines = path.read_text(errors="replace").splitlines()
        if len(lines) >= n:
            return lines[:n]
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"serve printed {lines!r}; exit {proc.poll()}")
        time.sleep(0.1)


@contextmanager
def two_workers(db_url: str, logs: Path) -> Iterator[Server]:
    port = _free_port()
    out, err = logs / "stdout.txt", logs / "stderr.txt"
    env = {**os.environ, "GRIDTWIN_ADMIN_TOKEN": ADMIN}
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gridtwin.cli.main", "serve", "--port", str(port),
             "--db", db_url, "--workers", "2"],
            stdout=o, stderr=e, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + START_S
        token, curl = _first_lines(out, 2, proc, deadline)
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(f"{base}/status", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{err.read_text(errors='replace')[-4000:]}")
            time.sleep(0.2)
        yield Server(base, token, curl.split(base, 1)[1])
    finally:
        with_group = os.getpgid(proc.pid) if proc.poll() is None else None
        if with_group is not None:
            os.killpg(with_group, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def _batch(server: Server, token: str) -> list[tuple[int, int]]:
    """BATCH live_status requests on fresh connections, 8 at a time: (journal seq, status)."""

    def one(_: int) -> int:
        with httpx.Client(timeout=30) as c:  # a new connection each
            r = c.get(server.base + server.site_path, headers={"Authorization": f"Bearer {token}"})
            return r.status_code

    with ThreadPoolExecutor(8) as pool:
        return list(enumerate(pool.map(one, range(BATCH))))


def _journal(server: Server, since: int) -> list[dict]:
    r = httpx.get(f"{server.base}/_gridtwin/requests?since_seq={since}&endpoint=live_status",
                  headers=A, timeout=30)
    assert r.status_code == 200, r.text
    return list(r.json()["response"])


def _last_seq(server: Server) -> int:
    entries = httpx.get(f"{server.base}/_gridtwin/requests", headers=A, timeout=30).json()["response"]
    return max((e["seq"] for e in entries), default=0)


def _on_both_workers(server: Server, token: str, check: Callable[[list[int]], None]) -> None:
    """Run batches until one was served by both workers; ``check`` gets the statuses in the
    order the journal recorded them (every one of them must satisfy it)."""
    for _ in range(TRIES):
        since = _last_seq(server)
        sent = _batch(server, token)
        entries = _journal(server, since)
        assert len(entries) == len(sent)  # every request of every worker is in the one journal
        assert sorted(e["status"] for e in entries) == sorted(s for _, s in sent)
        check([e["status"] for e in entries])
        if len({e["worker"] for e in entries}) == 2:
            return
    pytest.fail("one worker served every request of every batch")


@pytest.mark.skipif(POSTGRES_URL is None, reason="GRIDTWIN_TEST_POSTGRES_URL is not set")
def test_two_workers_apply_faults_limits_revocations_and_imports_on_every_request(tmp_path):
    with postgres_database() as url, two_workers(url, tmp_path) as server:
        def admin(method: str, path: str, body: object = None) -> dict:
            r = httpx.request(method, f"{server.base}/_gridtwin{path}", headers=A, json=body, timeout=60)
            assert r.status_code == 200, r.text
            return dict(r.json())

        _on_both_workers(server, server.token, lambda s: assert_all(s, 200))

        # A fault rule.
        admin("POST", "/faults", {"template": "unavailable", "match": {"endpoint": "live_status"}})
        _on_both_workers(server, server.token, lambda s: assert_all(s, 503))
        admin("DELETE", "/faults")
        _on_both_workers(server, server.token, lambda s: assert_all(s, 200))

        # A rate limit: 5 per site per hour across both workers, then 429 from both.
        admin("PUT", "/rate-limits", {"rules": [{"name": "live", "match": {"endpoint": "live_status"},
                                                 "key": "site", "limit": 5, "window_s": 3600}]})
        since = _last_seq(server)
        first = _batch(server, server.token)
        assert sorted(s for _, s in first) == [200] * 5 + [429] * (BATCH - 5)
        assert len(_journal(server, since)) == BATCH
        _on_both_workers(server, server.token, lambda s: assert_all(s, 429))
        admin("PUT", "/rate-limits", {"preset": "off"})
        _on_both_workers(server, server.token, lambda s: assert_all(s, 200))

        # A revocation of a token both workers have trusted.
        minted = admin("POST", "/tokens", {"user": "demo"})["response"]
        _on_both_workers(server, minted["access_token"], lambda s: assert_all(s, 200))
        admin("POST", "/tokens/revoke", {"jti": minted["jti"]})
        _on_both_workers(server, minted["access_token"], lambda s: assert_all(s, 401))

        # A state import under a new JWT secret: old signatures fail on both workers at once,
        # a token minted after it works on both.
        snapshot = admin("GET", "/state?secrets=1")["response"]
        snapshot["jwt_secret"] = secrets.token_hex(32)
        admin("POST", "/state", snapshot)
        _on_both_workers(server, server.token, lambda s: assert_all(s, 401))
        fresh = admin("POST", "/tokens", {"user": "demo"})["response"]["access_token"]
        _on_both_workers(server, fresh, lambda s: assert_all(s, 200))


def assert_all(statuses: list[int], expected: int) -> None:
    assert statuses == [expected] * len(statuses)
