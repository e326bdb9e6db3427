"""A clock advance over a many-site world (issue 17): ``POST /_gridtwin/clock/advance`` of
a day on ``--sites`` sites (default 1,000), in process through the admin route's services.

Every site is simulated up to the new now, one site at a time, each chunk committed on its
own (services/emulator/clock.py); then the sites' stored products items are brought up to
date (services/product_items.py). Printed per day advanced: the advance, its cost per
site, and the item refresh. The first day includes each site's warm-up from installation
(one day before the start). ``--profile`` adds where the last advance's time went.

    python benchmarks/bench_clock_advance.py [--sites 1000] [--days 2] [--postgres URL]
        [--no-sqlite] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_fleet_server import scenario

from gridtwin.api.wire.products import PRODUCT_ITEMS
from gridtwin.core.settings import Settings
from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.emulator.scenario import load_scenario
from gridtwin.services.product_items import refresh_items
from gridtwin.services.world import open_world
from gridtwin.testing import postgres_database


def run(label: str, url: str, args: argparse.Namespace) -> None:
    world = open_world(Settings(db_url=url, demo_on_empty=False))
    try:
        doc = scenario(args.sites, args.sites, 1)
        doc["clock"]["mode"] = "frozen"
        load_scenario(world, doc, PRODUCT_ITEMS)
        print(f"\n== {label}: {args.sites} sites, installed a day before the start")
        for day in range(1, args.days + 1):
            profile = cProfile.Profile() if args.profile and day == args.days else None
            t0 = time.perf_counter()
            if profile is not None:
                profile.enable()
            advance_clock(world, {"seconds": 86_400})
            if profile is not None:
                profile.disable()
            advance_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            rendered = refresh_items(world, PRODUCT_ITEMS)
            refresh_s = time.perf_counter() - t0
            what = "with each site's warm-up" if day == 1 else "sites already warm"
            print(f"day {day} ({what}): advance {advance_s:.1f} s "
                  f"({advance_s / args.sites * 1000:.1f} ms a site); products items: "
                  f"{rendered} rendered in {refresh_s:.2f} s")
            if profile is not None:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
    finally:
        world.store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=1_000)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--postgres", default=os.environ.get("GRIDTWIN_TEST_POSTGRES_URL"))
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/advance.db", args)
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
