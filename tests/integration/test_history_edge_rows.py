"""The edge-row read behind wide history windows, on both backends (issue 12).

``Tx.totals_at`` returns the stored cumulative rows at exactly the asked boundaries, by
end, leaving absent ones out; the history service turns a hole inside the stored history
into an internal error instead of a silently wrong bucket, and an edge before the first
stored row into zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from gridtwin.core.errors import Internal
from gridtwin.services.auth import verify_access_token
from gridtwin.services.history import EnergyHistory, calendar_history
from tests.integration.test_history_limits import build

pytestmark = pytest.mark.timeout(300)


def test_totals_at_returns_the_asked_rows_by_end(backend_url):
    syn = build(backend_url)
    try:
        sid = syn.spec.energy_site_id
        # Unsorted, repeated, and two instants with no row (before the first, off-grid).
        asked = [int(syn.ends[900]), int(syn.ends[5]), int(syn.ends[0]) - 300,
                 int(syn.ends[900]), int(syn.ends[70]) + 1, int(syn.ends[-1])]
        with syn.world.store.tx() as tx:
            rows = tx.totals_at(sid, asked)
            none = tx.totals_at(sid, [])
        assert rows.ends.tolist() == [int(syn.ends[i]) for i in (5, 900, len(syn.ends) - 1)]
        assert np.array_equal(rows.wh, syn.cum[[5, 900, len(syn.ends) - 1]])
        assert rows.wh.dtype == np.int64 and rows.wh.shape == (3, 10)
        assert len(none) == 0 and none.wh.shape == (0, 10)
    finally:
        syn.world.store.dispose()


def test_a_hole_in_stored_history_is_an_internal_error(backend_url):
    syn = build(backend_url)
    try:
        sid = syn.spec.energy_site_id
        principal = verify_access_token(syn.world, "Bearer " + syn.token)
        params = {"kind": "energy", "period": "month", "start_date": "2025-01-01",
                  "end_date": "2025-06-30"}
        before = calendar_history(syn.world, principal, sid, params)
        assert isinstance(before, EnergyHistory)
        # The row at one bucket edge (a local midnight inside the window) disappears.
        edge = before.starts[40]
        with syn.world.store.tx() as tx:
            tx.conn.exec_driver_sql(
                f"DELETE FROM energy_totals WHERE site_id = {sid} AND end_s = {edge}")
        with pytest.raises(Internal, match="history rows missing"):
            calendar_history(syn.world, principal, sid, params)
    finally:
        syn.world.store.dispose()


def test_edges_before_the_first_row_count_as_zero(backend_url):
    syn = build(backend_url)
    try:
        principal = verify_access_token(syn.world, "Bearer " + syn.token)
        # The window starts months before installation: the first returnable day is the
        # installation day, whose start precedes the first stored boundary.
        h = calendar_history(syn.world, principal, syn.spec.energy_site_id,
                             {"kind": "energy", "period": "week", "start_date": "2023-01-01",
                              "end_date": "2024-12-31"})
        assert isinstance(h, EnergyHistory)
        assert h.starts[0] < int(syn.ends[0])
        i = int(np.searchsorted(syn.ends, h.starts[1]))
        assert syn.ends[i] == h.starts[1]
        assert np.array_equal(h.wh[0], syn.cum[i])
    finally:
        syn.world.store.dispose()
