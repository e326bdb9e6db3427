"""OpenAPI text of the control plane: one summary, body, example and error list per route.

The routes in ``admin.py`` read raw bodies (``deps.parse_json_object``), so FastAPI cannot
infer their request bodies; this table describes them. :func:`apply` copies it onto the
router's routes, and refuses a route it does not describe, so a new route cannot ship
without its documentation. The control-plane index, the ``/_gridtwin/docs`` page and
``docs/control-plane-reference.md`` are all rendered from the resulting OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from gridtwin.domain.catalogue import BACKUP_RESERVE_PERCENT

__all__ = ["ROUTES", "RouteDoc", "apply", "describe_path_parameters"]

_TIME = ("number", "string")
INSTANT = ("instant: Unix seconds, RFC 3339 text (UTC when no offset) "
           "or an offset from the simulated now such as \"+PT1H\"")


def _f(kind: str | tuple[str, ...], text: str, **extra: Any) -> dict[str, Any]:
    """One body member: its JSON type (a tuple: any of these) and what it means."""
    typed = ({"type": kind} if isinstance(kind, str)
             else {"anyOf": [{"type": k} for k in kind]})
    return {**typed, "description": text, **extra}


def _obj(required: tuple[str, ...] = (), **members: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": members}
    if required:
        schema["required"] = list(required)
    return schema


_ERRORS = {
    400: "invalid_request (the body is not a JSON object) or invalid_field: `messages` names "
         "each bad field",
    401: "invalid bearer token: the admin token is missing or wrong",
    404: "not_found: no such resource (or the id is not a number)",
}


@dataclass(frozen=True)
class RouteDoc:
    summary: str
    """One line, shown in the control-plane index."""
    description: str = ""
    body: dict[str, Any] | None = None
    """JSON schema of the request body (None: the route takes no body)."""
    example: Any = None
    """An example request body."""
    reply: Any = None
    """An example of the ``response`` member of a success reply."""
    errors: tuple[int, ...] = (401,)
    query: dict[str, str] = field(default_factory=dict)
    """Query parameters: name → meaning."""
    media: str = "application/json"


_SITE_STATE = {"energy_site_id": 5801768738520678, "owner": "demo", "type": "battery",
               "name": "My Home", "time_zone": "America/Los_Angeles", "signed_commands": False,
               "sim_time": 1752609601,
               "energy_wh": 24544.1, "app_pct": 87.0, "controller_state": "normal",
               "islanded": False, "active_events": []}
_EVENT = {"type": _f("string", "grid_outage, grid_restore, island, storm_alert, ev_plug_in, "
                               "ev_unplug, sky, load_spike or wc_fault"),
          "at": _f(_TIME, f"when it starts, {INSTANT}; default now, never in the past"),
          "duration_s": _f("integer", "how long, 1 s to 400 days (types that end)"),
          "end": _f(_TIME, f"when it ends instead of duration_s, {INSTANT}"),
          "energy_wh": _f("integer", "ev_plug_in: energy the car wants, 1-200000 [Wh]"),
          "power_w": _f("integer", "load_spike: extra home load, 1-100000 [W]"),
          "din": _f("string", "ev_plug_in, ev_unplug, wc_fault: which Wall Connector"),
          "date": _f("string", "sky: the local day, YYYY-MM-DD"),
          "sky": _f("string", "sky: tmy, clear, partly_cloudy, overcast, storm or random")}
_EVENT_REPLY = {"id": "f41a26fdca954b25", "site_id": 5801768738520678, "type": "grid_outage",
                "start": 1752613201, "end": 1752620401, "params": {}}
_RULE = _obj(
    template=_f("string", "start from a shipped action (GET /_gridtwin/info lists them)"),
    match=_f("object", "all given keys must match: method, path (glob), endpoint, site_id, "
                       "user, query"),
    action=_f("object", "status, error, error_description, headers, body, latency_ms, "
                        "reset_connection, drop_command"),
    probability=_f("number", "chance the rule fires, 0-1 (seeded); default 1"),
    count=_f("integer", "uses left; the rule disappears after the last; default unlimited"),
    expires_at=_f("number", "wall-clock Unix seconds after which the rule disappears"),
    id=_f("string", "a name for the rule; default generated"))
_RULE_REPLY = {"id": "191d2e2dc839", "match": {"endpoint": "live_status"},
               "action": {"status": 429, "error": "rate_limited",
                          "headers": {"Retry-After": "30"}},
               "probability": 1.0, "count": 1, "expires_at": None}
_LOAD_REPLY = {"seed": 0, "now": 1752638400, "sites": [5801768738520678],
               "tokens": {"demo:default": "eyJhbGciOi..."}, "events": ["575820af95c44c81"]}
_JOURNAL_QUERY = {"endpoint": "emulated route name, e.g. live_status", "method": "HTTP method",
                  "status": "reply status", "site_id": "energy_site_id",
                  "since_seq": "only entries after this sequence number",
                  "limit": "only the last N entries"}
_SEED = _f("integer", "seed for generated ids, noise and fault draws")

ROUTES: dict[tuple[str, str], RouteDoc] = {
    ("GET", "/_gridtwin/health"): RouteDoc(
        "Liveness and simulated time; the only route that needs no token.",
        reply={"status": "ok", "version": "0.1.0", "sim_time": 1752606000,
               "clock_mode": "frozen", "sites": 1}, errors=()),
    ("GET", "/_gridtwin/info"): RouteDoc(
        "Version, seed, profiles, quirk ids, fault templates and configuration.",
        reply={"public_base_url": "http://127.0.0.1:8080", "version": "0.1.0", "seed": 0,
               "profiles": ["documented", "observed"], "quirks": ["no_history"],
               "fault_templates": ["rate_limited", "unavailable"],
               "config": {"db": "sqlite:///gridtwin.db", "max_body_bytes": 1048576,
                          "token_leeway_s": 60, "check_audience": False}}),
    ("GET", "/_gridtwin/clock"): RouteDoc(
        "The clock: mode, rate, simulated now and wall time.",
        reply={"mode": "frozen", "rate": 1.0, "now": 1752606000, "wall": 1796121587}),
    ("PUT", "/_gridtwin/clock"): RouteDoc(
        "Switch the clock mode (realtime, scaled, frozen), set its rate or jump forward.",
        body=_obj(mode=_f("string", "realtime, scaled or frozen; simulated time continues"),
                  rate=_f("number", "speed of the scaled mode, 0 < rate <= 10000"),
                  now=_f(_TIME, f"jump forward to this {INSTANT}; going back is refused")),
        example={"mode": "scaled", "rate": 60},
        reply={"mode": "scaled", "rate": 60.0, "now": 1752606000, "wall": 1796121587},
        errors=(400, 401)),
    ("POST", "/_gridtwin/clock/advance"): RouteDoc(
        "Simulate every site forward by seconds or to an instant (at most 400 days).",
        description="Returns once every site is simulated to the target; `fired` lists the "
                    "events that started on the way.",
        body=_obj(seconds=_f("number", "how far, >= 0 [s]"),
                  to=_f(_TIME, f"target {INSTANT}, not in the past (instead of seconds)")),
        example={"seconds": 3600}, reply={"now": 1752609600, "fired": []}, errors=(400, 401)),
    ("GET", "/_gridtwin/sites"): RouteDoc(
        "Internal state of the sites at the simulated now, one page at a time.",
        description="Sites in list order, each brought to now. Next to `response`: `count` "
                    "(sites on this page) and `next_cursor` (pass it as `cursor` for the "
                    "next page; null on the last page).",
        query={"limit": "sites per page, 1-1000 (default 100)",
               "cursor": "next_cursor of the previous page"},
        reply=[_SITE_STATE], errors=(400, 401)),
    ("POST", "/_gridtwin/sites"): RouteDoc(
        "Add a site from a description (as in a scenario) and simulate its history.",
        description="Every key of a scenario site is accepted (docs/scenarios.md); `owner` "
                    "is created if missing. The reply is the new site's state.",
        body=_obj(("time_zone",),
                  time_zone=_f("string", "IANA zone name"),
                  owner=_f("string", "user id owning the site; default demo"),
                  type=_f("string", "battery, solar or wall_connector; default battery"),
                  energy_site_id=_f("integer", "id; default generated from the seed"),
                  name=_f("string", "site name"),
                  location=_f("object", "latitude and longitude [degrees]"),
                  solar=_f("object", "dc_kw, tilt, azimuth, losses_pct, inverter_ac_w, "
                                       "inverter_eta (0 < eta <= 1)"),
                  batteries=_f("array", "[{model, count}]"),
                  installation_date=_f(_TIME, "history starts here; default 30 days ago"),
                  signed_commands=_f("boolean", "set_island_mode requests operate the grid "
                                                "contactor, as signed ones do; default false")),
        example={"energy_site_id": 4242, "owner": "carol", "type": "solar",
                 "time_zone": "Europe/Berlin", "solar": {"dc_kw": 5}},
        reply={**_SITE_STATE, "energy_site_id": 4242, "owner": "carol", "type": "solar"},
        errors=(400, 401)),
    ("GET", "/_gridtwin/sites/{site_id}"): RouteDoc(
        "Internal state of one site: stored energy, powers, controller, settings, events.",
        reply=_SITE_STATE, errors=(401, 404)),
    ("PATCH", "/_gridtwin/sites/{site_id}"): RouteDoc(
        "Change a site now: charge, settings, profile, signed commands, quirks, components, "
        "sky or owner.",
        body=_obj(app_pct=_f("number", "battery charge the app shows, 0-100 [%]"),
                  settings=_f("object", "command settings, e.g. backup_reserve_percent"),
                  profile=_f("string", "documented or observed"),
                  signed_commands=_f("boolean", "true: gateway set_island_mode requests take "
                                                "effect (off grid, reconnect), as signed ones do"),
                  quirks=_f("object", "{quirk_id: bool}"),
                  components=_f("object", "site_info.components flags to override"),
                  sky=_f("string", "tmy, clear, partly_cloudy, overcast, storm or random"),
                  owner=_f("string", "give the site to this user")),
        example={"app_pct": 80, "settings": {BACKUP_RESERVE_PERCENT.key: 30}},
        reply={**_SITE_STATE, "app_pct": 80.0}, errors=(400, 401, 404)),
    ("DELETE", "/_gridtwin/sites/{site_id}"): RouteDoc(
        "Remove a site with its history and events.", reply={"deleted": 4242},
        errors=(401, 404)),
    ("POST", "/_gridtwin/sites/{site_id}/events"): RouteDoc(
        "Schedule an event on one site: outage, restore, island, storm, car, sky, load, fault.",
        body=_obj(("type",), **_EVENT),
        example={"type": "grid_outage", "at": "+PT1H", "duration_s": 7200},
        reply=_EVENT_REPLY, errors=(400, 401, 404)),
    ("POST", "/_gridtwin/events"): RouteDoc(
        "Schedule the same event on several sites (default all).",
        body=_obj(("type",), **_EVENT,
                  sites=_f(("string", "array"), "\"all\" (default) or a list of site ids")),
        example={"type": "sky", "date": "2025-07-16", "sky": "overcast", "sites": "all"},
        reply=[{**_EVENT_REPLY, "type": "sky", "params": {"sky": "overcast"}}],
        errors=(400, 401)),
    ("GET", "/_gridtwin/events"): RouteDoc(
        "List events with their state (pending, active, done, cancelled).",
        query={"site_id": "only this site", "state": "pending, active or done"},
        reply=[{**_EVENT_REPLY, "state": "pending"}], errors=(400, 401)),
    ("DELETE", "/_gridtwin/events/{event_id}"): RouteDoc(
        "Cancel a pending event or end an active one now.",
        reply={"id": "2f8a45a9c04146ce", "state": "cancelled"}, errors=(401, 404)),
    ("GET", "/_gridtwin/faults"): RouteDoc("List the fault rules, in order.", reply=[_RULE_REPLY]),
    ("POST", "/_gridtwin/faults"): RouteDoc(
        "Append a fault rule: make matching emulated requests fail, lag or lie.",
        body=_RULE, example={"template": "rate_limited", "match": {"endpoint": "live_status"},
                             "count": 1},
        reply=_RULE_REPLY, errors=(400, 401)),
    ("PUT", "/_gridtwin/faults"): RouteDoc(
        "Replace every fault rule with a list of rules.",
        body={"type": "array", "items": _RULE},
        example=[{"template": "slow", "match": {"endpoint": "site_info"}}],
        reply=[{**_RULE_REPLY, "id": "5c1b7e0a93d2", "match": {"endpoint": "site_info"},
                "action": {"latency_ms": 5000}, "count": None}], errors=(400, 401)),
    ("DELETE", "/_gridtwin/faults"): RouteDoc("Remove every fault rule.", reply=[]),
    ("DELETE", "/_gridtwin/faults/{rule_id}"): RouteDoc(
        "Remove one fault rule.", reply={"deleted": "flaky-backup"}, errors=(401, 404)),
    ("POST", "/_gridtwin/tokens"): RouteDoc(
        "Mint an access token for a user (created if missing).",
        body=_obj(("user",), user=_f("string", "the token's subject"),
                  scopes=_f("array", "default openid, offline_access, energy_device_data, "
                                     "energy_cmds", items={"type": "string"}),
                  ttl_s=_f("integer", "lifetime, 1 s to 10 years; default 28800 [s]"),
                  region=_f("string", "NA, EU or CN: region of a new user; default NA"),
                  name=_f("string", "label shown in the token list")),
        example={"user": "reader", "scopes": ["openid", "energy_device_data"], "ttl_s": 3600},
        reply={"access_token": "eyJhbGciOi...", "jti": "6ffff46645d149ba9a83ccde22d78033",
               "expires_at": 1796125187}, errors=(400, 401)),
    ("GET", "/_gridtwin/tokens"): RouteDoc(
        "List minted tokens (ids, users, scopes, expiry), never the tokens themselves.",
        reply=[{"jti": "6ffff46645d149ba9a83ccde22d78033", "user_id": "demo", "name": "default",
                "scopes": ["openid", "energy_device_data"], "issued_s": 1796121587,
                "expires_s": 1796150387, "revoked": False}]),
    ("POST", "/_gridtwin/tokens/revoke"): RouteDoc(
        "Revoke a token: it answers 401 from then on.",
        body=_obj(("jti",), jti=_f("string", "the token's id")),
        example={"jti": "6ffff46645d149ba9a83ccde22d78033"}, reply={"revoked": True},
        errors=(400, 401, 404)),
    ("GET", "/_gridtwin/requests"): RouteDoc(
        "The request journal: the last 1000 emulated requests with replies, oldest first.",
        query=_JOURNAL_QUERY,
        reply=[{"seq": 28, "method": "GET", "path": "/api/1/energy_sites/42/live_status",
                "status": 200, "endpoint": "live_status", "user": "demo", "site_id": 42,
                "duration_ms": 25.4, "fault_rule": None}], errors=(400, 401)),
    ("GET", "/_gridtwin/requests/count"): RouteDoc(
        "How many journal entries match the filters.", query=_JOURNAL_QUERY,
        reply={"count": 3}, errors=(400, 401)),
    ("GET", "/_gridtwin/requests.jsonl"): RouteDoc(
        "The journal as JSON lines (one entry per line), same filters.",
        query=_JOURNAL_QUERY, errors=(400, 401), media="application/x-ndjson"),
    ("DELETE", "/_gridtwin/requests"): RouteDoc("Empty the request journal.",
                                                reply={"cleared": True}),
    ("POST", "/_gridtwin/reset"): RouteDoc(
        "Rebuild the world, one site or one user's sites as first described.",
        body=_obj(scope=_f("string", "all, site or user; default site with only site_id, "
                                     "user with only user, else all"),
                  site_id=_f("integer", "the site, for scope site"),
                  user=_f("string", "whose sites, for scope user"),
                  keep_faults=_f("boolean", "scope all: keep the fault rules")),
        example={"scope": "site", "site_id": 5801768738520678}, reply=_LOAD_REPLY,
        errors=(400, 401)),
    ("POST", "/_gridtwin/seed"): RouteDoc(
        "Reload the active scenario with another seed.",
        description="A reset with another seed: the active scenario (clock back to its "
                    "start), an imported snapshot (its clock) or, without either, the demo "
                    "world of `gridtwin serve` (the clock left where it is).",
        body=_obj(("seed",), seed=_SEED), example={"seed": 7}, reply=_LOAD_REPLY,
        errors=(400, 401)),
    ("GET", "/_gridtwin/state"): RouteDoc(
        "Export a snapshot of the whole world (tables, clock, faults, scenario).",
        query={"secrets": "1: include the signing key and client secrets"},
        reply={"version": 1, "gridtwin": "0.1.0", "seed": 0,
               "clock": {"mode": "frozen", "rate": 1.0, "now": 1752606000},
               "jwt_secret": None, "scenario": None, "faults": [], "rate_limits": "off",
               "tables": {"sites": []}}),
    ("POST", "/_gridtwin/state"): RouteDoc(
        "Import a snapshot (bare or wrapped in response), replacing the world and clock.",
        body=_obj(("version", "tables"), version=_f("integer", "snapshot format, 1"),
                  tables=_f("object", "every stored row, by table"),
                  clock=_f("object", "mode, rate and now"),
                  jwt_secret=_f(("string", "null"), "signing key; null keeps this server's"),
                  rate_limits=_f(("string", "array", "null"),
                                 "limits in force (preset name or rules); absent keeps "
                                 "this server's")),
        example={"version": 1, "seed": 0, "clock": {"mode": "frozen", "rate": 1.0,
                                                    "now": 1752606000},
                 "jwt_secret": None, "scenario": None, "faults": [], "tables": {}},
        reply={"imported": True, "now": 1752606000}, errors=(400, 401)),
    ("GET", "/_gridtwin/scenario"): RouteDoc(
        "The active scenario document (null when none was loaded).",
        query={"secrets": "1: include OAuth client secrets"},
        reply={"version": 1, "seed": 0, "sites": [{"name": "My Home",
                                                    "time_zone": "America/Los_Angeles"}]}),
    ("POST", "/_gridtwin/scenario"): RouteDoc(
        "Replace the world with a scenario document (YAML or JSON).",
        description="An invalid document is refused whole, every problem listed in "
                    "`messages`; the world stays as it was. Format: docs/scenarios.md.",
        body=_obj(("version",), version=_f("integer", "1"), seed=_SEED,
                  clock=_f("object", "start and mode"), users=_f("array", "users and their sites"),
                  vehicles=_f("array", "[{id, vin, max_charge_w, in_products}]: the cars "
                                       "ev_plug_in charges"),
                  sites=_f("array", "site descriptions"), events=_f("array", "events"),
                  faults=_f("array", "fault rules"),
                  rate_limits=_f(("string", "array"), "a rate-limit preset name or rules, "
                                                      "as PUT /_gridtwin/rate-limits")),
        example={"version": 1, "clock": {"start": "2025-07-15T12:00:00-07:00",
                                         "mode": "frozen"},
                 "sites": [{"name": "Cabin", "type": "solar",
                            "time_zone": "America/Denver"}]},
        reply=_LOAD_REPLY, errors=(400, 401)),
    ("GET", "/_gridtwin/presets"): RouteDoc(
        "The presets (named ready-made scenarios), each with a one-line description.",
        reply=[{"name": "night_outage",
                "description": "21:00, a car plugs in at 21:01, the grid fails 22:00-02:00"}]),
    ("POST", "/_gridtwin/presets/{name}"): RouteDoc(
        "Replace the world with a preset, optionally with another seed or start.",
        body=_obj(seed=_SEED, start=_f(_TIME, f"clock start, {INSTANT}")),
        example={"seed": 1}, reply=_LOAD_REPLY, errors=(400, 401, 404)),
    ("GET", "/_gridtwin/rate-limits"): RouteDoc(
        "The rate-limit configuration and the preset names.",
        reply={"config": "off", "presets": ["fleet", "off", "realistic", "strict"]}),
    ("PUT", "/_gridtwin/rate-limits"): RouteDoc(
        "Set rate limits: a preset (off, fleet, strict) or a list of token-bucket rules.",
        body=_obj(preset=_f("string", "off, fleet (= realistic) or strict"),
                  rules=_f("array", "[{name, match, key, limit, window_s}]")),
        example={"preset": "strict"}, reply={"config": "strict"}, errors=(400, 401)),
}


def _operation(doc: RouteDoc) -> tuple[dict[int | str, Any], dict[str, Any]]:
    """The ``responses`` and ``openapi_extra`` of one route."""
    ok: dict[str, Any] = {"description": "Success"}
    if doc.media != "application/json":
        ok["content"] = {doc.media: {"schema": {"type": "string"}}}
    elif doc.reply is not None:
        ok["content"] = {doc.media: {"example": {"response": doc.reply}}}
    responses: dict[int | str, Any] = {200: ok}
    for status in doc.errors:
        responses[status] = {"description": _ERRORS[status], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    extra: dict[str, Any] = {}
    if doc.body is not None:
        media: dict[str, Any] = {"schema": doc.body}
        if doc.example is not None:
            media["example"] = doc.example
        extra["requestBody"] = {"required": False, "content": {"application/json": media}}
    if doc.query:
        extra["parameters"] = [{"name": name, "in": "query", "required": False,
                                "description": text, "schema": {"type": "string"}}
                               for name, text in doc.query.items()]
    return responses, extra


_PATH_PARAMETERS = {"site_id": "energy_site_id of the site", "event_id": "id of the event",
                    "rule_id": "id of the fault rule", "name": "name of the preset"}


def describe_path_parameters(doc: dict[str, Any]) -> None:
    """Give the control plane's path parameters their meaning in an OpenAPI document (the
    routes declare them as plain ``str``)."""
    for path, item in doc["paths"].items():
        if path.startswith("/_gridtwin"):
            for op in item.values():
                for param in op.get("parameters", []):
                    if param.get("in") == "path":
                        param["description"] = _PATH_PARAMETERS[param["name"]]


def apply(router: APIRouter) -> None:
    """Give every route of ``router`` its summary, body, examples and errors."""
    for route in router.routes:
        assert isinstance(route, APIRoute)
        for method in route.methods or ():
            doc = ROUTES.get((method, route.path))
            if doc is None:
                raise LookupError(f"{method} {route.path} has no entry in admin_docs.ROUTES")
            route.summary = doc.summary
            route.description = doc.description
            route.tags = ["control plane"]
            route.responses, route.openapi_extra = _operation(doc)
