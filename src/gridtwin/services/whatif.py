"""The what-if orchestrator: one site and tariff, a set of ways to run its battery, and
what each costs (in the spirit of pvlib's ``ModelChain``: describe, run, read results).

For a :class:`~gridtwin.services.study.Study` and its variants it runs the same home
without a battery, each variant, and the perfect-foresight optimum of each distinct set
of battery settings, then totals the energy flows and bills every run, per calendar month
too. ``gridtwin simulate`` only parses its configuration and prints this; the dashboard
and fleet studies can call it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridtwin import tariff
from gridtwin.domain.controls import ExportRule, SiteControls
from gridtwin.domain.energy import CELLS
from gridtwin.services import study as st
from gridtwin.services.calendar import unit_containing
from gridtwin.services.study import FLOWS, Progress, Run, Study, flows_wh

__all__ = ["Outcome", "Results", "Variant", "monthly_bills", "optimum_key", "optimum_name", "outcome",
           "run_all"]

_GRID_TO_HOME = CELLS.index("grid_to_home")


@dataclass(frozen=True)
class Variant:
    """One way of running the battery: a name and the command-writable settings."""

    name: str
    controls: SiteControls


@dataclass(frozen=True)
class Outcome:
    """Totals of one run [Wh], self-sufficiency [%], bill and savings [currency], the bill
    of each local calendar month, and the share of the optimum's savings it reaches [-]
    (None: no optimum, or the optimum saves nothing) against the optimum bill used."""

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
    """The baseline, each variant, and (when asked for) the optimum of each distinct set
    of battery settings, as (run, outcome) pairs."""

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


def monthly_bills(study: Study, run: Run) -> tuple[tuple[str, Decimal], ...]:
    """The bill of each local calendar month in the window (partial months included)."""
    zone = ZoneInfo(study.spec.time_zone)
    months = []
    lo = study.start_s
    while lo < study.end_s:
        first, nxt = unit_containing(lo, "month", zone)
        hi = min(nxt, study.end_s)
        label = datetime.fromtimestamp(first, zone).strftime("%Y-%m")
        months.append((label, st.bill(study, run, lo, hi).total))
        lo = hi
    return tuple(months)


def outcome(study: Study, run: Run, baseline_total: Decimal | None,
            optimum_total: Decimal | None = None) -> Outcome:
    """Totals, bill and savings of ``run``; savings and share need the baseline's bill."""
    totals = {flow: round(float(flows_wh(run.wh, flow).sum())) for flow in FLOWS}
    home = totals["home_wh"]
    from_grid = float(run.wh[:, _GRID_TO_HOME].sum())
    sufficiency = 100.0 * (home - from_grid) / home if home else 0.0
    bill = st.bill(study, run)
    saved = Decimal(0) if baseline_total is None else baseline_total - bill.total
    share = None
    if baseline_total is not None and optimum_total is not None:
        share = st.share_of_optimum(baseline_total, bill.total, optimum_total)
    return Outcome(run.name, totals, sufficiency, bill, monthly_bills(study, run), saved,
                   share, optimum_total)


def run_all(study: Study, variants: Sequence[Variant], *, show_optimum: bool = False,
            optimum_block_s: int | None = None, progress: Progress | None = None) -> Results:
    """The baseline (no battery), each variant and the optimum of each distinct set of
    battery settings; the optimum rows are in ``optima`` when ``show_optimum``."""
    base_run = st.simulate(study, study.baseline, SiteControls(), "no battery", progress=progress)
    base = outcome(study, base_run, None)
    keys = list(dict.fromkeys(optimum_key(v.controls) for v in variants))
    best: dict[OptimumKey, tuple[Run, Outcome]] = {}
    for key in keys:
        controls = next(v.controls for v in variants if optimum_key(v.controls) == key)
        name = optimum_name(key, len(keys) == 1)
        run, solved = st.optimum(study, controls, name, max_block_s=optimum_block_s)
        if progress is not None:
            progress(name, study.end_s - study.start_s)
        best[key] = (run, outcome(study, run, base.bill.total, solved.bill.total))
    results = []
    for variant in variants:
        run = st.simulate(study, study.spec, variant.controls, variant.name, progress=progress)
        total = best[optimum_key(variant.controls)][1].bill.total
        results.append((run, outcome(study, run, base.bill.total, total)))
    optima = [best[k] for k in keys] if show_optimum else []
    return Results((base_run, base), results, optima)
