"""State export size, time and peak memory: the streamed export against the old one-object
export (every row a JSON object, the whole body built in memory), on the same SQLite world.

The world: N sites like ``POST /_gridtwin/sites`` makes them (30 days of 5-minute history
each). One site is simulated; the others get copies of its history rows (the export's
cost depends on the row count, not on the values).

Run: ``python benchmarks/bench_state_export.py [n_sites] [--old] [--import]``. Each
measurement runs in its own process (peak RSS = ``ru_maxrss``); ``--old`` also measures the
old export (about 28 MB of RAM per site), ``--import`` the import of the streamed export
into a new database.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW_S = 1_752_606_000  # 2025-07-15 12:00 in Los Angeles
HISTORY_DAYS = 30


def build(db_url: str, n_sites: int) -> None:
    from sqlalchemy import text

    from gridtwin.core.settings import Settings
    from gridtwin.services.provision import create_site, demo_spec
    from gridtwin.services.world import open_world
    from gridtwin.sim.runner import advance_site
    from gridtwin.store import schema

    world = open_world(Settings(db_url=db_url, clock_start_s=NOW_S, clock_mode="frozen",
                                demo_on_empty=False))
    specs = [replace(demo_spec(0, NOW_S, i), installation_s=NOW_S - HISTORY_DAYS * 86_400)
             for i in range(n_sites)]
    for spec in specs:
        create_site(world, "demo", spec)
    first = specs[0].energy_site_id
    with world.site_tx(first) as tx:
        advance_site(tx, first, NOW_S)
        state = tx.get_site(first)
    assert state is not None
    cells = ", ".join(schema.CELL_COLUMNS)
    with world.store.tx() as tx:
        for spec in specs[1:]:
            tx.conn.execute(text(
                f"INSERT INTO energy_totals (site_id, end_s, {cells}) "
                f"SELECT :sid, end_s, {cells} FROM energy_totals WHERE site_id = :first"),
                {"sid": spec.energy_site_id, "first": first})
            tx.save_state(spec.energy_site_id, state.state_json, state.state_t_s)
    world.store.dispose()


def measure(db_url: str, how: str) -> None:
    from gridtwin.core import jsonio
    from gridtwin.core.settings import Settings
    from gridtwin.services.emulator import snapshot
    from gridtwin.services.world import open_world

    world = open_world(Settings(db_url=db_url, clock_start_s=NOW_S, clock_mode="frozen",
                                demo_on_empty=False))
    t0 = time.perf_counter()
    if how.startswith("import:"):
        # Import a file written by "save": parse the body, check it, replace the world.
        text = Path(how[len("import:"):]).read_bytes()
        snapshot.import_state(world, jsonio.loads(text, decimals=False)["response"])
        size = len(text)
    elif how.startswith("save:"):
        with open(how[len("save:"):], "w") as out:
            size = sum(out.write(chunk) for chunk in snapshot.export_chunks(world))
    elif how == "old":
        with world.store.tx() as tx:
            tables = tx.dump_tables()
        head = {"version": 1, "seed": world.seed, "jwt_secret": world.jwt_secret, "tables": tables}
        size = len(jsonio.dumps({"response": head}).encode())
    else:
        size = sum(len(chunk.encode()) for chunk in snapshot.export_chunks(world))
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{how.split(':')[0]:>6}: body {size / 1e6:8.1f} MB  {seconds:6.1f} s  peak RSS {peak_mb:7.0f} MB")


def main() -> None:
    n_sites = int(next((a for a in sys.argv[1:] if a.isdigit()), "100"))
    hows = ["new", "old"] if "--old" in sys.argv else ["new"]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/export.db"
        me = [sys.executable, __file__]
        subprocess.run([*me, "build", url, str(n_sites)], check=True, timeout=1800)
        print(f"{n_sites} sites, {HISTORY_DAYS} days of 5-minute history each")
        for how in hows:
            subprocess.run([*me, "measure", url, how], check=True, timeout=1800)
        if "--import" in sys.argv:
            saved = f"{tmp}/state.json"
            subprocess.run([*me, "measure", url, f"save:{saved}"], check=True, timeout=1800)
            subprocess.run([*me, "measure", f"sqlite:///{tmp}/imported.db", f"import:{saved}"],
                           check=True, timeout=1800)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 3 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3])
    else:
        main()
