"""The cached provider returns exactly what the direct one computes, for any window."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.sim.envcache import cached_environment_provider
from gridtwin.sim.environment import environment_provider
from tests.conftest import NOW_S, test_site_spec

SPEC = test_site_spec()
EVENTS = (SiteEvent("spike", EventType.LOAD_SPIKE, NOW_S - 7200, NOW_S - 3600, {"power_w": 3000}),
          SiteEvent("sky", EventType.SKY, NOW_S - 86_400, None, {"sky": "overcast", "date": "2025-07-14"}))


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(-3 * 86_400, 86_400), n=st.integers(1, 3000),
       step=st.sampled_from([1, 5, 60, 150, 300]))
def test_cached_windows_equal_direct_windows(offset, n, step):
    start = (NOW_S + offset) // step * step
    cached = cached_environment_provider(SPEC, EVENTS)(start, n, step)
    direct = environment_provider(SPEC, EVENTS)(start, n, step)
    for name in ("solar_w", "home_load_w", "solar_forecast_w", "home_load_forecast_w"):
        assert np.array_equal(getattr(cached, name), getattr(direct, name)), name
    assert cached.start_s == direct.start_s and cached.step_s == direct.step_s


def test_events_are_part_of_the_key():
    start = NOW_S - 7200
    plain = cached_environment_provider(SPEC, ())(start, 60, 60)
    spiked = cached_environment_provider(SPEC, EVENTS)(start, 60, 60)
    assert (spiked.home_load_w - plain.home_load_w == 3000).all()
