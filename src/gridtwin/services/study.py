"""What-if studies of one site under one tariff: the engine over a window, bills,
savings against the same home without a battery, and the share of the perfect-foresight
optimum's savings a controller reaches.

Used by ``gridtwin simulate`` and ``benchmarks/bench_control.py``. No server, no
database: :func:`gridtwin.sim.engine.advance` with an environment provider and the
tariff's price provider; bills by :func:`gridtwin.tariff.compute_bill` on the engine's
5-minute buckets; the optimum by :func:`gridtwin.sim.optimum.site_optimum`.

Share of the optimum = (bill_no_battery - bill) / (bill_no_battery - bill_optimum):
100 % is the bound, 0 % no better than no battery, negative worse than that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from gridtwin import tariff
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.energy import SUMMARY_FLOWS, flow_indices
from gridtwin.domain.site import SiteKind, SiteSpec
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.environment import environment_provider
from gridtwin.sim.prices import demand_series
from gridtwin.sim.state import EnvironmentProvider, PriceProvider, PriceSeries

if TYPE_CHECKING:
    from gridtwin.sim.optimum import SiteOptimum

__all__ = [
    "CHUNK_S",
    "FLOWS",
    "MIN_OPTIMUM_SAVINGS",
    "Progress",
    "Run",
    "Study",
    "bill",
    "flows_wh",
    "no_battery",
    "optimum",
    "price_provider",
    "share_of_optimum",
    "simulate",
]

CHUNK_S = 7 * 86_400
"""Engine call length [s]; progress is reported once per chunk."""
MIN_OPTIMUM_SAVINGS = Decimal("0.005")
"""Below this the optimum saves nothing worth a share [currency]."""

Progress = Callable[[str, int], None]
"""Called with (run name, seconds simulated since the last call)."""

FLOWS: dict[str, str] = {f"{name}_wh": flow for name, flow in SUMMARY_FLOWS.items()}
"""Summary flows of a study [Wh] → their field in the cells→flow table (domain.energy)."""


def flows_wh(wh: npt.NDArray[Any], flow: str) -> npt.NDArray[Any]:
    """Per-bucket energy of one summary flow [Wh] (wh: buckets × CELLS)."""
    summed: npt.NDArray[Any] = wh[:, flow_indices(FLOWS[flow])].sum(axis=1)
    return summed


@dataclass(frozen=True)
class Study:
    """One site and tariff over [start_s, end_s) (Unix s on 5-minute marks).

    spec: the site with its battery; baseline: the same home without one (see
    :func:`no_battery`). initial_pct: app-scale charge at the start [%].
    """

    spec: SiteSpec
    baseline: SiteSpec
    tariff_doc: dict[str, Any]
    compiled: tariff.CompiledTariff
    start_s: int
    end_s: int
    initial_pct: float = 50.0


@dataclass(frozen=True)
class Run:
    """The 5-minute buckets of one run: starts [Unix s], wh (n, 10) [Wh] in CELLS order
    (integers from the engine, floats from the optimum)."""

    name: str
    starts: npt.NDArray[np.int64]
    wh: npt.NDArray[Any]


def no_battery(spec: SiteSpec) -> SiteSpec:
    """The same home without a battery; the PV AC limit and inverter efficiency are pinned
    so that solar is identical (without a Powerwall inverter they would otherwise change)."""
    solar = spec.solar
    if solar is not None:
        solar = replace(solar, inverter_ac_w=spec.solar_ac_limit_w,
                        inverter_eta=spec.solar_inverter_eta)
    return replace(spec, kind=SiteKind.SOLAR, batteries=(), solar=solar)


def price_provider(study: Study, time_zone: str) -> PriceProvider:
    """Effective prices of the study's compiled tariff (validated with whatever quirks
    the caller chose, e.g. ``currency_any_iso4217`` for AUD)."""

    def provide(start_s: int, n_steps: int, step_s: int) -> PriceSeries:
        buy, sell = tariff.price_series(study.compiled, time_zone, start_s, n_steps, step_s)
        dem = demand_series(study.compiled, time_zone, start_s, n_steps, step_s)
        return PriceSeries(start_s, step_s, buy, sell, *(dem or (None, None)))

    return provide


def simulate(study: Study, spec: SiteSpec, controls: SiteControls, name: str, *,
             env: EnvironmentProvider | None = None, progress: Progress | None = None
             ) -> Run:
    """The engine over the study window for ``spec`` under ``controls``."""
    prices = price_provider(study, spec.time_zone)
    env = env or environment_provider(spec)
    state = initial_state(spec, study.start_s, study.initial_pct)
    starts, chunks = [], []
    while state.t_s < study.end_s:
        stop = min(study.end_s, state.t_s + CHUNK_S)
        result = advance(spec, controls, state, stop, env=env, prices=prices)
        if progress is not None:
            progress(name, stop - state.t_s)
        starts.append(result.bucket_starts)
        chunks.append(result.bucket_wh)
        state = result.state
    return Run(name, np.concatenate(starts), np.concatenate(chunks))


def bill(study: Study, run: Run, start_s: int | None = None, end_s: int | None = None
         ) -> tariff.Bill:
    """The bill of ``run`` over [start_s, end_s) (default: the study window)."""
    intervals = tariff.Intervals.of(run.starts, flows_wh(run.wh, "grid_import_wh"),
                                    flows_wh(run.wh, "grid_export_wh"))
    return tariff.compute_bill([(study.start_s, study.compiled)], study.spec.time_zone,
                               study.start_s if start_s is None else start_s,
                               study.end_s if end_s is None else end_s, intervals)


def optimum(study: Study, controls: SiteControls, name: str = "optimum", *,
            env: EnvironmentProvider | None = None, max_block_s: int | None = None
            ) -> tuple[Run, SiteOptimum]:
    """The perfect-foresight optimum of the site with the battery settings of
    ``controls`` (reserve, export rule, grid charging), as a run and the solution."""
    from gridtwin.sim import optimum as lp  # HiGHS only when asked for

    block = lp.DEFAULT_BLOCK_S if max_block_s is None else max_block_s
    result = lp.site_optimum(study.spec, controls, study.compiled, study.start_s,
                             study.end_s, env=env, initial_pct=study.initial_pct,
                             max_block_s=block)
    return Run(name, result.bucket_starts, result.bucket_wh), result


def share_of_optimum(no_battery_bill: Decimal, bill_total: Decimal,
                     optimum_bill: Decimal) -> float | None:
    """(no battery - bill) / (no battery - optimum) [-]; None when the optimum saves
    less than MIN_OPTIMUM_SAVINGS."""
    best = no_battery_bill - optimum_bill
    if best < MIN_OPTIMUM_SAVINGS:
        return None
    return float((no_battery_bill - bill_total) / best)
