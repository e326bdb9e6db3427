"""Shared fixtures: a frozen-clock world on a temporary database, an app and tokens.

Set GRIDTWIN_TEST_POSTGRES_URL to also run the backend-parametrised tests on PostgreSQL.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.core.settings import Settings
from gridtwin.domain.site import SiteSpec
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site, demo_spec
from gridtwin.services.world import World, open_world
from gridtwin.testing import postgres_database as fresh_postgres

NOW_S = int(datetime(2025, 7, 15, 19, 0, tzinfo=UTC).timestamp())
"""Frozen simulated now: 2025-07-15 12:00 in Los Angeles (PDT)."""

POSTGRES_URL = os.environ.get("GRIDTWIN_TEST_POSTGRES_URL")


def make_world(db_url: str, now_s: int = NOW_S, **overrides: object) -> World:
    settings = Settings(db_url=db_url, clock_start_s=now_s, clock_mode="frozen",
                        demo_on_empty=False, jwt_secret="test-secret-0123456789abcdef0123456789abcdef",
                        **overrides)  # type: ignore[arg-type]
    return open_world(settings)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'gridtwin.db'}"


@functools.cache
def postgres_unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run here (one line), or None. Probed once."""
    if POSTGRES_URL is None:
        return "GRIDTWIN_TEST_POSTGRES_URL is not set"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'gridtwin[postgres]')"
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {first}"
    return None


def skip_without_postgres() -> None:
    """Skip with one line when PostgreSQL is absent; in CI (CI set) fail instead."""
    reason = postgres_unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    skip_without_postgres()
    assert POSTGRES_URL is not None
    with fresh_postgres(POSTGRES_URL) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request, tmp_path) -> Iterator[str]:
    """Each backend in turn: SQLite in a temp dir, PostgreSQL in a fresh database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gridtwin.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = make_world(db_url)
    yield w
    w.store.dispose()


def test_site_spec(seed: int = 0, index: int = 0, days: int = 2, **changes: object) -> SiteSpec:
    """The demo site, installed ``days`` before NOW_S (short warm-up)."""
    spec = demo_spec(seed, NOW_S, index)
    return replace(spec, installation_s=NOW_S - days * 86_400, **changes)  # type: ignore[arg-type]


test_site_spec.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def site(world: World) -> SiteSpec:
    return create_site(world, "alice", test_site_spec())


@pytest.fixture
def token(world: World, site: SiteSpec) -> str:
    return mint_access_token(world, "alice").access_token


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
