"""A site busy for a long time never holds up other requests (issue 12, availability).

A real uvicorn server runs in a thread on the test's world. The test itself holds one
site's lock, the way a long history read, catch-up or command would, and reads that site:
the read waits, but ``/status`` and reads of other sites are answered meanwhile. Before
the fix the read waited on the event loop and froze the whole server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from gridtwin.api.app import create_app
from gridtwin.core.settings import KEEP_ALIVE_S
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from gridtwin.services.world import World
from tests.conftest import make_world, test_site_spec
from tests.integration.server_process import free_port
from tests.waits import HTTP_TIMEOUT_S

pytestmark = [pytest.mark.server, pytest.mark.timeout(400)]


@contextmanager
def serving(world: World) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(world), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off",
                                           timeout_keep_alive=KEEP_ALIVE_S))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _wait_for_request(world: World, seen: int) -> None:
    """Until the server has taken a request beyond ``seen`` (bounded)."""
    deadline = time.monotonic() + 30
    while world._seq <= seen:
        assert time.monotonic() < deadline, "the request never reached the server"
        time.sleep(0.01)
    time.sleep(0.2)  # let it run on to the site lock


@pytest.mark.parametrize("route", ["live_status", "site_info", "site_status", "backup_time_remaining",
                                   "calendar_history?kind=energy"])
def test_a_busy_site_does_not_block_status_or_other_sites(tmp_path, route):
    world = make_world(f"sqlite:///{tmp_path / 'busy.db'}")
    busy = create_site(world, "alice", test_site_spec(index=0, days=1))
    other = create_site(world, "alice", test_site_spec(index=1, days=1))
    auth = {"Authorization": f"Bearer {mint_access_token(world, 'alice').access_token}"}
    try:
        with serving(world) as base, httpx.Client(base_url=base, headers=auth, timeout=HTTP_TIMEOUT_S) as client:
            assert client.get(f"/api/1/energy_sites/{other.energy_site_id}/live_status",
                              timeout=240).status_code == 200
            result: dict[str, int] = {}

            def read_busy_site() -> None:
                r = client.get(f"/api/1/energy_sites/{busy.energy_site_id}/{route}", timeout=120)
                result["status"] = r.status_code

            lock = world.site_lock(busy.energy_site_id)
            lock.acquire()
            reader = threading.Thread(target=read_busy_site, daemon=True)
            try:
                seen = world._seq
                reader.start()
                _wait_for_request(world, seen)
                # The busy site's read is parked on its lock; everything else goes on.
                assert httpx.get(f"{base}/status", timeout=30).text == "ok"
                r = client.get(f"/api/1/energy_sites/{other.energy_site_id}/live_status", timeout=30)
                assert r.status_code == 200
                assert reader.is_alive() and "status" not in result
            finally:
                lock.release()
            reader.join(timeout=120)
            assert result.get("status") == 200
    finally:
        world.store.dispose()


def test_status_answers_while_every_worker_thread_waits_on_one_site(tmp_path):
    world = make_world(f"sqlite:///{tmp_path / 'flood.db'}")
    busy = create_site(world, "alice", test_site_spec(index=0, days=1))
    auth = {"Authorization": f"Bearer {mint_access_token(world, 'alice').access_token}"}
    n = 48  # more than the 40 worker threads
    try:
        with serving(world) as base:
            statuses: list[int] = []

            def read_busy_site() -> None:
                with httpx.Client(base_url=base, headers=auth, timeout=HTTP_TIMEOUT_S) as c:
                    r = c.get(f"/api/1/energy_sites/{busy.energy_site_id}/calendar_history",
                              params={"kind": "energy"}, timeout=300)
                    statuses.append(r.status_code)

            lock = world.site_lock(busy.energy_site_id)
            lock.acquire()
            readers = [threading.Thread(target=read_busy_site, daemon=True) for _ in range(n)]
            try:
                seen = world._seq
                for t in readers:
                    t.start()
                deadline = time.monotonic() + 60
                while world._seq < seen + n:
                    assert time.monotonic() < deadline, "the requests never reached the server"
                    time.sleep(0.01)
                time.sleep(0.2)
                assert httpx.get(f"{base}/status", timeout=30).text == "ok"
                assert not statuses
            finally:
                lock.release()
            for t in readers:
                t.join(timeout=300)
            assert statuses == [200] * n
    finally:
        world.store.dispose()
