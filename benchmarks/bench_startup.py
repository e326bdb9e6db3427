"""Start-up cost of the CLI and the pytest plugin, in CPU seconds (user + system) of a
fresh interpreter, the median of a few runs (targets from issue 14 in brackets).

Run: ``python benchmarks/bench_startup.py [runs]`` from the repository root.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
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


def main(runs: int = 3) -> None:
    print(f"{'command':<60} {'CPU [s]':>8} {'target':>7}")
    for name, argv, target in CASES:
        median = statistics.median(cpu_seconds(argv) for _ in range(runs))
        flag = "" if median <= target else "  over"
        print(f"{name:<60} {median:8.2f} {target:7.1f}{flag}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
