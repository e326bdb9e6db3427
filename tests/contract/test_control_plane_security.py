"""Control-plane hardening (issue 12): fault rules that would break every request are refused,
tokens are bound to their world, secrets stay out of files, journal and read-backs, and the
OpenAPI document is behind the admin token."""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.core.settings import Settings
from gridtwin.services.auth import mint_access_token
from gridtwin.services.emulator.scenario import load_scenario
from gridtwin.services.emulator.snapshot import export_state, import_state, reset_world
from gridtwin.services.world import open_world
from tests.conftest import NOW_S, make_world
from tests.fingerprint import world_fingerprint

pytestmark = pytest.mark.timeout(120)

ADMIN = "admin-token-for-tests-0123456789"


@pytest.fixture
def admin_world(db_url):
    w = make_world(db_url, admin_token=ADMIN)
    yield w
    w.store.dispose()


@pytest.fixture
def admin_client(admin_world):
    with TestClient(create_app(admin_world), raise_server_exceptions=False) as c:
        yield c


A = {"Authorization": f"Bearer {ADMIN}"}

BAD_RULES = [
    ({"match": {"site_id": "abc"}, "template": "unavailable"}, "match.site_id"),
    ({"match": {"query": ["x"]}, "template": "unavailable"}, "match.query"),
    ({"match": {"path": ["x"]}, "template": "unavailable"}, "match.path"),
    ({"action": {"status": 503, "headers": ["x"]}}, "action.headers"),
    ({"action": {"status": 503, "headers": {"X-A": "caf\u00e9\u2603"}}}, "action.headers.X-A"),
    ({"action": {"status": 503, "headers": {"X-A": "a\r\nSet-Cookie: x=1"}}}, "action.headers.X-A"),
    ({"action": {"status": 503, "headers": {"X A": "b"}}}, "action.headers.X A"),
    ({"action": {"latency_ms": [3600000, 3600000]}}, "action.latency_ms"),
    ({"action": {"latency_ms": [500, 100]}}, "action.latency_ms"),
    ({"action": "x"}, "action"),
    ({"template": ["rate_limited"]}, "template"),
    ({"action": {"status": 503, "error": {"a": 1}}}, "action.error"),
    ({"action": {"drop_command": "yes"}}, "action.drop_command"),
    ({"id": {"a": 1}, "template": "unavailable"}, "id"),
]


@pytest.mark.parametrize(("rule", "field"), BAD_RULES, ids=[f for _, f in BAD_RULES])
def test_a_fault_rule_that_would_break_requests_is_refused_naming_the_field(
        admin_world, admin_client, site, auth, rule, field):
    before = world_fingerprint(admin_world.settings.db_url)
    r = admin_client.post("/_gridtwin/faults", headers=A, json=rule)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_field" and field in r.json()["error_description"]
    r = admin_client.put("/_gridtwin/faults", headers=A, json=[{"template": "slow"}, rule])
    assert r.status_code == 400 and f"rules[1].{field}" in r.json()["error_description"]
    assert world_fingerprint(admin_world.settings.db_url) == before  # nothing stored
    assert admin_client.get("/_gridtwin/faults", headers=A).json()["response"] == []
    live = admin_client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status", headers=auth)
    assert live.status_code == 200


def test_put_faults_with_a_non_json_body_is_400(admin_world, admin_client):
    admin_client.post("/_gridtwin/faults", headers=A, json={"template": "slow", "id": "keep"})
    for body in (b"{not json", b"\xff\xfe", b"[" * 5000):
        r = admin_client.put("/_gridtwin/faults", headers=A, content=body)
        assert r.status_code == 400 and r.json()["error"] == "invalid_field", r.text
    assert [x["id"] for x in admin_client.get("/_gridtwin/faults", headers=A).json()["response"]] == ["keep"]


def test_valid_rules_are_normalised_and_still_fire(admin_client, site, auth):
    sid = site.energy_site_id
    r = admin_client.post("/_gridtwin/faults", headers=A, json={
        "match": {"site_id": str(sid), "query": {"n": 1}, "method": "get"},
        "action": {"status": 503, "headers": {"X-Fault": 7}, "latency_ms": [0, 5]}})
    assert r.status_code == 200 and r.json()["response"]["match"] == {
        "site_id": sid, "query": {"n": "1"}, "method": "GET"}
    hit = admin_client.get(f"/api/1/energy_sites/{sid}/live_status?n=1", headers=auth)
    assert hit.status_code == 503 and hit.headers["x-fault"] == "7"
    assert admin_client.get(f"/api/1/energy_sites/{sid}/live_status", headers=auth).status_code == 200


def test_fault_latency_is_drawn_between_its_bounds(admin_client, site, auth, monkeypatch):
    """A latency_ms [lo, hi] rule waits lo + (hi - lo) x a uniform draw; a single number is
    exact. The waits are recorded, not timed (mutation survivor: lo + (hi - lo) + draw)."""
    from gridtwin.api import emulation

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(emulation, "asyncio", SimpleNamespace(sleep=sleep))
    sid = site.energy_site_id
    for latency in ([100, 300], 250):
        admin_client.delete("/_gridtwin/faults", headers=A)
        r = admin_client.post("/_gridtwin/faults", headers=A, json={
            "match": {"site_id": str(sid)}, "action": {"latency_ms": latency}})
        assert r.status_code == 200, r.text
        for _ in range(6):
            assert admin_client.get(f"/api/1/energy_sites/{sid}/live_status", headers=auth).status_code == 200
    drawn, fixed = waits[:6], waits[6:]
    assert all(0.1 <= w < 0.3 for w in drawn) and len(set(drawn)) == 6, drawn
    assert fixed == [0.25] * 6


# tokens are bound to their world -------------------------------------------------------
def _doc(user: str = "alice") -> dict:
    def iso(t: int) -> str:
        return datetime.fromtimestamp(t, UTC).isoformat()

    return {"version": 1, "clock": {"start": iso(NOW_S), "mode": "frozen"},
            "users": [{"id": user, "clients": [{"client_id": "app", "client_secret": "s3cret-value"}]}],
            "sites": [{"energy_site_id": 4242, "time_zone": "America/Los_Angeles",
                       "installation_date": iso(NOW_S - 86_400)}]}


def _live(client: TestClient, token: str, site_id: int = 4242) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get(f"/api/1/energy_sites/{site_id}/live_status", headers=headers).status_code


@pytest.mark.parametrize("replace", ["scenario", "reset", "import"])
def test_a_world_replacement_revokes_the_tokens_it_did_not_carry_over(admin_world, admin_client,
                                                                      replace):
    load_scenario(admin_world, _doc())
    # A snapshot taken before the token below exists.
    snapshot = export_state(admin_world, secrets=True) if replace == "import" else {}
    old = mint_access_token(admin_world, "alice")
    assert _live(admin_client, old.access_token) == 200  # trusted and cached
    if replace == "scenario":
        load_scenario(admin_world, _doc())  # same user name, same site id: a new world
    elif replace == "reset":
        reset_world(admin_world, {})
    else:
        import_state(admin_world, snapshot)
    assert _live(admin_client, old.access_token) == 401
    r = admin_client.post("/_gridtwin/tokens/revoke", headers=A, json={"jti": old.jti})
    assert r.status_code == 404  # the world does not know it, and it does not authenticate
    fresh = mint_access_token(admin_world, "alice")
    assert _live(admin_client, fresh.access_token) == 200


def test_a_token_whose_jti_the_database_does_not_hold_is_401(world, client, site, token):
    claims = jwt.decode(token, options={"verify_signature": False})
    for jti in (uuid.uuid4().hex, None):
        forged = {**claims, "jti": jti} if jti else {k: v for k, v in claims.items() if k != "jti"}
        signed = jwt.encode(forged, world.jwt_secret, algorithm="HS256")
        assert _live(client, signed, site.energy_site_id) == 401
    assert _live(client, token, site.energy_site_id) == 200


def test_a_carried_over_token_still_works_after_import(admin_world, admin_client):
    load_scenario(admin_world, _doc())
    kept = mint_access_token(admin_world, "alice")
    snapshot = export_state(admin_world, secrets=True)
    load_scenario(admin_world, _doc("bob"))
    assert _live(admin_client, kept.access_token) == 401
    import_state(admin_world, snapshot)
    assert _live(admin_client, kept.access_token) == 200


# secrets at rest -----------------------------------------------------------------------
def test_the_sqlite_file_is_private_and_holds_no_plain_admin_token(tmp_path):
    db = tmp_path / "gridtwin.db"
    world = open_world(Settings(db_url=f"sqlite:///{db}", admin_token="plain-admin-token-xyz",
                                demo_on_empty=False))
    try:
        with TestClient(create_app(world)) as c:
            assert c.get("/_gridtwin/info", headers={
                "Authorization": "Bearer plain-admin-token-xyz"}).status_code == 200
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        for f in files:
            assert f.exists() and stat.S_IMODE(f.stat().st_mode) == 0o600, f
        data = b"".join(f.read_bytes() for f in files)
        assert b"plain-admin-token-xyz" not in data
    finally:
        world.store.dispose()


def test_an_existing_world_readable_database_is_tightened_and_its_admin_token_hashed(tmp_path):
    db = tmp_path / "old.db"
    first = open_world(Settings(db_url=f"sqlite:///{db}", demo_on_empty=False))
    first.store.dispose()
    # As an older gridtwin left it: 0644 and the admin token in plain text.
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM meta WHERE key = 'admin_token_sha256'"))
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('admin_token', 'old-plain')"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        # The tables of migrations 0003 and 0005 (0004 rebuilds a table 0001 made).
        for table in ("fault_rules", "rate_buckets", "journal", "product_items"):
            conn.execute(text(f"DROP TABLE {table}"))
    engine.dispose()
    db.chmod(0o644)
    world = open_world(Settings(db_url=f"sqlite:///{db}", demo_on_empty=False))
    try:
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        assert world.admin_token is None and world.admin_token_ok("old-plain")
        with world.store.tx() as tx:
            assert tx.get_meta("admin_token") is None
    finally:
        world.store.dispose()


# secrets in read-backs -------------------------------------------------------------------
def test_the_journal_never_holds_client_secrets_or_tokens(admin_world, admin_client):
    load_scenario(admin_world, _doc())
    r = admin_client.post("/oauth2/v3/token", data={
        "grant_type": "client_credentials", "client_id": "app", "client_secret": "s3cret-value"})
    assert r.status_code == 200
    issued = r.json()
    r2 = admin_client.post("/oauth2/v3/token", json={
        "grant_type": "refresh_token", "client_id": "app", "refresh_token": issued["refresh_token"]})
    assert r2.status_code == 200
    journal = admin_client.get("/_gridtwin/requests", headers=A).json()["response"]
    assert len(journal) == 2 and journal[0]["endpoint"] == "token"
    dumped = str(journal)
    for secret in ("s3cret-value", issued["access_token"], issued["refresh_token"],
                   r2.json()["access_token"], r2.json()["refresh_token"]):
        assert secret not in dumped
    assert "client_id=app" in journal[0]["body"] and "[redacted]" in journal[0]["response_body"]


def test_the_journal_reads_alike_as_json_count_and_ndjson(admin_client):
    """/requests, /requests/count and /requests.jsonl (one JSON document a line) give the
    same entries for the same filter (the .jsonl export was untested: a mutation survived)."""
    for _ in range(3):
        admin_client.get("/api/1/products")
    admin_client.get("/api/1/users/me")
    for q in ("", "?endpoint=products"):
        entries = admin_client.get(f"/_gridtwin/requests{q}", headers=A).json()["response"]
        count = admin_client.get(f"/_gridtwin/requests/count{q}", headers=A).json()["response"]
        r = admin_client.get(f"/_gridtwin/requests.jsonl{q}", headers=A)
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert r.text.endswith("\n") and r.text.count("\n") == len(entries) == count["count"]
        assert [json.loads(line) for line in r.text.splitlines()] == entries
    assert len(entries) == 3 and {e["endpoint"] for e in entries} == {"products"}


def test_scenario_and_state_read_backs_hide_secrets_unless_asked(admin_world, admin_client):
    load_scenario(admin_world, _doc())
    scenario = admin_client.get("/_gridtwin/scenario", headers=A).json()["response"]
    assert scenario["users"][0]["clients"][0]["client_secret"] == "[redacted]"
    state = admin_client.get("/_gridtwin/state", headers=A).json()["response"]
    assert state["jwt_secret"] is None and admin_world.jwt_secret not in str(state)
    assert "s3cret-value" not in str(state)
    shown = admin_client.get("/_gridtwin/scenario?secrets=1", headers=A).json()["response"]
    assert shown["users"][0]["clients"][0]["client_secret"] == "s3cret-value"
    full = admin_client.get("/_gridtwin/state?secrets=1", headers=A).json()["response"]
    assert full["jwt_secret"] == admin_world.jwt_secret
    assert admin_client.get("/_gridtwin/state?secrets=1").status_code == 401
    # A redacted snapshot imports and keeps this server's secret; its placeholder secret
    # never authenticates a client after a reset from the stored scenario.
    secret = admin_world.jwt_secret
    assert admin_client.post("/_gridtwin/state", headers=A, json=state).status_code == 200
    assert admin_world.jwt_secret == secret
    reset_world(admin_world, {})
    r = admin_client.post("/oauth2/v3/token", data={
        "grant_type": "client_credentials", "client_id": "app", "client_secret": "[redacted]"})
    assert r.status_code == 401


# OpenAPI -------------------------------------------------------------------------------
def test_openapi_and_docs_need_the_admin_token(admin_client):
    for path in ("/_gridtwin/openapi.json", "/_gridtwin/docs"):
        assert admin_client.get(path).status_code == 401
        assert admin_client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    doc = admin_client.get("/_gridtwin/openapi.json", headers=A)
    assert doc.status_code == 200 and "/api/1/energy_sites/{energy_site_id}/live_status" in doc.json()["paths"]
    page = admin_client.get("/_gridtwin/docs", headers=A)
    assert page.status_code == 200 and "live_status" in page.text  # the document is embedded


def test_openapi_and_docs_are_absent_without_the_control_plane(db_url):
    world = make_world(db_url, enable_admin=False, admin_token=ADMIN)
    try:
        with TestClient(create_app(world)) as c:
            for path in ("/_gridtwin/openapi.json", "/_gridtwin/docs"):
                assert c.get(path, headers=A).status_code == 404
    finally:
        world.store.dispose()


def test_a_restart_without_an_admin_token_issues_a_new_one_and_retires_the_old(db_url):
    first = make_world(db_url)
    old = first.admin_token
    assert old is not None and first.admin_token_ok(old)
    first.store.dispose()
    again = make_world(db_url)  # as serve on an existing database: only the hash is known
    try:
        assert again.admin_token is None and again.admin_token_ok(old)
        new = again.rotate_admin_token()  # what serve prints
        assert again.admin_token_ok(new) and not again.admin_token_ok(old)
        with TestClient(create_app(again)) as c:
            assert c.get("/_gridtwin/info", headers={"Authorization": f"Bearer {old}"}).status_code == 401
            assert c.get("/_gridtwin/info", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    finally:
        again.store.dispose()
