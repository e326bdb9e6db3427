"""A server holding 10,000 sites, 1,000 of them one user's (issue 17).

A real ``gridtwin serve`` loads the world through ``POST /_gridtwin/scenario``. What is
checked, through the database the server writes (a site never simulated still has its
installation instant as ``state_t_s`` and no history row):
- loading simulates no site, and neither does ``products``;
- ``products`` lists exactly the user's 1,000 sites, in scenario order, each with its
  stored charge; only the sites read are simulated;
- the control plane's site list is paged: pages are bounded, cursors chain through every
  site, and only the listed sites are simulated;
- the state export is chunked and round-trips through the import.
Latencies are in benchmarks/bench_fleet_server.py, not here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.server_process import Server, running_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ADMIN = "fleet-test-admin-token"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}
START_S = 1_752_606_000  # 2025-07-15 12:00 in Los Angeles
INSTALL_S = START_S - 86_400
INSTALL = datetime.fromtimestamp(INSTALL_S, UTC).isoformat()
FIRST_ID = 1_000_000_000_000_000
N_SITES, USER_SITES = 10_000, 1_000


def _owner(i: int, n_sites: int, user_sites: int) -> str:
    return "fleet" if i < user_sites else "solo" if i == n_sites - 1 else "others"


def fleet_scenario(n_sites: int, user_sites: int) -> dict[str, Any]:
    """``fleet`` owns the first ``user_sites`` sites, ``solo`` the last, ``others`` the rest."""
    sites = [{"energy_site_id": FIRST_ID + i, "time_zone": "America/Los_Angeles",
              "installation_date": INSTALL, "owner": _owner(i, n_sites, user_sites),
              # Charges differ, so that products shows each site's own stored state.
              "initial": {"app_pct": i % 101}}
             for i in range(n_sites)]
    return {"version": 1, "clock": {"start": START_S, "mode": "frozen"},
            "users": [{"id": "fleet"}, {"id": "solo"}, {"id": "others"}], "sites": sites}


def simulated(db: Path) -> set[int]:
    """Sites moved off their installation instant, or with history rows."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        moved = {r[0] for r in conn.execute(
            "SELECT energy_site_id FROM sites WHERE state_t_s != ?", (INSTALL_S,))}
        recorded = {r[0] for r in conn.execute("SELECT DISTINCT site_id FROM energy_totals")}
    return moved | recorded


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("fleet")
    small = tmp / "one.json"
    small.write_text(json.dumps(fleet_scenario(1, 1)))
    db = tmp / "fleet.db"
    with running_server(db, extra_env={"GRIDTWIN_ADMIN_TOKEN": ADMIN},
                        extra_args=["--scenario", str(small)]) as server:
        r = httpx.post(f"{server.base_url}/_gridtwin/scenario", headers=ADMIN_HEADERS,
                       json=fleet_scenario(N_SITES, USER_SITES), timeout=180)
        assert r.status_code == 200, r.text[:500]
        loaded = r.json()["response"]
        assert len(loaded["sites"]) == N_SITES
        yield server, db, loaded["tokens"]


def test_loading_and_listing_products_simulate_no_site(fleet) -> None:
    server, db, tokens = fleet
    assert simulated(db) == set()
    health = httpx.get(f"{server.base_url}/_gridtwin/health", timeout=30).json()["response"]
    assert health["sites"] == N_SITES
    r = httpx.get(f"{server.base_url}/api/1/products",
                  headers={"Authorization": f"Bearer {tokens['fleet:default']}"}, timeout=60)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == USER_SITES == len(body["response"])
    assert [p["energy_site_id"] for p in body["response"]] == \
        [FIRST_ID + i for i in range(USER_SITES)]
    # Never simulated: each shows the charge it was installed with.
    assert [round(p["percentage_charged"]) for p in body["response"][:101]] == list(range(101))
    assert simulated(db) == set()


def test_reads_simulate_only_the_sites_read(fleet) -> None:
    server, db, tokens = fleet
    auth = {"Authorization": f"Bearer {tokens['solo:default']}"}
    site = FIRST_ID + N_SITES - 1
    live = httpx.get(f"{server.base_url}/api/1/energy_sites/{site}/live_status", headers=auth,
                     timeout=120).json()["response"]
    assert live["timestamp"] == "2025-07-15T12:00:00-07:00"
    assert site in simulated(db)
    # products now shows that site as simulated: its live_status charge.
    products = httpx.get(f"{server.base_url}/api/1/products", headers=auth, timeout=60).json()
    [item] = products["response"]
    assert item["energy_site_id"] == site
    assert item["percentage_charged"] == live["percentage_charged"]
    assert item["battery_power"] == live["battery_power"]
    assert simulated(db) == {site}


def test_the_site_list_is_paged_and_costs_only_its_page(fleet) -> None:
    server, db, _ = fleet
    before = simulated(db)
    url = f"{server.base_url}/_gridtwin/sites"
    first = httpx.get(url, params={"limit": "3"}, headers=ADMIN_HEADERS, timeout=120).json()
    assert [s["energy_site_id"] for s in first["response"]] == [FIRST_ID, FIRST_ID + 1, FIRST_ID + 2]
    assert first["count"] == 3 and first["next_cursor"]
    assert all(s["sim_time"] == START_S for s in first["response"])
    second = httpx.get(url, params={"limit": "2", "cursor": first["next_cursor"]},
                       headers=ADMIN_HEADERS, timeout=120).json()
    assert [s["energy_site_id"] for s in second["response"]] == [FIRST_ID + 3, FIRST_ID + 4]
    assert simulated(db) == before | {FIRST_ID + i for i in range(5)}
    bad = httpx.get(url, params={"limit": "5000"}, headers=ADMIN_HEADERS, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_field"
    bad = httpx.get(url, params={"cursor": "x"}, headers=ADMIN_HEADERS, timeout=30)
    assert bad.status_code == 400 and "cursor" in bad.json()["messages"]


def test_export_is_chunked_and_round_trips_through_import(fleet) -> None:
    server, db, tokens = fleet
    url = f"{server.base_url}/_gridtwin/state"
    with httpx.Client(headers=ADMIN_HEADERS, timeout=180) as client:
        with client.stream("GET", url) as r:
            assert r.status_code == 200
            assert r.headers.get("transfer-encoding") == "chunked"
            assert "content-length" not in r.headers
            pieces = [chunk for chunk in r.iter_bytes()]
        exported = b"".join(pieces)
        snap = json.loads(exported)["response"]
        sites = snap["tables"]["sites"]
        assert len(sites["rows"]) == N_SITES
        simulated_before = simulated(db)
        r = client.post(url, content=exported)
        assert r.status_code == 200, r.text[:500]
        assert simulated(db) == simulated_before
        again = client.get(url).content
    assert json.loads(again)["response"]["tables"] == snap["tables"]
    products = httpx.get(f"{server.base_url}/api/1/products", timeout=60,
                         headers={"Authorization": f"Bearer {tokens['fleet:default']}"})
    assert products.status_code == 200 and products.json()["count"] == USER_SITES
