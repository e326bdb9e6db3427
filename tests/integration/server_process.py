"""Start a real ``gridtwin serve`` process on a free loopback port for tests.

Never blocks on the live process: its stdout and stderr go to files (a pipe nobody reads
fills up and stalls the server; a read from a live process's pipe waits for as long as
the process lives). Every wait has a deadline, readiness is ``GET /status`` polled until
a deadline, and every failure message ends with the tail of the server's log.

The server runs in its own process group, so ``serve --workers N`` children are stopped
with it, and on Linux it is SIGKILLed if the test process dies (pytest-timeout, CI kill).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Server", "free_port", "running_server", "terminate"]

STOP_WAIT_S = 15.0
TAIL_BYTES = 4_000


@dataclass
class Server:
    base_url: str
    db: str
    token: str
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    def log_tail(self) -> str:
        return _tail(self.stdout_path, self.stderr_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(stdout_path: Path, stderr_path: Path) -> str:
    parts = []
    for label, path in (("stdout", stdout_path), ("stderr", stderr_path)):
        try:
            data = path.read_bytes()[-TAIL_BYTES:].decode("utf-8", "replace")
        except OSError as exc:
            data = f"<unreadable: {exc}>"
        parts.append(f"--- server {label} (last {TAIL_BYTES} bytes) ---\n{data}")
    return "\n".join(parts)


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that asks Linux to SIGKILL the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)

    return preexec


def _signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def terminate(proc: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    """SIGTERM one process, then SIGKILL it if it has not exited; every wait bounded."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL it; every wait bounded."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_group(proc.pid, sig)
        try:
            proc.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            continue
        # The parent is gone; make sure no worker of its group outlives it.
        _signal_group(proc.pid, signal.SIGKILL)
        return


def _token_lines(stdout_path: Path, proc: subprocess.Popen[bytes], deadline: float,
                 tail: Callable[[], str]) -> tuple[str, str]:
    """The token and curl lines ``serve`` prints on stdout, polled from the file."""
    while True:
        lines = stdout_path.read_bytes().decode("utf-8", "replace").splitlines()
        if len(lines) >= 2:
            return lines[0].strip(), lines[1].strip()
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}) before printing a token\n"
                                 + tail())
        if time.monotonic() > deadline:
            raise AssertionError("server printed no token in time\n" + tail())
        time.sleep(0.1)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], deadline: float,
                tail: Callable[[], str]) -> None:
    last = "no answer yet"
    while True:
        try:
            response = httpx.get(f"{base}/status", timeout=2)
            if response.status_code == 200 and response.text == "ok":
                return
            last = f"{response.status_code} {response.text[:200]!r}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}) before /status answered\n"
                                 + tail())
        if time.monotonic() > deadline:
            raise AssertionError(f"/status not ready in time (last: {last})\n" + tail())
        time.sleep(0.2)


@contextmanager
def running_server(db: str | Path, *, extra_env: dict[str, str] | None = None,
                   extra_args: list[str] | None = None,
                   timeout_s: float = 120.0,
                   interpreter: str | None = None) -> Iterator[Server]:
    """``gridtwin serve`` on a free port until the block ends; ready within ``timeout_s``.

    ``interpreter`` is the Python that has gridtwin installed (default: this one); a test
    environment without gridtwin (the Home Assistant one) passes the project's .venv.
    """
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    with tempfile.TemporaryDirectory(prefix="gridtwin-serve-") as logs:
        stdout_path, stderr_path = Path(logs) / "stdout.log", Path(logs) / "stderr.log"
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            proc = subprocess.Popen(
                [interpreter or sys.executable, "-m", "gridtwin.cli.main", "serve", "--port", str(port),
                 "--db", str(db), "--quiet", *(extra_args or [])],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                start_new_session=True, preexec_fn=_die_with_parent(),
            )

        def tail() -> str:
            return _tail(stdout_path, stderr_path)

        try:
            deadline = time.monotonic() + timeout_s
            token, curl = _token_lines(stdout_path, proc, deadline, tail)
            assert token.count(".") == 2, f"no token printed: {token!r}\n{tail()}"
            assert curl.startswith("curl -H 'Authorization: Bearer "), f"{curl!r}\n{tail()}"
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, proc, deadline, tail)
            yield Server(base, str(db), token, proc, stdout_path, stderr_path)
        finally:
            _stop(proc)
