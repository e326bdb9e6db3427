"""Clock control (emulator §3): read, switch mode, jump forward, advance with catch-up.

A jump is crash-consistent: the new clock is persisted first, then every site is simulated
up to it in chunks, each committed on its own. A crash part-way leaves every site behind
the persisted clock, never ahead of it, and the next read of a site (or the next catch-up)
finishes the work: sites are always brought to now lazily.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gridtwin.core.clock import wall_now_s
from gridtwin.core.errors import InvalidField
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.world import World
from gridtwin.sim.runner import CHUNK_S, MAX_SIMULATION_S, advance_loaded, load_site

__all__ = ["MAX_ADVANCE_S", "advance_clock", "catch_up_all", "clock_info", "set_clock"]

MAX_ADVANCE_S = MAX_SIMULATION_S
"""Longest clock jump or advance [s] (400 days, emulator §3)."""
MODES = ("realtime", "scaled", "frozen")


def clock_info(world: World) -> dict[str, Any]:
    c = world.clock
    return {"mode": c.mode, "rate": c.rate, "now": world.now_s(), "wall": wall_now_s()}


def catch_up_site(world: World, site_id: int, until_s: int) -> None:
    """Simulate one site up to ``until_s`` [Unix s], one committed chunk at a time, so the
    site lock and the store's write lock are never held for more than a chunk."""
    while True:
        # not flushed on its own: the clock it catches up to is already durable, and a
        # chunk lost to a power cut is simulated again, identically, at the next read
        with world.site_tx(site_id, durable=False) as tx:
            site = load_site(tx, site_id)
            if site is None:
                return
            tx.decoded[site_id] = site  # reused by the products item's commit hook
            site = advance_loaded(tx, site, until_s, max_span_s=CHUNK_S)
        if site.state.t_s >= until_s:
            return


def catch_up_all(world: World, until_s: int, site_ids: Sequence[int] | None = None) -> None:
    """Simulate every site (or these) up to ``until_s`` [Unix s], one site at a time, each
    committed on its own: memory holds one site's work, whatever the number of sites."""
    if site_ids is None:
        with world.store.peek() as tx:
            site_ids = tx.site_ids()
    for site_id in site_ids:
        catch_up_site(world, site_id, until_s)


def _check_span(name: str, target_s: int, now_s: int) -> None:
    if target_s - now_s > MAX_ADVANCE_S:
        raise InvalidField.for_field(
            name, f"at most {MAX_ADVANCE_S // 86_400} days ahead of the current sim time")


def set_clock(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    mode = body.get("mode", world.clock.mode)
    if mode not in MODES:
        raise InvalidField.for_field("mode", f"must be one of {', '.join(MODES)}")
    rate = body.get("rate", world.clock.rate)
    if (isinstance(rate, bool) or not isinstance(rate, int | float)
            or not math.isfinite(rate) or not 0 < float(rate) <= 10_000):
        raise InvalidField.for_field("rate", "must be a number in (0, 10000]")
    now = world.now_s()
    target = None
    if body.get("now") is not None:
        target = parse_when("now", body["now"], now)
        if target < now:
            raise InvalidField.for_field("now", "may only move forward (use reset to go back)")
        _check_span("now", target, now)
    if target is not None:
        world.clock.jump_to(target)
    world.clock.set_mode(mode, float(rate))
    world.save_clock()
    if target is not None:
        catch_up_all(world, target)
    return clock_info(world)


def advance_clock(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """Move sim time forward by ``seconds`` or ``to`` an instant, simulating every site."""
    now = world.now_s()
    if "seconds" in body:
        seconds = body["seconds"]
        if (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                or not math.isfinite(seconds) or seconds < 0):
            raise InvalidField.for_field("seconds", "must be a non-negative number")
        if seconds > MAX_ADVANCE_S:
            raise InvalidField.for_field("seconds", f"at most {MAX_ADVANCE_S // 86_400} days per advance")
        target = now + int(seconds)
    elif "to" in body:
        target = parse_when("to", body["to"], now)
        if target < now:
            raise InvalidField.for_field("to", "must not be in the past")
        _check_span("to", target, now)
    else:
        raise InvalidField.for_field("seconds", "give seconds or to")
    with world.store.tx() as tx:
        fired = [e["id"] for e in tx.list_events() if now < e["start_s"] <= target]
    # The target is durable before any site moves: a crash leaves sites behind, not ahead.
    world.clock.jump_to(target)
    world.save_clock()
    catch_up_all(world, target)
    return {"now": target, "fired": fired}
