"""Reset, seed, and state export/import (emulator §4, §10).

Each operation validates its whole input first and then applies it in one transaction, so
a refused request changes nothing.

What a reset rebuilds: the active scenario when there is one; a world imported from a
snapshot without a scenario is itself the baseline (kept in meta ``baseline_state``), so
a reset after such an import restores the imported world instead of throwing it away;
with neither, the demo world.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from sqlalchemy import delete, insert, select

from gridtwin import __version__
from gridtwin.core import jsonio
from gridtwin.core.clock import SimClock, wall_now_s
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.codec import controls_to_dict, spec_to_dict
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.profile import active_quirks
from gridtwin.services.auth import mint_access_token
from gridtwin.services.commands import check_tariff
from gridtwin.services.emulator.describe import SiteDescription, parse_site
from gridtwin.services.emulator.faults import FaultRule, rule_from_json
from gridtwin.services.emulator.inputs import shown_value
from gridtwin.services.emulator.ratelimit import check_config
from gridtwin.services.emulator.redaction import REDACTED, redact_state
from gridtwin.services.emulator.scenario import (
    BASELINE_KEY,
    MAX_RATE,
    MODES,
    apply_scenario,
    clear_baseline,
    validate_scenario,
    world_locks,
)
from gridtwin.services.emulator.state_check import Rows, check_tables, importable_tables
from gridtwin.services.provision import DEMO_USER, demo_spec, insert_site
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import initial_state
from gridtwin.sim.runner import LoadedSite, advance_site, load_site
from gridtwin.store import schema
from gridtwin.store.repository import Tx

__all__ = [
    "SNAPSHOT_VERSION",
    "export_chunks",
    "export_state",
    "import_state",
    "reseed",
    "reset_site",
    "reset_world",
]

SNAPSHOT_VERSION = 1
_RESET_MEMBERS = ("scope", "site_id", "user", "keep_clock", "keep_faults")


def _int_in(value: object, lo: int, hi: int) -> TypeGuard[int]:
    """True for an integer (not a boolean) with lo <= value < hi."""
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value < hi


def _meta(world: World, key: str) -> str | None:
    with world.store.peek() as tx:
        return tx.get_meta(key)


def _active_scenario(world: World) -> dict[str, Any] | None:
    text = _meta(world, "scenario")
    return None if text is None else dict(jsonio.loads(text, decimals=False))


def _description(world: World, doc: dict[str, Any] | None, site: LoadedSite) -> SiteDescription:
    """The site as the active scenario describes it, else its stored spec with defaults."""
    for i, item in enumerate((doc or {}).get("sites") or []):
        desc = parse_site(item, seed=world.seed, now_s=world.now_s(), index=i, path=f"sites[{i}]")
        if desc.spec.energy_site_id == site.spec.energy_site_id:
            return desc
    return SiteDescription(site.spec, SiteControls(), 50.0, None, site.row.user_id)


def _rebuild_site(tx: Tx, world: World, site_id: int, desc: SiteDescription) -> None:
    """Original settings and charge, no events or history, warm-up redone (in ``tx``)."""
    tx.lock_site(site_id)
    state = initial_state(desc.spec, desc.spec.installation_s, desc.app_pct)
    tx.clear_site_history(site_id)
    tx.save_spec(site_id, jsonio.dumps(spec_to_dict(desc.spec)))
    tx.save_controls(site_id, jsonio.dumps(controls_to_dict(desc.controls)))
    tx.save_state(site_id, jsonio.dumps(state_to_dict(state)), state.t_s)
    if desc.tariff is not None:
        tx.insert_tariff(site_id, desc.spec.installation_s, jsonio.dumps(desc.tariff))
    advance_site(tx, site_id, world.now_s())


def _rebuild_sites(world: World, site_ids: list[int], doc: dict[str, Any] | None) -> None:
    """Rebuild these sites, all in one transaction; every description is checked first."""
    plans = []
    with world.store.peek() as tx:
        for site_id in site_ids:
            site = load_site(tx, site_id)
            if site is None:
                raise NotFound()
            desc = _description(world, doc, site)
            if desc.tariff is not None:
                check_tariff(desc.tariff, active_quirks(desc.spec.profile, dict(desc.spec.quirks)))
            plans.append((site_id, desc))
    with world_locks(world, set(site_ids)), world.store.tx() as tx:
        for site_id, desc in plans:
            _rebuild_site(tx, world, site_id, desc)


def reset_site(world: World, site_id: int, doc: dict[str, Any] | None) -> dict[str, Any]:
    """Rebuild one site: original settings and charge, no events or history, warm-up redone."""
    _rebuild_sites(world, [site_id], doc)
    return _result(world, [site_id])


def _result(world: World, site_ids: list[int]) -> dict[str, Any]:
    """Every reset answers like a scenario load: seed, now, sites, tokens, events."""
    return {"seed": world.seed, "now": world.now_s(), "sites": site_ids, "tokens": {},
            "events": []}


@dataclass(frozen=True)
class _ResetRequest:
    scope: str
    site_id: int | None
    user: str | None
    keep_clock: bool
    keep_faults: bool


def _reset_request(body: Mapping[str, Any]) -> _ResetRequest:
    problems: dict[str, list[str]] = {}

    def add(path: str, text: str) -> None:
        problems.setdefault(path, []).append(text)

    for key in body:
        if key not in _RESET_MEMBERS:
            add(str(key)[:64], f"unknown member; one of {', '.join(_RESET_MEMBERS)}")
    scope = body.get("scope", _implied_scope(body))
    if scope not in ("all", "site", "user"):
        add("scope", "must be all, site or user")
    # A member the scope would ignore is refused: {"scope": "all", "site_id": …} must not
    # quietly rebuild the whole world.
    for key, owner in (("site_id", "site"), ("user", "user")):
        if key in body and scope in ("all", "site", "user") and scope != owner:
            add(key, f"applies only to scope {owner}; this reset's scope is {scope}")
    site_id = body.get("site_id")
    if scope == "site" and site_id is None:
        add("site_id", "is required for scope site: a site id (a positive integer below 2**53)")
    elif scope == "site" and not _int_in(site_id, 1, 2**53):
        add("site_id", "must be a site id (a positive integer below 2**53); "
                       f"got {shown_value(site_id)}")
    user = body.get("user")
    if scope == "user" and user is None:
        add("user", "is required for scope user: a user id of 1-128 characters")
    elif scope == "user" and (not isinstance(user, str) or not 0 < len(user) <= 128):
        add("user", f"must be a user id of 1-128 characters; got {shown_value(user)}")
    flags = {}
    for key in ("keep_clock", "keep_faults"):
        flags[key] = body.get(key, False)
        if not isinstance(flags[key], bool):
            add(key, "must be true or false")
    if problems:
        first = next(iter(problems.items()))
        raise InvalidField(f"{first[0]}: {first[1][0]}", problems)
    return _ResetRequest(str(scope), site_id if scope == "site" else None,
                         user if scope == "user" else None,
                         bool(flags["keep_clock"]), bool(flags["keep_faults"]))


def _implied_scope(body: Mapping[str, Any]) -> str:
    """Without ``scope``: ``site`` when only ``site_id`` is given, ``user`` when only
    ``user`` is, else ``all`` (both given is then refused, naming each)."""
    if "site_id" in body and "user" not in body:
        return "site"
    if "user" in body and "site_id" not in body:
        return "user"
    return "all"


def reset_world(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """Reload the active scenario (or the imported baseline, or the demo world), or rebuild
    one site (``scope: site``) or every site of one user (``scope: user``)."""
    req = _reset_request(body)
    doc = _active_scenario(world)
    if req.site_id is not None:
        return reset_site(world, req.site_id, doc)
    if req.user is not None:
        with world.store.peek() as tx:
            ids = tx.site_ids(req.user)
        if not ids:
            raise InvalidField.for_field("user", "must name a user with sites")
        _rebuild_sites(world, ids, doc)
        return _result(world, ids)
    faults = world.faults.rules()
    clock = world.clock.snapshot() if req.keep_clock else None
    now = world.now_s()
    if doc is not None:
        plan = validate_scenario(doc)
        if clock is not None:
            # Start from the current clock; the active scenario itself stays as loaded.
            kept = {**doc, "clock": {"start": now, "mode": clock["mode"], "rate": clock["rate"]}}
            plan = replace(validate_scenario(kept), doc=doc)
        result = apply_scenario(world, plan)
    else:
        baseline = _meta(world, BASELINE_KEY)
        if baseline is not None:
            snap = dict(jsonio.loads(baseline, decimals=False))
            kept = snap if clock is None else {
                **snap, "clock": {"now": now, "mode": clock["mode"], "rate": clock["rate"]}}
            import_state(world, kept, baseline=snap)
            result = _result(world, _site_ids(world))
        else:
            result = _demo_world(world)
    if req.keep_faults:
        world.faults.replace_all(faults)
    return result


def _site_ids(world: World) -> list[int]:
    with world.store.peek() as tx:
        return tx.site_ids()


def _demo_world(world: World, seed: int | None = None) -> dict[str, Any]:
    """The world a new database starts with: the demo user and site (from ``seed``, which
    becomes the world's seed, else the current one) and a default token for the user.
    The clock is left as it is."""
    seed = world.seed if seed is None else seed
    spec = demo_spec(seed, world.now_s())
    with world_locks(world, {*_site_ids(world), spec.energy_site_id}), world.store.tx() as tx:
        tx.wipe_world()
        clear_baseline(tx)
        if tx.get_user(DEMO_USER) is None:
            tx.insert_user(DEMO_USER, "NA", wall_now_s())
        insert_site(tx, DEMO_USER, spec)
        world.set_seed(seed, tx)
        token = mint_access_token(world, DEMO_USER, name="default", tx=tx).access_token
        world.forget_caches(tx)
    world.journal.clear()
    return {**_result(world, [spec.energy_site_id]), "tokens": {f"{DEMO_USER}:default": token}}


def reseed(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """Reset the world with another seed (emulator §4): the active scenario reloaded with
    it; a world imported without a scenario restored with it; with neither (plain
    ``gridtwin serve``), the demo world rebuilt from it. The clock does what a reset of
    that world does: the scenario's start, the snapshot's clock, or unchanged."""
    for key in body:
        if key != "seed":
            raise InvalidField.for_field(str(key)[:64], "unknown member; only seed")
    seed = body.get("seed")
    if not _int_in(seed, -(2**63), 2**63):
        raise InvalidField.for_field("seed", "must be a 64-bit integer")
    doc = _active_scenario(world)
    if doc is not None:
        return apply_scenario(world, validate_scenario({**doc, "seed": seed}))
    baseline = _meta(world, BASELINE_KEY)
    if baseline is not None:
        snap = {**jsonio.loads(baseline, decimals=False), "seed": seed}
        import_state(world, snap, baseline=snap)
        return _result(world, _site_ids(world))
    return _demo_world(world, seed)


EXPORT_BATCH_ROWS = 2_000
"""Rows read and encoded per step of a streamed export: memory stays flat whatever the
size of the world (a 5-minute history row is about 100 bytes of JSON)."""


def _row_json(row: Any) -> str:
    if all(type(v) is int for v in row):  # history rows: plain integers, the bulk of a world
        return "[" + ",".join(map(str, row)) + "]"
    return jsonio.dumps(list(row))


def export_chunks(world: World, *, secrets: bool = False) -> Iterator[str]:
    """The state snapshot as JSON text in pieces, read in one transaction (one consistent
    world), table by table in batches: ``{"response": {version, gridtwin, seed, clock,
    jwt_secret, scenario, faults, rate_limits, tables: {name: {columns: [...], rows: [[...], ...]}}}}``.

    Tables are column lists and row arrays (names are not repeated per row), and nothing
    holds more than one batch, so peak memory does not grow with the world."""
    with world.store.tx() as tx:
        scenario = tx.get_meta("scenario")
        head = {
            "version": SNAPSHOT_VERSION, "gridtwin": __version__, "seed": world.seed,
            "clock": {"mode": world.clock.mode, "rate": world.clock.rate, "now": world.now_s()},
            "jwt_secret": world.jwt_secret,
            "scenario": None if scenario is None else jsonio.loads(scenario, decimals=False),
            "faults": [r.to_json() for r in world.faults.rules()],
            "rate_limits": world.limits.config,
        }
        if not secrets:  # the JWT secret and client secrets only on request
            head = redact_state(head)
        yield '{"response":' + jsonio.dumps(head)[:-1] + ',"tables":{'
        for i, table in enumerate(importable_tables().values()):
            columns = [c.name for c in table.columns]
            yield (f'{"," if i else ""}{jsonio.dumps(table.name)}:'
                   f'{{"columns":{jsonio.dumps(columns)},"rows":[')
            query = (select(*table.columns).order_by(*table.primary_key.columns)
                     .execution_options(yield_per=EXPORT_BATCH_ROWS))
            sep = ""
            for batch in tx.conn.execute(query).partitions():
                yield sep + ",".join(_row_json(row) for row in batch)
                sep = ","
            yield "]}"
        yield "}}}"


def export_state(world: World, *, secrets: bool = False) -> dict[str, Any]:
    """The whole snapshot as one object (tests and small worlds; the route streams)."""
    text = "".join(export_chunks(world, secrets=secrets))
    snap: dict[str, Any] = jsonio.loads(text, decimals=False)["response"]
    return snap


@dataclass(frozen=True)
class _Snapshot:
    doc: dict[str, Any]
    seed: int
    clock_text: str
    jwt_secret: str | None
    scenario: dict[str, Any] | None
    faults: list[FaultRule]
    tables: dict[str, Rows]
    rate_limits: Any = None
    """The limits in force at export (a preset name or rules); None: a snapshot from before
    they were exported, which keeps this server's."""


_SNAPSHOT_MEMBERS = ("version", "gridtwin", "seed", "clock", "jwt_secret", "scenario", "faults",
                     "rate_limits", "tables")


def _snapshot(snap: Mapping[str, Any], now_s: int) -> _Snapshot:
    """Check every member of a state snapshot; raises InvalidField listing every problem."""
    if snap.get("version") != SNAPSHOT_VERSION or isinstance(snap.get("version"), bool):
        raise InvalidField.for_field("version", f"not a gridtwin state snapshot v{SNAPSHOT_VERSION}")
    problems: dict[str, list[str]] = {}

    def add(path: str, text: str) -> None:
        problems.setdefault(path, []).append(text)

    for key in snap:
        if key not in _SNAPSHOT_MEMBERS:
            add(str(key)[:64], f"unknown member; one of {', '.join(_SNAPSHOT_MEMBERS)}")
    seed = snap.get("seed", 0)
    if not _int_in(seed, -(2**63), 2**63):
        add("seed", "must be a 64-bit integer")
    secret = snap.get("jwt_secret")
    if secret is None or secret == REDACTED:
        secret = None  # an export without secrets: the importing server keeps its own
    elif not isinstance(secret, str) or not 16 <= len(secret) <= 512:
        add("jwt_secret", "must be a string of 16-512 characters, or null to keep this server's")
    clock_text = _clock_text(add, snap.get("clock"), now_s)
    scenario = snap.get("scenario")
    if scenario is not None:
        try:
            validate_scenario(scenario)
        except InvalidField as exc:
            for key, texts in exc.messages.items():
                problems.setdefault(f"scenario.{key}" if key != "scenario" else key, []).extend(texts)
    faults = []
    raw_faults = snap.get("faults") or []
    if not isinstance(raw_faults, list):
        add("faults", "must be a list of rules")
        raw_faults = []
    for i, rule in enumerate(raw_faults):
        try:
            faults.append(rule_from_json(rule))
        except InvalidField as exc:
            for key, texts in exc.messages.items():
                problems.setdefault(f"faults[{i}].{key}", []).extend(texts)
    rate_limits = snap.get("rate_limits")
    if rate_limits is not None:
        check_config(add, rate_limits, "rate_limits")
    tables = check_tables(add, snap.get("tables"))
    if problems:
        first = next(iter(problems.items()))
        raise InvalidField(f"{first[0]}: {first[1][0]}", problems)
    return _Snapshot(dict(snap), int(seed), clock_text, secret,
                     None if scenario is None else dict(scenario), faults, tables, rate_limits)


def _clock_text(add: Any, clock: Any, now_s: int) -> str:
    """The snapshot's clock as the stored clock document (sim time ``now`` from this wall instant)."""
    if clock is None:
        clock = {}
    if not isinstance(clock, dict):
        add("clock", "must be an object with now, mode and rate")
        clock = {}
    now = clock.get("now", now_s)
    if not _int_in(now, -(2**40), 2**40):
        add("clock.now", "must be Unix seconds")
        now = now_s
    mode = clock.get("mode", "frozen")
    if mode not in MODES:
        add("clock.mode", f"must be one of {', '.join(MODES)}")
        mode = "frozen"
    rate = clock.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= MAX_RATE:
        add("clock.rate", f"must be a number in (0, {MAX_RATE:g}]")
        rate = 1.0
    return jsonio.dumps(SimClock(start_s=now, mode=mode, rate=float(rate)).snapshot())


def _load_tables(tx: Tx, tables: dict[str, Rows]) -> None:
    """Replace the world's rows with checked ones, inserted in batches (in table
    dependency order), so no copy of a large history is built all at once."""
    tx.wipe_world()
    for name, table in importable_tables().items():
        rows = tables.get(name)
        batch: list[dict[str, Any]] = []
        for row in rows or ():
            batch.append(row)
            if len(batch) == EXPORT_BATCH_ROWS:
                tx.conn.execute(insert(table), batch)
                batch = []
        if batch:
            tx.conn.execute(insert(table), batch)


def import_state(world: World, snap: Mapping[str, Any],
                 baseline: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Replace the world with a snapshot, in one transaction, after checking all of it.

    Without a scenario in it, the snapshot (or ``baseline``, when a reset restores one with
    the clock kept) is what a later reset restores."""
    plan = _snapshot(snap, world.now_s())
    new_ids = {int(r["energy_site_id"]) for r in plan.tables.get("sites", ())}
    with world_locks(world, set(_site_ids(world)) | new_ids), world.store.tx() as tx:
        _load_tables(tx, plan.tables)
        if plan.jwt_secret is not None:
            world.set_jwt_secret(plan.jwt_secret, tx)
        tx.set_meta("clock", plan.clock_text)
        if plan.scenario is not None:
            tx.set_meta("scenario", jsonio.dumps(plan.scenario))
            clear_baseline(tx)
        else:
            tx.conn.execute(delete(schema.meta).where(schema.meta.c.key == "scenario"))
            tx.set_meta(BASELINE_KEY, jsonio.dumps(dict(baseline or plan.doc)))
        world.set_seed(plan.seed, tx)
        world.faults.replace_all(plan.faults, tx)
        if plan.rate_limits is not None:
            world.limits.configure(plan.rate_limits, tx)  # buckets start full
        world.forget_caches(tx)  # tokens of the replaced world stop verifying in every worker
    world.adopt_clock(plan.clock_text)
    return {"imported": True, "now": world.now_s()}
