"""gridtwin against its own OpenAPI document.

``test_openapi_declares_statuses`` checks the document itself: every ``/api/1`` operation
has a success schema and the error statuses wire-format.md §3 allows for it.

``test_fuzz_against_own_openapi`` is a bounded schemathesis run against a real server on a
frozen clock: every emulated operation (the control plane under ``/_gridtwin`` is left out:
it mutates and resets the world, and it is not part of the emulated API), positive and
negative data, with the owner's token and with missing, bad, expired, revoked, other-user
and under-scoped tokens. It asserts: no 5xx, every status documented, content type and body
conform to the declared schema, ``x-txid`` present, the §3 order of checks for the
auth variants, and at least MIN_REQUESTS requests actually answered.

Set ``GRIDTWIN_FUZZ_SEED`` to explore other inputs (the default run is derandomized).
"""

from __future__ import annotations

import copy
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gridtwin.api.app import create_app
from gridtwin.api.wire.models import COMMAND_EXAMPLES
from gridtwin.services.emulator.presets import preset
from gridtwin.services.world import World
from gridtwin.testing import ADMIN_TOKEN, RunningGridtwin, running_gridtwin

MIN_REQUESTS = 2_000

ALICE_BATTERY = 1_000_000_000_000_101
ALICE_SOLAR = 1_000_000_000_000_102
ALICE_WC = 1_000_000_000_000_103
BOB_BATTERY = 1_000_000_000_000_104
MISSING_SITE = 1_000_000_000_000_999
SITE_IDS = (ALICE_BATTERY, ALICE_SOLAR, ALICE_WC, BOB_BATTERY, MISSING_SITE)
OWNED = {"alice": {ALICE_BATTERY, ALICE_SOLAR, ALICE_WC}, "bob": {BOB_BATTERY}}

ENERGY_DATA, ENERGY_CMDS, VEHICLE_DATA = "energy_device_data", "energy_cmds", "vehicle_device_data"
ALL_SCOPES = ["openid", "offline_access", ENERGY_DATA, ENERGY_CMDS]


def _scenario() -> dict[str, Any]:
    """Every site type and both profiles; one user's and another user's sites; varied tokens."""
    demo: dict[str, Any] = copy.deepcopy(preset("demo")["sites"][0])
    tariff = copy.deepcopy(preset("tou_peak_export")["sites"][0]["tariff"])
    la = demo["time_zone"]
    return {
        "version": 1, "seed": 7,
        "clock": {"start": "2025-07-15T06:00:00-07:00", "mode": "frozen"},
        "users": [
            {"id": "alice", "region": "NA", "sites": [ALICE_BATTERY, ALICE_SOLAR, ALICE_WC],
             "clients": [{"client_id": "fuzz-client", "client_secret": "fuzz-secret"}],
             "tokens": [
                 {"name": "default"},
                 {"name": "readonly", "scopes": ["openid", ENERGY_DATA]},
                 {"name": "cmds", "scopes": [ENERGY_CMDS]},
                 {"name": "vehicle", "scopes": [VEHICLE_DATA]},
                 {"name": "expired", "ttl_s": -3_600},
                 {"name": "revoked"},
             ]},
            {"id": "bob", "region": "EU", "sites": [BOB_BATTERY]},
        ],
        "sites": [
            {**demo, "energy_site_id": ALICE_BATTERY,
             "generator": {"rated_w": 6_000}, "tariff": tariff,
             "components": {"off_grid_vehicle_charging_reserve_supported": True}},
            {"energy_site_id": ALICE_SOLAR, "type": "solar", "time_zone": la, "batteries": [],
             "name": "Cabin", "sky": "clear"},
            {"energy_site_id": ALICE_WC, "type": "wall_connector", "time_zone": la,
             "batteries": [], "wall_connectors": [{}], "name": "Garage"},
            {**demo, "energy_site_id": BOB_BATTERY, "profile": "observed", "name": "Bob"},
        ],
        "events": [
            {"type": "ev_plug_in", "at": "+PT20M", "energy_wh": 9_000, "site_id": ALICE_BATTERY},
            {"type": "grid_outage", "at": "+PT1H", "duration_s": 3_600, "site_id": ALICE_BATTERY},
            {"type": "ev_plug_in", "at": "+PT30M", "energy_wh": 6_000, "site_id": ALICE_WC},
            {"type": "grid_outage", "at": "+PT2H", "duration_s": 1_800, "site_id": BOB_BATTERY},
        ],
    }


# --------------------------------------------------------------------------- the document


def _site_scoped(path: str) -> bool:
    return path.startswith("/api/1/energy_sites/{energy_site_id}/")


def _required_statuses(method: str, path: str) -> set[int]:
    """The error statuses wire-format.md §3 allows on an /api/1 operation."""
    out = {401, 429, 500}
    name = path.rsplit("/", 1)[-1]
    if path != "/api/1/users/region":
        out.add(403)  # §4.2: every route but users/region needs a scope
    if _site_scoped(path):
        out.add(404)  # unknown site or another user's site
    if method == "post" or name in ("calendar_history", "telemetry_history"):
        out.add(400)  # bad body member / query parameter
    if name == "history":
        out.add(410)
    return out


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _variants(doc: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    if "anyOf" in schema:
        return [v for s in schema["anyOf"] for v in _variants(doc, s)]
    return [_resolve(doc, schema)]


def test_openapi_declares_statuses(world: World) -> None:
    doc = create_app(world).openapi()
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [(m, p, op) for p, ops in doc["paths"].items() if p.startswith("/api/1/")
                  for m, op in ops.items()]
    assert len(operations) == 19
    for method, path, op in operations:
        label = f"{method.upper()} {path}"
        responses = op["responses"]
        declared = {int(k) for k in responses if k.isdigit()}
        legacy = path.endswith("/history")
        ok = 410 if legacy else 200
        assert ok in declared, label
        if not legacy:
            body = responses["200"]["content"]["application/json"]["schema"]
            for variant in _variants(doc, body):
                assert variant["type"] == "object" and "response" in variant["properties"], label
                assert variant.get("additionalProperties") is False, label
        required = _required_statuses(method, path)
        assert required <= declared, f"{label}: missing {sorted(required - declared)}"
        allowed = required | {200} | ({413} if method == "post" else set())
        assert declared <= allowed, f"{label}: undocumented by §3: {sorted(declared - allowed)}"
        assert 422 not in declared and 405 not in declared, label
        assert "default" in responses, f"{label}: fault-injection responses"
        for status in required:
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            for variant in _variants(doc, schema):
                assert {"response", "error", "error_description"} <= set(variant["required"])
                assert variant["properties"]["response"] == {"type": "null", "title": "Response"}
            assert responses[str(status)]["headers"]["x-txid"]["required"] is True
        if 429 in declared:
            assert {"Retry-After", "RateLimit-Reset"} <= set(responses["429"]["headers"]), label
        assert op["security"] == [{"bearerAuth": []}], label
        if method == "post":
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            assert schema["type"] == "object" and schema.get("properties"), label
        if path.endswith(("/calendar_history", "/telemetry_history")):
            params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
            assert params["kind"]["required"] is True, label
            assert {"start_date", "end_date", "time_zone"} <= set(params), label
    backup = doc["paths"]["/api/1/energy_sites/{energy_site_id}/backup"]["post"]
    reserve = backup["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "backup_reserve_percent"]
    assert (reserve["type"], reserve["minimum"], reserve["maximum"]) == ("integer", 0, 100)
    status = doc["paths"]["/status"]["get"]["responses"]["200"]["content"]
    assert list(status) == ["text/plain"]
    token = doc["paths"]["/oauth2/v3/token"]["post"]
    assert set(token["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded", "application/json"}


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("segment", ["%C2%B2", "%E2%91%A0", "%D9%A1"])
def test_non_ascii_digit_site_id_is_not_found(client: Any, auth: dict[str, str],
                                              segment: str) -> None:
    """Found by the fuzzer: '²' and '①' pass str.isdigit() but not int() (was a 500)."""
    response = client.get(f"/api/1/energy_sites/{segment}/live_status", headers=auth)
    assert (response.status_code, response.json()["error"]) == (404, "not_found")
    response = client.post(f"/api/1/energy_sites/{segment}/backup", content=b"{}")
    assert (response.status_code, response.json()["error"]) == (401, "invalid bearer token")


# --------------------------------------------------------------------------- the fuzz run


@dataclass(frozen=True)
class Variant:
    """Who calls: a token (or none) and what the §3 order of checks then implies."""

    name: str
    header: str | None
    user: str | None = None
    scopes: frozenset[str] = frozenset()
    auth_error: str | None = None  # the 401 ``error`` every authenticated route must give
    examples: int = 12


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    txids: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
NEEDS = {"products": {ENERGY_DATA, VEHICLE_DATA}, "region": set(), "commands": {ENERGY_CMDS}}


def _needed_scopes(path: str, method: str) -> set[str] | None:
    """Scopes of which the token needs one; None for unauthenticated routes."""
    if path in ("/status", "/oauth2/v3/token"):
        return None
    if path == "/api/1/products":
        return NEEDS["products"]
    if path == "/api/1/users/region":
        return NEEDS["region"]
    if path.startswith("/api/1/users/"):
        return {"user_data", "openid"}
    if path.endswith("/command"):
        return {ENERGY_CMDS, ENERGY_DATA}  # reads take either; writes are checked per body
    return NEEDS["commands"] if method == "POST" else {ENERGY_DATA}


def _reported_scope(path: str, needed: set[str]) -> str:
    """The scope a 403 names: the route's first (user_data for users/*)."""
    return "user_data" if path.startswith("/api/1/users/") else sorted(needed)[0]


def _expected(variant: Variant, method: str, path: str, site: str | None) -> tuple[int, str] | None:
    """The status (and error) §3's order of checks prescribes, when the inputs decide it."""
    needed = _needed_scopes(path, method)
    if needed is None:
        return None
    if _site_scoped(path) and site is None:
        return None  # a generated path segment may not even match the route
    if variant.auth_error is not None:
        return 401, variant.auth_error
    if needed and not needed & variant.scopes:
        return 403, f"Unauthorized missing scopes {_reported_scope(path, needed)}"
    if site is not None and variant.user is not None and int(site) not in OWNED[variant.user]:
        return 404, "not_found"
    return None


ZONES = ("America/Los_Angeles", "UTC", "Australia/Adelaide", "Asia/Kathmandu",
         "America/St_Johns", "Pacific/Chatham", "Europe/London", "Pacific/Kiritimati")


def _strategy(op: Any, mode: GenerationMode, variant: Variant) -> st.SearchStrategy[Any]:
    """Cases for ``op``; mostly with real site ids (owned, another user's, missing) and, for
    history, real zone names, so that requests get past the 404 and into the parsers."""
    headers = {"Authorization": variant.header} if variant.header else None

    def build(site: int | None, zone: str | None) -> st.SearchStrategy[Any]:
        kw: dict[str, Any] = {}
        if site is not None:
            kw["path_parameters"] = {"energy_site_id": str(site)}
        if zone is not None:
            kw["query"] = {"time_zone": zone}
        strategy: st.SearchStrategy[Any] = op.as_strategy(
            generation_mode=mode, headers=headers, **kw)
        return strategy

    has_zone = mode is GenerationMode.POSITIVE and any(p.name == "time_zone" for p in op.query)
    if not _site_scoped(op.path) and not has_zone:
        return build(None, None)
    sites = st.sampled_from(SITE_IDS) if _site_scoped(op.path) else st.none()
    zones = st.one_of(st.none(), st.sampled_from(ZONES)) if has_zone else st.none()
    pinned = st.tuples(sites, zones).flatmap(lambda t: build(*t))
    return st.one_of(pinned, pinned, pinned, build(None, None))


def _send(case: Any, label: str, variant: Variant, gt: RunningGridtwin,
          session: requests.Session, tally: Tally) -> Any:
    """Send one case and check the reply: no 5xx, documented status, schema conformance,
    and the status §3's order of checks prescribes for ``variant``."""
    op = case.operation
    if variant.header is None:
        case.headers.pop("Authorization", None)
    response = case.call(base_url=gt.base_url, session=session)
    tally.sent += 1
    status = response.status_code
    tally.statuses[(op.label, variant.name, status)] += 1
    tally.txids.update(response.headers.get("x-txid") or [])

    def context() -> str:
        return f"{label}: {case.as_curl_command()} -> {status} {response.text[:800]}"

    assert status < 500, context()
    # No fault rules are configured, so the "default" response must never be needed.
    assert str(status) in op.responses.status_codes, context()
    case.validate_response(response, checks=CHECKS)
    site = case.path_parameters.get("energy_site_id")
    known = site if site in {str(s) for s in SITE_IDS} else None
    expected = _expected(variant, case.method, op.path, known)
    if expected is not None:
        assert (status, response.json()["error"]) == expected, context()
    return response


def _run(op: Any, mode: GenerationMode, variant: Variant, examples: int, gt: RunningGridtwin,
         session: requests.Session, tally: Tally) -> None:
    label = f"{op.label} [{mode.value}, {variant.name}]"

    def check(case: Any) -> None:
        _send(case, label, variant, gt, session, tally)

    test = given(case=_strategy(op, mode, variant))(check)
    test = settings(
        max_examples=examples, deadline=None, database=None, derandomize=SEED is None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
    )(test)
    if SEED is not None:
        test = seed(SEED)(test)
    try:
        test()
    except Exception as exc:  # collect every operation's failure, report them together
        if "Unable to satisfy assumptions" in str(exc) or "Unsatisfiable" in type(exc).__name__:
            return  # negative data impossible for this operation (e.g. no parameters)
        tally.failures.append(f"{label}\n{exc}")


SEED = int(os.environ["GRIDTWIN_FUZZ_SEED"]) if os.environ.get("GRIDTWIN_FUZZ_SEED") else None


def _bad_tokens(gt: RunningGridtwin) -> dict[str, str]:
    """Tokens the server must reject: unsigned, foreign-signed, garbage."""
    claims = jwt.decode(gt.tokens["alice:default"], options={"verify_signature": False})
    return {
        "foreign": jwt.encode(claims, "not-the-server-secret-0123456789abcdef", algorithm="HS256"),
        "none_alg": jwt.encode(claims, "", algorithm="none"),
    }


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[RunningGridtwin]:
    with running_gridtwin(scenario=_scenario()) as gt:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=gt.base_url, headers=admin, timeout=120) as c:
            # Four simulated hours: charging sessions and outages end up in the history.
            c.post("/_gridtwin/clock/advance", json={"seconds": 4 * 3_600}).raise_for_status()
            revoked = jwt.decode(gt.tokens["alice:revoked"], options={"verify_signature": False})
            c.post("/_gridtwin/tokens/revoke", json={"jti": revoked["jti"]}).raise_for_status()
        yield gt


def _variants_for(gt: RunningGridtwin) -> list[Variant]:
    bad = _bad_tokens(gt)
    tok = gt.tokens
    return [
        Variant("bob", f"Bearer {tok['bob:default']}", "bob", frozenset(ALL_SCOPES)),
        Variant("readonly", f"Bearer {tok['alice:readonly']}", "alice",
                frozenset({"openid", ENERGY_DATA})),
        Variant("cmds_only", f"Bearer {tok['alice:cmds']}", "alice", frozenset({ENERGY_CMDS})),
        Variant("vehicle_only", f"Bearer {tok['alice:vehicle']}", "alice",
                frozenset({VEHICLE_DATA})),
        Variant("no_token", None, auth_error="invalid bearer token"),
        Variant("garbage", "Bearer not.a.jwt", auth_error="invalid bearer token"),
        Variant("foreign_signed", f"Bearer {bad['foreign']}", auth_error="invalid bearer token"),
        Variant("alg_none", f"Bearer {bad['none_alg']}", auth_error="invalid bearer token"),
        Variant("expired", f"Bearer {tok['alice:expired']}", auth_error="token expired (401)"),
        Variant("revoked", f"Bearer {tok['alice:revoked']}", auth_error="invalid bearer token"),
    ]


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.timeout(900)  # bounded by its request plan; no timing assertion (busy CI machines)
def test_fuzz_against_own_openapi(fuzz_server: RunningGridtwin) -> None:
    gt = fuzz_server
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{gt.base_url}/_gridtwin/openapi.json",
                                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    loaded = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    operations = {op.label: op for op in loaded if not op.path.startswith("/_gridtwin")}
    assert len(operations) == 21  # /status, token and the 19 /api/1 operations
    owner = Variant("owner", f"Bearer {gt.tokens['alice:default']}", "alice",
                    frozenset(ALL_SCOPES))
    others = _variants_for(gt)
    tally = Tally()
    plan: list[tuple[Any, GenerationMode, Variant, int]] = []
    # Commands first, so that the reads afterwards see the state they wrote.
    for op in sorted(operations.values(), key=lambda op: op.method.upper() != "POST"):
        has_inputs = len(op.body) > 0 or len(op.query) > 0
        plan.append((op, GenerationMode.POSITIVE, owner, 100 if has_inputs else 40))
        if has_inputs:
            plan.append((op, GenerationMode.NEGATIVE, owner, 50))
        if _needed_scopes(op.path, op.method.upper()) is not None:
            plan += [(op, GenerationMode.POSITIVE, v, v.examples) for v in others]
    with requests.Session() as session:
        for op, mode, variant, examples in plan:
            if op.path.endswith("/site_info") and mode is GenerationMode.POSITIVE and (
                    variant is owner):
                _settle_rich_state(operations, owner, others[0], gt, session, tally)
            _run(op, mode, variant, examples, gt, session, tally)
        _token_round_trip(operations["POST /oauth2/v3/token"], owner, gt, session, tally)
    elapsed = time.monotonic() - started
    summary: Counter[tuple[str, int]] = Counter()
    for (label, _variant, status), n in tally.statuses.items():
        summary[(label, status)] += n
    print(f"\nfuzz: {tally.sent} requests, {len(tally.txids)} distinct x-txid, {elapsed:.1f} s")
    for (label, status), n in sorted(summary.items()):
        print(f"  {label:<75} {status} x{n}")
    assert not tally.failures, "\n\n".join(tally.failures)
    assert tally.sent >= MIN_REQUESTS
    assert len(tally.txids) >= MIN_REQUESTS  # distinct requests the server really answered
    for label, op in operations.items():  # every operation's success path was reached
        ok = 410 if op.path.endswith("/history") else 200
        assert summary[(label, ok)] > 0, label


def _settle_rich_state(operations: dict[str, Any], alice: Variant, bob: Variant,
                       gt: RunningGridtwin, session: requests.Session, tally: Tally) -> None:
    """After the random commands, write the settings whose read-back shapes are optional
    (disallow flag, non_export_configured, tariff echo, storm mode), on both profiles."""
    prefix = "POST /api/1/energy_sites/{energy_site_id}/"
    writes = [
        (alice, ALICE_BATTERY, "grid_import_export",
         {"customer_preferred_export_rule": "never",
          "disallow_charge_from_grid_with_solar_installed": True}),
        (alice, ALICE_BATTERY, "storm_mode", {"enabled": True}),
        (alice, ALICE_BATTERY, "time_of_use_settings", COMMAND_EXAMPLES["time_of_use_settings"]),
        (bob, BOB_BATTERY, "time_of_use_settings", COMMAND_EXAMPLES["time_of_use_settings"]),
        (bob, BOB_BATTERY, "backup", {"backup_reserve_percent": 80}),
    ]
    for variant, site, name, body in writes:
        op = operations[prefix + name]
        case = op.Case(path_parameters={"energy_site_id": str(site)}, body=body,
                       media_type="application/json",
                       headers={"Authorization": variant.header})
        response = _send(case, f"{op.label} [settle, {variant.name}]", variant, gt, session,
                         tally)
        assert response.status_code == 200, response.text


def _token_round_trip(op: Any, variant: Variant, gt: RunningGridtwin,
                      session: requests.Session, tally: Tally) -> None:
    """The token endpoint's success path, which random client ids never reach."""

    def call(body: dict[str, str], media_type: str, expect: int) -> dict[str, Any]:
        case = op.Case(body=body, media_type=media_type)
        response = _send(case, f"{op.label} [round trip]", variant, gt, session, tally)
        assert response.status_code == expect, response.text
        data: dict[str, Any] = response.json()
        return data

    grant = {"grant_type": "client_credentials", "client_id": "fuzz-client",
             "client_secret": "fuzz-secret"}
    first = call(grant, "application/x-www-form-urlencoded", 200)
    second = call({**grant, "scope": "openid energy_device_data"}, "application/json", 200)
    assert "refresh_token" not in second
    refresh = {"grant_type": "refresh_token", "client_id": "fuzz-client",
               "refresh_token": first["refresh_token"]}
    call(refresh, "application/json", 200)
    assert call(refresh, "application/json", 400)["error"] == "invalid_grant"  # single use
    assert call({**grant, "client_secret": "wrong"}, "application/json", 401)["error"] == (
        "invalid_client")
