"""Month buckets end at the next month's first local midnight, computed here independently
of ``services.calendar`` (a month of ``first day + 30 days`` must fail: July, August,
December, January and March are 31 days long)."""

from __future__ import annotations

from datetime import datetime

import pytest

from gridtwin.services.auth import verify_access_token
from gridtwin.services.history import EnergyHistory, calendar_history
from tests.integration.test_history_limits import TZ, Synthetic, build

pytestmark = pytest.mark.timeout(300)


def _first_of_month_s(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=TZ).timestamp())


def _history(syn: Synthetic, **params: str) -> EnergyHistory:
    principal = verify_access_token(syn.world, f"Bearer {syn.token}")
    h = calendar_history(syn.world, principal, syn.spec.energy_site_id, {"kind": "energy", **params})
    assert isinstance(h, EnergyHistory)
    return h


def test_year_buckets_are_whole_calendar_months(tmp_path):
    syn = build(f"sqlite:///{tmp_path / 'months.db'}")
    try:
        h = _history(syn, period="year", start_date="2024-07-01", end_date="2025-06-30")
        months = [(2024, m) for m in range(7, 13)] + [(2025, m) for m in range(1, 7)]
        firsts = [_first_of_month_s(y, m) for y, m in months] + [_first_of_month_s(2025, 7)]
        assert list(h.starts) == firsts[:-1]
        for i in range(len(months)):
            expect = syn.cumulative_at(firsts[i + 1]) - syn.cumulative_at(firsts[i])
            assert h.wh[i].tolist() == expect.tolist(), months[i]
    finally:
        syn.world.store.dispose()


def test_a_31_day_month_has_31_day_buckets(tmp_path):
    syn = build(f"sqlite:///{tmp_path / 'may.db'}")
    try:
        h = _history(syn, period="month", start_date="2025-05-01", end_date="2025-05-31T23:59:59-07:00")
        days = [int(datetime(2025, 5, d, tzinfo=TZ).timestamp()) for d in range(1, 32)]
        assert list(h.starts) == days
        june_first = _first_of_month_s(2025, 6)
        total = syn.cumulative_at(june_first) - syn.cumulative_at(days[0])
        assert h.wh.sum(axis=0).tolist() == total.tolist()
    finally:
        syn.world.store.dispose()
