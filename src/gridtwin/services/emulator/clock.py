"""Clock control (emulator §3): read, switch mode, jump forward, advance with catch-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridtwin.core.clock import wall_now_s
from gridtwin.core.errors import InvalidField
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.world import World
from gridtwin.sim.runner import advance_site

__all__ = ["MAX_ADVANCE_S", "advance_clock", "clock_info", "set_clock"]

MAX_ADVANCE_S = 400 * 86_400
MODES = ("realtime", "scaled", "frozen")


def clock_info(world: World) -> dict[str, Any]:
    c = world.clock
    return {"mode": c.mode, "rate": c.rate, "now": world.now_s(), "wall": wall_now_s()}


def catch_up_all(world: World, until_s: int) -> None:
    """Simulate every site up to ``until_s`` [Unix s], one site at a time under its lock."""
    with world.store.tx() as tx:
        ids = [row.energy_site_id for row in tx.list_sites()]
    for site_id in ids:
        with world.site_tx(site_id) as tx:
            advance_site(tx, site_id, until_s)


def set_clock(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    mode = body.get("mode", world.clock.mode)
    if mode not in MODES:
        raise InvalidField.for_field("mode", f"must be one of {', '.join(MODES)}")
    rate = body.get("rate", world.clock.rate)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < float(rate) <= 10_000:
        raise InvalidField.for_field("rate", "must be a number in (0, 10000]")
    target = None
    if body.get("now") is not None:
        target = parse_when("now", body["now"], world.now_s())
        if target < world.now_s():
            raise InvalidField.for_field("now", "may only move forward (use reset to go back)")
    if target is not None:
        catch_up_all(world, target)
        world.clock.jump_to(target)
    world.clock.set_mode(mode, float(rate))
    world.save_clock()
    return clock_info(world)


def advance_clock(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """Move sim time forward by ``seconds`` or ``to`` an instant, simulating every site."""
    now = world.now_s()
    if "seconds" in body:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise InvalidField.for_field("seconds", "must be a non-negative number")
        target = now + int(seconds)
    elif "to" in body:
        target = parse_when("to", body["to"], now)
        if target < now:
            raise InvalidField.for_field("to", "must not be in the past")
    else:
        raise InvalidField.for_field("seconds", "give seconds or to")
    if target - now > MAX_ADVANCE_S:
        raise InvalidField.for_field("seconds", "at most 400 days per advance")
    with world.store.tx() as tx:
        fired = [e["id"] for e in tx.list_events() if now < e["start_s"] <= target]
    catch_up_all(world, target)
    world.clock.jump_to(target)
    world.save_clock()
    return {"now": target, "fired": fired}
