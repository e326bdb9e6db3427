"""Fleet study speed and memory: home-years through ``gridtwin.fleet.run`` on local Dask
clusters of 1 and 2 worker processes, against NREL PySAM PVWatts v8 + Battwatts on one
site-year measured in the same run (benchmarks/bench_engine.py, reused by import).

The fleet: ``--homes`` homes (default 2,500) in three climates (Los Angeles, Phoenix,
Denver) drawn from the distributions of examples/fleet.toml, on its two-period TOU
tariff, a year at 5-minute steps, four battery variants (Self-powered 20 % and 50 %,
Time-based 20 % pv_only and battery_ok), so 2,500 homes are 10,000 home-years (the
no-battery baseline each home also runs is not counted). The solar tables of each
distinct orientation and place are computed once before (then read from the disk
cache); each cluster first runs a short warm-up (numba's cache loads in every worker)
and has every worker load each place's site weather and solar tables (one-time costs a
10,000 home-year run amortises; their CPU is reported apart), then the timed study. Reported:
wall time, home-years per second, wall and worker CPU time per home-year (on a shared
machine CPU time is steadier), the speed-up of 2 workers over 1, peak RSS of this
process (the client and the scheduler) and of each worker (max RSS over its life), the
SHA-256 of both Parquet files (they must be equal), and per home-year against PySAM
(best of 3 in the same run): the ratio per worker-CPU (PySAM's CPU over the workers' CPU
per home-year: what one core costs) and the wall-time ratio on each cluster size (how
much faster the fleet path is on this machine); the done-when asks >= 100x per home-year.

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
    from dask.distributed import Client

    from gridtwin.services.fleet.execute import local_cluster

    with local_cluster(workers) as cluster, Client(cluster) as client:
        warm = replace(study, homes=2 * workers, end=study.start + timedelta(days=2),
                       chunk_homes=2)
        start = client.run(_cpu_s)
        gridtwin.fleet.run(warm, scheduler=cluster.scheduler_address)
        # each worker loads every place's site weather and solar tables once (a 10,000
        # home-year run amortises this; reported apart, not per home-year)
        client.run(prewarm_tables, study)
        cpu0 = client.run(_cpu_s)
        warm_cpu = sum(v - start[k] for k, v in cpu0.items()) / workers
        t = time.perf_counter()
        table = gridtwin.fleet.run(study, scheduler=cluster.scheduler_address, out=out)
        wall = time.perf_counter() - t
        cpu = sum(v - cpu0[k] for k, v in client.run(_cpu_s).items())
        worker_rss = sorted(client.run(_max_rss_mb).values())
    return {"wall_s": wall, "cpu_s": cpu, "rows": table.num_rows, "worker_rss_mb": worker_rss,
            "warm_cpu_s": warm_cpu,
            "sha": hashlib.sha256(out.read_bytes()).hexdigest()}


def pysam_site_year_s(repeat: int = 3) -> tuple[float, float]:
    """(wall s in execute(), CPU s of the whole call) of PySAM PVWatts v8 + Battwatts for
    one site-year, each the best of ``repeat`` runs (the machine may be shared)."""
    import numpy as np
    from benchmarks import bench_engine, bench_pv

    from gridtwin.sim import environment

    spec = replace(bench_pv.demo_spec(), step_s=bench_pv.STEP_S)
    env = environment.environment_provider(spec)(bench_pv.YEAR_START_S, bench_pv.N_STEPS,
                                                 bench_pv.STEP_S)
    weather, load = bench_pv.pysam_weather(spec), env.home_load_w.astype(np.float64)
    walls, cpus = [], []
    for _ in range(repeat):
        cpu = time.process_time()
        t_sam, _ = bench_engine.run_pysam(spec, weather, load)
        walls.append(t_sam)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def print_against_pysam(results: dict[int, dict[str, Any]], years: float,
                        sam: tuple[float, float]) -> None:
    """Per home-year cost of the fleet next to PySAM's, and the ratios (done-when: >= 100x
    per home-year). Per worker-CPU: PySAM's CPU for one site-year over the workers' CPU
    per home-year (what one core costs, whatever the worker count). Wall: PySAM's time
    in execute() over the study's wall time per home-year on that many workers."""
    sam_wall, sam_cpu = sam
    print("per home-year, measured in this run (PySAM: best of 3, one site-year):")
    print(f"  PySAM Pvwattsv8 + Battwatts  {sam_cpu * 1e3:9.1f} ms CPU  "
          f"{sam_wall * 1e3:9.1f} ms wall in execute()")
    for workers, r in results.items():
        cpu, wall = r["cpu_s"] / years, r["wall_s"] / years
        print(f"  fleet, {workers} worker{'s' if workers > 1 else ' '}         "
              f"{cpu * 1e3:9.1f} ms worker-CPU  -> {sam_cpu / cpu:6.1f}x per worker-CPU")
        print(f"  {'':28}{wall * 1e3:9.1f} ms wall        -> {sam_wall / wall:6.1f}x wall on "
              f"{workers} worker{'s' if workers > 1 else ''}")
    print("  target: >= 100x per home-year")


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
          f"{'worker RSS MB':>15}{'warm-up CPU s/worker':>22}")
    for workers, r in results.items():
        per, cpu = r["wall_s"] / years, r["cpu_s"] / years
        rss = ", ".join(f"{m:.0f}" for m in r["worker_rss_mb"])
        print(f"{workers:>8}{r['wall_s']:9.1f}{years / r['wall_s']:11.2f}{per * 1e3:12.1f}"
              f"{cpu * 1e3:11.1f}{rss:>15}{r['warm_cpu_s']:22.1f}")
    if 1 in results and 2 in results:
        print(f"2 workers / 1 worker throughput: "
              f"{results[1]['wall_s'] / results[2]['wall_s']:.2f}x (target >= 1.7x)")
        same = results[1]["sha"] == results[2]["sha"]
        print(f"Parquet SHA-256 1 worker {results[1]['sha'][:16]}, 2 workers "
              f"{results[2]['sha'][:16]}: {'identical' if same else 'DIFFERENT'}")
    if sam is not None:
        print_against_pysam(results, years, sam)
    print(f"this process (client + scheduler) max RSS {_max_rss_mb():.0f} MB; "
          f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
