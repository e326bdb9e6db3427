"""Fleet study speed and memory: home-years through ``gridtwin.fleet.run`` on local Dask
clusters of 1 and 2 worker processes, against NREL PySAM PVWatts v8 + Battwatts on one
site-year measured in the same run (benchmarks/bench_engine.py, reused by import).

The fleet: ``--homes`` homes (default 2,500) in three climates (Los Angeles, Phoenix,
Denver) drawn from the distributions of examples/fleet.toml, on its two-period TOU
tariff, a year at 5-minute steps, four battery variants (Self-powered 20 % and 50 %,
Time-based 20 % pv_only and battery_ok), so 2,500 homes are 10,000 home-years (the
no-battery baseline each home also runs is not counted). The solar tables of each
distinct orientation and place are computed once before (then read from the disk
cache); each cluster first runs a short warm-up (numba's cache loads in every worker),
then the timed study. Reported:
wall time, home-years per second, wall and worker CPU time per home-year (on a shared
machine CPU time is steadier), the speed-up of 2 workers over 1, peak RSS of this
process (the client and the scheduler) and of each worker (max RSS over its life), the
SHA-256 of both Parquet files (they must be equal), and per home-year against PySAM.

Run: ``python benchmarks/bench_fleet.py [--homes N] [--days D] [--chunk C]
[--workers 1,2] [--no-pysam]`` (needs the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tomllib

import gridtwin.fleet
from gridtwin.services.fleet.config import FleetStudy, parse_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fleet.toml"
VARIANTS = [
    {"name": "Self-powered 20%", "mode": "self_consumption", "reserve": 20},
    {"name": "Self-powered 50%", "mode": "self_consumption", "reserve": 50},
    {"name": "Time-based 20% pv_only", "mode": "autonomous", "reserve": 20,
     "export": "pv_only"},
    {"name": "Time-based 20% battery_ok", "mode": "autonomous", "reserve": 20,
     "export": "battery_ok"},
]


def fleet_study(homes: int, days: int, chunk: int) -> FleetStudy:
    """examples/fleet.toml with ``homes`` homes, ``days`` days and the four variants."""
    doc = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["population"] = {"homes": homes}
    doc["variant"] = VARIANTS
    doc["run"]["chunk_homes"] = chunk
    study = parse_study(doc, EXAMPLE.parent, EXAMPLE)
    if days < 365:
        study = replace(study, end=study.start + timedelta(days=days))
    return study


def prewarm_tables(study: FleetStudy) -> int:
    """Compute the solar tables of every distinct (place, tilt, azimuth) once here, so
    that every cluster reads them from the disk cache (gridtwin.sim.tablecache) and the
    1- and 2-worker runs start equal; returns how many there are."""
    from gridtwin.services.fleet.homes import home_environment, home_spec
    from gridtwin.services.fleet.population import population

    seen = {}
    for h in population(study):
        key = (h.latitude_deg, h.longitude_deg, h.elevation_m, h.weather_file, h.tilt_deg,
               h.azimuth_deg)
        seen.setdefault(key, h)
    for h in seen.values():
        home_environment(h, home_spec(h, study.seed, study.step_s, 0), 1_704_067_200, 1, 300)
    return len(seen)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU time of this process so far (user + system) [s]."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_on_cluster(study: FleetStudy, workers: int, out: Path) -> dict[str, Any]:
    """Wall time and RSS of one study on a fresh local cluster of ``workers`` processes."""
    import logging

    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", memory_limit=0,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        warm = replace(study, homes=2 * workers, end=study.start + timedelta(days=2),
                       chunk_homes=2)
        gridtwin.fleet.run(warm, scheduler=cluster.scheduler_address)
        cpu0 = client.run(_cpu_s)
        t = time.perf_counter()
        table = gridtwin.fleet.run(study, scheduler=cluster.scheduler_address, out=out)
        wall = time.perf_counter() - t
        cpu = sum(v - cpu0[k] for k, v in client.run(_cpu_s).items())
        worker_rss = sorted(client.run(_max_rss_mb).values())
    return {"wall_s": wall, "cpu_s": cpu, "rows": table.num_rows, "worker_rss_mb": worker_rss,
            "sha": hashlib.sha256(out.read_bytes()).hexdigest()}


def pysam_site_year_s() -> tuple[float, float]:
    """(wall s in execute(), CPU s of the whole call) of PySAM PVWatts v8 + Battwatts for
    one site-year."""
    import numpy as np
    from benchmarks import bench_engine, bench_pv

    from gridtwin.sim import environment

    spec = replace(bench_pv.demo_spec(), step_s=bench_pv.STEP_S)
    env = environment.environment_provider(spec)(bench_pv.YEAR_START_S, bench_pv.N_STEPS,
                                                 bench_pv.STEP_S)
    weather, load = bench_pv.pysam_weather(spec), env.home_load_w.astype(np.float64)
    cpu = time.process_time()
    t_sam, _ = bench_engine.run_pysam(spec, weather, load)
    return t_sam, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--homes", type=int, default=2_500)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk", type=int, default=50, help="homes per Dask task")
    ap.add_argument("--workers", default="1,2", help="comma-separated cluster sizes")
    ap.add_argument("--no-pysam", action="store_true")
    args = ap.parse_args()
    study = fleet_study(args.homes, args.days, args.chunk)
    years = args.homes * len(VARIANTS) * (study.end - study.start).days / 365
    print(f"fleet: {args.homes} homes x {len(VARIANTS)} variants, "
          f"{(study.end - study.start).days} days = {years:,.0f} home-years "
          f"(+ {args.homes} no-battery baselines), chunks of {args.chunk} homes; "
          f"load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} CPUs")
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # a private table cache (inherited by the workers): no other user's tables evicted
        os.environ["GRIDTWIN_CACHE_DIR"] = str(Path(tmp) / "tables")
        print(f"solar tables of {prewarm_tables(study)} orientations x places computed first")
        for workers in (int(w) for w in args.workers.split(",")):
            results[workers] = run_on_cluster(study, workers, Path(tmp) / f"w{workers}.parquet")
    sam = None if args.no_pysam else pysam_site_year_s()
    print(f"{'workers':>8}{'wall s':>9}{'home-yr/s':>11}{'wall ms/hy':>12}{'CPU ms/hy':>11}"
          f"{'worker RSS MB':>15}{'PySAM/it wall':>15}{'CPU':>6}")
    for workers, r in results.items():
        per, cpu = r["wall_s"] / years, r["cpu_s"] / years
        rss = ", ".join(f"{m:.0f}" for m in r["worker_rss_mb"])
        ratio = "" if sam is None else f"{sam[0] / per:15.0f}{sam[1] / cpu:6.0f}"
        print(f"{workers:>8}{r['wall_s']:9.1f}{years / r['wall_s']:11.2f}{per * 1e3:12.1f}"
              f"{cpu * 1e3:11.1f}{rss:>15}{ratio}")
    if 1 in results and 2 in results:
        print(f"2 workers / 1 worker throughput: "
              f"{results[1]['wall_s'] / results[2]['wall_s']:.2f}x (target >= 1.7x)")
        same = results[1]["sha"] == results[2]["sha"]
        print(f"Parquet SHA-256 1 worker {results[1]['sha'][:16]}, 2 workers "
              f"{results[2]['sha'][:16]}: {'identical' if same else 'DIFFERENT'}")
    if sam is not None:
        print(f"PySAM Pvwattsv8 + Battwatts, 1 site-year: {sam[0]:.3f} s in execute(), "
              f"{sam[1]:.3f} s CPU for the call")
    print(f"this process (client + scheduler) max RSS {_max_rss_mb():.0f} MB; "
          f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
