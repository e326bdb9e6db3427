"""One task of a fleet study: a block of homes, every variant, through the batch engine.

For each time zone among the block's homes (a batch shares one window): build every
home's spec and environment (EV charging included) once, run the no-battery baseline and
each variant with :func:`gridtwin.sim.batch.simulate_batch` (an autonomous variant home
by home, with the Time-Based Control optimiser's plans built exactly as ``advance``
builds them; the zone's time arrays and price series are computed once), and bill each run
with :func:`gridtwin.tariff.compute_bill` on the batch's 5-minute import/export buckets.
Only small per-home rows leave the task; memory is bounded by the block size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from gridtwin import tariff
from gridtwin.domain.controls import OperationMode, SiteControls
from gridtwin.domain.energy import CELLS, SUMMARY_FLOWS, flow_indices
from gridtwin.services import study as st
from gridtwin.services.fleet.config import FleetStudy, local_midnight
from gridtwin.services.fleet.homes import home_environment, home_spec, sliced_provider
from gridtwin.services.fleet.population import Home
from gridtwin.sim.batch import BUCKET_S, BatchResult, OptimiserInputs, simulate_batch
from gridtwin.sim.engine import initial_state
from gridtwin.sim.inputs import step_inputs
from gridtwin.sim.plans import optimiser_window
from gridtwin.sim.state import Environment, PriceProvider

__all__ = ["BASELINE", "FLOW_COLUMNS", "Row", "run_homes"]

BASELINE = "no battery"
FLOW_COLUMNS = tuple(f"{name}_kwh" for name in SUMMARY_FLOWS)
_FLOW_CELLS = [flow_indices(field) for field in SUMMARY_FLOWS.values()]
_GRID_TO_HOME = CELLS.index("grid_to_home")
_I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Row:
    """One home under one variant (variant_index 0: the no-battery baseline). Energies
    in Wh (exact integers), bill and savings in the tariff's currency, peak import as
    the highest 5-minute mean [W]."""

    home_id: int
    variant_index: int
    flows_wh: tuple[int, ...]
    self_sufficiency_pct: float
    peak_import_w: int
    bill: Decimal
    savings: Decimal


def run_homes(study: FleetStudy, homes: Sequence[Home]) -> list[Row]:
    """Rows of every home × (baseline, *variants), sorted by (home_id, variant_index)."""
    rows: list[Row] = []
    for zone in dict.fromkeys(h.time_zone for h in homes):
        rows += _run_zone(study, [h for h in homes if h.time_zone == zone], zone)
    return sorted(rows, key=lambda r: (r.home_id, r.variant_index))


@dataclass(frozen=True)
class _Window:
    start_s: int
    end_s: int
    step_s: int

    @property
    def n_steps(self) -> int:
        return (self.end_s - self.start_s) // self.step_s


def _run_zone(study: FleetStudy, homes: list[Home], zone: str) -> list[Row]:
    w = _Window(local_midnight(study.start, zone), local_midnight(study.end, zone), study.step_s)
    specs = [home_spec(h, study.seed, w.step_s, w.start_s) for h in homes]
    baselines = [st.no_battery(s) for s in specs]
    autonomous = any(OperationMode(v.controls.mode) is OperationMode.AUTONOMOUS
                     for v in study.variants)
    lo, n_env = _env_window(zone, w, autonomous)
    envs = [home_environment(h, s, lo, n_env, w.step_s) for h, s in zip(homes, specs, strict=True)]
    solar, load = _columns(envs, w, "solar_w"), _columns(envs, w, "home_load_w")
    studies = [st.Study(s, b, study.tariffs[h.tariff].doc, study.tariffs[h.tariff].compiled,
                        w.start_s, w.end_s, study.initial_pct)
               for h, s, b in zip(homes, specs, baselines, strict=True)]
    base = _bills(studies, w, simulate_batch(
        baselines, [SiteControls()] * len(homes), solar, load, step_s=w.step_s,
        energy_wh=np.zeros(len(homes)), start_s=w.start_s, buckets=True), None, 0)
    rows = list(base)
    prices = _shared_prices(studies, zone)
    energy = np.array([initial_state(s, w.start_s, study.initial_pct).energy_wh
                       for s in specs])
    planned = [v.controls for v in study.variants if _autonomous(v.controls)]
    optimised = iter(_optimised(studies, envs, prices, planned, w, solar, load, energy)
                     if planned else [])
    for index, variant in enumerate(study.variants, start=1):
        if _autonomous(variant.controls):
            result = next(optimised)
        else:
            result = simulate_batch(specs, [variant.controls] * len(homes), solar, load,
                                    step_s=w.step_s, energy_wh=energy, start_s=w.start_s,
                                    buckets=True)
        rows += _bills(studies, w, result, [r.bill for r in base], index)
    return rows


def _env_window(zone: str, w: _Window, extend: bool) -> tuple[int, int]:
    """(start [s], n steps) of the environments: the window and one step past its end
    (the decision at the end instant), widened to the optimiser's whole local days and
    horizon when ``extend``; the same for every home of the zone."""
    lo, hi = w.start_s, w.end_s + w.step_s
    if extend:
        w0, wn, _ = optimiser_window(zone, w.step_s, w.start_s, w.end_s)
        lo, hi = min(lo, w0), max(hi, w0 + wn * w.step_s)
    return lo, (hi - lo) // w.step_s


def _columns(envs: list[Environment], w: _Window, name: str) -> npt.NDArray[np.int32]:
    """(n_steps, n_homes) of one environment series over the window [W]."""
    cols = []
    for e in envs:
        i = (w.start_s - e.start_s) // w.step_s
        cols.append(getattr(e, name)[i:i + w.n_steps])
    return np.stack(cols, axis=1).astype(np.int32)


def _shared_prices(studies: list[st.Study], zone: str) -> list[PriceProvider]:
    """Per home, its tariff's price provider, one per tariff and memoised per window:
    every home of a zone on one tariff and every variant ask for the same series."""
    shared: dict[int, PriceProvider] = {}
    for s in studies:
        if id(s.compiled) not in shared:
            shared[id(s.compiled)] = _memoised(st.price_provider(s, zone))
    return [shared[id(s.compiled)] for s in studies]


_T = TypeVar("_T", covariant=True)


class _Provider(Protocol[_T]):
    """A price or environment provider (gridtwin.sim.state)."""

    def __call__(self, start_s: int, n_steps: int, step_s: int) -> _T: ...


def _memoised(provider: _Provider[_T]) -> _Provider[_T]:
    """``provider`` (a price or environment provider) answering a window (start [s],
    n steps, step [s]) it was asked before with the same object."""
    seen: dict[tuple[int, int, int], _T] = {}

    def provide(start_s: int, n_steps: int, step_s: int) -> _T:
        key = (start_s, n_steps, step_s)
        if key not in seen:
            seen[key] = provider(start_s, n_steps, step_s)
        return seen[key]

    return provide


def _autonomous(controls: SiteControls) -> bool:
    return OperationMode(controls.mode) is OperationMode.AUTONOMOUS


def _optimised(studies: list[st.Study], envs: list[Environment], prices: list[PriceProvider],
               variants: list[SiteControls], w: _Window, solar: _I32, load: _I32,
               energy: npt.NDArray[np.float64]) -> list[BatchResult]:
    """The autonomous variants, one result each: each home's plans (built exactly as
    ``advance`` builds them) and its run through the batch engine, one home at a time, so
    a home's plan tables (MBs for a year) are never stacked with the others' (a batch of
    one home is as fast per home-year as a block; measured). A home's variants run one
    after the other on the same environment window, so its forecasts are made once
    (gridtwin.sim.plans keeps the last ones)."""
    k0 = w.start_s // w.step_s
    n = w.n_steps
    results: list[list[BatchResult]] = [[] for _ in variants]
    for i, (s, env, price) in enumerate(zip(studies, envs, prices, strict=True)):
        provider = _memoised(sliced_provider(env))
        # contiguous columns: the kernels are compiled for one array layout, not two
        solar_i = np.ascontiguousarray(solar[:, i:i + 1])
        load_i = np.ascontiguousarray(load[:, i:i + 1])
        for v, controls in enumerate(variants):
            optimiser = None
            if s.spec.has_battery:
                inputs = step_inputs(s.spec, controls, provider, price, k0, k0 + n)
                optimiser = OptimiserInputs(inputs.plan, inputs.auto_i[2, :n],
                                            inputs.auto_i[3, :n])
            results[v].append(simulate_batch(
                [s.spec], [controls], solar_i, load_i, step_s=w.step_s,
                energy_wh=energy[i:i + 1], start_s=w.start_s, optimiser=optimiser,
                buckets=True))
    return [_joined(r) for r in results]


def _joined(results: list[BatchResult]) -> BatchResult:
    """One BatchResult of single-site results (sites in order)."""
    def cat(name: str, axis: int = 0) -> Any:
        return np.concatenate([getattr(r, name) for r in results], axis=axis)

    return BatchResult(cat("energy_wh"), cat("counters_j"), cat("unserved_j"), cat("bill"),
                       cat("min_energy_wh"), cat("demand_peak_w"), cat("demand_month"),
                       cat("import_wh", 1), cat("export_wh", 1))


def _bills(studies: list[st.Study], w: _Window, result: Any, base_bills: list[Decimal] | None,
           index: int) -> list[Row]:
    """Rows of one batch: bills per tariff (tariff.bill_totals, equal to compute_bill),
    flows from the cumulative counters, peak import from the buckets."""
    bills: list[Decimal] = [Decimal(0)] * len(studies)
    for compiled in {id(s.compiled): s.compiled for s in studies}.values():
        cols = [i for i, s in enumerate(studies) if s.compiled is compiled]
        totals = tariff.bill_totals(compiled, studies[cols[0]].spec.time_zone, w.start_s,
                                    w.end_s, result.import_wh[:, cols], result.export_wh[:, cols])
        for i, total in zip(cols, totals, strict=True):
            bills[i] = total
    peaks = result.import_wh.max(axis=0).tolist() if result.import_wh.shape[0] else \
        [0] * len(studies)
    wh = (result.counters_j + 1800) // 3600  # Wh(C), as advance's buckets sum to
    flows_all = np.stack([wh[:, cells].sum(axis=1) for cells in _FLOW_CELLS], axis=1).tolist()
    grid_to_home = wh[:, _GRID_TO_HOME].tolist()
    out = []
    for i, s in enumerate(studies):
        flows = tuple(flows_all[i])
        home = flows[1]
        sufficiency = 100.0 * (home - grid_to_home[i]) / home if home else 0.0
        saved = Decimal(0) if base_bills is None else base_bills[i] - bills[i]
        out.append(Row(s.spec.energy_site_id, index, flows, sufficiency,
                       int(peaks[i]) * 3600 // BUCKET_S, bills[i], saved))
    return out
