"""Reset, seed, and state export/import (emulator §4, §10)."""

from __future__ import annotations

from typing import Any

from gridtwin import __version__
from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.codec import controls_to_dict, spec_to_dict
from gridtwin.domain.controls import SiteControls
from gridtwin.services.commands import store_tariff
from gridtwin.services.emulator.describe import SiteDescription, parse_site
from gridtwin.services.emulator.faults import rule_from_json
from gridtwin.services.emulator.redaction import REDACTED, redact_state
from gridtwin.services.emulator.scenario import load_scenario
from gridtwin.services.provision import ensure_demo
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import initial_state
from gridtwin.sim.runner import LoadedSite, advance_site, load_site

__all__ = [
    "SNAPSHOT_VERSION",
    "export_state",
    "import_state",
    "reseed",
    "reset_site",
    "reset_world",
]

SNAPSHOT_VERSION = 1


def _active_scenario(world: World) -> dict[str, Any] | None:
    with world.store.tx() as tx:
        text = tx.get_meta("scenario")
    return None if text is None else dict(jsonio.loads(text, decimals=False))


def _description(world: World, doc: dict[str, Any] | None, site: LoadedSite) -> SiteDescription:
    """The site as the active scenario describes it, else its stored spec with defaults."""
    for i, item in enumerate((doc or {}).get("sites") or []):
        desc = parse_site(item, seed=world.seed, now_s=world.now_s(), index=i)
        if desc.spec.energy_site_id == site.spec.energy_site_id:
            return desc
    return SiteDescription(site.spec, SiteControls(), 50.0, None, site.row.user_id)


def reset_site(world: World, site_id: int, doc: dict[str, Any] | None) -> dict[str, Any]:
    """Rebuild one site: original settings and charge, no events or history, warm-up redone."""
    with world.store.tx() as tx:
        site = load_site(tx, site_id)
    if site is None:
        raise NotFound()
    desc = _description(world, doc, site)
    state = initial_state(desc.spec, desc.spec.installation_s, desc.app_pct)
    with world.site_tx(site_id) as tx:
        tx.clear_site_history(site_id)
        tx.save_spec(site_id, jsonio.dumps(spec_to_dict(desc.spec)))
        tx.save_controls(site_id, jsonio.dumps(controls_to_dict(desc.controls)))
        tx.save_state(site_id, jsonio.dumps(state_to_dict(state)), state.t_s)
    if desc.tariff is not None:
        store_tariff(world, site_id, desc.tariff, stored_s=desc.spec.installation_s)
    with world.site_tx(site_id) as tx:
        advance_site(tx, site_id, world.now_s())
    return _result(world, [site_id])


def _result(world: World, site_ids: list[int]) -> dict[str, Any]:
    """Every reset answers like a scenario load: seed, now, sites, tokens, events."""
    return {"seed": world.seed, "now": world.now_s(), "sites": site_ids, "tokens": {},
            "events": []}


def reset_world(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Reload the active scenario (or the demo world when none was loaded), or rebuild one
    site (``scope: site``) or every site of one user (``scope: user``)."""
    scope = body.get("scope", "all")
    if scope not in ("all", "site", "user"):
        raise InvalidField.for_field("scope", "must be all, site or user")
    keep_faults = bool(body.get("keep_faults", False)) or scope != "all"
    faults = world.faults.rules()
    doc = _active_scenario(world)
    if scope == "site":
        site_id = body.get("site_id")
        if isinstance(site_id, bool) or not isinstance(site_id, int):
            raise InvalidField.for_field("site_id", "is required for scope site")
        return reset_site(world, site_id, doc)
    if scope == "user":
        user = body.get("user")
        with world.store.tx() as tx:
            ids = [row.energy_site_id for row in tx.list_sites(str(user))]
        if not isinstance(user, str) or not ids:
            raise InvalidField.for_field("user", "must name a user with sites")
        for site_id in ids:
            reset_site(world, site_id, doc)
        return _result(world, ids)
    if doc is None:
        with world.store.tx() as tx:
            tx.wipe_world()
            world.forget_caches(tx)
        world.journal.clear()
        demo = ensure_demo(world)
        result = _result(world, [] if demo is None else [demo.energy_site_id])
    else:
        result = load_scenario(world, doc)
    if keep_faults:
        world.faults.replace_all(faults)
    return result


def reseed(world: World, body: dict[str, Any]) -> dict[str, Any]:
    seed = body.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidField.for_field("seed", "must be an integer")
    doc = _active_scenario(world) or {"version": 1}
    doc["seed"] = seed
    return load_scenario(world, doc)


def export_state(world: World, *, secrets: bool = False) -> dict[str, Any]:
    """The snapshot; without ``secrets`` the JWT secret and client secrets are left out."""
    with world.store.tx() as tx:
        tables = tx.dump_tables()
        scenario = tx.get_meta("scenario")
    snap = {
        "version": SNAPSHOT_VERSION, "gridtwin": __version__, "seed": world.seed,
        "clock": {"mode": world.clock.mode, "rate": world.clock.rate, "now": world.now_s()},
        "jwt_secret": world.jwt_secret,
        "scenario": None if scenario is None else jsonio.loads(scenario, decimals=False),
        "faults": [r.to_json() for r in world.faults.rules()],
        "tables": tables,
    }
    return snap if secrets else redact_state(snap)


def import_state(world: World, snap: dict[str, Any]) -> dict[str, Any]:
    if snap.get("version") != SNAPSHOT_VERSION or not isinstance(snap.get("tables"), dict):
        raise InvalidField.for_field("version", f"not a gridtwin state snapshot v{SNAPSHOT_VERSION}")
    faults = [rule_from_json(r) for r in snap.get("faults") or []]
    secret = snap.get("jwt_secret")
    with world.store.tx() as tx:
        tx.load_tables(snap["tables"])
        # An export without secrets (jwt_secret null) keeps this server's secret.
        if isinstance(secret, str) and secret and secret != REDACTED:
            world.set_jwt_secret(secret, tx)
        if snap.get("scenario") is not None:
            tx.set_meta("scenario", jsonio.dumps(snap["scenario"]))
        world.set_seed(int(snap.get("seed", 0)), tx)
        world.faults.replace_all(faults, tx)
        world.forget_caches(tx)
    clock = snap.get("clock") or {}
    world.clock.jump_to(int(clock.get("now", world.now_s())))
    world.clock.set_mode(clock.get("mode", "frozen"), float(clock.get("rate", 1.0)))
    world.save_clock()
    return {"imported": True, "now": world.now_s()}
