"""Controllers against the perfect-foresight optimum over a tariff suite, and engine speed.

For each site and tariff row: the bill without a battery, the bill and share of the
optimum's savings of self_consumption, autonomous economics and autonomous balanced
(reserve 20 %, grid charging on, the row's export rule), and the optimum's bill
(gridtwin.sim.optimum: an LP over the whole window with the engine's own PV, load,
limits and efficiencies; hourly blocks, a valid lower bound on any controller's bill).
Share of optimum = (bill_no_battery - bill_mode) / (bill_no_battery - bill_optimum).

Sites: the ``gridtwin simulate`` example (examples/simulate.toml: Los Angeles, 7.6 kW,
1 x Powerwall 3) and a second site (Denver, 10 kW, 2 x Powerwall 2, 30 kWh/day); the GBP
row moves either site to London, the AUD row to Sydney. Year 2024, 5-minute steps.
Tariffs are tariff_content_v2 documents built below (PG&E EV2-A from its published
sample; the others are representative shapes, not any utility's current rates).

Then CPU time per site-year: the engine per mode (environment precomputed), the LP, and
the 1,000-site ``simulate_batch`` against PySAM PVWatts v8 + Battwatts in the same run
(the inputs of benchmarks/bench_engine.py, reused by import).

Autonomous economics runs with each ``SiteSpec.controller``: ``optimiser`` (forecasts
with error, the default), ``reference`` (the site-behavior §5.3 heuristic) and
``perfect_foresight`` (the optimiser with realised solar and load as forecasts).

Run: ``python benchmarks/bench_control.py`` (full, a few minutes; needs the ``bench``
extra for PySAM), ``--quick`` (14 July days, three rows, example site, 100 batch
sites), or pick with ``--days``, ``--rows``, ``--only``, ``--sites``, ``--batch``;
``--texture`` gives both homes the appliance texture.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import bench_engine, bench_pv

from gridtwin import tariff
from gridtwin.cli.simconfig import load_config
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import BatteryBank, LoadSpec, Location, SiteSpec
from gridtwin.services import study as st
from gridtwin.sim.environment import environment_provider

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "simulate.toml"
YEAR = 2024
RESERVE_PCT = 20
_ALL_WEEK = (0, 6)


# --- tariff documents -----------------------------------------------------------------

Spans = list[tuple[float, float]]  # (from hour, to hour), local; 24 = midnight


def _periods(spans: Spans) -> dict[str, Any]:
    def hm(h: float) -> tuple[int, int]:
        return int(h) % 24, round((h - int(h)) * 60)

    out = []
    for a, b in spans:
        (h0, m0), (h1, m1) = hm(a), hm(b)
        out.append({"fromDayOfWeek": _ALL_WEEK[0], "toDayOfWeek": _ALL_WEEK[1],
                    "fromHour": h0, "fromMinute": m0, "toHour": h1, "toMinute": m1})
    return {"periods": out}


@dataclass(frozen=True)
class Season:
    """Months from_month..to_month (whole months), labels with their spans."""

    from_month: int
    to_month: int
    labels: dict[str, Spans]


_MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31,
              11: 30, 12: 31}
ALL_YEAR = (1, 12)


def side(seasons: dict[str, Season], energy: dict[str, dict[str, float]], *,
         demand: dict[str, dict[str, float]] | None = None, daily: float = 0.0
         ) -> dict[str, Any]:
    """One side (buy or sell) of a tariff_content_v2 document."""
    return {
        "daily_charges": [{"name": "Charge", "amount": daily}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}},
                           **{s: {"rates": (demand or {}).get(s, {})} for s in seasons}},
        "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                           **{s: {"rates": energy[s]} for s in seasons}},
        "seasons": {name: {"fromMonth": s.from_month, "fromDay": 1, "toMonth": s.to_month,
                           "toDay": _MONTH_END[s.to_month],
                           "tou_periods": {lb: _periods(sp) for lb, sp in s.labels.items()}}
                    for name, s in seasons.items()},
    }


def document(code: str, name: str, currency: str, buy: dict[str, Any],
             sell: dict[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 1, "code": code, "name": name, "utility": "Benchmark",
                           "currency": currency, **buy}
    if sell is not None:
        doc["sell_tariff"] = {"name": f"{name} export", "utility": "Benchmark", **sell}
    return doc


def all_year(labels: dict[str, Spans]) -> dict[str, Season]:
    return {"AllYear": Season(*ALL_YEAR, labels)}


def simple(code: str, name: str, currency: str, labels: dict[str, Spans],
           buy: dict[str, float], sell: dict[str, float] | float, *, daily: float = 0.0,
           demand: dict[str, float] | None = None) -> dict[str, Any]:
    """One all-year season; sell either per label or one flat price."""
    seasons = all_year(labels)
    buy_side = side(seasons, {"AllYear": buy}, daily=daily,
                    demand=None if demand is None else {"AllYear": demand})
    if isinstance(sell, dict):
        sell_side = side(seasons, {"AllYear": sell})
    else:
        sell_side = side(all_year({"FLAT": [(0, 24)]}), {"AllYear": {"FLAT": sell}})
    return document(code, name, currency, buy_side, sell_side)


def pge_ev2a() -> dict[str, Any]:
    """PG&E EV2-A (NEM 2.0) as in Tesla's time_of_use_settings sample: the export
    credit equals the buy price; season names and months as published there."""
    labels = {"OFF_PEAK": [(0, 15)], "PARTIAL_PEAK": [(15, 16), (21, 24)],
              "ON_PEAK": [(16, 21)]}
    seasons = {"Summer": Season(10, 5, labels), "Winter": Season(6, 9, labels)}
    energy = {"Summer": {"OFF_PEAK": 0.2451, "PARTIAL_PEAK": 0.4138, "ON_PEAK": 0.4305},
              "Winter": {"OFF_PEAK": 0.2451, "PARTIAL_PEAK": 0.4471, "ON_PEAK": 0.5576}}
    return document("PGE-EV-2A-TOU", "PG&E EV2-A (NEM 2.0)", "USD", side(seasons, energy),
                    side(seasons, energy))


PEAK: Spans = [(16, 21)]
OFF: Spans = [(0, 16), (21, 24)]


def tariff_suite() -> list[tuple[str, dict[str, Any], ExportRule, str | None]]:
    """(row name, document, export rule, location override) in print order."""
    two = simple("TOU-2", "two-period TOU (the simulate example)", "USD",
                 {"OFF_PEAK": OFF, "ON_PEAK": PEAK}, {"OFF_PEAK": 0.30, "ON_PEAK": 0.55},
                 {"OFF_PEAK": 0.05, "ON_PEAK": 0.12}, daily=0.4)
    ev2a = pge_ev2a()
    three = simple("TOU-3", "three-period TOU, super-off-peak", "USD",
                   {"SUPER_OFF_PEAK": [(0, 6)], "OFF_PEAK": [(6, 16), (21, 24)],
                    "ON_PEAK": PEAK},
                   {"SUPER_OFF_PEAK": 0.12, "OFF_PEAK": 0.30, "ON_PEAK": 0.48}, 0.04,
                   daily=0.5)
    wide = simple("TOU-WIDE", "wide peak/off-peak spread", "USD",
                  {"OFF_PEAK": OFF, "ON_PEAK": PEAK}, {"OFF_PEAK": 0.10, "ON_PEAK": 0.80},
                  0.03)
    flat = simple("FLAT", "flat", "USD", {"FLAT": [(0, 24)]}, {"FLAT": 0.30}, 0.05,
                  daily=0.3)
    demand = simple("TOU-DEMAND", "TOU with a peak demand charge", "USD",
                    {"OFF_PEAK": OFF, "ON_PEAK": PEAK}, {"OFF_PEAK": 0.20, "ON_PEAK": 0.35},
                    0.04, daily=0.4, demand={"ON_PEAK": 12.0})
    above = simple("SELL-ABOVE", "sell above part of the buy curve", "USD",
                   {"SOLAR_SOAK": [(10, 15)], "SHOULDER": [(0, 10), (15, 17), (20, 24)],
                    "ON_PEAK": [(17, 20)]},
                   {"SOLAR_SOAK": 0.10, "SHOULDER": 0.25, "ON_PEAK": 0.45},
                   {"SOLAR_SOAK": 0.15, "SHOULDER": 0.15, "ON_PEAK": 0.60})
    gbp = simple("GB-EV", "GBP overnight EV tariff, London", "GBP",
                 {"NIGHT": [(23.5, 24), (0, 5.5)], "DAY": [(5.5, 23.5)]},
                 {"NIGHT": 0.07, "DAY": 0.28}, 0.15, daily=0.55)
    aud = simple("AU-TOU", "AUD TOU, Sydney", "AUD",
                 {"OFF_PEAK": [(22, 24), (0, 7)], "SHOULDER": [(7, 15), (21, 22)],
                  "PEAK": [(15, 21)]},
                 {"OFF_PEAK": 0.22, "SHOULDER": 0.30, "PEAK": 0.55}, 0.05, daily=1.10)
    pv, ok = ExportRule.PV_ONLY, ExportRule.BATTERY_OK
    return [
        ("two-period TOU (example)", two, pv, None),
        ("PG&E EV2-A", ev2a, pv, None),
        ("PG&E EV2-A", ev2a, ok, None),
        ("three-period + super-off-peak", three, pv, None),
        ("wide spread TOU", wide, pv, None),
        ("flat", flat, pv, None),
        ("TOU + demand charge", demand, pv, None),
        ("sell above part of buy", above, ok, None),
        ("GBP, London", gbp, ok, "london"),
        ("AUD, Sydney", aud, pv, "sydney"),
    ]


# --- sites ----------------------------------------------------------------------------

LOCATIONS = {
    "los_angeles": ("America/Los_Angeles", Location(34.05, -118.25, 90)),
    "denver": ("America/Denver", Location(39.74, -104.99, 1609)),
    "london": ("Europe/London", Location(51.51, -0.13, 20)),
    "sydney": ("Australia/Sydney", Location(-33.87, 151.21, 40)),
}


def sites() -> dict[str, tuple[SiteSpec, float]]:
    """name -> (spec, initial app %)."""
    cfg = load_config(EXAMPLE)
    example = cfg.spec
    assert example.solar is not None
    second = replace(
        example, name="second site",
        batteries=(BatteryBank(BatteryModel.POWERWALL_2, 2),),
        solar=replace(example.solar, dc_kw=10.0, inverter_ac_w=None),
        load=LoadSpec(daily_kwh=30.0, weather_sensitive=True))
    return {"example": (example, cfg.initial_pct), "second": (_at(second, "denver"), cfg.initial_pct)}


def _at(spec: SiteSpec, where: str) -> SiteSpec:
    zone, location = LOCATIONS[where]
    return replace(spec, time_zone=zone, location=location)


def _window(zone: str, start: date, days: int) -> tuple[int, int]:
    tz = ZoneInfo(zone)
    first = datetime(start.year, start.month, start.day, tzinfo=tz)
    last = datetime.combine(start + timedelta(days=days), datetime.min.time(), tzinfo=tz)
    return int(first.timestamp()), int(last.timestamp())


# --- one row --------------------------------------------------------------------------


def modes(rule: ExportRule) -> list[tuple[str, SiteControls, str]]:
    """(column label, controls, SiteSpec.controller) per column."""
    base = SiteControls(backup_reserve_pct=RESERVE_PCT, export_rule=rule,
                        grid_charging_allowed=True)
    auto = replace(base, mode=OperationMode.AUTONOMOUS)
    economics = replace(auto, strategy=Strategy.ECONOMICS)
    return [("self", base, "optimiser"), ("economics", economics, "optimiser"),
            ("balanced", replace(auto, strategy=Strategy.BALANCED), "optimiser"),
            ("reference", economics, "reference"),
            ("foresight", economics, "perfect_foresight")]


@dataclass
class Row:
    site: str
    name: str
    rule: ExportRule
    currency: str
    no_battery: Decimal
    bills: dict[str, Decimal]
    optimum: Decimal
    engine_cpu_s: dict[str, float]
    lp_cpu_s: float
    lp_highs_s: float


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def run_row(site: str, spec: SiteSpec, initial_pct: float, name: str, doc: dict[str, Any],
            rule: ExportRule, start: date, days: int,
            envs: dict[tuple[str, str], bench_engine.FixedEnvironment]) -> Row:
    # Currencies other than USD, EUR, GBP need the observed profile's quirk (tariff.md E16).
    report = tariff.validate(doc, quirks=frozenset({Quirk.CURRENCY_ANY_ISO4217}))
    assert report.tariff is not None, [p.line() for p in report.errors]
    start_s, end_s = _window(spec.time_zone, start, days)
    study = st.Study(spec, st.no_battery(spec), doc, report.tariff, start_s, end_s,
                     initial_pct)
    key = (site, spec.time_zone)
    if key not in envs:
        # Whole window plus the autonomous look-ahead (next local day and 24 h).
        n = (end_s - start_s) // spec.step_s + 3 * 288
        envs[key] = bench_engine.FixedEnvironment(
            environment_provider(spec)(start_s, n, spec.step_s))
    env = envs[key]
    base = st.simulate(study, study.baseline, SiteControls(), "no battery", env=env)
    no_battery = st.bill(study, base).total
    bills, times = {}, {}
    for label, controls, controller in modes(rule):
        s = replace(spec, controller=controller)
        times[label], run = cpu(lambda c=controls, lb=label, s=s: st.simulate(study, s, c, lb,
                                                                              env=env))
        bills[label] = st.bill(study, run).total
    lp_s, (_, best) = cpu(lambda: st.optimum(study, modes(rule)[0][1], env=env))
    return Row(site, name, rule, report.tariff.currency, no_battery, bills, best.bill.total,
               times, lp_s, best.dispatch.solve_s)


# --- printing -------------------------------------------------------------------------


def _share(row: Row, bill: Decimal) -> str:
    share = st.share_of_optimum(row.no_battery, bill, row.optimum)
    return "    -" if share is None else f"{100 * share:5.1f}"


def print_rows(rows: list[Row]) -> None:
    labels = list(rows[0].bills)
    head = f"{'site':8}{'tariff (export rule)':42}{'cur':>4}{'no batt':>10}"
    head += "".join(f"{lb:>17}" for lb in labels) + f"{'optimum':>10}"
    print(head)
    print(" " * 64 + "".join(f"{'bill':>10}{'% opt':>7}" for _ in labels))
    for r in rows:
        line = f"{r.site:8}{r.name + ' (' + r.rule.value + ')':42}{r.currency:>4}"
        line += f"{float(r.no_battery):10.2f}"
        line += "".join(f"{float(r.bills[lb]):10.2f}{_share(r, r.bills[lb]):>7}"
                        for lb in labels)
        print(line + f"{float(r.optimum):10.2f}")


def print_speed(rows: list[Row], days: int) -> None:
    per_year = 365.0 / days
    print(f"\nCPU per site-year (median over rows, {days}-day runs scaled x{per_year:.2f}):")
    for label in rows[0].engine_cpu_s:
        t = statistics.median(r.engine_cpu_s[label] for r in rows) * per_year
        print(f"  engine advance, {label:<10} {t:8.3f} s")
    print(f"  optimum LP (build + HiGHS + bill) {statistics.median(r.lp_cpu_s for r in rows) * per_year:8.3f} s"
          f"  (HiGHS alone {statistics.median(r.lp_highs_s for r in rows) * per_year:.3f} s)")


def batch_vs_pysam(n_sites: int) -> None:
    """bench_engine's fleet: one PySAM site-year vs n_sites in one simulate_batch."""
    from gridtwin.sim.batch import simulate_batch

    spec = replace(bench_pv.demo_spec(), step_s=bench_pv.STEP_S)
    env = environment_provider(spec)(bench_pv.YEAR_START_S, bench_pv.N_STEPS + 1,
                                     bench_pv.STEP_S)
    t_sam, _ = bench_engine.run_pysam(spec, bench_pv.pysam_weather(spec),
                                      env.home_load_w[:bench_pv.N_STEPS].astype(np.float64))
    specs, ctls, solar, home = bench_engine.fleet_inputs(env, n_sites)
    simulate_batch(specs[:2], ctls[:2], solar[:, :2], home[:, :2], step_s=bench_pv.STEP_S)
    t_batch, _ = bench_engine.best_of(1, lambda: simulate_batch(specs, ctls, solar, home,
                                                                step_s=bench_pv.STEP_S))
    per_site = t_batch / n_sites
    print(f"\n1 site-year PySAM Pvwattsv8 + Battwatts: {t_sam:.3f} s; simulate_batch of "
          f"{n_sites} site-years: {t_batch:.2f} s = {per_site * 1e3:.2f} ms per site-year; "
          f"batch is {t_sam / per_site:.0f}x faster per site-year")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="14 days from 2024-07-01, 3 rows, example site, 100 batch sites")
    ap.add_argument("--days", type=int, help="days from --start (default: the year 2024)")
    ap.add_argument("--start", type=date.fromisoformat, help="first day (default 2024-01-01)")
    ap.add_argument("--rows", type=int, help="only the first N tariff rows")
    ap.add_argument("--only", help="comma list of tariff row numbers (1-based), e.g. 7")
    ap.add_argument("--sites", default=None, help="comma list: example,second")
    ap.add_argument("--batch", type=int, help="sites in the batch run (0: skip)")
    ap.add_argument("--texture", action="store_true",
                    help="homes with the appliance texture on (LoadSpec.appliances)")
    args = ap.parse_args()
    quick = args.quick
    start = args.start or (date(YEAR, 7, 1) if quick else date(YEAR, 1, 1))
    days = args.days or (14 if quick else (date(YEAR + 1, 1, 1) - date(YEAR, 1, 1)).days)
    suite = tariff_suite()[: args.rows or (3 if quick else None)]
    if args.only:
        every_row = tariff_suite()
        suite = [every_row[int(i) - 1] for i in args.only.split(",")]
    wanted = (args.sites or ("example" if quick else "example,second")).split(",")
    n_batch = args.batch if args.batch is not None else (100 if quick else 1_000)
    every = sites()
    envs: dict[tuple[str, str], bench_engine.FixedEnvironment] = {}
    rows = []
    print(f"{days} days from {start}; reserve {RESERVE_PCT} %, grid charging on; "
          "columns: self_consumption, autonomous economics / balanced (optimiser, forecast "
          "error on), economics with the reference and perfect_foresight controllers",
          flush=True)
    for site in wanted:
        spec, initial = every[site]
        if args.texture:
            spec = replace(spec, load=replace(spec.load, appliances=True))
        for name, doc, rule, where in suite:
            at = _at(spec, where) if where else spec
            rows.append(run_row(site, at, initial, name, doc, rule, start, days, envs))
            print(f"  done {site}: {name} ({rule.value})", file=sys.stderr, flush=True)
    print()
    print_rows(rows)
    print_speed(rows, days)
    if n_batch > 0:
        batch_vs_pysam(n_batch)


if __name__ == "__main__":
    main()
