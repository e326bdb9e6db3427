"""A scenario's sites are warmed up on first read, not at load (issue 17), with the same
replies as a warm-up at load: the world that simulates every site to the start right
after loading and the one that simulates nothing until asked answer byte for byte alike,
through an outage event and a clock advance."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.emulator.clock import catch_up_all
from gridtwin.services.emulator.scenario import load_scenario
from tests.conftest import NOW_S, make_world

SITE_IDS = (1_000_000_000_000_001, 1_000_000_000_000_002)
SCENARIO = {
    "version": 1, "seed": 3, "clock": {"start": NOW_S, "mode": "frozen"},
    "users": [{"id": "alice"}],
    "sites": [{"energy_site_id": sid, "time_zone": "America/Los_Angeles",
               "installation_date": "2025-07-13T00:00:00-07:00"} for sid in SITE_IDS],
    "events": [{"type": "grid_outage", "site_id": SITE_IDS[1], "at": "+PT1H",
                "duration_s": 1800}],
}
READS = ("live_status", "site_status", "calendar_history?kind=energy&period=day",
         "calendar_history?kind=power&period=day", "calendar_history?kind=backup")


def _replies(tmp: Path, name: str, eager: bool) -> list[bytes]:
    world = make_world(f"sqlite:///{tmp / name}.db")
    try:
        token = load_scenario(world, SCENARIO)["tokens"]["alice:default"]
        stored = _state_times(world)
        if eager:
            catch_up_all(world, NOW_S)  # what a load used to do
        else:
            assert stored == [NOW_S - 2 * 86_400 - 12 * 3600] * 2
        out = []
        with TestClient(create_app(world)) as client:
            auth = {"Authorization": f"Bearer {token}"}
            admin = {"Authorization": f"Bearer {world.admin_token}"}
            for step in range(2):
                for sid in SITE_IDS:
                    for read in READS:
                        r = client.get(f"/api/1/energy_sites/{sid}/{read}", headers=auth)
                        assert r.status_code == 200, r.text
                        out.append(r.content)
                out.append(client.get("/api/1/products", headers=auth).content)
                if step == 0:
                    assert client.post("/_gridtwin/clock/advance", json={"seconds": 7200},
                                       headers=admin).status_code == 200
        return out
    finally:
        world.store.dispose()


def _state_times(world) -> list[int]:
    with world.store.peek() as tx:
        return [row.state_t_s for row in tx.list_sites()]


def test_a_site_warmed_up_on_first_read_answers_as_one_warmed_up_at_load(tmp_path) -> None:
    lazy = _replies(tmp_path, "lazy", eager=False)
    eager = _replies(tmp_path, "eager", eager=True)
    assert lazy == eager
