"""``products`` items kept in the store, so listing a user's 1,000 sites reads them instead
of rendering them (issue 17).

A site's products item is rendered from its stored spec, controls and state (nothing is
simulated to list it). Rendering costs about a millisecond a site (three JSON documents
decoded into the domain objects, then some 25 catalogue fields), so each item is stored
as JSON text in ``product_items`` with a key: a digest of the rendering code and of the
three stored documents it was rendered from. A listing reads the user's sites with their
items in one statement and uses an item when its key matches the site as stored now;
only sites whose item is stale are rendered again. A restart keeps them, and a stale item
is never served.

Every transaction that saves a site's spec, controls or state also renders and stores its
item before it commits (``write_through``: a store commit hook the app registers), so the
listing after reads, commands or admin edits of all of a user's sites is a read. A site
the transaction loaded is rendered from the spec and controls it decoded (``Tx.decoded``);
only its new state is decoded (~0.2 ms a write with the upsert). The key check stays: a
write made without the hook (a process without the app, a render that failed) only costs
the next listing that site's rendering.

Items rendered by a listing are written back after its reply (``save_items``). A scenario
stores its sites' items with them (``new_items``); the whole world's are brought up to date
in bounded batches when a server starts and after a reset, an import or a clock move
(``refresh_items``), so the first listing after those is a read too.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gridtwin.services.auth import Principal
from gridtwin.services.sites import SiteView, loaded_view, stored_view
from gridtwin.services.world import World
from gridtwin.sim.runner import LoadedSite
from gridtwin.store.repository import SiteRow, Tx

__all__ = ["BATCH_SITES", "Fresh", "ItemRenderer", "keep_items", "new_items", "refresh_items", "save_items",
           "user_items", "write_through"]

_log = logging.getLogger("gridtwin.products")

BATCH_SITES = 500
"""Sites read, rendered and written per transaction by ``refresh_items`` and
``save_items``: memory holds one batch whatever the number of sites."""

Fresh = tuple[int, str, str]
"""An item just rendered: (site id, key, item JSON text)."""

StoredRow = tuple[SiteRow, str | None, str | None]
"""A site with its stored item's (key, JSON text), or (None, None)."""


@dataclass(frozen=True)
class ItemRenderer:
    """How a site's products item is rendered (the API layer's wire renderer)."""

    render: Callable[[SiteView], str]
    """The item as JSON text."""
    code: Callable[[], bytes]
    """What identifies the rendering code (cached by the caller): an item rendered by
    other code, an older gridtwin, is stale."""

    def key(self, row: SiteRow) -> str:
        """The key an item rendered now from this stored site has."""
        h = hashlib.blake2b(self.code(), digest_size=16)
        for text in (row.spec_json, row.controls_json, row.state_json):
            h.update(b"\0")  # never in JSON text: the three documents cannot run together
            h.update(text.encode())
        return h.hexdigest()


def _items(rows: Sequence[StoredRow], renderer: ItemRenderer) -> tuple[list[str], list[Fresh]]:
    """Each site's item: the stored one if its key matches, else rendered (and returned
    among the fresh ones, to be stored)."""
    texts: list[str] = []
    fresh: list[Fresh] = []
    for row, key, text in rows:
        current = renderer.key(row)
        if text is None or key != current:
            text = renderer.render(stored_view(row))
            fresh.append((row.energy_site_id, current, text))
        texts.append(text)
    return texts, fresh


def _as_saved(row: SiteRow, saved: dict[str, str]) -> SiteRow:
    """``row`` with the text saved since it was read."""
    return replace(row, spec_json=saved.get("spec_json", row.spec_json),
                   controls_json=saved.get("controls_json", row.controls_json),
                   state_json=saved.get("state_json", row.state_json))


def keep_items(tx: Tx, renderer: ItemRenderer) -> int:
    """Render and store, in ``tx``, the items of the sites it saved; returns the number
    rendered. A site loaded in ``tx`` (``tx.decoded``) is known as stored without reading
    it again: its row as loaded with the text ``tx`` saved since; its spec and controls are
    reused when unchanged. Others are read with their item and rendered if it is stale.
    A rendering error is logged and leaves that item stale (the next listing renders it):
    a site's write never fails for it."""
    known: dict[int, LoadedSite] = {}
    unknown: list[int] = []
    for site_id in sorted(tx.written):
        site = tx.decoded.get(site_id)
        if isinstance(site, LoadedSite):
            known[site_id] = site
        else:
            unknown.append(site_id)
    rows: list[tuple[SiteRow, LoadedSite | None]] = [
        (_as_saved(site.row, tx.written[site_id]), site) for site_id, site in known.items()]
    if unknown:
        rows += [(row, None) for row, key, text in tx.product_rows_of(unknown)
                 if text is None or key != renderer.key(row)]
    fresh: list[Fresh] = []
    for row, site in rows:
        try:
            item = renderer.render(stored_view(row, site))
        except Exception:
            _log.warning("rendering the products item of site %d failed", row.energy_site_id,
                         exc_info=True)
            continue
        fresh.append((row.energy_site_id, renderer.key(row), item))
    tx.save_product_items(fresh)
    return len(fresh)


def write_through(world: World, renderer: ItemRenderer) -> None:
    """From now on, every transaction of ``world`` that saves a site stores its item too
    (``keep_items``); registering again replaces the hook."""
    def hook(tx: Tx) -> None:
        keep_items(tx, renderer)

    world.store.before_commit["product_items"] = hook


def new_items(renderer: ItemRenderer, sites: Sequence[LoadedSite]) -> list[Fresh]:
    """The items of sites being created, rendered from the documents they are stored from
    (a scenario's thousands of sites: nothing to decode)."""
    return [(s.row.energy_site_id, renderer.key(s.row), renderer.render(loaded_view(s)))
            for s in sites]


def user_items(world: World, principal: Principal,
               renderer: ItemRenderer) -> tuple[list[str], list[Fresh]]:
    """The products items (JSON text) of the user's sites in list order, each as of its
    site's last simulation, and those rendered by this call (for ``save_items``).

    Nothing is simulated: a site is brought to now only by a request about it (or a clock
    advance), so a site never read shows its installation state; ``products`` carries the
    few live values it has (charge, battery power) as of that instant, like Tesla's cached
    copy of them. One statement reads each site with its item, so an item always matches
    the site it is listed for."""
    with world.store.peek() as tx:
        rows = tx.product_rows(principal.user_id)
    return _items(rows, renderer)


def save_items(world: World, fresh: Sequence[Fresh]) -> None:
    """Store items just rendered, ``BATCH_SITES`` per transaction. Written to their own
    table, never to ``sites``: storing them waits on no site's lock."""
    for i in range(0, len(fresh), BATCH_SITES):
        with world.store.tx() as tx:
            tx.save_product_items(fresh[i:i + BATCH_SITES])


def refresh_items(world: World, renderer: ItemRenderer, batch: int = BATCH_SITES) -> int:
    """Bring every site's stored item up to date, ``batch`` sites at a time (read, render
    the stale ones, write); returns the number of items rendered."""
    after: int | None = None
    rendered = 0
    while True:
        with world.store.peek() as tx:
            page = tx.product_page(after, batch)
        if not page:
            return rendered
        _, fresh = _items(page, renderer)
        save_items(world, fresh)
        rendered += len(fresh)
        after = page[-1][0].energy_site_id
