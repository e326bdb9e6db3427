"""Environment: contract, determinism and window independence."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import BatteryBank, Location, SiteKind, SiteSpec, SolarSpec
from gridtwin.sim.environment import environment_provider, site_environment
from gridtwin.sim.state import Environment

T2025 = 1_735_689_600  # 2025-01-01T00:00Z
DIVISORS_300 = [d for d in range(1, 301) if 300 % d == 0]
SPEC = SiteSpec(
    energy_site_id=99, kind=SiteKind.BATTERY, name="t", time_zone="America/Los_Angeles",
    location=Location(37.77, -122.42, 16.0), installation_s=0, gateway_din="g", site_uuid="u",
    batteries=(BatteryBank(BatteryModel.POWERWALL_2, 1),), solar=SolarSpec(), sky="tmy",
    seed=5)
EVENTS = (
    SiteEvent("sky", EventType.SKY, T2025, params={"date": "2025-01-02", "sky": "random"}),
    SiteEvent("spike", EventType.LOAD_SPIKE, T2025 + 86_400 + 3_333, T2025 + 86_400 + 9_000,
              params={"power_w": 2500}),
)
ARRAYS = ("solar_w", "home_load_w", "solar_forecast_w", "home_load_forecast_w")


def _arrays(env: Environment) -> list[np.ndarray]:
    return [getattr(env, name) for name in ARRAYS]


def _assert_same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    for name, x, y in zip(ARRAYS, a, b, strict=True):
        assert np.array_equal(x, y), name


def test_contract_shapes_types_and_bounds() -> None:
    env = site_environment(SPEC, T2025 + 3600, 500, 60, events=EVENTS)
    assert (env.start_s, env.step_s) == (T2025 + 3600, 60)
    for arr in _arrays(env):
        assert arr.shape == (500,) and arr.dtype == np.int64
    assert env.solar_w.min() >= 0 and env.solar_forecast_w.min() >= 0
    assert env.home_load_w.min() >= SPEC.load.min_w
    assert env.home_load_forecast_w.min() >= SPEC.load.min_w


def test_empty_window() -> None:
    env = site_environment(SPEC, T2025, 0, 60)
    assert all(arr.size == 0 for arr in _arrays(env))


@pytest.mark.parametrize("step_s", [0, -60, 301, 600])
def test_step_bounds(step_s: int) -> None:
    with pytest.raises(ValueError):
        site_environment(SPEC, T2025, 10, step_s)


def test_negative_steps_rejected() -> None:
    with pytest.raises(ValueError):
        site_environment(SPEC, T2025, -1, 60)


def test_deterministic_and_seed_sensitive() -> None:
    a = site_environment(SPEC, T2025 + 180 * 86_400, 288, 300)
    b = site_environment(SPEC, T2025 + 180 * 86_400, 288, 300)
    _assert_same(_arrays(a), _arrays(b))
    other = site_environment(replace(SPEC, seed=6), T2025 + 180 * 86_400, 288, 300)
    assert not np.array_equal(a.home_load_w, other.home_load_w)
    assert not np.array_equal(a.solar_w, other.solar_w)
    assert np.array_equal(a.solar_forecast_w, other.solar_forecast_w)
    assert np.array_equal(a.home_load_forecast_w, other.home_load_forecast_w)
    another_site = site_environment(replace(SPEC, energy_site_id=100), a.start_s, 288, 300)
    assert not np.array_equal(a.home_load_w, another_site.home_load_w)


def test_provider_matches_direct_call() -> None:
    provide = environment_provider(SPEC, list(EVENTS))
    _assert_same(_arrays(provide(T2025 + 86_400, 100, 30)),
                 _arrays(site_environment(SPEC, T2025 + 86_400, 100, 30, events=EVENTS)))


@settings(max_examples=40, deadline=None)
@given(
    step_s=st.sampled_from(DIVISORS_300),
    first=st.integers(0, 3 * 86_400),
    n1=st.integers(0, 400),
    n2=st.integers(0, 400),
)
def test_split_windows_concatenate(step_s: int, first: int, n1: int, n2: int) -> None:
    start = T2025 + first // step_s * step_s
    whole = site_environment(SPEC, start, n1 + n2, step_s, events=EVENTS)
    head = site_environment(SPEC, start, n1, step_s, events=EVENTS)
    tail = site_environment(SPEC, start + n1 * step_s, n2, step_s, events=EVENTS)
    _assert_same(_arrays(whole), [np.concatenate(p) for p in
                                  zip(_arrays(head), _arrays(tail), strict=True)])


@settings(max_examples=40, deadline=None)
@given(
    step_s=st.sampled_from(DIVISORS_300),
    year=st.integers(2020, 2040),
    offset=st.integers(0, 365 * 86_400),
    back=st.integers(0, 200),
)
def test_an_instant_reads_the_same_in_any_window(
    step_s: int, year: int, offset: int, back: int,
) -> None:
    year_start = int(np.datetime64(f"{year}-01-01", "s").astype(np.int64))
    t = (year_start + offset) // step_s * step_s
    alone = site_environment(SPEC, t, 1, step_s, events=EVENTS)
    inside = site_environment(SPEC, t - back * step_s, back + 3, step_s, events=EVENTS)
    _assert_same(_arrays(alone), [a[back:back + 1] for a in _arrays(inside)])


@pytest.mark.parametrize("boundary", [
    "2025-03-01T00:00:00",  # common year: reference Feb 29 skipped
    "2024-02-29T00:00:00",
    "2025-01-01T00:00:00",  # reference year wraps
])
def test_calendar_seams_are_continuous(boundary: str) -> None:
    t = int(np.datetime64(boundary, "s").astype(np.int64))  # UTC midnight = LA afternoon
    env = site_environment(replace(SPEC, sky="clear"), t - 3_600, 120, 60)
    solar = env.solar_forecast_w.astype(float)
    assert solar.max() > 500
    assert np.abs(np.diff(solar)).max() < 0.03 * solar.max()
    load = env.home_load_forecast_w.astype(float)
    assert np.abs(np.diff(load)).max() < 0.05 * load.max()


def test_year_of_minutes_has_a_plausible_annual_yield() -> None:
    # Speed is measured by benchmarks/bench_pv.py, never by a timed test.
    env = site_environment(SPEC, T2025, 365 * 1440, 60)
    assert 8_000 < env.solar_w.sum() * 60 / 3.6e6 < 13_000
