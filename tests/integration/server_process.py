"""Start a real ``gridtwin serve`` process on a free loopback port for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Server:
    base_url: str
    db: str
    token: str
    process: subprocess.Popen[str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db: str | Path, *, extra_env: dict[str, str] | None = None,
                   extra_args: list[str] | None = None, timeout_s: float = 120.0) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gridtwin.cli.main", "serve", "--port", str(port), "--db", str(db),
         "--quiet", *(extra_args or [])],  # no request log: stderr is read only on failure
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        token = proc.stdout.readline().strip()
        curl = proc.stdout.readline().strip()
        if token.count(".") != 2:
            proc.wait(timeout=30)
            raise RuntimeError(f"no token printed: {token!r}\n{proc.stderr.read() if proc.stderr else ''}")
        assert curl.startswith("curl -H 'Authorization: Bearer "), curl
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{base}/status", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
        yield Server(base, str(db), token, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
