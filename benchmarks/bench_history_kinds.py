"""calendar_history kinds power, soe, self_consumption, time_of_use_energy and savings
through the service layer, on a site holding 400 days of 5-minute totals and a PG&E
EV2-A tariff, on SQLite and (when given) PostgreSQL. Each query: median of 5 runs [ms],
next to kind=energy over the same window.

    python benchmarks/bench_history_kinds.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from gridtwin.core import jsonio
from gridtwin.core.settings import Settings
from gridtwin.services.emulator.presets import _pge_tariff
from gridtwin.services.history import calendar_history
from gridtwin.services.history_kinds import history_kind
from gridtwin.services.provision import create_site, demo_spec
from gridtwin.services.world import World, open_world
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import initial_state
from gridtwin.testing import postgres_database

NOW_S = int(datetime(2025, 7, 15, 19, 0, tzinfo=UTC).timestamp())
DAYS = 400
QUERIES = {
    "day": {"period": "day", "end_date": "2025-07-14T12:00:00-07:00"},
    "month": {"period": "month", "end_date": "2025-06-14T12:00:00-07:00"},
    "year": {"period": "year"},
}
KINDS = ("energy", "power", "soe", "self_consumption", "time_of_use_energy", "savings")


def _world(url: str) -> tuple[World, int]:
    world = open_world(Settings(db_url=url, clock_start_s=NOW_S, clock_mode="frozen",
                                demo_on_empty=False))
    spec = replace(demo_spec(0, NOW_S), installation_s=NOW_S - DAYS * 86_400, step_s=300)
    create_site(world, "alice", spec)
    ends = np.arange(spec.installation_s + 300, NOW_S + 1, 300, dtype=np.int64)
    cum = np.cumsum(np.random.default_rng(7).integers(0, 500, (len(ends), 10)), axis=0)
    last_j = tuple(int(v) * 3600 for v in cum[-1])
    state = replace(initial_state(spec, NOW_S), counters_j=last_j, bucket_base_j=last_j)
    with world.store.tx() as tx:
        tx.insert_totals(spec.energy_site_id, ends.tolist(), cum)
        tx.save_state(spec.energy_site_id, jsonio.dumps(state_to_dict(state)), NOW_S)
        tx.insert_tariff(spec.energy_site_id, spec.installation_s, jsonio.dumps(_pge_tariff()))
    return world, spec.energy_site_id


def _ms(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(label: str, url: str) -> None:
    world, site_id = _world(url)
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
