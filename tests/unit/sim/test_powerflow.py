"""Origin→destination fill and integer Wh rounding (site-behavior §9)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gridtwin.core.units import joules_to_wh_rounded
from gridtwin.sim.powerflow import bucket_row, fill_cells, wh_rounded

W = st.integers(0, 20_000)


@settings(max_examples=300, deadline=None)
@given(s=W, g=W, b=st.integers(-10_000, 10_000), r=st.integers(-20_000, 20_000))
def test_fill_exhausts_every_source_and_sink(s: int, g: int, b: int, r: int) -> None:
    h = s + g + b + r
    if h < 0:
        return
    cells = np.zeros(10, dtype=np.int64)
    fill_cells(s, g, b, r, h, cells, 0)
    assert (cells >= 0).all()
    sh, sb, sg, gh, gb, gg, bh, bg, rh, rb = cells.tolist()
    assert sh + sb + sg == s
    assert gh + gb + gg == g
    assert bh + bg == max(b, 0)
    assert rh + rb == max(r, 0)
    assert sh + gh + bh + rh == h
    assert sb + gb + rb == max(-b, 0)
    assert sg + gg + bg == max(-r, 0)


def test_fill_order_prefers_solar_then_generator() -> None:
    cells = np.zeros(10, dtype=np.int64)
    # 3 kW solar, 1 kW generator, 2 kW home, battery charging 1.5 kW, export 0.5 kW
    fill_cells(3000, 1000, -1500, -500, 2000, cells, 0)
    assert cells.tolist() == [2000, 1000, 0, 0, 500, 500, 0, 0, 0, 0]


def test_wh_rounding_matches_core_units() -> None:
    for j in (0, 1799, 1800, 3599, 3600, 5399, 5400, 10**12 + 1800):
        assert wh_rounded(j) == joules_to_wh_rounded(j)


def test_bucket_row_telescopes() -> None:
    counters = np.array([5400] * 10, dtype=np.int64)
    base = np.array([1799] * 10, dtype=np.int64)
    row = np.zeros(10, dtype=np.int64)
    bucket_row(counters, base, row)
    assert row.tolist() == [2] * 10
    assert base.tolist() == counters.tolist()
