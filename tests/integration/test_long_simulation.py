"""Long simulations are capped and crash-consistent (issue 12, availability).

- One cap (MAX_SIMULATION_S, 400 days) for a clock jump, an advance and a new site's
  warm-up: ``PUT /_gridtwin/clock {"now": "+P3650D"}`` is a 400, a site installed in 2000
  warms up over the capped span only (descriptions accept installations from 2000 on).
- A crash in the middle of an advance leaves no site ahead of the persisted clock: the
  target is persisted first and sites catch up in committed chunks, lazily after a restart.
  Checked in process (an engine failure part-way) and with a real server SIGKILLed
  mid-advance.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.core import jsonio
from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.provision import create_site, demo_spec
from gridtwin.services.world import World
from gridtwin.sim import engine, runner
from tests.conftest import NOW_S, make_world
from tests.integration.server_process import free_port, terminate

ADMIN = "admin-" + "a" * 26
DAY_S = 86_400


def _admin(world: World) -> TestClient:
    return TestClient(create_app(world), raise_server_exceptions=False,
                      headers={"Authorization": f"Bearer {ADMIN}"})


def _sites_t(world: World) -> dict[int, int]:
    with world.store.tx() as tx:
        return {row.energy_site_id: row.state_t_s for row in tx.list_sites()}


def _saved_clock_s(world: World) -> float:
    with world.store.tx() as tx:
        text = tx.get_meta("clock")
    assert text is not None
    return float(jsonio.loads(text, decimals=False)["anchor_sim_s"])


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("body", "field"), [
    ({"now": "+P3650D"}, "now"),
    ({"now": "+P401D"}, "now"),
    ({"now": NOW_S + 10**12}, "now"),
    ({"now": "9999-12-31T00:00:00Z"}, "now"),
])
def test_clock_jump_beyond_the_cap_is_400(tmp_path, body, field):
    world = make_world(f"sqlite:///{tmp_path / 'cap.db'}", admin_token=ADMIN)
    try:
        with _admin(world) as c:
            r = c.put("/_gridtwin/clock", json=body)
            assert r.status_code == 400, r.text
            assert field in r.json()["messages"]
            assert c.get("/_gridtwin/clock").json()["response"]["now"] == NOW_S
            assert _saved_clock_s(world) == NOW_S
            r = c.post("/_gridtwin/clock/advance", json={"to": body["now"]})
            assert r.status_code == 400 and "to" in r.json()["messages"]
            for seconds in (401 * DAY_S, 1e300):
                r = c.post("/_gridtwin/clock/advance", json={"seconds": seconds})
                assert r.status_code == 400 and "seconds" in r.json()["messages"]
            # Within the cap the jump is accepted.
            r = c.put("/_gridtwin/clock", json={"now": "+P1D"})
            assert r.status_code == 200 and r.json()["response"]["now"] == NOW_S + DAY_S
    finally:
        world.store.dispose()


@pytest.mark.timeout(180)
def test_warm_up_of_a_site_installed_long_ago_is_capped(tmp_path, monkeypatch):
    # The cap is shortened so the test is quick; the rule is the same at 400 days.
    cap = 3 * DAY_S
    monkeypatch.setattr(runner, "MAX_SIMULATION_S", cap, raising=False)
    world = make_world(f"sqlite:///{tmp_path / 'old.db'}", admin_token=ADMIN)
    try:
        with _admin(world) as c:
            r = c.post("/_gridtwin/sites", json={
                "time_zone": "America/Los_Angeles", "owner": "alice",
                # The oldest installation a description accepts (1976 is now refused).
                "installation_date": "2000-01-01T00:00:00Z"})
            assert r.status_code == 200, r.text
            site_id = r.json()["response"]["energy_site_id"]
            listed = c.get("/_gridtwin/sites").json()["response"]
            assert [s["sim_time"] for s in listed] == [NOW_S]
        with world.store.tx() as tx:
            first = tx.first_total_end(site_id)
            rows = tx.conn.exec_driver_sql(
                f"SELECT count(*) FROM energy_totals WHERE site_id = {site_id}").scalar()
        # Simulated over the capped span only, from a 5-minute boundary within it.
        assert first is not None and NOW_S - cap < first <= NOW_S - cap + 300
        assert rows == cap // 300
    finally:
        world.store.dispose()


@pytest.mark.timeout(300)
def test_a_failure_mid_advance_leaves_no_site_ahead_of_the_clock(backend_url, monkeypatch):
    world = make_world(backend_url, admin_token=ADMIN)
    try:
        for i in range(2):
            spec = replace(demo_spec(0, NOW_S, i), installation_s=NOW_S - DAY_S, step_s=300)
            create_site(world, "alice", spec)
        with _admin(world) as c:
            assert c.get("/_gridtwin/sites").status_code == 200  # both sites at NOW_S
        assert set(_sites_t(world).values()) == {NOW_S}
        real_advance, calls = engine.advance, []

        def failing_advance(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == 3:  # the second site's first 30-day chunk
                raise RuntimeError("simulated crash")
            return real_advance(*args, **kwargs)

        monkeypatch.setattr(engine, "advance", failing_advance)
        with pytest.raises(RuntimeError, match="simulated crash"):
            advance_clock(world, {"seconds": 60 * DAY_S})
        monkeypatch.setattr(engine, "advance", real_advance)
        clock = _saved_clock_s(world)
        assert clock == NOW_S + 60 * DAY_S
        assert all(t <= clock for t in _sites_t(world).values()), (_sites_t(world), clock)
        # Sites catch up lazily to the persisted clock.
        with _admin(world) as c:
            listed = c.get("/_gridtwin/sites").json()["response"]
        assert [s["sim_time"] for s in listed] == [NOW_S + 60 * DAY_S] * 2
    finally:
        world.store.dispose()


# --- a real server killed mid-advance ----------------------------------------------------


@contextmanager
def _serve(db: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``gridtwin serve`` on a free port; output to ``log`` (never a pipe)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDTWIN_")}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gridtwin.cli.main", "serve", "--port", str(port),
             "--db", str(db), "--admin-token", ADMIN, "--quiet"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/status", timeout=5).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield base, proc
    finally:
        terminate(proc)


def _db_state(db: Path) -> tuple[float, dict[int, int]]:
    """(persisted clock [s], site id -> state instant [s]) read straight from the file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        clock = conn.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()[0]
        sites = dict(conn.execute("SELECT energy_site_id, state_t_s FROM sites").fetchall())
    finally:
        conn.close()
    return float(jsonio.loads(clock, decimals=False)["anchor_sim_s"]), sites


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkill_mid_advance_leaves_every_site_consistent_with_the_clock(tmp_path):
    db, log = tmp_path / "kill.db", tmp_path / "server.log"
    world = make_world(f"sqlite:///{db}", admin_token=ADMIN)
    for i in range(2):
        spec = replace(demo_spec(0, NOW_S, i), installation_s=NOW_S - DAY_S, step_s=300)
        create_site(world, "alice", spec)
    world.store.dispose()
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with _serve(db, log) as (base, proc):
        listed = httpx.get(f"{base}/_gridtwin/sites", headers=admin, timeout=300).json()
        assert [s["sim_time"] for s in listed["response"]] == [NOW_S] * 2

        def advance() -> None:
            with contextlib.suppress(httpx.HTTPError):  # killed under it
                httpx.post(f"{base}/_gridtwin/clock/advance", headers=admin,
                           json={"seconds": 365 * DAY_S}, timeout=600)

        caller = threading.Thread(target=advance, daemon=True)
        caller.start()
        deadline = time.monotonic() + 600
        while max(_db_state(db)[1].values()) == NOW_S:  # until a site has moved
            assert caller.is_alive(), "the advance finished before any progress was seen"
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        caller.join(timeout=60)
    clock, sites = _db_state(db)
    assert all(t <= clock for t in sites.values()), (clock, sites)
    assert min(sites.values()) < NOW_S + 365 * DAY_S  # killed part-way
    # After a restart the sites are brought to the persisted clock, and the clock moves on.
    with _serve(db, log) as (base, _proc):
        listed = httpx.get(f"{base}/_gridtwin/sites", headers=admin, timeout=600).json()
        assert [s["sim_time"] for s in listed["response"]] == [int(clock)] * 2
        r = httpx.post(f"{base}/_gridtwin/clock/advance", headers=admin,
                       json={"seconds": DAY_S}, timeout=300)
        assert r.status_code == 200 and r.json()["response"]["now"] == int(clock) + DAY_S
