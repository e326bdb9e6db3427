"""Loopback load: ``live_status`` against ``/status`` on a real ``gridtwin serve``.

For each configuration (default: SQLite with 1 worker, PostgreSQL with 1 and 2 workers) this
starts ``python -m gridtwin.cli.main serve`` on 127.0.0.1 with a fresh database (a new
PostgreSQL database per run, dropped afterwards), reads the demo token and the demo site's
live_status URL from its first two stdout lines, then measures side by side, each for
``--duration`` seconds after a short warm-up:

- ``GET /api/1/energy_sites/{id}/live_status`` with the token, and
- ``GET /status`` (no auth, plain text),

reporting throughput (req/s), p50 and p99 latency, and the ratio live_status / status
(target: >= 50 %). The load generator is ``wrk`` (``-t2 -c16 --latency``) when installed,
else a Python one (httpx clients on threads, much slower: it measures the client too).
Traffic goes to 127.0.0.1 only. The demo clock is real time, so each live_status also
advances the simulation to now, as in real use.

    python benchmarks/bench_load.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
        [--duration 10] [--connections 16] [--threads 2] [--configs sqlite:1,postgres:1,postgres:2]
        [--python-load] [--profile DIR]

Note: on a small machine the load generator competes with the server for the same cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from gridtwin.testing import postgres_database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
LIVE_URL = re.compile(r"(http://127\.0\.0\.1:\d+/api/1/energy_sites/\d+/live_status)")


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Server:
    base: str
    token: str
    live_url: str
    pid: int  # leads its own session: the uvicorn process and its workers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str, admin_url: str) -> Iterator[str]:
    if backend == "postgres":
        with postgres_database(admin_url, prefix="gridtwin_bench") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="gridtwin-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'gridtwin.db'}"


def _read_line(stream: IO[str] | None, timeout_s: float) -> str:
    """One stdout line of the server, or raise after ``timeout_s``."""
    assert stream is not None
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not box:
        raise RuntimeError("gridtwin serve printed nothing in time")
    return box[0].strip()


@contextmanager
def serve(db_url: str, workers: int, log: Path) -> Iterator[Server]:
    """``gridtwin serve`` on a free loopback port; stopped (its whole process group) after."""
    port = _free_port()
    cmd = [sys.executable, "-m", "gridtwin.cli.main", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--db", db_url, "--workers", str(workers)]
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                start_new_session=True)
    try:
        token = _read_line(proc.stdout, 120)
        curl = _read_line(proc.stdout, 30)
        match = LIVE_URL.search(curl)
        if not token or match is None:
            raise RuntimeError(f"unexpected serve output: {token!r} / {curl!r}")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            with suppress(httpx.HTTPError):
                if httpx.get(f"{base}/status", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gridtwin serve did not come up; see {log}")
            time.sleep(0.1)
        yield Server(base, token, match.group(1), proc.pid)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: the server and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --------------------------------------------------------------------------- load generators

_WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, headers: dict[str, str], duration_s: int, threads: int,
            connections: int) -> Result:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency",
           "--timeout", "10s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total_match = re.search(r"(\d+) requests in", out)
    if rps_match is None or total_match is None:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    rps, total = float(rps_match.group(1)), int(total_match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in sock.groups()) if sock else 0)
    latency = {q: float(v) * _UNIT_MS[u] for q, v, u in _WRK_LATENCY.findall(out)}
    return Result(rps, latency["50"], latency["99"], total, errors)


def run_python(url: str, headers: dict[str, str], duration_s: int, _threads: int,
               connections: int) -> Result:
    """Fallback: ``connections`` threads, each with a keep-alive httpx client."""
    stop = time.perf_counter() + duration_s
    samples: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def worker(i: int) -> None:
        with httpx.Client(headers=headers, timeout=10) as client:
            while (t0 := time.perf_counter()) < stop:
                try:
                    ok = client.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                samples[i].append(time.perf_counter() - t0)
                errors[i] += not ok

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    flat = sorted(x for s in samples for x in s)
    q = statistics.quantiles(flat, n=100, method="inclusive")
    return Result(len(flat) / elapsed, q[49] * 1000, q[98] * 1000, len(flat), sum(errors))


# --------------------------------------------------------------------------- the run


def measure(server: Server, args: argparse.Namespace) -> tuple[Result, Result]:
    load = run_python if args.python_load or shutil.which("wrk") is None else run_wrk
    auth = {"Authorization": f"Bearer {server.token}"}
    for url, headers in ((server.live_url, auth), (f"{server.base}/status", {})):
        reply = httpx.get(url, headers=headers, timeout=30)
        if reply.status_code != 200:
            raise RuntimeError(f"{url} -> {reply.status_code} {reply.text[:200]}")
        load(url, headers, args.warmup, args.threads, args.connections)  # warm up
    live = load(server.live_url, auth, args.duration, args.threads, args.connections)
    status = load(f"{server.base}/status", {}, args.duration, args.threads, args.connections)
    return live, status


# --------------------------------------------------------------------------- profiling


def _server_pids(server: Server) -> list[int]:
    out = subprocess.run(["pgrep", "-s", str(server.pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def profile(server: Server, args: argparse.Namespace, out_dir: Path, tag: str) -> None:
    """py-spy (raw collapsed stacks) of every server process during a live_status load."""
    load = run_python if args.python_load or shutil.which("wrk") is None else run_wrk
    auth = {"Authorization": f"Bearer {server.token}"}
    seconds = max(args.duration - 2, 3)
    files = {pid: out_dir / f"{tag}-{pid}.txt" for pid in _server_pids(server)}
    spies = [subprocess.Popen(["py-spy", "record", "-d", str(seconds), "-r", "250", "-f", "raw",
                               "-o", str(path), "-p", str(pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for pid, path in files.items()]
    load(server.live_url, auth, args.duration, args.threads, args.connections)
    for spy in spies:
        spy.wait()
    stacks: dict[str, int] = {}
    for path in files.values():
        if path.exists():
            for line in path.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if stack and count.isdigit():
                    stacks[stack] = stacks.get(stack, 0) + int(count)
    total = sum(stacks.values())
    if not total:
        print(f"  {tag}: py-spy recorded nothing (permissions?)")
        return
    inclusive: dict[str, int] = {}
    leaf: dict[str, int] = {}
    for stack, n in stacks.items():
        frames = [f for f in stack.split(";") if f]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        leaf[frames[-1]] = leaf.get(frames[-1], 0) + n
    print(f"\nprofile {tag}: {total} samples (non-idle threads), files in {out_dir}")
    print("  inclusive (gridtwin frames and the biggest others):")
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    shown = [kv for kv in ranked if "gridtwin" in kv[0]][:args.profile_top]
    shown += [kv for kv in ranked if "gridtwin" not in kv[0]][:8]
    for frame, n in sorted(shown, key=lambda kv: -kv[1]):
        print(f"    {n / total:6.1%}  {frame}")
    print("  self (leaf) time:")
    for frame, n in sorted(leaf.items(), key=lambda kv: -kv[1])[:args.profile_top]:
        print(f"    {n / total:6.1%}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="admin URL; a fresh database is created per run and dropped")
    parser.add_argument("--configs", default="sqlite:1,postgres:1,postgres:2",
                        help="comma-separated backend:workers (backend sqlite or postgres)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per URL")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--python-load", action="store_true",
                        help="use the Python load generator even if wrk is installed")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="after measuring, py-spy the server during one more live_status "
                        "load and print where the time goes (raw stacks kept in DIR)")
    parser.add_argument("--profile-top", type=int, default=25)
    args = parser.parse_args()
    generator = "python" if args.python_load or shutil.which("wrk") is None else "wrk"
    print(f"load generator: {generator} (-t{args.threads} -c{args.connections} "
          f"-d{args.duration}s), {os.cpu_count()} CPUs, target 127.0.0.1")
    rows: list[tuple[str, int, Result, Result]] = []
    with tempfile.TemporaryDirectory(prefix="gridtwin-bench-logs-") as logs:
        for config in args.configs.split(","):
            backend, _, workers_text = config.partition(":")
            workers = int(workers_text or 1)
            if backend not in ("sqlite", "postgres") or (backend == "sqlite" and workers > 1):
                raise SystemExit(f"bad config {config!r}: sqlite:1, postgres:N")
            print(f"{backend} x{workers} ...", flush=True)
            with database(backend, args.postgres) as url, serve(
                    url, workers, Path(logs) / f"{backend}-{workers}.log") as server:
                live, status = measure(server, args)
                if args.profile is not None:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    profile(server, args, args.profile, f"{backend}-{workers}")
            rows.append((backend, workers, live, status))
    head = (f"{'backend':<9}{'workers':>8}  {'endpoint':<12}{'req/s':>10}{'p50 ms':>9}"
            f"{'p99 ms':>9}{'errors':>8}  {'live/status':>11}")
    print("\n" + head + "\n" + "-" * len(head))
    for backend, workers, live, status in rows:
        ratio = live.rps / status.rps if status.rps else float("nan")
        for name, r in (("live_status", live), ("/status", status)):
            tail = f"{ratio:>10.0%}" + (" ok" if ratio >= 0.5 else " MISS") if (
                name == "live_status") else ""
            print(f"{backend:<9}{workers:>8}  {name:<12}{r.rps:>10.0f}{r.p50_ms:>9.2f}"
                  f"{r.p99_ms:>9.2f}{r.errors:>8}  {tail}")
    print("\ntarget: live_status >= 50 % of /status throughput")


if __name__ == "__main__":
    main()
