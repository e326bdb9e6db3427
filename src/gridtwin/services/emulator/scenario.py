"""Scenarios (emulator §5): load a YAML/JSON document into a fresh world.

A load first validates the whole document (every problem listed by its JSON path) and
only then replaces the world, in one transaction: users, clients, sites, tariffs, tokens,
events, the clock and the active scenario commit together or not at all. Sites are stored
at their installation instant; each one's warm-up (from installation, capped at 400 days
before ``clock.start``) runs when it is first read or the clock advances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from sqlalchemy import delete

from gridtwin.core import jsonio
from gridtwin.core.clock import SimClock, wall_now_s
from gridtwin.core.errors import InvalidField
from gridtwin.domain.profile import Quirk, active_quirks
from gridtwin.services.auth import mint_access_token, register_client
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.commands import check_tariff
from gridtwin.services.emulator import tokens as checks
from gridtwin.services.emulator.describe import SiteDescription, parse_site
from gridtwin.services.emulator.events import NewEvent, build_event, store_event
from gridtwin.services.emulator.faults import FaultRule, rule_from_json
from gridtwin.services.emulator.ratelimit import check_config
from gridtwin.services.emulator.vehicles import Vehicle, parse_vehicles
from gridtwin.services.product_items import ItemRenderer, new_items
from gridtwin.services.provision import new_site
from gridtwin.services.world import World
from gridtwin.store import schema
from gridtwin.store.repository import Tx

__all__ = [
    "BASELINE_KEY",
    "MAX_DEPTH",
    "SECTIONS",
    "WARMUP_CAP_S",
    "ScenarioPlan",
    "apply_scenario",
    "check_json_tree",
    "clear_baseline",
    "load_scenario",
    "parse_document",
    "validate_scenario",
    "world_locks",
]

WARMUP_CAP_S = 400 * 86_400
MAX_DEPTH = 64
"""Deepest nesting a scenario or snapshot may have (a tariff needs about 10 levels)."""
MAX_RATE = 10_000.0
MODES = ("realtime", "scaled", "frozen")
BASELINE_KEY = "baseline_state"
"""Meta key of the state snapshot a reset restores when the world was imported without a
scenario (see snapshot.import_state)."""
SECTIONS = ("version", "seed", "clock", "users", "vehicles", "sites", "events", "faults",
            "rate_limits")
"""The top-level members of a scenario (emulator §5); any other is refused, not ignored."""
DEFAULT_CLIENT_SCOPES = ["openid", "offline_access", "energy_device_data", "energy_cmds"]


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML without implicit timestamps: an unquoted ``2025-07-15`` stays the text it
    reads as, the same value a JSON scenario would carry."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def check_json_tree(value: Any, path: str) -> None:
    """Raise InvalidField unless ``value`` is plain JSON (objects with text keys, arrays,
    text, finite numbers, booleans, null) nested at most MAX_DEPTH levels. Iterative, so
    a hostile depth cannot exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidField.for_field(path, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str) or _lone_surrogate(key):
                    raise InvalidField.for_field(where, f"key {str(key)[:40]!r} is not text")
                stack.append((child, f"{where}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise InvalidField.for_field(where, "must be a finite number")
        elif isinstance(item, str) and _lone_surrogate(item):
            # YAML's "\ud800" escape gives a lone surrogate, which is not text (RFC 8259 §8.2).
            raise InvalidField.for_field(where, "holds a lone surrogate (not Unicode text)")
        elif item is not None and not isinstance(item, str | int | bool):
            raise InvalidField.for_field(where, f"is a YAML {type(item).__name__}, not JSON")


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_document(text: str | bytes) -> Any:
    """The document when it is strict JSON, else None. The YAML parser reads a JSON world
    of 10,000 sites (1.4 MB) in about 45 s; the JSON one in a fraction of a second."""
    head = text.lstrip()[:1]
    if head not in ("{", b"{"):
        return None
    try:
        return jsonio.loads(text, decimals=False)
    except ValueError:
        return None  # the YAML parser gives the error, or reads what JSON refuses


def parse_document(text: str | bytes) -> dict[str, Any]:
    """A scenario from YAML or JSON text; raises InvalidField (path ``scenario``)."""
    doc = _json_document(text)
    if isinstance(doc, dict):
        check_json_tree(doc, "scenario")
        return doc
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InvalidField.for_field("scenario", f"not valid YAML/JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidField.for_field("scenario", f"nested deeper than {MAX_DEPTH} levels") from exc
    if not isinstance(doc, dict):
        raise InvalidField.for_field("scenario", "must be an object")
    check_json_tree(doc, "scenario")
    return doc


@dataclass(frozen=True)
class TokenPlan:
    name: str | None
    scopes: list[str]
    ttl_s: int | None


@dataclass(frozen=True)
class UserPlan:
    id: str
    region: str
    clients: list[tuple[str, str, list[str]]]
    """(client_id, client_secret, scopes)"""
    tokens: list[TokenPlan]


@dataclass
class ScenarioPlan:
    """A validated scenario, ready to apply."""

    doc: dict[str, Any]
    seed: int
    start_s: int
    mode: str
    rate: float
    users: list[UserPlan]
    sites: list[SiteDescription]
    owners: dict[int, str]
    events: list[tuple[int, NewEvent]]
    faults: list[FaultRule]
    vehicles: list[Vehicle] = field(default_factory=list)
    rate_limits: Any = None
    """The rate-limit configuration to install (a preset name or rules); None keeps the
    one in force."""


@dataclass
class _Problems:
    messages: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, text: str) -> None:
        self.messages.setdefault(path, []).append(text)

    def absorb(self, exc: InvalidField, prefix: str) -> None:
        for key, texts in (exc.messages or {prefix: [exc.message]}).items():
            path = prefix if not key else f"{prefix}.{key}" if prefix else key
            for text in texts:
                self.add(path, text)

    def raise_any(self) -> None:
        if self.messages:
            first = next(iter(self.messages.items()))
            raise InvalidField(f"{first[0]}: {first[1][0]}", self.messages)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list(p: _Problems, doc: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        p.add(path, "must be a list")
        return []
    return value


def _clock(p: _Problems, doc: Mapping[str, Any]) -> tuple[int, str, float]:
    clock = doc.get("clock")
    if clock is None:
        clock = {}
    if not isinstance(clock, dict):
        p.add("clock", "must be an object with start, mode and rate")
        clock = {}
    start = wall_now_s() // 60 * 60
    if clock.get("start") is not None:
        try:
            start = parse_when("clock.start", clock["start"], wall_now_s())
        except InvalidField as exc:
            p.absorb(exc, "")
    if not -(2**40) < start < 2**40:
        p.add("clock.start", "is out of range")
    mode = clock.get("mode", "realtime")
    if mode not in MODES:
        p.add("clock.mode", f"must be one of {', '.join(MODES)}")
        mode = "realtime"
    rate = clock.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= MAX_RATE:
        p.add("clock.rate", f"must be a number in (0, {MAX_RATE:g}]")
        rate = 1.0
    for key in clock:
        if key not in ("start", "mode", "rate"):
            p.add(f"clock.{key}", "unknown member; one of start, mode, rate")
    return start, str(mode), float(rate)


def _users(p: _Problems, doc: Mapping[str, Any]) -> tuple[list[UserPlan], dict[int, str]]:
    raw = doc.get("users")
    if raw is None:
        raw = [{"id": "demo"}]
    if not isinstance(raw, list):
        p.add("users", "must be a list of users")
        return [], {}
    users: list[UserPlan] = []
    owned: dict[int, str] = {}
    seen_clients: set[str] = set()
    for i, u in enumerate(raw):
        path = f"users[{i}]"
        if not isinstance(u, dict):
            p.add(path, "must be an object with an id")
            continue
        uid = checks.check_id(p.add, f"{path}.id", u.get("id"))
        if uid is not None and any(x.id == uid for x in users):
            p.add(f"{path}.id", "is given twice")
        region = checks.check_region(p.add, f"{path}.region", u.get("region", "NA"))
        for j, sid in enumerate(_list(p, u, "sites", f"{path}.sites")):
            if not _is_int(sid) or not 0 < sid < 2**53:
                p.add(f"{path}.sites[{j}]", "must be a site id (a positive integer below 2**53)")
            elif uid is not None:
                owned[sid] = uid
        clients = []
        for j, c in enumerate(_list(p, u, "clients", f"{path}.clients")):
            cpath = f"{path}.clients[{j}]"
            if not isinstance(c, dict):
                p.add(cpath, "must be an object with client_id and client_secret")
                continue
            cid = checks.check_id(p.add, f"{cpath}.client_id", c.get("client_id"))
            if cid is not None and cid in seen_clients:
                p.add(f"{cpath}.client_id", "is given twice")
            secret = c.get("client_secret")
            if not isinstance(secret, str) or not 0 < len(secret) <= 1024:
                p.add(f"{cpath}.client_secret", "must be a string of 1-1024 characters")
            scopes = checks.check_scopes(p.add, f"{cpath}.scopes", c.get("scopes") or None)
            if cid is not None and isinstance(secret, str):
                seen_clients.add(cid)
                clients.append((cid, secret, scopes if c.get("scopes") else DEFAULT_CLIENT_SCOPES))
        raw_tokens = u.get("tokens")
        tokens = []
        for j, t in enumerate([{"name": "default"}] if raw_tokens is None
                              else _list(p, u, "tokens", f"{path}.tokens")):
            tpath = f"{path}.tokens[{j}]"
            if not isinstance(t, dict):
                p.add(tpath, "must be an object with name, scopes, ttl_s")
                continue
            name = checks.check_name(p.add, f"{tpath}.name", t.get("name"))
            scopes = checks.check_scopes(p.add, f"{tpath}.scopes", t.get("scopes") or None)
            ttl = t.get("ttl_s")
            if ttl is not None:
                ttl = checks.check_ttl(p.add, f"{tpath}.ttl_s", ttl, 1, lowest=-checks.MAX_TTL_S)
            tokens.append(TokenPlan(name, scopes, ttl))
        if uid is not None:
            users.append(UserPlan(uid, region, clients, tokens))
    return users, owned


def _sites(p: _Problems, doc: Mapping[str, Any], seed: int, start: int) -> list[SiteDescription]:
    out: list[SiteDescription] = []
    seen: set[int] = set()
    for i, item in enumerate(_list(p, doc, "sites", "sites")):
        path = f"sites[{i}]"
        try:
            desc = parse_site(item, seed=seed, now_s=start, index=i, path=path)
        except InvalidField as exc:
            p.absorb(exc, "")
            continue
        if desc.owner is not None:
            desc.owner = checks.check_id(p.add, f"{path}.owner", desc.owner)
        if start - desc.spec.installation_s > WARMUP_CAP_S:
            desc.spec = replace(desc.spec, installation_s=start - WARMUP_CAP_S)
        if desc.spec.installation_s > start:
            p.add(f"{path}.installation_date", "must not be after clock.start")
        if desc.tariff is not None:
            try:
                check_tariff(desc.tariff, _quirks(desc))
            except InvalidField as exc:
                p.absorb(exc, f"{path}.tariff")
        if desc.spec.energy_site_id in seen:
            p.add(f"{path}.energy_site_id", "energy_site_id values must be unique")
        seen.add(desc.spec.energy_site_id)
        out.append(desc)
    return out


def _quirks(desc: SiteDescription) -> frozenset[Quirk]:
    return active_quirks(desc.spec.profile, dict(desc.spec.quirks))


def _events(p: _Problems, doc: Mapping[str, Any], sites: list[SiteDescription],
            start: int, vehicles: list[Vehicle]) -> list[tuple[int, NewEvent]]:
    by_id = {d.spec.energy_site_id: d for d in sites}
    out: list[tuple[int, NewEvent]] = []
    for i, e in enumerate(_list(p, doc, "events", "events")):
        path = f"events[{i}]"
        if not isinstance(e, dict):
            p.add(path, "must be an object with a type")
            continue
        body = dict(e)
        targets = body.pop("sites", "all")
        if "site_id" in body:
            targets = [body.pop("site_id")]
            target_path = f"{path}.site_id"
        else:
            target_path = f"{path}.sites"
        if targets == "all":
            ids = list(by_id)
        elif isinstance(targets, list) and all(_is_int(x) and x in by_id for x in targets):
            ids = list(targets)
        else:
            p.add(target_path, 'must name sites of this scenario ("all" or a list of site ids)')
            continue
        for site_id in ids:
            dins = [wc.din for wc in by_id[site_id].spec.wall_connectors]
            try:
                out.append((site_id, build_event(body, dins, start, vehicles)))
            except InvalidField as exc:
                p.absorb(exc, path)
                break
    return out


def validate_scenario(doc: Any) -> ScenarioPlan:
    """Check every field of a scenario document; raises InvalidField listing every problem."""
    if not isinstance(doc, dict):
        raise InvalidField.for_field("scenario", "must be an object")
    check_json_tree(doc, "scenario")
    p = _Problems()
    if doc.get("version", 1) != 1 or isinstance(doc.get("version"), bool):
        p.add("version", "must be 1")
    for key in doc:
        if key not in SECTIONS:
            p.add(str(key)[:64], f"unknown member; one of {', '.join(SECTIONS)}")
    seed = doc.get("seed", 0)
    if not _is_int(seed) or not -(2**63) <= seed < 2**63:
        p.add("seed", "must be a 64-bit integer")
        seed = 0
    start, mode, rate = _clock(p, doc)
    users, owned = _users(p, doc)
    vehicles = parse_vehicles(p.add, doc.get("vehicles"), seed)
    sites = _sites(p, doc, seed, start)
    events = _events(p, doc, sites, start, vehicles)
    rate_limits = doc.get("rate_limits")
    if rate_limits is not None:
        check_config(p.add, rate_limits, "rate_limits")
    faults = []
    for i, rule in enumerate(_list(p, doc, "faults", "faults")):
        try:
            faults.append(rule_from_json(rule))
        except InvalidField as exc:
            p.absorb(exc, f"faults[{i}]")
    p.raise_any()
    default_owner = users[0].id if users else "demo"
    owners = {d.spec.energy_site_id: owned.get(d.spec.energy_site_id, d.owner or default_owner)
              for d in sites}
    return ScenarioPlan(dict(doc), seed, start, mode, rate, users, sites, owners, events, faults,
                        vehicles, rate_limits)


@contextmanager
def world_locks(world: World, site_ids: set[int]) -> Iterator[None]:
    """Hold these sites' in-process locks (in id order, so two holders never deadlock).
    Taken before the world transaction opens: a request that holds one finishes first."""
    with ExitStack() as stack:
        for site_id in sorted(site_ids):
            stack.enter_context(world.site_lock(site_id))
        yield


def _ensure_user(tx: Tx, user_id: str, region: str = "NA") -> None:
    if tx.get_user(user_id) is None:
        tx.insert_user(user_id, region, wall_now_s())


def _insert_sites(tx: Tx, plan: ScenarioPlan, items: ItemRenderer | None) -> None:
    """Every site in one bulk insert, at its installation instant. No site is simulated
    here: each is warmed up (from installation) when it is first read or the clock
    advances, which gives the same trajectory (observing never changes it, site-behavior
    §2), so loading 10,000 sites costs inserts, not 10,000 warm-ups. With ``items`` their
    products items are stored too (services/product_items.py)."""
    users = {u.id for u in plan.users}
    sites = []
    for position, d in enumerate(plan.sites):
        owner = plan.owners[d.spec.energy_site_id]
        if owner not in users:
            _ensure_user(tx, owner)
            users.add(owner)
        sites.append(new_site(owner, position, d.spec, d.controls, d.app_pct))
    tx.insert_sites([s.row for s in sites])
    if items is not None:
        tx.save_product_items(new_items(items, sites))
    for d in plan.sites:
        if d.tariff is not None:
            # In force from installation, so warm-up prices with it.
            tx.insert_tariff(d.spec.energy_site_id, d.spec.installation_s, jsonio.dumps(d.tariff))


def apply_scenario(world: World, plan: ScenarioPlan,
                   before_commit: Callable[[Tx], None] | None = None,
                   items: ItemRenderer | None = None) -> dict[str, Any]:
    """Replace the world with a validated scenario in one transaction.

    ``before_commit(tx)``, if given, runs last inside that transaction (reset uses it to
    keep the fault rules or the clock); ``items``: store the sites' products items."""
    clock = SimClock(start_s=plan.start_s, mode=plan.mode, rate=plan.rate)  # type: ignore[arg-type]
    clock_text = jsonio.dumps(clock.snapshot())
    with world.store.peek() as tx:
        old_ids = set(tx.site_ids())
    new_ids = {d.spec.energy_site_id for d in plan.sites}
    minted: dict[str, str] = {}
    fired: list[str] = []
    with world_locks(world, old_ids | new_ids), world.store.tx() as tx:
        tx.wipe_world()
        tx.set_meta("scenario", jsonio.dumps(plan.doc))
        tx.set_meta("clock", clock_text)
        clear_baseline(tx)
        for u in plan.users:
            _ensure_user(tx, u.id, u.region)
            for client_id, secret, scopes in u.clients:
                register_client(world, client_id, secret, u.id, scopes, tx)
        _insert_sites(tx, plan, items)
        for u in plan.users:
            for t in u.tokens:
                token = mint_access_token(world, u.id, t.scopes, t.ttl_s, name=t.name, tx=tx)
                minted[f"{u.id}:{t.name or 'default'}"] = token.access_token
        for site_id, event in plan.events:
            fired.append(store_event(tx, site_id, event)["id"])
        world.set_seed(plan.seed, tx)
        world.faults.replace_all(plan.faults, tx)
        if plan.rate_limits is not None:
            world.limits.configure(plan.rate_limits, tx)  # buckets start full
        world.forget_caches(tx)  # tokens of the old world stop verifying in every worker
        if before_commit is not None:
            before_commit(tx)
    world.journal.clear()
    world.adopt_clock(clock_text)
    return {"seed": plan.seed, "now": plan.start_s, "sites": [d.spec.energy_site_id for d in plan.sites],
            "tokens": minted, "events": fired}


def clear_baseline(tx: Tx) -> None:
    """Forget the imported world a reset would restore (a scenario replaces it)."""
    tx.conn.execute(delete(schema.meta).where(schema.meta.c.key == BASELINE_KEY))


def load_scenario(world: World, doc: Mapping[str, Any],
                  items: ItemRenderer | None = None) -> dict[str, Any]:
    """Replace the world with ``doc``; returns the minted tokens and site ids. ``items``:
    store the sites' products items with them."""
    return apply_scenario(world, validate_scenario(dict(doc)), items=items)
