"""Site access: ownership checks and bringing a site up to the simulated now.

A site owned by another user is indistinguishable from a missing one (404, wire-format §4.3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread

from gridtwin.core import jsonio
from gridtwin.core.errors import NotFound
from gridtwin.domain.codec import controls_from_dict, spec_from_dict
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.events import SiteEvent
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteSpec
from gridtwin.services.auth import Principal
from gridtwin.services.world import World
from gridtwin.sim.codec import state_from_dict
from gridtwin.sim.engine import energy_left_wh
from gridtwin.sim.environment import site_environment
from gridtwin.sim.runner import LoadedSite, advance_loaded, load_site, site_events
from gridtwin.sim.state import SiteState
from gridtwin.store.repository import SiteRow, Tx

__all__ = [
    "SiteView",
    "backup_time_remaining_async",
    "backup_time_remaining_h",
    "loaded_view",
    "locked_site",
    "parse_site_id",
    "stored_view",
    "view_site",
    "view_site_async",
    "with_site",
]

T = TypeVar("T")
MAX_SITE_ID = (1 << 53) - 1


@dataclass(frozen=True)
class SiteView:
    """A site as of ``now_s`` [Unix s], ready for rendering."""

    spec: SiteSpec
    controls: SiteControls
    state: SiteState
    quirks: frozenset[Quirk]
    now_s: int
    tariff_doc: dict[str, Any] | None

    @property
    def site_id(self) -> int:
        return self.spec.energy_site_id


def parse_site_id(text: str) -> int:
    """The path's ``{energy_site_id}``: a decimal integer, else 404."""
    if not text.isascii() or not text.isdigit() or len(text) > 16:
        raise NotFound()
    value = int(text)
    if value > MAX_SITE_ID:
        raise NotFound()
    return value


def loaded_view(site: LoadedSite) -> SiteView:
    """The site as of its state's instant, with its current tariff document (if loaded)."""
    doc = jsonio.loads(site.tariffs[-1][1]) if site.tariffs else None
    return SiteView(site.spec, site.controls, site.state, site.quirks, site.state.t_s, doc)


@contextmanager
def locked_site(world: World, principal: Principal | None, site_id: int) -> Iterator[tuple[Tx, LoadedSite]]:
    """Lock, open a transaction, load the site (checking ownership) and advance it to now."""
    with world.site_tx(site_id) as tx:
        site = load_site(tx, site_id)
        if site is None or (principal is not None and site.row.user_id != principal.user_id):
            raise NotFound()
        tx.decoded[site_id] = site  # its products item is rendered at commit without decoding it again
        site = advance_loaded(tx, site, world.now_s())
        yield tx, site


def _cached_view(world: World, principal: Principal | None, site_id: int) -> SiteView | None:
    """The view computed at this same instant, if the site's version is unchanged; None on a
    miss. Never waits on a site lock (a bounded read only when workers share the clock)."""
    hit = world.view_cache.get(site_id)
    if world.settings.shared_clock:
        # Read with the clock and control version in the request's first round trip.
        found = world.site_version_now(site_id)
        if found is None or hit is None or found[0] != hit[0]:
            hit = None
    now = world.clock.now_s() if world.settings.shared_clock else world.now_s()
    if hit is None or hit[2].now_s != now:
        return None
    if principal is not None and hit[1] != principal.user_id:
        raise NotFound()
    cached: SiteView = hit[2]
    return cached


def _fresh_view(world: World, principal: Principal | None, site_id: int) -> SiteView:
    """Bring the site to now under its lock and cache the view."""
    with locked_site(world, principal, site_id) as (tx, site):
        view = loaded_view(site)
        current = tx.site_version(site_id)
        if current is not None:
            # Stored under the site lock, so no write can commit between this read and it.
            world.view_cache[site_id] = (current[0], current[1], view)
    return view


def view_site(world: World, principal: Principal | None, site_id: int) -> SiteView:
    """The site as of now. A view computed at this same instant is reused while the site's
    version is unchanged: the state at an instant is deterministic, so this is exact.

    One process (the default): every write goes through this process's store, whose
    commits drop the views they change, so a cached view needs no database check.
    Several workers: the site's version is read from the database first.
    """
    return _cached_view(world, principal, site_id) or _fresh_view(world, principal, site_id)


async def view_site_async(world: World, principal: Principal | None, site_id: int) -> SiteView:
    """``view_site`` for the event loop: a cached view is returned in place; a miss (which
    may wait on the site lock and simulate) runs on a worker thread, so one slow site never
    holds up other requests."""
    cached = _cached_view(world, principal, site_id)
    if cached is not None:
        return cached
    return await anyio.to_thread.run_sync(_fresh_view, world, principal, site_id)


def with_site(world: World, principal: Principal, site_id: int, fn: Callable[[Tx, SiteView], T]) -> T:
    """Run ``fn`` on an up-to-date site inside its lock and transaction."""
    with locked_site(world, principal, site_id) as (tx, site):
        return fn(tx, loaded_view(site))


def stored_view(row: SiteRow, known: LoadedSite | None = None) -> SiteView:
    """A site as stored: its state as of its last simulation, without its tariff.

    ``known``: the same site as loaded earlier (``load_site``); its spec and controls are
    reused when their stored text is unchanged since, so only the state is decoded."""
    if (known is not None and known.row.spec_json == row.spec_json
            and known.row.controls_json == row.controls_json):
        spec, controls = known.spec, known.controls
    else:
        spec = spec_from_dict(jsonio.loads(row.spec_json, decimals=False))
        controls = controls_from_dict(jsonio.loads(row.controls_json, decimals=False))
    return loaded_view(LoadedSite(
        row, spec, controls, state_from_dict(jsonio.loads(row.state_json, decimals=False))))


def backup_time_remaining_h(view: SiteView, events: Sequence[SiteEvent] = ()) -> float:
    """energy_left / max(mean home load over the past hour, home load now, 10 W) [h] (§13).

    Wall Connectors are excluded. ``events``: the site's events, so that a ``load_spike``
    counts; the load now is included so that a spike that has just begun shortens the
    answer at once instead of an hour later.
    """
    if not view.spec.has_battery:
        return 0.0
    step_s = 60
    start = (view.now_s - 3600) // step_s * step_s
    n = (view.now_s - start) // step_s + 1  # the past hour and the minute now
    env = site_environment(view.spec, start, n, step_s, events=events)
    past = env.home_load_w[: 3600 // step_s]
    mean_w = max(float(past.mean()), float(env.home_load_w[-1]), 10.0)
    return round(energy_left_wh(view.spec, view.state.energy_wh) / mean_w, 2)


def _backup_time_remaining(world: World, principal: Principal, site_id: int) -> float:
    view = view_site(world, principal, site_id)
    with world.store.tx() as tx:
        events = site_events(tx, site_id)
    return backup_time_remaining_h(view, events)


async def backup_time_remaining_async(world: World, principal: Principal, site_id: int) -> float:
    """Hours of backup for an owned site, read off the event loop."""
    return await anyio.to_thread.run_sync(_backup_time_remaining, world, principal, site_id)
