"""The PNGs of ``gridtwin simulate``: daily energy, monthly bill, a week of power flows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from gridtwin.cli.plots import COLOURS, bar_groups, save
from gridtwin.cli.simconfig import SimConfig
from gridtwin.services.study import Run, flows_wh
from gridtwin.services.whatif import Outcome

__all__ = ["write_plots"]

_WEEK_S = 7 * 86_400
_BUCKET_S = 300


def _local(t_s: int, zone: ZoneInfo) -> datetime:
    """Local wall time without offset: matplotlib would draw aware datetimes in UTC."""
    return datetime.fromtimestamp(t_s, zone).replace(tzinfo=None)


def _daily(cfg: SimConfig, run: Run, flow: str) -> tuple[list[datetime], npt.NDArray[np.float64]]:
    """Energy per local day [kWh]."""
    zone = ZoneInfo(cfg.spec.time_zone)
    days = [datetime.fromtimestamp(int(t), zone).date() for t in run.starts]
    keys, index = np.unique(np.array([d.toordinal() for d in days]), return_inverse=True)
    sums = np.zeros(len(keys))
    np.add.at(sums, index, flows_wh(run.wh, flow) / 1000)
    labels = [datetime.fromordinal(int(k)) for k in keys]
    return labels, sums


def daily_energy(cfg: SimConfig, base: Run, runs: list[Run], path: Path) -> Path:
    fig = Figure(figsize=(11, 7), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    for flow, label in (("solar_wh", "solar"), ("home_wh", "home")):
        days, values = _daily(cfg, base, flow)
        top.plot(days, values, label=label, color=COLOURS[label])
    top.set_ylabel("Energy per day [kWh]")
    top.set_title("Solar production and home use (same in every variant)")
    for run in [base, *runs]:
        days, values = _daily(cfg, run, "grid_import_wh")
        bottom.plot(days, values, label=run.name, linestyle="--" if run is base else "-")
    bottom.set_ylabel("Grid import per day [kWh]")
    bottom.set_title("Grid import")
    for ax in (top, bottom):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return save(fig, path)


def monthly_bill(cfg: SimConfig, base: Outcome, outcomes: list[Outcome], path: Path) -> Path:
    fig = Figure(figsize=(11, 5), layout="constrained")
    ax = fig.add_subplot()
    labels = [month for month, _ in base.monthly]
    series = {o.name: [float(amount) for _, amount in o.monthly] for o in [base, *outcomes]}
    bar_groups(ax, labels, series)
    ax.set_ylabel(f"Bill [{cfg.compiled.currency}]")
    ax.set_title("Bill per month")
    ax.axhline(0, color="black", linewidth=0.6)
    return save(fig, path)


def week_power(cfg: SimConfig, runs: list[Run], path: Path) -> Path:
    """Average power per 5 minutes [kW] over a week, one panel per variant."""
    lo = cfg.week_start_s
    hi = min(lo + _WEEK_S, cfg.end_s)
    fig = Figure(figsize=(11, 2.6 * len(runs) + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(runs), 1, sharex=True, squeeze=False)[:, 0])
    zone = ZoneInfo(cfg.spec.time_zone)
    for ax, run in zip(axes, runs, strict=True):
        keep = (run.starts >= lo) & (run.starts < hi)
        times = [_local(int(t), zone) for t in run.starts[keep]]
        kw = {f: flows_wh(run.wh[keep], f) * (3600 / _BUCKET_S) / 1000 for f in (
            "solar_wh", "home_wh", "battery_discharge_wh", "battery_charge_wh",
            "grid_import_wh", "grid_export_wh")}
        ax.plot(times, kw["solar_wh"], label="solar", color=COLOURS["solar"])
        ax.plot(times, kw["home_wh"], label="home", color=COLOURS["home"])
        ax.plot(times, kw["battery_discharge_wh"] - kw["battery_charge_wh"],
                label="battery (+ discharge)", color=COLOURS["battery"])
        ax.plot(times, kw["grid_import_wh"] - kw["grid_export_wh"], label="grid (+ import)",
                color=COLOURS["grid"])
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_title(run.name, fontsize=10)
        ax.set_ylabel("Power [kW]")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, ncols=4)
    return save(fig, path)


def write_plots(cfg: SimConfig, base: tuple[Run, Outcome],
                results: list[tuple[Run, Outcome]], out_dir: Path) -> list[Path]:
    runs = [run for run, _ in results]
    return [
        daily_energy(cfg, base[0], runs, out_dir / "daily_energy.png"),
        monthly_bill(cfg, base[1], [o for _, o in results], out_dir / "monthly_bill.png"),
        week_power(cfg, runs, out_dir / "week_power.png"),
    ]
