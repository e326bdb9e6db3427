"""Run ``gridtwin simulate`` offline: the engine over each variant and a no-battery
baseline, the perfect-foresight optimum for each variant's battery settings, then energy
totals, bills, savings and shares of the optimum's savings.

The study logic (engine runs, bills, the LP, the share) is
:mod:`gridtwin.services.study`; this module arranges it for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridtwin import tariff
from gridtwin.cli.simconfig import SimConfig, Variant
from gridtwin.domain.controls import ExportRule, SiteControls
from gridtwin.services import study as st
from gridtwin.services.study import CHUNK_S, FLOWS, Progress, Run, flows_wh
from gridtwin.sim.state import CELLS

__all__ = ["CHUNK_S", "FLOWS", "Outcome", "Results", "Run", "flows_wh", "optimum_key",
           "optimum_name", "outcome", "run_all", "study_of"]

_C = {name: i for i, name in enumerate(CELLS)}


@dataclass(frozen=True)
class Outcome:
    """Totals of one run [Wh], self-sufficiency [%], bill and savings [currency], and
    the share of the optimum's savings it reaches [-] (None: no optimum, or the optimum
    saves nothing) against the optimum bill it was measured with."""

    name: str
    totals_wh: dict[str, int]
    self_sufficiency_pct: float
    bill: tariff.Bill
    monthly: tuple[tuple[str, Decimal], ...]
    savings: Decimal
    share_of_optimum: float | None = None
    optimum_bill: Decimal | None = None


@dataclass(frozen=True)
class Results:
    """The baseline, each variant, and (when shown) the optimum of each distinct set of
    battery settings, as (run, outcome) pairs."""

    base: tuple[Run, Outcome]
    variants: list[tuple[Run, Outcome]]
    optima: list[tuple[Run, Outcome]]


OptimumKey = tuple[int, ExportRule, bool]


def optimum_key(controls: SiteControls) -> OptimumKey:
    """What the optimum depends on: reserve [%], export rule, grid charging."""
    return (controls.backup_reserve_pct, ExportRule(controls.export_rule),
            controls.grid_charging_allowed)


def optimum_name(key: OptimumKey, alone: bool) -> str:
    reserve, rule, charging = key
    if alone:
        return "optimum"
    return f"optimum {reserve}% {rule.value}" + ("" if charging else " no-grid-charging")


def study_of(cfg: SimConfig) -> st.Study:
    return st.Study(cfg.spec, cfg.baseline, cfg.tariff_doc, cfg.compiled, cfg.start_s,
                    cfg.end_s, cfg.initial_pct)


def _monthly(cfg: SimConfig, run: Run) -> tuple[tuple[str, Decimal], ...]:
    """The bill of each local calendar month in the window (partial months included)."""
    zone = ZoneInfo(cfg.spec.time_zone)
    edges, labels = [cfg.start_s], []
    day = datetime.fromtimestamp(cfg.start_s, zone)
    while edges[-1] < cfg.end_s:
        labels.append(day.strftime("%Y-%m"))
        day = datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=zone)
        edges.append(min(int(day.timestamp()), cfg.end_s))
    study = study_of(cfg)
    return tuple((label, st.bill(study, run, lo, hi).total)
                 for label, lo, hi in zip(labels, edges, edges[1:], strict=False))


def outcome(cfg: SimConfig, run: Run, baseline_total: Decimal | None,
            optimum_total: Decimal | None = None) -> Outcome:
    totals = {flow: round(float(flows_wh(run.wh, flow).sum())) for flow in FLOWS}
    home = totals["home_wh"]
    from_grid = float(run.wh[:, _C["grid_to_home"]].sum())
    sufficiency = 100.0 * (home - from_grid) / home if home else 0.0
    bill = st.bill(study_of(cfg), run)
    saved = Decimal(0) if baseline_total is None else baseline_total - bill.total
    share = None
    if baseline_total is not None and optimum_total is not None:
        share = st.share_of_optimum(baseline_total, bill.total, optimum_total)
    return Outcome(run.name, totals, sufficiency, bill, _monthly(cfg, run), saved, share,
                   optimum_total)


def run_all(cfg: SimConfig, progress: Progress | None = None) -> Results:
    """The baseline (no battery), each variant and the optimum of each distinct set of
    battery settings; the optimum rows are in ``optima`` when cfg.show_optimum."""
    study = study_of(cfg)
    base_run = st.simulate(study, cfg.baseline, SiteControls(), "no battery",
                           progress=progress)
    base = outcome(cfg, base_run, None)
    keys = list(dict.fromkeys(optimum_key(v.controls) for v in cfg.variants))
    best: dict[OptimumKey, tuple[Run, Outcome]] = {}
    for key in keys:
        controls = next(v.controls for v in cfg.variants if optimum_key(v.controls) == key)
        name = optimum_name(key, len(keys) == 1)
        run, solved = st.optimum(study, controls, name, max_block_s=cfg.optimum_block_s)
        if progress is not None:
            progress(name, cfg.end_s - cfg.start_s)
        total = solved.bill.total
        best[key] = (run, outcome(cfg, run, base.bill.total, total))
    results = []
    for variant in cfg.variants:
        run = _variant_run(cfg, variant, progress)
        total = best[optimum_key(variant.controls)][1].bill.total
        results.append((run, outcome(cfg, run, base.bill.total, total)))
    optima = [best[k] for k in keys] if cfg.show_optimum else []
    return Results((base_run, base), results, optima)


def _variant_run(cfg: SimConfig, variant: Variant, progress: Progress | None) -> Run:
    return st.simulate(study_of(cfg), cfg.spec, variant.controls, variant.name,
                       progress=progress)
