"""World-level control-plane operations refuse bad input whole (issue 12).

Scenario load, state import, reset and token minting validate their whole input first and
then apply it in one transaction: a refused request answers 4xx naming the field and the
stored world is byte-for-byte what it was (``world_fingerprint``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.services.world import World
from tests.conftest import make_world
from tests.fingerprint import world_fingerprint

pytestmark = pytest.mark.timeout(120)

SITE_ID = 1_000_000_000_000_001
SMALL: dict[str, Any] = {
    "version": 1, "seed": 3,
    "clock": {"start": "2025-07-15T12:00:00-07:00", "mode": "frozen"},
    "users": [{"id": "alice", "tokens": [{"name": "main"}],
               "clients": [{"client_id": "app", "client_secret": "s3cret"}]}],
    "sites": [{"energy_site_id": SITE_ID, "time_zone": "America/Los_Angeles",
               "installation_date": "2025-07-14T00:00:00-07:00"}],
    "events": [{"type": "grid_outage", "at": "+PT1H", "duration_s": 3600}],
}


def fingerprint(db_url: str) -> str:
    # The fingerprint engine has no psycopg2; name the driver the store uses.
    return world_fingerprint(db_url.replace("postgresql://", "postgresql+psycopg://", 1))


class Admin:
    """The app with a small scenario loaded, and the admin token at hand."""

    def __init__(self, world: World, client: TestClient, db_url: str) -> None:
        self.world, self.client, self.db_url = world, client, db_url
        self.headers = {"Authorization": f"Bearer {world.admin_token}"}

    def post(self, path: str, body: Any = None, content: bytes | str | None = None) -> Any:
        if content is None:
            content = json.dumps(body)
        return self.client.post(f"/_gridtwin/{path}", content=content, headers=self.headers)

    def get(self, path: str) -> Any:
        return self.client.get(f"/_gridtwin/{path}", headers=self.headers)

    def refused(self, path: str, body: Any = None, *, field: str | None = None,
                content: bytes | str | None = None) -> dict[str, Any]:
        """POST that must answer 400 naming ``field`` and leave every stored row as it was."""
        before = fingerprint(self.db_url)
        scenario = self.get("scenario").json()
        r = self.post(path, body, content)
        assert r.status_code == 400, (r.status_code, r.text[:500])
        reply: dict[str, Any] = r.json()
        assert reply["response"] is None
        if field is not None:
            assert field in reply["messages"], reply
        assert fingerprint(self.db_url) == before
        assert self.get("scenario").json() == scenario
        return reply


@pytest.fixture
def admin(backend_url: str) -> Iterator[Admin]:
    world = make_world(backend_url)
    with TestClient(create_app(world), raise_server_exceptions=False) as client:
        a = Admin(world, client, backend_url)
        r = a.post("scenario", SMALL)
        assert r.status_code == 200, r.text
        yield a
    world.store.dispose()


def _with(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(SMALL)), **changes}


def _reset_still_rebuilds_the_scenario(admin: Admin) -> None:
    r = admin.post("reset", {})
    assert r.status_code == 200, r.text
    assert r.json()["response"]["sites"] == [SITE_ID]


# POST /_gridtwin/scenario ------------------------------------------------------------
BAD_SCENARIOS = [
    pytest.param({"version": 1, "users": [{"name": "x"}], "sites": [{"time_zone": "UTC"}],
                  "events": [{"type": "nonsense"}]}, "users[0].id", id="issue-example"),
    pytest.param(_with(events=[{"type": "nonsense"}]), "events[0].type", id="event-type"),
    pytest.param(_with(events=[{"type": "grid_outage", "site_id": 42}]), "events[0].site_id",
                 id="event-unknown-site"),
    pytest.param(_with(events=[{"type": "grid_outage", "at": "2020-01-01T00:00:00Z"}]),
                 "events[0].at", id="event-before-start"),
    pytest.param(_with(events=[{"type": "load_spike", "power_w": "x", "duration_s": 60}]),
                 "events[0].power_w", id="event-param"),
    pytest.param(_with(events="x"), "events", id="events-not-list"),
    pytest.param(_with(users=[{"id": "alice", "tokens": [{"name": "t", "ttl_s": "x"}]}]),
                 "users[0].tokens[0].ttl_s", id="token-ttl"),
    pytest.param(_with(users=[{"id": "alice", "tokens": [{"name": {"a": 1}}]}]),
                 "users[0].tokens[0].name", id="token-name"),
    pytest.param(_with(users=[{"id": "alice", "tokens": [{"scopes": "all"}]}]),
                 "users[0].tokens[0].scopes", id="token-scopes"),
    pytest.param(_with(users="alice"), "users", id="users-not-list"),
    pytest.param(_with(users=[1]), "users[0]", id="user-not-object"),
    pytest.param(_with(users=[{"id": "u" * 200}]), "users[0].id", id="user-id-too-long"),
    pytest.param(_with(users=[{"id": "alice", "region": "MARS"}]), "users[0].region",
                 id="user-region"),
    pytest.param(_with(users=[{"id": "alice", "sites": ["abc"]}]), "users[0].sites[0]",
                 id="user-site-not-id"),
    pytest.param(_with(users=[{"id": "a"}, {"id": "a"}]), "users[1].id", id="user-twice"),
    pytest.param(_with(users=[{"id": "alice", "clients": [{"client_id": "app"}]}]),
                 "users[0].clients[0].client_secret", id="client-no-secret"),
    pytest.param(_with(users=[{"id": "alice", "clients": "x"}]), "users[0].clients",
                 id="clients-not-list"),
    pytest.param(_with(clock={"rate": "fast"}), "clock.rate", id="clock-rate"),
    pytest.param(_with(clock={"rate": 0}), "clock.rate", id="clock-rate-zero"),
    pytest.param(_with(clock={"mode": "warp"}), "clock.mode", id="clock-mode"),
    pytest.param(_with(clock="x"), "clock", id="clock-not-object"),
    pytest.param(_with(clock={"start": "yesterday"}), "clock.start", id="clock-start"),
    pytest.param(_with(seed="x"), "seed", id="seed"),
    pytest.param(_with(version=2), "version", id="version"),
    pytest.param(_with(sites=[{"time_zone": "America/Los_Angeles", "tariff": {"bogus": 1}}]),
                 None, id="site-tariff"),
    pytest.param(_with(faults=[{"action": {"status": 200}}]), "faults[0].action.status",
                 id="fault"),
]


@pytest.mark.parametrize(("doc", "field"), BAD_SCENARIOS)
def test_an_invalid_scenario_is_refused_whole_and_changes_nothing(admin, doc, field):
    admin.refused("scenario", doc, field=field)
    _reset_still_rebuilds_the_scenario(admin)


def test_the_issue_example_lists_every_problem_at_once(admin):
    doc = {"version": 1, "users": [{"name": "x"}], "sites": [{"time_zone": "UTC"}],
           "events": [{"type": "nonsense"}]}
    messages = admin.refused("scenario", doc)["messages"]
    assert {"users[0].id", "events[0].type"} <= set(messages)


def test_a_yaml_scenario_with_an_unquoted_date_reads_it_as_the_text_it_shows(admin):
    """YAML would make ``2025-07-15`` a date object (once a 500); it stays the text, as in
    JSON, and means midnight UTC of that day."""
    text = ("version: 1\nclock:\n  start: 2025-07-15\n  mode: frozen\n"
            "sites:\n  - time_zone: UTC\n    installation_date: 2025-07-14\n")
    r = admin.post("scenario", content=text)
    assert r.status_code == 200, r.text
    assert r.json()["response"]["now"] == 1_752_537_600
    assert admin.get("scenario").json()["response"]["clock"]["start"] == "2025-07-15"
    admin.refused("scenario", content=text.replace("2025-07-14", "2025-07-14 25:00"),
                  field="sites[0].installation_date")


def test_deeply_nested_scenarios_are_refused(admin):
    admin.refused("scenario", content="[" * 5000 + "]" * 5000, field="scenario")
    admin.refused("scenario", content="a:\n" + "".join(" " * i + "- \n" for i in range(1, 300)),
                  field="scenario")
    admin.refused("scenario", content='{"version": 1, "x": ' + "[" * 200 + "]" * 200 + "}",
                  field="scenario")


def test_a_valid_scenario_still_loads_tokens_clients_and_events(admin):
    r = admin.post("scenario", SMALL)
    assert r.status_code == 200, r.text
    loaded = r.json()["response"]
    assert loaded["sites"] == [SITE_ID] and list(loaded["tokens"]) == ["alice:main"]
    assert len(loaded["events"]) == 1
    token = loaded["tokens"]["alice:main"]
    r = admin.client.get(f"/api/1/energy_sites/{SITE_ID}/live_status",
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["response"]["grid_status"] == "Active"
    r = admin.client.post("/oauth2/v3/token", data={
        "grant_type": "client_credentials", "client_id": "app", "client_secret": "s3cret"})
    assert r.status_code == 200
    events = admin.get("events").json()["response"]
    assert [e["type"] for e in events] == ["grid_outage"] and events[0]["state"] == "pending"


# POST /_gridtwin/state --------------------------------------------------------------
def _snapshot(admin: Admin) -> dict[str, Any]:
    r = admin.get("state")
    assert r.status_code == 200
    snap: dict[str, Any] = r.json()["response"]
    return snap


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"clock": {"now": "soon"}}, "clock.now", id="clock-now"),
    pytest.param({"clock": {"now": 1, "mode": "warp"}}, "clock.mode", id="clock-mode"),
    pytest.param({"clock": "x"}, "clock", id="clock-not-object"),
    pytest.param({"seed": "x"}, "seed", id="seed"),
    pytest.param({"jwt_secret": 5}, "jwt_secret", id="jwt-secret"),
    pytest.param({"jwt_secret": ""}, "jwt_secret", id="jwt-secret-empty"),
    pytest.param({"faults": [{"action": {"status": 200}}]}, "faults[0].action.status",
                 id="faults"),
    pytest.param({"scenario": "x"}, "scenario", id="scenario-not-object"),
    pytest.param({"tables": {"sites": "x"}}, "tables.sites", id="table-not-list"),
    pytest.param({"tables": {"nonsense": []}}, "tables.nonsense", id="unknown-table"),
    pytest.param({"tables": {"users": [{"id": "x"}]}}, "tables.users[0]", id="row-missing-column"),
    pytest.param({"tables": {"users": [{"id": "u" * 200, "region": "NA", "created_s": 1}]}},
                 "tables.users[0].id", id="row-too-long"),
    pytest.param({"tables": {"users": [{"id": 5, "region": "NA", "created_s": 1}]}},
                 "tables.users[0].id", id="row-wrong-type"),
    pytest.param({"tables": {"users": [{"id": "a", "region": "NA", "created_s": 1},
                                       {"id": "a", "region": "NA", "created_s": 1}]}},
                 "tables.users[1]", id="row-duplicate-key"),
])
def test_an_invalid_state_import_is_refused_and_changes_nothing(admin, change, field):
    snap = _snapshot(admin)
    if "tables" in change:
        change = {"tables": {**snap["tables"], **change["tables"]}}
    admin.refused("state", {**snap, **change}, field=field)
    secret = admin.world.jwt_secret
    assert admin.post("state", snap).status_code == 200
    assert admin.world.jwt_secret == secret


@pytest.mark.parametrize("content", [b"", b"not json", b"[1]", b'{"version": 1}', b"\xff\xfe"])
def test_an_empty_or_malformed_state_body_is_a_400(admin, content):
    before = fingerprint(admin.db_url)
    r = admin.post("state", content=content)
    assert r.status_code == 400, r.text
    assert fingerprint(admin.db_url) == before


def test_an_imported_world_becomes_what_reset_rebuilds(admin):
    """A snapshot without a scenario replaces the scenario too: reset then rebuilds the
    imported world, not the scenario loaded before the import."""
    snap = _snapshot(admin)
    other = _with(sites=[{"energy_site_id": SITE_ID + 1, "time_zone": "UTC",
                          "installation_date": "2025-07-14T00:00:00Z"}], events=[])
    assert admin.post("scenario", other).status_code == 200
    snap_without_scenario = {**snap, "scenario": None}
    assert admin.post("state", snap_without_scenario).status_code == 200
    assert admin.get("scenario").json()["response"] is None
    sites = [s["energy_site_id"] for s in admin.get("sites").json()["response"]]
    assert sites == [SITE_ID]
    assert admin.post(f"sites/{SITE_ID}/events", {"type": "grid_outage"}).status_code == 200
    assert _snapshot(admin)["tables"] != snap["tables"]
    r = admin.post("reset", {})
    assert r.status_code == 200, r.text
    assert r.json()["response"]["sites"] == [SITE_ID]
    assert _snapshot(admin)["tables"] == snap["tables"]


def test_an_imported_scenario_is_what_reset_reloads(admin):
    snap = _snapshot(admin)
    other = _with(sites=[{"energy_site_id": SITE_ID + 1, "time_zone": "UTC",
                          "installation_date": "2025-07-14T00:00:00Z"}], events=[])
    assert admin.post("scenario", other).status_code == 200
    assert admin.post("state", snap).status_code == 200
    assert admin.post("reset", {}).json()["response"]["sites"] == [SITE_ID]


# POST /_gridtwin/reset and /tokens --------------------------------------------------
@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"scope": "site", "site_id": 10**30}, "site_id", id="site-id-30-digits"),
    pytest.param({"scope": "site", "site_id": "1"}, "site_id", id="site-id-text"),
    pytest.param({"scope": "site"}, "site_id", id="site-id-missing"),
    pytest.param({"scope": "user", "user": "u" * 200}, "user", id="user-too-long"),
    pytest.param({"scope": "user", "user": {"a": 1}}, "user", id="user-object"),
    pytest.param({"scope": "moon"}, "scope", id="scope"),
    pytest.param({"keep_faults": "yes"}, "keep_faults", id="keep-faults"),
    pytest.param({"scope": "all", "site_id": SITE_ID}, "site_id", id="site-id-with-scope-all"),
    pytest.param({"scope": "site", "site_id": SITE_ID, "user": "alice"}, "user",
                 id="user-with-scope-site"),
    pytest.param({"site_id": SITE_ID, "user": "alice"}, "site_id", id="site-id-and-user"),
])
def test_a_bad_reset_is_a_400_naming_the_field(admin, body, field):
    admin.refused("reset", body, field=field)


def test_a_reset_naming_only_a_site_rebuilds_only_that_site(admin):
    # Without "scope", a site_id used to be ignored and the whole world was rebuilt, which
    # drops a site added since the scenario was loaded.
    added = {"energy_site_id": SITE_ID + 7, "time_zone": "UTC", "owner": "alice",
             "installation_date": "2025-07-14T00:00:00Z"}
    assert admin.post("sites", added).status_code == 200
    reply = admin.post("reset", {"site_id": SITE_ID})
    assert reply.status_code == 200, reply.text
    assert reply.json()["response"]["sites"] == [SITE_ID]
    assert admin.get(f"sites/{SITE_ID + 7}").status_code == 200
    before = fingerprint(admin.db_url)
    assert admin.post("reset", {"site_id": 42}).status_code == 404
    assert fingerprint(admin.db_url) == before


def test_a_reset_site_id_out_of_range_is_named_as_such_not_as_missing(admin):
    reply = admin.refused("reset", {"scope": "site", "site_id": 10**29})
    assert reply["messages"] == {"site_id": [
        "must be a site id (a positive integer below 2**53); got an integer of 30 digits"]}
    reply = admin.refused("reset", {"scope": "site"})
    assert reply["messages"]["site_id"][0].startswith("is required for scope site")
    reply = admin.refused("reset", {"scope": "user", "user": {"a": 1}})
    assert reply["messages"] == {"user": ["must be a user id of 1-128 characters; got an object"]}


def test_resetting_an_unknown_site_is_a_404_and_changes_nothing(admin):
    before = fingerprint(admin.db_url)
    assert admin.post("reset", {"scope": "site", "site_id": 42}).status_code == 404
    assert fingerprint(admin.db_url) == before


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"user": "alice", "name": {"a": 1}}, "name", id="name-object"),
    pytest.param({"user": "alice", "name": "n" * 200}, "name", id="name-too-long"),
    pytest.param({"user": "u" * 200}, "user", id="user-too-long"),
    pytest.param({"user": 5}, "user", id="user-number"),
    pytest.param({"user": "alice", "ttl_s": 10**30}, "ttl_s", id="ttl-huge"),
    pytest.param({"user": "alice", "scopes": ["x" * 5000] * 100}, "scopes", id="scopes-huge"),
])
def test_a_bad_token_request_is_a_400_naming_the_field(admin, body, field):
    admin.refused("tokens", body, field=field)


TTL_RULE = "must be a whole number of seconds from 1 to 316224000 (10 years)"


@pytest.mark.parametrize(("ttl", "shown"), [
    pytest.param("x", "text 'x'", id="text"),
    pytest.param(1.5, "1.5", id="fraction"),
    pytest.param(True, "true", id="boolean"),
    pytest.param(0, "0", id="zero"),
    pytest.param(10**30, "an integer of 31 digits", id="huge"),
])
def test_a_bad_token_ttl_states_the_rule_and_what_was_given(admin, ttl, shown):
    reply = admin.refused("tokens", {"user": "alice", "ttl_s": ttl})
    assert reply["messages"] == {"ttl_s": [f"{TTL_RULE}; got {shown}"]}


def test_a_bad_scenario_token_ttl_states_the_rule_and_what_was_given(admin):
    reply = admin.refused("scenario", _with(users=[{"id": "alice", "tokens": [{"ttl_s": "x"}]}]))
    assert reply["messages"] == {"users[0].tokens[0].ttl_s": [
        "must be a whole number of seconds from -316224000 to 316224000 (10 years), not 0 "
        "(a negative lifetime mints an expired token); got text 'x'"]}


def test_a_scenario_battery_lists_every_problem_not_only_the_missing_model(admin):
    site = {**SMALL["sites"][0], "batteries": [{"max_charge_w": "x", "count": 99}]}
    reply = admin.refused("scenario", _with(sites=[site]))
    assert reply["messages"] == {
        "sites[0].batteries[0].model": [
            "is required: one of powerwall_2, powerwall_plus, powerwall_3, powerwall_3_expansion"],
        "sites[0].batteries[0].count": ["must be an integer 1-10"],
        "sites[0].batteries[0].max_charge_w": ["must be an integer 1-100000"],
    }


# GET /_gridtwin/state ---------------------------------------------------------------
def test_the_export_is_streamed_as_column_tables_and_imports_back(admin):
    # A scenario's sites are warmed up when first read: read it, so history is stored.
    assert admin.get(f"sites/{SITE_ID}").status_code == 200
    r = admin.get("state")
    assert r.status_code == 200 and "content-length" not in r.headers
    snap = r.json()["response"]
    totals = snap["tables"]["energy_totals"]
    assert totals["columns"][:2] == ["site_id", "end_s"]
    assert len(totals["rows"]) == 36 * 12  # 5-minute rows, 2025-07-14 00:00 to 07-15 12:00
    assert all(len(row) == len(totals["columns"]) for row in totals["rows"])
    assert admin.post("state", snap).status_code == 200
    assert _snapshot(admin)["tables"] == snap["tables"]


# gridtwin serve --scenario ------------------------------------------------------------
def test_serve_with_an_invalid_scenario_prints_one_error_line(tmp_path):
    from typer.testing import CliRunner

    from gridtwin.cli.main import app

    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nclock: x\nsites:\n  - time_zone: Mars/Olympus\n")
    result = CliRunner().invoke(app, ["serve", "--scenario", str(bad),
                                      "--db", f"sqlite:///{tmp_path / 'g.db'}"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "bad.yaml" in lines[0] and "clock: must be an object" in lines[0]


def test_cli_token_create_checks_the_user_at_the_edge(tmp_path):
    from typer.testing import CliRunner

    from gridtwin.cli.main import app

    db = f"sqlite:///{tmp_path / 'g.db'}"
    result = CliRunner().invoke(app, ["token", "create", "--user", "u" * 200, "--db", db])
    assert result.exit_code == 2, result.output
    assert result.output.strip().startswith("user: must be a string of 1-128 characters")
    result = CliRunner().invoke(app, ["token", "create", "--user", "alice", "--db", db])
    assert result.exit_code == 0 and result.output.count(".") == 2  # one JWT


def test_reset_keep_clock_keeps_sim_time_and_plain_reset_goes_back_to_start(admin):
    start = admin.get("clock").json()["response"]["now"]
    r = admin.post("clock/advance", {"seconds": 7200})
    assert r.status_code == 200
    r = admin.post("reset", {"keep_clock": True})
    assert r.status_code == 200 and r.json()["response"]["now"] == start + 7200
    assert admin.get("clock").json()["response"]["now"] == start + 7200
    events = admin.get("events").json()["response"]
    assert [e["start"] for e in events] == [start + 7200 + 3600]  # "+PT1H" from the kept clock
    r = admin.post("reset", {})
    assert r.status_code == 200 and admin.get("clock").json()["response"]["now"] == start


def test_reset_of_one_user_rebuilds_every_site_of_that_user(admin):
    r = admin.post(f"sites/{SITE_ID}/events", {"type": "grid_outage"})
    assert r.status_code == 200
    r = admin.post("reset", {"scope": "user", "user": "alice"})
    assert r.status_code == 200 and r.json()["response"]["sites"] == [SITE_ID]
    assert admin.get("events").json()["response"] == []
    admin.refused("reset", {"scope": "user", "user": "nobody"}, field="user")


def test_a_scenario_load_failing_midway_leaves_the_old_world(admin, monkeypatch):
    """All or nothing even for an unexpected failure: minting the first token raises after
    the world was wiped and the new sites stored, inside the one transaction."""
    from gridtwin.services.emulator import scenario

    real = scenario.mint_access_token
    calls = []

    def failing(*args, **kwargs):
        calls.append(args[1])
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(scenario, "mint_access_token", failing)
    before = fingerprint(admin.db_url)
    doc = _with(sites=[{"energy_site_id": SITE_ID + 1, "time_zone": "UTC"},
                       {"energy_site_id": SITE_ID + 2, "time_zone": "UTC"}], events=[])
    assert admin.post("scenario", doc).status_code == 500
    assert len(calls) == 1
    assert fingerprint(admin.db_url) == before
    monkeypatch.setattr(scenario, "mint_access_token", real)
    _reset_still_rebuilds_the_scenario(admin)
