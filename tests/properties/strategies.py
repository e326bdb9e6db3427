"""Hypothesis draws shared by the property tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from gridtwin.domain.events import SiteEvent
from tests.unit.sim.synthetic import event

_BOOL = npt.NDArray[np.bool_]


def draw_outage_and_storm(data: Any, n: int, t0_s: int,
                          step_s: int = 300) -> tuple[_BOOL, _BOOL, list[SiteEvent]]:
    """Maybe a grid outage and maybe a storm alert within ``n`` steps from ``t0_s``: the
    per-step masks (grid down, storm) and the events that cause them."""
    down = np.zeros(n, dtype=bool)
    storm = np.zeros(n, dtype=bool)
    evs: list[SiteEvent] = []
    for k, (kind, mask) in enumerate((("grid_outage", down), ("storm_alert", storm))):
        if data.draw(st.booleans()):
            a = data.draw(st.integers(0, n - 1))
            b = data.draw(st.integers(a + 1, n))
            mask[a:b] = True
            evs.append(event(kind, t0_s + step_s * a, t0_s + step_s * b, eid=f"b{k}"))
    return down, storm, evs
