"""Shared set-up for the control-plane input tests: a world, its app and one site.

The site is created through ``POST /_gridtwin/sites`` (installed a day before the frozen
clock, so its warm-up is short) with one Wall Connector, owned by ``alice``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.world import World
from tests.conftest import make_world
from tests.fingerprint import world_fingerprint

SITE_ID = 1_000_000_000_000_042
WC_DIN = "1529455-02-D--PGT000000000042"
BASE_SITE: dict[str, Any] = {
    "energy_site_id": SITE_ID, "time_zone": "America/Los_Angeles", "owner": "alice",
    "installation_date": "2025-07-14T12:00:00-07:00", "wall_connectors": [{"din": WC_DIN}],
}


@dataclass
class Admin:
    client: TestClient
    world: World
    db_url: str
    headers: dict[str, str]

    def fingerprint(self) -> str:
        return world_fingerprint(self.db_url)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/_gridtwin{path}", json=body, headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/_gridtwin{path}", json=body, headers=self.headers)

    def get(self, path: str) -> Any:
        return self.client.get(f"/_gridtwin{path}", headers=self.headers)


@contextmanager
def admin_world(db_url: str) -> Iterator[Admin]:
    world = make_world(db_url)
    try:
        with TestClient(create_app(world), raise_server_exceptions=False) as client:
            admin = Admin(client, world, db_url, {"Authorization": f"Bearer {world.admin_token}"})
            created = admin.post("/sites", BASE_SITE)
            assert created.status_code == 200, created.text
            yield admin
    finally:
        world.store.dispose()


def assert_refused(reply: Any, path: str) -> None:
    """A 400 in the API error shape whose ``messages`` name ``path``."""
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["response"] is None and body["error"] == "invalid_field", body
    assert path in body["messages"], body["messages"]
