"""Write transactions flush to disk on commit unless they hold work that can be derived
again (Store.tx(durable=False)): the clock's catch-up of sites to a clock already stored."""

from __future__ import annotations

import pytest

from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.world import World
from gridtwin.sim.runner import load_site
from gridtwin.store.repository import Store

SQLITE_NORMAL, SQLITE_FULL = 1, 2


def _level(conn) -> str:  # type: ignore[no-untyped-def]
    if conn.dialect.name == "sqlite":
        return {SQLITE_NORMAL: "lazy", SQLITE_FULL: "durable"}[
            conn.exec_driver_sql("PRAGMA synchronous").scalar()]
    return {"off": "lazy", "on": "durable"}[conn.exec_driver_sql("SHOW synchronous_commit").scalar()]


def _pooled_levels(store: Store) -> set[str]:
    """The level of every connection the pool hands out (taken all at once)."""
    conns = [store.engine.connect() for _ in range(3)]
    try:
        return {_level(c) for c in conns}
    finally:
        for c in conns:
            c.close()


def test_lazy_transaction_flushes_lazily_and_restores_the_connection(backend_url: str) -> None:
    store = Store(backend_url)
    try:
        with store.tx() as tx:
            assert _level(tx.conn) == "durable"
            tx.set_meta("probe", "1")
        with store.tx(durable=False) as tx:
            assert _level(tx.conn) == "lazy"
            tx.set_meta("probe", "2")
        assert _pooled_levels(store) == {"durable"}
        with store.peek() as tx:
            assert tx.get_meta("probe") == "2"  # committed like any other
    finally:
        store.dispose()


def test_a_failed_lazy_transaction_rolls_back_and_restores_the_connection(
        backend_url: str) -> None:
    store = Store(backend_url)
    try:
        with pytest.raises(RuntimeError), store.tx(durable=False) as tx:
            tx.set_meta("probe", "lost")
            raise RuntimeError("boom")
        assert _pooled_levels(store) == {"durable"}
        with store.peek() as tx:
            assert tx.get_meta("probe") is None
    finally:
        store.dispose()


def test_clock_catch_up_commits_lazily_and_commands_durably(
        world: World, site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[bool] = []
    original = world.store.tx

    def spy(*, durable: bool = True):  # type: ignore[no-untyped-def]
        seen.append(durable)
        return original(durable=durable)

    monkeypatch.setattr(world.store, "tx", spy)
    target = advance_clock(world, {"seconds": 3_600})["now"]
    assert seen[0] is True  # reading the events that fire stays a durable transaction
    assert False in seen  # the site's catch-up
    with world.store.peek() as tx:
        loaded = load_site(tx, site.energy_site_id)
    assert loaded is not None and loaded.state.t_s == target
