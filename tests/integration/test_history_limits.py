"""History over wide windows (issue 12, availability): O(buckets) reads, exact sums, caps.

A site with 400 days of synthetic cumulative totals (one row per 5-minute boundary) is
queried over wide windows: every bucket must equal the difference of the cumulative rows at
its edges, and the store must be asked only for the rows at bucket edges, never for every
5-minute row of the window. Windows longer than the caps and dates out of range are 400s
naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.core import jsonio
from gridtwin.services.auth import verify_access_token
from gridtwin.services.calendar import bucket_edges
from gridtwin.services.history import MAX_BUCKETS, EnergyHistory, calendar_history
from gridtwin.store.repository import BucketRows, Tx
from tests.conftest import NOW_S
from tests.integration.synthetic_history import DAYS, Synthetic, build

pytestmark = pytest.mark.timeout(300)

TZ = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def synthetic(tmp_path) -> Iterator[Synthetic]:
    syn = build(f"sqlite:///{tmp_path / 'wide.db'}")
    yield syn
    syn.world.store.dispose()


class RowSpy:
    """Counts the cumulative rows the history service asks the store for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        original_range, original_at = Tx.totals_range, Tx.totals_at

        def totals_range(tx: Tx, site_id: int, first: int, last: int) -> BucketRows:
            found = original_range(tx, site_id, first, last)
            self.rows += len(found.ends)
            return found

        def totals_at(tx: Tx, site_id: int, ends: Any) -> dict[int, Any]:
            found = original_at(tx, site_id, ends)
            self.rows += len(found)
            return found

        monkeypatch.setattr(Tx, "totals_range", totals_range)
        monkeypatch.setattr(Tx, "totals_at", totals_at)


WIDE = [
    ("month", "2024-07-01", "2025-07-15"),
    ("week", "2024-07-01", "2025-07-15"),
    ("year", "2024-06-11", "2025-07-15"),
    ("lifetime", None, None),
    ("day", "2025-06-20", "2025-07-15"),
]


def test_wide_windows_read_only_bucket_edge_rows(backend_url, monkeypatch):
    syn = build(backend_url)
    try:
        principal = verify_access_token(syn.world, f"Bearer {syn.token}")
        for period, start, end in WIDE:
            params = {"kind": "energy", "period": period}
            if start:
                params |= {"start_date": start, "end_date": end}
            spy = RowSpy(monkeypatch)
            h = calendar_history(syn.world, principal, syn.spec.energy_site_id, params)
            monkeypatch.undo()
            assert isinstance(h, EnergyHistory)
            n = len(h.starts)
            assert n >= 2, period
            # One row per bucket edge at most: never every 5-minute row of the window.
            assert spy.rows <= n + 1, (period, spy.rows, n)
            last_end = bucket_edges(h.starts[-1], h.starts[-1], period, TZ)[1]
            for i, (t, nxt) in enumerate(zip(h.starts, [*h.starts[1:], last_end], strict=True)):
                hi = syn.cumulative_at(nxt) if nxt < NOW_S else syn.cum[-1]
                expect = hi - syn.cumulative_at(t)
                assert h.wh[i].tolist() == expect.tolist(), (period, i)
            if period == "month":
                assert datetime.fromtimestamp(h.starts[0], TZ).date().isoformat() == "2024-07-01"
                assert n == 379  # 2024-07-01 .. 2025-07-14
    finally:
        syn.world.store.dispose()


def _get(client: TestClient, syn: Synthetic, **params: str) -> Any:
    return client.get(f"/api/1/energy_sites/{syn.spec.energy_site_id}/calendar_history",
                      headers={"Authorization": f"Bearer {syn.token}"}, params=params)


@pytest.mark.parametrize("kind", ["energy", "backup"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "0001-01-01T00:00:00Z"}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"period": "year", "end_date": "9999-12-31T23:59:59Z"}, "end_date"),
        ({"period": "lifetime", "start_date": "0001-01-01T00:00:00Z"}, "start_date"),
        ({"period": "month", "start_date": "1000-01-01", "end_date": "9999-12-31"}, "start_date"),
        ({"period": "month", "start_date": "1990-01-01", "end_date": "2025-07-01"}, "start_date"),
        ({"period": "week", "start_date": "2010-01-01", "end_date": "2025-07-01"}, "end_date"),
    ],
)
def test_out_of_range_dates_and_windows_are_400(synthetic, kind, params, field):
    with TestClient(create_app(synthetic.world), raise_server_exceptions=False) as client:
        r = _get(client, synthetic, kind=kind, **params)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_field"
    assert field in r.json()["messages"], r.json()


def test_charge_history_dates_out_of_range_are_400(synthetic):
    with TestClient(create_app(synthetic.world), raise_server_exceptions=False) as client:
        for name, value in (("start_date", "0001-01-01T00:00:00Z"), ("end_date", "9999-12-31")):
            r = client.get(f"/api/1/energy_sites/{synthetic.spec.energy_site_id}/telemetry_history",
                           headers={"Authorization": f"Bearer {synthetic.token}"},
                           params={"kind": "charge", name: value})
            assert r.status_code == 400, r.text
            assert name in r.json()["messages"]


def test_five_minute_buckets_are_capped_and_the_body_bounded(synthetic):
    with TestClient(create_app(synthetic.world), raise_server_exceptions=False) as client:
        # 13 months of 5-minute buckets (was 82 MB): refused, naming the window.
        r = _get(client, synthetic, kind="energy", period="day",
                 start_date="2024-06-15", end_date="2025-07-15")
        assert r.status_code == 400, r.text[:200]
        assert {"start_date", "end_date"} <= set(r.json()["messages"])
        # The longest calendar month of 5-minute buckets is served in full.
        r = _get(client, synthetic, kind="energy", period="day",
                 start_date="2025-05-01T00:00:00-07:00", end_date="2025-06-01T00:00:00-07:00")
        assert r.status_code == 200
        series = r.json()["response"]["time_series"]
        assert len(series) == 31 * 288 <= MAX_BUCKETS
        assert len(r.content) < 8 * 2**20
        # Encoded in chunks, the bytes are those of the whole document encoded at once.
        assert r.content == jsonio.dumps(r.json()).encode()
        assert r.headers["content-type"] == "application/json; charset=utf-8"
        # Ten years of day buckets fit too: clipped to the site's 400 days of life.
        r = _get(client, synthetic, kind="energy", period="month",
                 start_date="2015-08-01", end_date="2025-07-15")
        assert r.status_code == 200
        assert len(r.json()["response"]["time_series"]) == DAYS  # 2024-06-10 .. 2025-07-14
