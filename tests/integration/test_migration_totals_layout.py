"""Migration 0004 (energy_totals clustered on its key on SQLite) keeps every row and reply.

A database as revision 0003 left it, holding history, is upgraded: on SQLite the table
becomes WITHOUT ROWID, on PostgreSQL nothing changes; on both the stored rows and the
history replies are byte for byte the same before and after (issue 12).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from alembic import command
from sqlalchemy import text
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.store.engine import alembic_config, make_engine, migrate
from gridtwin.store.repository import Store
from tests.conftest import NOW_S, make_world
from tests.integration.test_history_limits import build

pytestmark = pytest.mark.timeout(300)

HEAD = "0005"
"""The newest revision (0005 added product_items after 0004)."""

QUERIES: list[dict[str, str]] = [
    {"kind": "energy", "period": "day"},
    {"kind": "energy", "period": "day", "start_date": "2025-03-08T00:00:00-08:00",
     "end_date": "2025-03-10T00:00:00-07:00"},  # spring-forward day inside
    {"kind": "energy", "period": "week", "end_date": "2025-03-12T12:00:00-07:00"},
    {"kind": "energy", "period": "month", "start_date": "2024-07-01", "end_date": "2025-07-14"},
    {"kind": "energy", "period": "month", "time_zone": "Europe/London"},
    {"kind": "energy", "period": "year"},
    {"kind": "energy", "period": "lifetime"},
    {"kind": "backup", "period": "lifetime"},
]


def _layout(url: str) -> tuple[str, bool | None]:
    """(Alembic revision, whether energy_totals is WITHOUT ROWID; None off SQLite)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
            if conn.dialect.name != "sqlite":
                return revision, None
            ddl = conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'energy_totals'")).scalar()
            return revision, "WITHOUT ROWID" in str(ddl).upper()
    finally:
        engine.dispose()


def _replies(url: str, site_id: int, token: str) -> list[bytes]:
    world = make_world(url)
    try:
        with TestClient(create_app(world)) as c:
            out = []
            for params in QUERIES:
                r = c.get(f"/api/1/energy_sites/{site_id}/calendar_history", params=params,
                          headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, r.text
                out.append(r.content)
            return out
    finally:
        world.store.dispose()


def _rows(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                text("SELECT * FROM energy_totals ORDER BY site_id, end_s"))]
    finally:
        engine.dispose()


def test_an_older_database_upgrades_with_identical_rows_and_replies(backend_url):
    syn = build(backend_url)  # 400 days of known rows, across both DST changes
    site_id = syn.spec.energy_site_id
    syn.world.store.dispose()
    sqlite = backend_url.startswith("sqlite")
    assert _layout(backend_url) == (HEAD, True if sqlite else None)
    rows = _rows(backend_url)
    assert len(rows) == len(syn.ends) and rows[-1][1] == NOW_S
    assert np.array_equal(np.array([r[2:] for r in rows], np.int64), syn.cum)

    # Back to the layout of revision 0003, as an older gridtwin left the database.
    engine = make_engine(backend_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
    engine.dispose()
    assert _layout(backend_url) == ("0003", False if sqlite else None)
    assert _rows(backend_url) == rows
    before = _replies(backend_url, site_id, syn.token)  # migrates to head again
    assert _layout(backend_url) == (HEAD, True if sqlite else None)
    assert _rows(backend_url) == rows
    after = _replies(backend_url, site_id, syn.token)
    assert after == before
    energy = [b for b, q in zip(before, QUERIES, strict=True) if q["kind"] == "energy"]
    assert all(b'"time_series":[{' in b for b in energy)


def test_rows_written_at_0003_read_the_same_after_the_upgrade(backend_url):
    """A database built by the migrations up to 0003 and written there (the rowid table)."""
    engine = make_engine(backend_url)
    migrate(engine, "0003")
    engine.dispose()
    ends = np.arange(NOW_S - 3 * 86_400, NOW_S + 1, 300, dtype=np.int64)
    cum = np.cumsum(np.random.default_rng(3).integers(0, 900, (len(ends), 10)), axis=0)
    old = Store(backend_url, run_migrations=False)
    try:
        with old.tx() as tx:
            for site_id in (7, 3):  # two sites, the later one inserted first
                tx.insert_totals(site_id, ends.tolist(), cum + site_id)
        with old.tx() as tx:
            edges = [int(ends[0]), int(ends[288]), int(ends[-1]), int(ends[-1]) + 300]
            before = [(tx.totals_at(s, edges), tx.totals_range(s, int(ends[5]), int(ends[400])))
                      for s in (3, 7)]
    finally:
        old.dispose()
    assert _layout(backend_url)[0] == "0003"
    new = Store(backend_url)  # migrates
    try:
        assert _layout(backend_url) == (HEAD, True if backend_url.startswith("sqlite") else None)
        with new.tx() as tx:
            after = [(tx.totals_at(s, edges), tx.totals_range(s, int(ends[5]), int(ends[400])))
                     for s in (3, 7)]
            assert tx.first_total_end(3) == int(ends[0])
    finally:
        new.dispose()
    for (at0, range0), (at1, range1), site_id in zip(before, after, (3, 7), strict=True):
        assert at0.ends.tolist() == at1.ends.tolist() == edges[:3]
        assert np.array_equal(at0.wh, at1.wh) and np.array_equal(range0.wh, range1.wh)
        assert np.array_equal(at1.wh, cum[[0, 288, len(ends) - 1]] + site_id)
        assert np.array_equal(range1.wh, cum[5:401] + site_id)
