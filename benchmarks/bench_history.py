"""History at scale: one site with 5 years of 5-minute history (~525,000 boundaries).

Measured side by side in one run, on SQLite and (when reachable) PostgreSQL:
- ingest of one site-year of 5-minute totals into the store (write only), and the
  full simulate-and-write of that year;
- the lifetime, year, month and day energy-history queries through the service layer.

Targets (issue "History at scale"): lifetime <= 5x day; month <= 20 ms on SQLite;
one site-year ingested within 2 s.

    python benchmarks/bench_history.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from gridtwin.core.settings import Settings
from gridtwin.services.auth import ensure_user, mint_access_token, verify_access_token
from gridtwin.services.history import calendar_history
from gridtwin.services.provision import create_site, demo_spec
from gridtwin.services.world import open_world
from gridtwin.sim.runner import load_site
from gridtwin.testing import postgres_database

YEAR_S = 365 * 86_400
NOW_S = int(datetime(2025, 7, 15, 19, 0, tzinfo=UTC).timestamp())


def _timed(fn, repeat: int = 7) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def run_backend(name: str, url: str) -> dict[str, float]:
    world = open_world(Settings(db_url=url, clock_start_s=NOW_S, clock_mode="frozen",
                                demo_on_empty=False, jwt_secret="bench-" + "x" * 40))
    spec = replace(demo_spec(0, NOW_S), installation_s=NOW_S - 5 * YEAR_S, step_s=300)
    create_site(world, "bench", spec)
    ensure_user(world, "bench")
    principal = verify_access_token(world, "Bearer " + mint_access_token(world, "bench").access_token)

    t0 = time.perf_counter()
    calendar_history(world, principal, spec.energy_site_id, {"kind": "energy", "period": "day"})
    simulate_5y_s = time.perf_counter() - t0

    # Write-only ingest of one site-year of boundaries into a second site.
    rows = 365 * 288
    ends = (NOW_S // 300 * 300) - 300 * np.arange(rows, 0, -1, dtype=np.int64)
    totals = np.cumsum(np.random.default_rng(0).integers(0, 400, (rows, 10)), axis=0)
    other = replace(spec, energy_site_id=spec.energy_site_id + 1)
    create_site(world, "bench", other)
    t0 = time.perf_counter()
    with world.store.tx() as tx:
        tx.insert_totals(other.energy_site_id, ends.tolist(), totals)
    ingest_s = time.perf_counter() - t0

    def query(period: str) -> float:
        params = {"kind": "energy", "period": period, "end_date": "2025-07-14T12:00:00-07:00"}
        return _timed(lambda: calendar_history(world, principal, spec.energy_site_id, params))

    with world.store.tx() as tx:
        n = tx.conn.exec_driver_sql(
            f"SELECT count(*) FROM energy_totals WHERE site_id = {spec.energy_site_id}").scalar()
        assert load_site(tx, spec.energy_site_id) is not None
    result = {"rows": float(n or 0), "simulate_5y_s": simulate_5y_s, "ingest_year_s": ingest_s,
              **{f"{p}_ms": query(p) * 1000 for p in ("day", "month", "year", "lifetime")}}
    world.store.dispose()
    print(f"{name}: done")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")
    try:
        with postgres_database(args.postgres, prefix="gridtwin_bench") as url:
            results["postgres"] = run_backend("postgres", url)
    except Exception as exc:  # PostgreSQL unavailable: report SQLite alone
        print(f"postgres skipped: {exc}")
    keys = ["rows", "simulate_5y_s", "ingest_year_s", "day_ms", "month_ms", "year_ms", "lifetime_ms"]
    print(f"{'':16}" + "".join(f"{b:>14}" for b in results))
    for k in keys:
        print(f"{k:16}" + "".join(f"{results[b][k]:>14.3f}" for b in results))
    for b, r in results.items():
        print(f"{b}: lifetime/day = {r['lifetime_ms'] / r['day_ms']:.2f} (target <= 5); "
              f"month = {r['month_ms']:.1f} ms; ingest year = {r['ingest_year_s']:.2f} s (target <= 2)")


if __name__ == "__main__":
    main()
