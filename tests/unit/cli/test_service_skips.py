"""Tests that need PostgreSQL skip with one clear line when it is absent (issue 14)."""

from __future__ import annotations

import pytest

import tests.conftest as shared

pytestmark = pytest.mark.timeout(60)


def _reason(monkeypatch: pytest.MonkeyPatch, url: str | None) -> str | None:
    monkeypatch.setattr(shared, "POSTGRES_URL", url)
    shared.postgres_unavailable.cache_clear()
    try:
        return shared.postgres_unavailable()
    finally:
        shared.postgres_unavailable.cache_clear()


def test_unset_url_and_unreachable_server_give_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _reason(monkeypatch, None) == "GRIDTWIN_TEST_POSTGRES_URL is not set"
    pytest.importorskip("psycopg")
    reason = _reason(monkeypatch, "postgresql://postgres@127.0.0.1:1/test")
    assert reason is not None
    assert reason.startswith("PostgreSQL not reachable at postgresql://postgres@127.0.0.1:1/test: ")
    assert "\n" not in reason


def test_absent_postgres_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(shared, "POSTGRES_URL", None)
    shared.postgres_unavailable.cache_clear()
    try:
        with pytest.raises(pytest.skip.Exception, match="GRIDTWIN_TEST_POSTGRES_URL is not set"):
            shared.skip_without_postgres()
        monkeypatch.setenv("CI", "true")
        with pytest.raises(pytest.fail.Exception):
            shared.skip_without_postgres()
    finally:
        shared.postgres_unavailable.cache_clear()
