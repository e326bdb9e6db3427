"""Reset, seed, and state export/import (emulator §4, §10)."""

from __future__ import annotations

from typing import Any

from gridtwin import __version__
from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField
from gridtwin.services.emulator.faults import rule_from_json
from gridtwin.services.emulator.scenario import load_scenario
from gridtwin.services.provision import ensure_demo
from gridtwin.services.world import World

__all__ = ["SNAPSHOT_VERSION", "export_state", "import_state", "reseed", "reset_world"]

SNAPSHOT_VERSION = 1


def _active_scenario(world: World) -> dict[str, Any] | None:
    with world.store.tx() as tx:
        text = tx.get_meta("scenario")
    return None if text is None else dict(jsonio.loads(text, decimals=False))


def reset_world(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Reload the active scenario (or the demo world when none was loaded)."""
    scope = body.get("scope", "all")
    if scope not in ("all", "site"):
        raise InvalidField.for_field("scope", "must be all or site")
    keep_faults = bool(body.get("keep_faults", False))
    faults = world.faults.list()
    doc = _active_scenario(world)
    if scope == "site":
        raise InvalidField.for_field("scope", "site reset needs a scenario; use scope all")
    if doc is None:
        with world.store.tx() as tx:
            tx.wipe_world()
        world.journal.clear()
        ensure_demo(world)
        result: dict[str, Any] = {"seed": world.seed, "now": world.now_s()}
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


def export_state(world: World) -> dict[str, Any]:
    with world.store.tx() as tx:
        tables = tx.dump_tables()
        scenario = tx.get_meta("scenario")
    return {
        "version": SNAPSHOT_VERSION, "gridtwin": __version__, "seed": world.seed,
        "clock": {"mode": world.clock.mode, "rate": world.clock.rate, "now": world.now_s()},
        "jwt_secret": world.jwt_secret,
        "scenario": None if scenario is None else jsonio.loads(scenario, decimals=False),
        "faults": [r.to_json() for r in world.faults.list()],
        "tables": tables,
    }


def import_state(world: World, snap: dict[str, Any]) -> dict[str, Any]:
    if snap.get("version") != SNAPSHOT_VERSION or not isinstance(snap.get("tables"), dict):
        raise InvalidField.for_field("version", f"not a gridtwin state snapshot v{SNAPSHOT_VERSION}")
    faults = [rule_from_json(r) for r in snap.get("faults") or []]
    with world.store.tx() as tx:
        tx.load_tables(snap["tables"])
        tx.set_meta("jwt_secret", str(snap["jwt_secret"]))
        if snap.get("scenario") is not None:
            tx.set_meta("scenario", jsonio.dumps(snap["scenario"]))
    world.jwt_secret = str(snap["jwt_secret"])
    world.seed = int(snap.get("seed", 0))
    world.faults.seed = world.seed
    world.faults.replace_all(faults)
    clock = snap.get("clock") or {}
    world.clock.jump_to(int(clock.get("now", world.now_s())))
    world.clock.set_mode(clock.get("mode", "frozen"), float(clock.get("rate", 1.0)))
    world.save_clock()
    return {"imported": True, "now": world.now_s()}
