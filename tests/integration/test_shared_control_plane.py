"""Several workers are one server: two worlds on one database (as ``serve --workers 2`` runs
them) apply every control-plane change made through either on the very next request through
the other. The real two-process server is tested in test_two_workers.py."""

from __future__ import annotations

import secrets

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from tests.conftest import make_world, test_site_spec

pytestmark = pytest.mark.timeout(180)

ADMIN = "shared-admin-token-0123456789"
A = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def workers(backend_url):
    a = make_world(backend_url, shared_clock=True, admin_token=ADMIN)
    b = make_world(backend_url, shared_clock=True)  # knows the admin token only as a hash
    site = create_site(a, "alice", test_site_spec())
    token = mint_access_token(a, "alice").access_token
    with TestClient(create_app(a), raise_server_exceptions=False) as ca, \
            TestClient(create_app(b), raise_server_exceptions=False) as cb:
        yield {"site": site.energy_site_id, "auth": {"Authorization": f"Bearer {token}"},
               "clients": (ca, cb), "worlds": (a, b)}
    a.store.dispose()
    b.store.dispose()


def _live(w: dict, i: int, auth: dict | None = None) -> int:
    client = w["clients"][i % 2]
    return client.get(f"/api/1/energy_sites/{w['site']}/live_status",
                      headers=auth or w["auth"]).status_code


def test_the_second_worker_accepts_the_admin_token_it_never_saw(workers):
    assert workers["worlds"][1].admin_token is None
    assert workers["clients"][1].get("/_gridtwin/info", headers=A).status_code == 200


def test_a_fault_rule_hits_every_request_of_both_workers(workers):
    ca, cb = workers["clients"]
    assert [_live(workers, i) for i in range(4)] == [200] * 4  # both have cached the view
    r = ca.post("/_gridtwin/faults", headers=A, json={"template": "unavailable",
                                                       "match": {"endpoint": "live_status"}})
    assert r.status_code == 200
    assert [_live(workers, i) for i in range(12)] == [503] * 12
    assert cb.delete("/_gridtwin/faults", headers=A).status_code == 200
    assert [_live(workers, i) for i in range(4)] == [200] * 4


def test_a_counted_fault_rule_fires_exactly_count_times_across_workers(workers):
    ca, cb = workers["clients"]
    ca.post("/_gridtwin/faults", headers=A, json={"template": "unavailable", "count": 5})
    statuses = [_live(workers, i) for i in range(12)]
    assert statuses == [503] * 5 + [200] * 7
    assert cb.get("/_gridtwin/faults", headers=A).json()["response"] == []


def test_a_rate_limit_holds_across_workers(workers):
    ca, cb = workers["clients"]
    r = cb.put("/_gridtwin/rate-limits", headers=A, json={"rules": [
        {"name": "live", "match": {"endpoint": "live_status"}, "key": "site", "limit": 4,
         "window_s": 3600}]})
    assert r.status_code == 200
    statuses = [_live(workers, i) for i in range(12)]
    assert statuses == [200] * 4 + [429] * 8
    assert ca.get("/_gridtwin/rate-limits", headers=A).json()["response"]["config"][0]["limit"] == 4


def test_a_revocation_applies_at_once_on_the_other_worker(workers):
    cb = workers["clients"][1]
    world_a = workers["worlds"][0]
    other = mint_access_token(world_a, "alice")
    auth = {"Authorization": f"Bearer {other.access_token}"}
    assert [_live(workers, i, auth) for i in range(4)] == [200] * 4  # trusted by both
    assert cb.post("/_gridtwin/tokens/revoke", headers=A, json={"jti": other.jti}).status_code == 200
    assert [_live(workers, i, auth) for i in range(6)] == [401] * 6
    assert [_live(workers, i) for i in range(2)] == [200] * 2  # the other token is unaffected


def test_a_state_import_applies_at_once_on_the_other_worker(workers):
    ca, cb = workers["clients"]
    snapshot = ca.get("/_gridtwin/state?secrets=1", headers=A).json()["response"]
    assert [_live(workers, i) for i in range(4)] == [200] * 4
    # The same world under a new secret and seed: the tokens it holds are re-signed.
    snapshot["jwt_secret"] = secrets.token_hex(32)
    snapshot["seed"] = 77
    assert ca.post("/_gridtwin/state", headers=A, json=snapshot).status_code == 200
    assert [_live(workers, i) for i in range(6)] == [401] * 6  # signed with the old secret
    minted = cb.post("/_gridtwin/tokens", headers=A, json={"user": "alice"}).json()["response"]
    auth = {"Authorization": f"Bearer {minted['access_token']}"}
    assert [_live(workers, i, auth) for i in range(6)] == [200] * 6
    assert cb.get("/_gridtwin/info", headers=A).json()["response"]["seed"] == 77
    assert workers["worlds"][1].jwt_secret == snapshot["jwt_secret"]


def test_the_journal_is_one_for_both_workers(workers):
    ca, cb = workers["clients"]
    ca.delete("/_gridtwin/requests", headers=A)
    for i in range(6):
        _live(workers, i)
    for client in (ca, cb):
        entries = client.get("/_gridtwin/requests", headers=A).json()["response"]
        assert [e["status"] for e in entries] == [200] * 6
        assert [e["seq"] for e in entries] == sorted({e["seq"] for e in entries})
    last = entries[2]["seq"]
    assert len(cb.get(f"/_gridtwin/requests?since_seq={last}", headers=A).json()["response"]) == 3
