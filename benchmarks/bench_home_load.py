"""Home load of the demo site over a year: speed of the environment and the load's texture.

The demo site with ``LoadSpec.appliances`` on (the texture is opt-in per site).

Times ``site_environment`` for one site-year at 5-minute steps (best of ``--repeat``, after
a warm-up that fills the weather and appliance caches) and prints what the load looks like:
annual energy against the smooth forecast, share of local days whose 5-minute maximum
exceeds 5 kW, share of local days whose energy is within 3 % of the smooth model's,
p50 / p99 / max, and the lag-1 autocorrelation of the 5-minute load's
deviation from the smooth forecast (its texture).

Run: ``python benchmarks/bench_home_load.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from gridtwin.services import provision
from gridtwin.sim import environment

YEAR_START_S = 1_735_718_400  # 2025-01-01T00:00 America/Los_Angeles
STEP_S = 300
N_STEPS = 365 * 86_400 // STEP_S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spec = provision.demo_spec(0, YEAR_START_S)
    spec = replace(spec, installation_s=0, sky="tmy", load=replace(spec.load, appliances=True))
    environment.site_environment(spec, YEAR_START_S, N_STEPS, STEP_S)
    best = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        env = environment.site_environment(spec, YEAR_START_S, N_STEPS, STEP_S)
        best = min(best, time.perf_counter() - t0)
    load = env.home_load_w.astype(np.float64)
    smooth = env.home_load_forecast_w.astype(np.float64)
    kwh = STEP_S / 3.6e6
    mids = YEAR_START_S + STEP_S * np.arange(N_STEPS, dtype=np.int64) + STEP_S // 2
    day = environment.local_wall_s(mids, spec.time_zone) // 86_400
    day -= day[0]
    daily_max = np.full(day.max() + 1, -np.inf)
    np.maximum.at(daily_max, day, load)
    daily_ratio = np.bincount(day, load) / np.bincount(day, smooth)
    dev = load - smooth
    dev -= dev.mean()
    print(f"site-year environment at {STEP_S} s: {best * 1000:.0f} ms (best of {args.repeat})")
    print(f"annual load {load.sum() * kwh:.0f} kWh, smooth forecast {smooth.sum() * kwh:.0f} "
          f"kWh (ratio {load.sum() / smooth.sum():.4f})")
    p50, p99, top = np.percentile(load, [50, 99, 100])
    print(f"5-min load p50 {p50:.0f} W, p99 {p99:.0f} W, max {top:.0f} W; days with max > "
          f"5 kW: {(daily_max > 5_000).mean():.1%}")
    off = np.abs(daily_ratio - 1.0)
    print(f"local days within 3 % of the smooth model's energy: {(off < 0.03).mean():.1%} "
          f"(largest deviation {off.max():.1%})")
    print(f"lag-1 autocorrelation of load - forecast {(dev[1:] * dev[:-1]).mean() / dev.var():.3f}")


if __name__ == "__main__":
    main()
