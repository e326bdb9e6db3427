"""examples/scenario.yaml loads through the real scenario code and builds what its comments say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from gridtwin.core import jsonio
from gridtwin.core.settings import Settings
from gridtwin.services.emulator import clock
from gridtwin.services.emulator.scenario import load_scenario, parse_document
from gridtwin.services.world import World, open_world

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scenario.yaml"
ALICE_SITE, BOB_SITE = 1000000000000101, 1000000000000202
START_S = int(datetime.fromisoformat("2025-07-15T17:00:00-07:00").timestamp())


@pytest.fixture
def fresh_world(tmp_path: Path) -> Iterator[World]:
    world = open_world(Settings(db_url=f"sqlite:///{tmp_path / 'g.db'}", demo_on_empty=False,
                                admin_token="admin"))
    yield world
    world.store.dispose()


@pytest.mark.timeout(300)
def test_example_scenario_builds_users_sites_events_faults_and_tokens(fresh_world: World):
    doc = parse_document(EXAMPLE.read_bytes())
    loaded = load_scenario(fresh_world, doc)

    assert loaded["seed"] == 42 and loaded["now"] == START_S
    assert loaded["sites"] == [ALICE_SITE, BOB_SITE]
    assert sorted(loaded["tokens"]) == ["alice:app", "bob:default"]
    with fresh_world.store.tx() as tx:
        users = {u["id"]: u["region"] for u in tx.list_users()}
        sites = {row.energy_site_id: row for row in tx.list_sites()}
        tokens = {(t["user_id"], t["name"]): t for t in tx.list_tokens()}
        events = tx.list_events()
        tariffs = tx.tariff_history(ALICE_SITE)
        bob_tariffs = tx.tariff_history(BOB_SITE)
    assert users == {"alice": "NA", "bob": "EU"}
    assert {i: r.user_id for i, r in sites.items()} == {ALICE_SITE: "alice", BOB_SITE: "bob"}
    alice_spec = jsonio.loads(sites[ALICE_SITE].spec_json, decimals=False)
    bob_spec = jsonio.loads(sites[BOB_SITE].spec_json, decimals=False)
    assert alice_spec["kind"] == "battery" and alice_spec["name"] == "Alice's home"
    assert [(b["model"], b["count"]) for b in alice_spec["batteries"]] == [("powerwall_3", 1)]
    assert alice_spec["wall_connectors"][0]["max_power_w"] == 7_600  # 40 A breaker
    assert bob_spec["kind"] == "solar" and bob_spec["batteries"] == []
    assert bob_spec["wall_connectors"] == [] and bob_spec["solar"]["dc_kw"] == 6.0
    controls = jsonio.loads(sites[ALICE_SITE].controls_json, decimals=False)
    assert controls["backup_reserve_pct"] == 25 and controls["mode"] == "autonomous"
    assert controls["export_rule"] == "battery_ok"
    # The tariff is in force from installation, so the warm-up was priced with it.
    assert len(tariffs) == 1 and bob_tariffs == []
    assert tariffs[0][0] == int(datetime.fromisoformat("2025-07-01T00:00:00-07:00").timestamp())
    assert jsonio.loads(tariffs[0][1], decimals=False)["code"] == "EXAMPLE-TOU"
    assert tokens[("alice", "app")]["expires_s"] - tokens[("alice", "app")]["issued_s"] == 86_400
    assert tokens[("bob", "default")]["scopes"].split() == [
        "openid", "offline_access", "energy_device_data", "energy_cmds"]
    assert [(e["site_id"], e["type"], e["start_s"], e["end_s"]) for e in events] == [
        (ALICE_SITE, "grid_outage", START_S + 7200, START_S + 10_800)]
    assert loaded["events"] == [events[0]["id"]]
    [rule] = fresh_world.faults.rules()
    assert rule.match == {"endpoint": "live_status", "user": "bob"} and rule.count == 2
    assert rule.action["status"] == 429
    assert fresh_world.clock.mode == "frozen"

    # The outage is pending until the clock passes 19:00.
    assert clock.advance_clock(fresh_world, {"seconds": 7200})["fired"] == [events[0]["id"]]


@pytest.mark.server
@pytest.mark.timeout(300)
def test_example_scenario_through_the_api():
    from gridtwin.testing import running_gridtwin

    doc = parse_document(EXAMPLE.read_bytes())
    with running_gridtwin(scenario=doc) as gt, httpx.Client(timeout=60) as http:
        alice = {"Authorization": f"Bearer {gt.tokens['alice:app']}"}
        bob = {"Authorization": f"Bearer {gt.tokens['bob:default']}"}
        products = http.get(f"{gt.base_url}/api/1/products", headers=alice).json()["response"]
        assert [p["energy_site_id"] for p in products] == [ALICE_SITE]
        region = http.get(f"{gt.base_url}/api/1/users/region", headers=bob).json()["response"]
        assert region["region"] == "eu"
        bob_live = gt.url("live_status", BOB_SITE)
        assert [http.get(bob_live, headers=bob).status_code for _ in range(3)] == [429, 429, 200]
        live = http.get(gt.url("live_status", ALICE_SITE), headers=alice).json()["response"]
        assert live["island_status"] == "on_grid"
        gt.control.advance(7200)
        live = http.get(gt.url("live_status", ALICE_SITE), headers=alice).json()["response"]
        assert live["island_status"] == "off_grid_unintentional"
        assert live["grid_power"] == 0
