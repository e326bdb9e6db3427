"""Server at fleet size: a world of 10,000 sites in which one user owns 1,000 (issue 17).

Two real ``gridtwin serve`` processes run side by side: one with a 1-site world, one that
loads the big world through ``POST /_gridtwin/scenario``. Measured on SQLite and (with
``--postgres URL`` or GRIDTWIN_TEST_POSTGRES_URL) on PostgreSQL:

- scenario load time and the server's RSS after it (``VmRSS`` of the server process);
- ``products`` for the 1,000-site user: the first request after the load, then p50/p95
  (target < 300 ms), and the first request after a restart of the server on the same
  database (a ``serve`` without ``--scenario``: its warm-up of the first 100 sites and
  the startup refresh of their products items are in the restart, not in the request);
- ``live_status`` p50 on one site of the big world against the same request on the
  1-site world, interleaved in one run (target: ratio ~1, the read is per-site cost);
- RSS after ``live_status`` on ``--touch`` distinct sites (each simulated once), and
  after a page walk of ``GET /_gridtwin/sites``;
- the state export: time, size, whether it was chunked, and the server's peak RSS
  (``VmHWM``, target < 1.5 GB).

Sites are installed ``--history-days`` before the clock start (default 1): the cost of a
first read of a site is its warm-up, the same in both worlds. The clock runs in realtime,
so every ``live_status`` simulates the seconds since the previous one.

    python benchmarks/bench_fleet_server.py [--sites 10000] [--user-sites 1000]
        [--touch 2000] [--history-days 1] [--postgres URL] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridtwin.testing import postgres_database
from tests.integration.server_process import Server, running_server

ADMIN = "bench-fleet-admin-token"
START_S = 1_752_606_000  # 2025-07-15 12:00 in Los Angeles
FIRST_ID = 1_000_000_000_000_000
TZ = "America/Los_Angeles"


def scenario(n_sites: int, user_sites: int, history_days: int) -> dict[str, Any]:
    """``fleet`` owns the first ``user_sites`` sites, ``others`` the rest."""
    install = datetime.fromtimestamp(START_S - history_days * 86_400, UTC).isoformat()
    sites = [{"energy_site_id": FIRST_ID + i, "time_zone": TZ, "installation_date": install,
              "owner": "fleet" if i < user_sites else "others"} for i in range(n_sites)]
    return {"version": 1, "clock": {"start": START_S, "mode": "realtime"},
            "users": [{"id": "fleet"}, {"id": "others"}], "sites": sites}


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process [MB]."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_get(client: httpx.Client, url: str, token: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url, headers={"Authorization": f"Bearer {token}"})
    ms = (time.perf_counter() - t0) * 1000
    assert r.status_code == 200, r.text[:300]
    return ms


@contextmanager
def server(db: str, doc: dict[str, Any], tmp: str, name: str) -> Iterator[Server]:
    """A serve process started on ``doc`` (so it never warms up a year of demo site)."""
    path = Path(tmp) / f"{name}.json"
    path.write_text(json.dumps(doc))
    env = {"GRIDTWIN_ADMIN_TOKEN": ADMIN}
    with running_server(db, extra_env=env, extra_args=["--scenario", str(path)],
                        timeout_s=600) as srv:
        yield srv


def run(label: str, db_big: str, db_small: str, args: argparse.Namespace) -> None:
    figures = measure(label, db_big, db_small, args)
    t0 = time.perf_counter()
    with running_server(db_big, extra_env={"GRIDTWIN_ADMIN_TOKEN": ADMIN},
                        timeout_s=600) as big, httpx.Client(timeout=1800) as client:
        restart_s = time.perf_counter() - t0
        products = f"{big.base_url}/api/1/products"
        after_restart = timed_get(client, products, figures["token"])
        warm = [timed_get(client, products, figures["token"]) for _ in range(args.repeat)]
    print(f"restart on the same database: {restart_s:.1f} s to ready; products first "
          f"{after_restart:.0f} ms, then p50 {pct(warm, 0.5):.0f} ms, p95 {pct(warm, 0.95):.0f} ms")
    print(f"SUMMARY {label}: products ({args.user_sites} of {args.sites} sites) first after "
          f"load {figures['first']:.0f} ms, first after restart {after_restart:.0f} ms, warm p50 "
          f"{figures['p50']:.0f} ms / p95 {figures['p95']:.0f} ms; live_status p50 ratio "
          f"{figures['ratio']:.2f} ({args.sites} sites vs 1)")


def measure(label: str, db_big: str, db_small: str, args: argparse.Namespace) -> dict[str, Any]:
    """Everything but the restart; returns the figures the summary line repeats."""
    print(f"\n== {label}: {args.sites} sites, user 'fleet' owns {args.user_sites}, "
          f"{args.history_days} day(s) of history per site")
    one = scenario(1, 1, args.history_days)
    with tempfile.TemporaryDirectory() as tmp, server(db_small, one, tmp, "small") as small, \
            server(db_big, one, tmp, "big") as big, httpx.Client(timeout=1800) as client:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        doc = scenario(args.sites, args.user_sites, args.history_days)
        t0 = time.perf_counter()
        r = client.post(f"{big.base_url}/_gridtwin/scenario", json=doc, headers=admin)
        load_s = time.perf_counter() - t0
        assert r.status_code == 200, r.text[:300]
        tokens = r.json()["response"]["tokens"]
        fleet, other = tokens["fleet:default"], tokens["others:default"]
        rss, hwm = rss_mb(big.process.pid)
        print(f"scenario load: {load_s:.2f} s; server RSS {rss:.0f} MB (peak {hwm:.0f} MB)")

        products = f"{big.base_url}/api/1/products"
        first = timed_get(client, products, fleet)
        body = client.get(products, headers={"Authorization": f"Bearer {fleet}"}).json()
        assert body["count"] == args.user_sites, body["count"]
        warm = [timed_get(client, products, fleet) for _ in range(args.repeat)]
        print(f"products ({body['count']} sites): first {first:.0f} ms, "
              f"p50 {pct(warm, 0.5):.0f} ms, p95 {pct(warm, 0.95):.0f} ms")
        figures: dict[str, Any] = {"token": fleet, "first": first, "p50": pct(warm, 0.5),
                                   "p95": pct(warm, 0.95)}

        # The site of the big world read is owned by 'others' (not among the 1,000).
        live_big = f"{big.base_url}/api/1/energy_sites/{FIRST_ID + args.sites - 1}/live_status"
        live_small = f"{small.base_url}/api/1/energy_sites/{FIRST_ID}/live_status"
        small_token = small.token
        for _ in range(5):  # first reads warm the site and the caches
            timed_get(client, live_big, other)
            timed_get(client, live_small, small_token)
        big_ms, small_ms = [], []
        for _ in range(args.live_n):
            big_ms.append(timed_get(client, live_big, other))
            small_ms.append(timed_get(client, live_small, small_token))
        p50_big, p50_small = statistics.median(big_ms), statistics.median(small_ms)
        print(f"live_status p50: {p50_big:.2f} ms in {args.sites} sites vs {p50_small:.2f} ms "
              f"in 1 site: ratio {p50_big / p50_small:.2f}")
        figures["ratio"] = p50_big / p50_small

        t0 = time.perf_counter()
        for i in range(args.touch):
            owner_token = fleet if i < args.user_sites else other
            timed_get(client, f"{big.base_url}/api/1/energy_sites/{FIRST_ID + i}/live_status",
                      owner_token)
        touch_s = time.perf_counter() - t0
        rss, hwm = rss_mb(big.process.pid)
        print(f"live_status on {args.touch} sites: {touch_s:.1f} s "
              f"({touch_s / max(args.touch, 1) * 1000:.1f} ms each); RSS {rss:.0f} MB")
        warm = [timed_get(client, products, fleet) for _ in range(args.repeat)]
        print(f"products after the touch: p50 {pct(warm, 0.5):.0f} ms, "
              f"p95 {pct(warm, 0.95):.0f} ms")

        t0 = time.perf_counter()
        pages, listed, cursor = 0, 0, None
        while True:
            params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
            r = client.get(f"{big.base_url}/_gridtwin/sites", params=params, headers=admin)
            assert r.status_code == 200, r.text[:300]
            page = r.json()
            pages += 1
            listed += len(page["response"])
            cursor = page.get("next_cursor")
            if not cursor or pages >= args.site_pages:
                break
        rss, hwm = rss_mb(big.process.pid)
        print(f"GET /_gridtwin/sites: {listed} sites in {pages} page(s), "
              f"{time.perf_counter() - t0:.1f} s; RSS {rss:.0f} MB")

        t0 = time.perf_counter()
        size = 0
        with client.stream("GET", f"{big.base_url}/_gridtwin/state", headers=admin) as r:
            assert r.status_code == 200
            chunked = r.headers.get("transfer-encoding") == "chunked"
            for chunk in r.iter_bytes():
                size += len(chunk)
        export_s = time.perf_counter() - t0
        rss, hwm = rss_mb(big.process.pid)
        print(f"state export: {size / 1e6:.1f} MB in {export_s:.1f} s, chunked {chunked}; "
              f"server RSS {rss:.0f} MB, peak {hwm:.0f} MB")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    ap.add_argument("--user-sites", type=int, default=1_000)
    ap.add_argument("--touch", type=int, default=2_000)
    ap.add_argument("--history-days", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=20, help="products requests timed")
    ap.add_argument("--live-n", type=int, default=200, help="live_status requests per world")
    ap.add_argument("--site-pages", type=int, default=1_000, help="pages of the site list read")
    ap.add_argument("--postgres", default=os.environ.get("GRIDTWIN_TEST_POSTGRES_URL"))
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/big.db", f"sqlite:///{tmp}/small.db", args)
    if args.postgres:
        with postgres_database(args.postgres) as big, postgres_database(args.postgres) as small:
            run("PostgreSQL", big, small, args)


if __name__ == "__main__":
    main()
