"""Start-up cost of the CLI and the pytest plugin, in CPU seconds (user + system) of a
fresh interpreter, the median of a few runs, then the time ``./scripts/serve`` takes to
print its banner on a new database (first start: the demo year is simulated) and again on
the same database (second start), in wall and CPU seconds. Targets from issue 14.

Run: ``python benchmarks/bench_startup.py [runs]`` from the repository root, with the
virtual environment installed (``scripts/install``). The first start uses the numba and
table caches as they are; delete ``src/gridtwin/sim/__pycache__`` and
``~/.cache/gridtwin`` first to measure a cold one. Wall times depend on the machine's load,
printed alongside.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "gridtwin.cli.main"]
CASES: tuple[tuple[str, list[str], float], ...] = (
    ("python -c pass (the interpreter alone, for reference)", [sys.executable, "-c", "pass"], 0.2),
    ("gridtwin --help", [*CLI, "--help"], 0.5),
    ("gridtwin tariff validate examples/two_period_tou.json",
     [*CLI, "tariff", "validate", str(ROOT / "examples" / "two_period_tou.json")], 1.0),
    ("gridtwin sites --help", [*CLI, "sites", "--help"], 1.0),
    ("python -c 'import gridtwin.pytest_plugin'",
     [sys.executable, "-c", "import gridtwin.pytest_plugin"], 0.2),
)


def cpu_seconds(argv: list[str]) -> float:
    """CPU time [s] the child used: the children's rusage difference around one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                   check=False, env={**os.environ, "COLUMNS": "80"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


SERVE = ROOT / "scripts" / "serve"
BANNER_LINE = "first call:"
"""A line ``serve`` prints on stderr with its banner, once it answers requests."""
SECOND_START_TARGET_S = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_to_banner(db_path: Path, timeout_s: float = 900.0) -> tuple[float, float]:
    """(wall, CPU) seconds from starting ``scripts/serve`` to its banner; then stops it.

    stderr is read line by line until the banner (nothing else is piped: stdout goes to
    /dev/null), so the server never blocks on a full pipe before it is stopped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    argv = ["bash", str(SERVE), "--port", str(_free_port()), "--db", str(db_path)]
    with subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        seen: list[str] = []
        try:
            for line in proc.stderr:
                seen.append(line)
                if line.startswith(BANNER_LINE):
                    break
                if time.monotonic() - started > timeout_s:
                    raise TimeoutError(f"no banner after {timeout_s:.0f} s")
            else:
                raise RuntimeError("serve exited before its banner:\n" + "".join(seen[-5:]))
            wall_s = time.monotonic() - started
        finally:
            proc.terminate()
            proc.stderr.close()
            proc.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall_s, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(runs: int = 3) -> None:
    print(f"{'command':<60} {'CPU [s]':>8} {'target':>7}")
    for name, argv, target in CASES:
        median = statistics.median(cpu_seconds(argv) for _ in range(runs))
        flag = "" if median <= target else "  over"
        print(f"{name:<60} {median:8.2f} {target:7.1f}{flag}")
    print()
    print(f"load average before serving: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'scripts/serve to its banner':<42} {'wall [s]':>8} {'CPU [s]':>8} {'target':>7}")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        db_path = Path(tmp) / "gridtwin.db"
        for name, target in (("first start (new database, demo year)", None),
                             ("second start (same database)", SECOND_START_TARGET_S)):
            wall_s, cpu_s = serve_to_banner(db_path)
            shown = "" if target is None else f"{target:7.1f}"
            flag = "" if target is None or wall_s <= target else "  over"
            print(f"{name:<42} {wall_s:8.1f} {cpu_s:8.1f} {shown:>7}{flag}")
    print(f"load average after serving: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
