"""Run ``gridtwin simulate`` offline: the engine over each variant and a no-battery
baseline, then energy totals and bills from the 5-minute buckets the engine returns.

No server and no database: :func:`gridtwin.sim.engine.advance` with the site's
environment provider and the tariff's price provider, bills by
:func:`gridtwin.tariff.compute_bill`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from gridtwin import tariff
from gridtwin.cli.simconfig import SimConfig, Variant
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.environment import environment_provider
from gridtwin.sim.prices import tariff_price_provider
from gridtwin.sim.state import CELLS

__all__ = ["CHUNK_S", "FLOWS", "Outcome", "Run", "flows_wh", "outcome", "run_all", "run_site"]

CHUNK_S = 7 * 86_400
"""Engine call length [s]; the progress bar moves once per chunk."""

Progress = Callable[[str, int], None]
"""Called with (variant name, seconds simulated since the last call)."""

_C = {name: i for i, name in enumerate(CELLS)}

FLOWS: dict[str, tuple[str, ...]] = {
    "solar_wh": ("solar_to_home", "solar_to_battery", "solar_to_grid"),
    "home_wh": ("solar_to_home", "generator_to_home", "battery_to_home", "grid_to_home"),
    "grid_import_wh": ("grid_to_home", "grid_to_battery"),
    "grid_export_wh": ("solar_to_grid", "generator_to_grid", "battery_to_grid"),
    "battery_charge_wh": ("solar_to_battery", "generator_to_battery", "grid_to_battery"),
    "battery_discharge_wh": ("battery_to_home", "battery_to_grid"),
}
"""Summary flows as sums of origin→destination cells (site-behavior §9) [Wh]."""


def flows_wh(wh: npt.NDArray[np.int64], flow: str) -> npt.NDArray[np.int64]:
    """Per-bucket energy of one summary flow [Wh] (wh: buckets × CELLS)."""
    summed: npt.NDArray[np.int64] = wh[:, [_C[c] for c in FLOWS[flow]]].sum(axis=1)
    return summed


@dataclass(frozen=True)
class Run:
    """The 5-minute buckets of one simulated run: starts [Unix s], wh [Wh] per CELLS."""

    name: str
    starts: npt.NDArray[np.int64]
    wh: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Outcome:
    """Totals of one run [Wh], self-sufficiency [%], bill and savings [currency]."""

    name: str
    totals_wh: dict[str, int]
    self_sufficiency_pct: float
    bill: tariff.Bill
    monthly: tuple[tuple[str, Decimal], ...]
    savings: Decimal


def run_site(cfg: SimConfig, spec: SiteSpec, controls: SiteControls, name: str,
             progress: Progress | None = None) -> Run:
    """Simulate ``spec`` under ``controls`` over the configured window."""
    prices = tariff_price_provider(spec.time_zone, [(cfg.start_s, tariff.dumps(cfg.tariff_doc))])
    env = environment_provider(spec)
    state = initial_state(spec, cfg.start_s, cfg.initial_pct)
    starts, chunks = [], []
    while state.t_s < cfg.end_s:
        stop = min(cfg.end_s, state.t_s + CHUNK_S)
        result = advance(spec, controls, state, stop, env=env, prices=prices)
        if progress is not None:
            progress(name, stop - state.t_s)
        starts.append(result.bucket_starts)
        chunks.append(result.bucket_wh)
        state = result.state
    return Run(name, np.concatenate(starts), np.concatenate(chunks))


def _monthly(cfg: SimConfig, run: Run) -> tuple[tuple[str, Decimal], ...]:
    """The bill of each local calendar month in the window (partial months included)."""
    zone = ZoneInfo(cfg.spec.time_zone)
    edges, labels = [cfg.start_s], []
    day = datetime.fromtimestamp(cfg.start_s, zone)
    while edges[-1] < cfg.end_s:
        labels.append(day.strftime("%Y-%m"))
        day = datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=zone)
        edges.append(min(int(day.timestamp()), cfg.end_s))
    return tuple((label, _bill(cfg, run, lo, hi).total)
                 for label, lo, hi in zip(labels, edges, edges[1:], strict=False))


def _bill(cfg: SimConfig, run: Run, start_s: int, end_s: int) -> tariff.Bill:
    intervals = tariff.Intervals.of(run.starts, flows_wh(run.wh, "grid_import_wh"),
                                    flows_wh(run.wh, "grid_export_wh"))
    return tariff.compute_bill([(cfg.start_s, cfg.compiled)], cfg.spec.time_zone,
                               start_s, end_s, intervals)


def outcome(cfg: SimConfig, run: Run, baseline_total: Decimal | None) -> Outcome:
    totals = {flow: int(flows_wh(run.wh, flow).sum()) for flow in FLOWS}
    home = totals["home_wh"]
    from_grid = int(run.wh[:, _C["grid_to_home"]].sum())
    sufficiency = 100.0 * (home - from_grid) / home if home else 0.0
    bill = _bill(cfg, run, cfg.start_s, cfg.end_s)
    saved = Decimal(0) if baseline_total is None else baseline_total - bill.total
    return Outcome(run.name, totals, sufficiency, bill, _monthly(cfg, run), saved)


def run_all(cfg: SimConfig, progress: Progress | None = None
            ) -> tuple[tuple[Run, Outcome], list[tuple[Run, Outcome]]]:
    """The baseline (no battery) and each variant, with their outcomes."""
    base_run = run_site(cfg, cfg.baseline, SiteControls(), "no battery", progress)
    base = outcome(cfg, base_run, None)
    results = []
    for variant in cfg.variants:
        run = _variant_run(cfg, variant, progress)
        results.append((run, outcome(cfg, run, base.bill.total)))
    return (base_run, base), results


def _variant_run(cfg: SimConfig, variant: Variant, progress: Progress | None) -> Run:
    return run_site(cfg, cfg.spec, variant.controls, variant.name, progress)
