"""calendar_history kinds power, soe, self_consumption, time_of_use_energy and savings
through the service layer, on a site holding 400 days of 5-minute totals and a PG&E
EV2-A tariff, on SQLite and (when given) PostgreSQL. Each query: median of 5 runs [ms],
next to kind=energy over the same window.

    python benchmarks/bench_history_kinds.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridtwin.services.emulator.presets import _pge_tariff
from gridtwin.services.history import calendar_history
from gridtwin.services.history_kinds import history_kind
from gridtwin.testing import postgres_database
from tests.integration.synthetic_history import build

QUERIES = {
    "day": {"period": "day", "end_date": "2025-07-14T12:00:00-07:00"},
    "month": {"period": "month", "end_date": "2025-06-14T12:00:00-07:00"},
    "year": {"period": "year"},
}
KINDS = ("energy", "power", "soe", "self_consumption", "time_of_use_energy", "savings")


def _ms(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(label: str, url: str) -> None:
    syn = build(url, _pge_tariff())
    world, site_id = syn.world, syn.spec.energy_site_id
    try:
        print(f"\n{label}: ms per query (median of 5)")
        print(f"{'window':<8}" + "".join(f"{k:>20}" for k in KINDS))
        for name, params in QUERIES.items():
            row = []
            for kind in KINDS:
                q = {"kind": kind, **params}
                if kind in ("power", "soe") and name == "year":
                    row.append("(capped)")
                    continue
                if kind == "energy":
                    row.append(f"{_ms(lambda q=q: calendar_history(world, None, site_id, q)):.1f}")  # type: ignore[arg-type]
                else:
                    row.append(f"{_ms(lambda q=q: history_kind(world, None, site_id, q)):.1f}")  # type: ignore[arg-type]
            print(f"{name:<8}" + "".join(f"{v:>20}" for v in row))
    finally:
        world.store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/kinds.db")
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run("PostgreSQL", url)


if __name__ == "__main__":
    main()
