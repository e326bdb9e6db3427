"""The Dockerfile builds an image that serves as a non-root user on 0.0.0.0 and answers
the curl its banner prints. Skipped (one line) where no docker daemon is reachable."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.timeout(1800)

ROOT = Path(__file__).resolve().parents[2]


def _docker_ready() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _docker(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_image_serves_the_demo_site_as_non_root() -> None:
    if not _docker_ready():
        pytest.skip("docker daemon not reachable (docker info failed): image not built")
    tag = f"gridtwin-test:{uuid.uuid4().hex[:8]}"
    name = f"gridtwin-test-{uuid.uuid4().hex[:8]}"
    _docker("build", "-t", tag, str(ROOT), timeout=1500)
    try:
        assert _docker("run", "--rm", "--entrypoint", "id", tag, "-u").strip() != "0"
        port = _free_port()
        _docker("run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8080", tag)
        deadline = time.monotonic() + 600
        curl = ""
        while not curl:
            assert time.monotonic() < deadline, _docker("logs", name)
            logs = _docker("logs", name)
            curl = next((line for line in logs.splitlines() if line.startswith("curl ")), "")
            time.sleep(2)
        token = curl.split("Bearer ", 1)[1].split("'", 1)[0]
        path = curl.rsplit(" ", 1)[1].split("8080", 1)[1]
        reply = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        assert "battery_power" in reply.json()["response"]
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60, check=False)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120, check=False)
