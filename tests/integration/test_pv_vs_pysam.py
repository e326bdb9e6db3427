"""Annual PV energy of the demo system within 5 % of NREL PySAM PVWatts v8.

Both models see the same weather series (gridtwin's 5-minute site weather, see
benchmarks/bench_pv.py, which prints the same figures with timings).
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySAM")

from benchmarks import bench_pv


@pytest.mark.slow
def test_annual_energy_matches_pvwatts_v8() -> None:
    spec = bench_pv.demo_spec()
    ours = bench_pv.run_gridtwin(spec)
    sam = bench_pv.run_pysam(spec, bench_pv.pysam_weather(spec))
    assert 1_000 < sam.annual_kwh / spec.solar.dc_kw < 2_000  # type: ignore[union-attr]
    assert ours.annual_kwh / sam.annual_kwh == pytest.approx(1.0, abs=0.05)


@pytest.mark.slow
def test_cloud_noise_keeps_the_annual_energy() -> None:
    spec = bench_pv.demo_spec()
    env = bench_pv.environment.site_environment(spec, bench_pv.YEAR_START_S,
                                                bench_pv.N_STEPS, bench_pv.STEP_S)
    assert env.solar_w.sum() / env.solar_forecast_w.sum() == pytest.approx(1.0, abs=0.01)
