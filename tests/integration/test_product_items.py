"""``products`` reads stored items; it renders only the sites changed since (issue 17).

On SQLite and PostgreSQL, through the app: a scenario stores its sites' products items, so
the first ``products`` after the load decodes no site, nor does the first one after a
restart; it issues the same statements for a user with 4 sites as for one with 40; a site
read since is rendered again (once: the item is stored after the reply), and so is an item
stored by other rendering code; after a clock advance or a reset every item is current
again. Each reply is byte for byte the items rendered from the stored sites.
Latencies are in benchmarks/bench_fleet_server.py, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, update
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.api.wire.products import render_product
from gridtwin.core import jsonio
from gridtwin.services import product_items
from gridtwin.services.sites import stored_view
from gridtwin.services.world import World
from gridtwin.store import schema
from tests.conftest import NOW_S, make_world

pytestmark = pytest.mark.timeout(300)

ADMIN = "product-items-admin-token"
FIRST_ID = 1_000_000_000_000_000
SMALL, LARGE = 4, 40


def _scenario() -> dict[str, Any]:
    """``small`` owns the first 4 sites, ``large`` the next 40; charges differ per site."""
    install = datetime.fromtimestamp(NOW_S - 86_400, UTC).isoformat()
    owners = ["small"] * SMALL + ["large"] * LARGE
    sites = [{"energy_site_id": FIRST_ID + i, "time_zone": "America/Los_Angeles",
              "installation_date": install, "owner": owner, "initial": {"app_pct": 10 + i}}
             for i, owner in enumerate(owners)]
    return {"version": 1, "clock": {"start": NOW_S, "mode": "frozen"},
            "users": [{"id": "small"}, {"id": "large"}], "sites": sites}


@contextmanager
def app(url: str) -> Iterator[tuple[TestClient, World]]:
    world = make_world(url, admin_token=ADMIN)
    try:
        with TestClient(create_app(world), raise_server_exceptions=True) as client:
            yield client, world
    finally:
        world.store.dispose()


class Spy:
    """Counts the sites decoded for rendering and the SQL statements issued."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.decoded: list[int] = []
        """Sites decoded to render their item."""
        self.reused: list[int] = []
        """Those of them whose spec and controls, decoded earlier, were reused."""
        self.statements: list[str] = []

        def decode(row: Any, known: Any = None) -> Any:
            self.decoded.append(row.energy_site_id)
            if known is not None and known.row.spec_json == row.spec_json:
                self.reused.append(row.energy_site_id)
            return stored_view(row, known)

        monkeypatch.setattr(product_items, "stored_view", decode)
        event.listen(world.store.engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        self.statements.append(sql)

    def reset(self) -> None:
        self.decoded.clear()
        self.reused.clear()
        self.statements.clear()


def _broken(row: Any, known: Any = None) -> Any:
    raise RuntimeError("rendering fails")


def _products(client: TestClient, token: str) -> bytes:
    r = client.get("/api/1/products", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.content


def _expected(world: World, user: str) -> bytes:
    """The reply rendered from the stored sites, as the route rendered it before items
    were stored: the envelope of each site's item."""
    with world.store.peek() as tx:
        rows = [row for row, _, _ in tx.product_rows(user)]
    items = [render_product(stored_view(row)) for row in rows]
    return jsonio.dumps({"response": items, "count": len(items)}).encode()


def test_products_reads_stored_items_and_renders_only_changed_sites(backend_url, monkeypatch):
    with app(backend_url) as (client, world):
        r = client.post("/_gridtwin/scenario", json=_scenario(),
                        headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        tokens = r.json()["response"]["tokens"]
        small, large = tokens["small:default"], tokens["large:default"]
        spy = Spy(world, monkeypatch)

        # First listing after the load: every item was stored with its site.
        body = _products(client, large)
        assert spy.decoded == []
        assert body == _expected(world, "large")
        assert [round(p["percentage_charged"]) for p in jsonio.loads(body)["response"]] == \
            list(range(10 + SMALL, 10 + SMALL + LARGE))

        # The same statements whatever the number of sites (4 or 40); once each token is
        # verified, one: each site read with its item.
        assert _products(client, small) == _expected(world, "small")
        spy.reset()
        _products(client, small)
        few = list(spy.statements)
        spy.reset()
        _products(client, large)
        assert spy.statements == few and spy.decoded == []
        assert len(few) == 1 and "product_items" in few[0]

        # A site read since: the read stored its item with its new state (rendered from
        # the spec and controls it had decoded, only the state decoded again), so the
        # listing renders nothing and lists its live values.
        site = FIRST_ID + SMALL + 7
        live = client.get(f"/api/1/energy_sites/{site}/live_status",
                          headers={"Authorization": f"Bearer {large}"}).json()["response"]
        assert spy.decoded == [site] and spy.reused == [site]
        spy.reset()
        body = _products(client, large)
        assert spy.decoded == []
        assert body == _expected(world, "large")
        item = jsonio.loads(body, decimals=False)["response"][7]
        assert item["percentage_charged"] == live["percentage_charged"]
        assert item["battery_power"] == live["battery_power"]

        # A command changes the site's controls: its item is current at once too.
        r = client.post(f"/api/1/energy_sites/{site}/storm_mode", json={"enabled": True},
                        headers={"Authorization": f"Bearer {large}"})
        assert r.status_code == 200, r.text
        spy.reset()
        body = _products(client, large)
        assert spy.decoded == []
        assert body == _expected(world, "large")
        assert jsonio.loads(body)["response"][7]["storm_mode_enabled"] is True
        spy.reset()

        # An admin edit of its spec (profile) and state (charge) in one transaction: the
        # spec decoded before the edit is not reused for it (the summary read after the
        # edit may simulate the site again, reusing its own).
        r = client.patch(f"/_gridtwin/sites/{site}", json={"app_pct": 77, "profile": "observed"},
                         headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        assert spy.decoded[0] == site and set(spy.decoded) == {site}
        assert len(spy.reused) == len(spy.decoded) - 1
        spy.reset()
        body = _products(client, large)
        assert spy.decoded == []
        assert body == _expected(world, "large")
        assert round(jsonio.loads(body)["response"][7]["percentage_charged"]) == 77

        # A site whose item failed to render at its write is still written; its stale item
        # is never listed: the listing renders it (once: stored after the reply).
        monkeypatch.setattr(product_items, "stored_view", _broken)
        site = FIRST_ID + SMALL + 3
        r = client.get(f"/api/1/energy_sites/{site}/live_status",
                       headers={"Authorization": f"Bearer {large}"})
        assert r.status_code == 200, r.text
        spy = Spy(world, monkeypatch)
        body = _products(client, large)
        assert spy.decoded == [site]
        assert body == _expected(world, "large")
        spy.reset()
        assert _products(client, large) == body and spy.decoded == []

        # An item stored by other rendering code (an older gridtwin) is not used.
        with world.store.tx() as tx:
            tx.conn.execute(update(schema.product_items)
                            .where(schema.product_items.c.site_id == FIRST_ID + 1)
                            .values(key="0" * 32, item_json='{"stale":true}'))
        spy.reset()
        assert _products(client, small) == _expected(world, "small")
        assert spy.decoded == [FIRST_ID + 1]

        # A clock advance simulates every site; the items are current again after it.
        r = client.post("/_gridtwin/clock/advance", json={"seconds": 3600},
                        headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        spy.reset()
        assert _products(client, large) == _expected(world, "large")
        assert spy.decoded == []

    # After a restart on the same database: nothing to render either.
    with app(backend_url) as (client, world):
        spy = Spy(world, monkeypatch)
        assert _products(client, large) == _expected(world, "large")
        assert spy.decoded == []
        r = client.post("/_gridtwin/reset", json={}, headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        tokens = r.json()["response"]["tokens"]
        spy.reset()
        assert _products(client, tokens["large:default"]) == _expected(world, "large")
        assert spy.decoded == []


def test_items_are_not_part_of_a_state_export(db_url):
    with app(db_url) as (client, _):
        admin = {"Authorization": f"Bearer {ADMIN}"}
        assert client.post("/_gridtwin/scenario", json=_scenario(), headers=admin).status_code == 200
        snap = client.get("/_gridtwin/state", headers=admin).json()["response"]
        assert "product_items" not in snap["tables"]
        assert len(snap["tables"]["sites"]["rows"]) == SMALL + LARGE
