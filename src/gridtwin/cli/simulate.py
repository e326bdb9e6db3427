"""``gridtwin simulate CONFIG.toml``: an offline what-if run (no server, no database).

For each variant (mode × reserve × export rule ...) and a no-battery baseline of the
same site, simulate the window, then print energy flows, self-sufficiency, the bill, the
savings against the baseline and the share of the perfect-foresight optimum's savings
(an LP with the variant's reserve, export rule and grid charging; ``--optimum`` adds the
optimum itself as columns); ``--json`` for scripts, ``--out DIR`` for PNG plots.
Exit 0 ok, 1 invalid configuration or tariff, 2 unreadable file or usage.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from gridtwin.cli.output import err, kwh, out, print_json, usage_error
from gridtwin.cli.simconfig import ConfigError, SimConfig, load_config
from gridtwin.services.weather import (
    WeatherFetchError,
    checked_weather_file,
    fetch_pvgis_tmy,
    weather_used,
)
from gridtwin.services.whatif import Outcome, Results, optimum_key, optimum_name, run_all
from gridtwin.tariff import round_money

__all__ = ["simulate"]

_COLUMNS = (("solar_wh", "Solar"), ("home_wh", "Home"), ("grid_import_wh", "Grid import"),
            ("grid_export_wh", "Grid export"), ("battery_charge_wh", "Battery charge"),
            ("battery_discharge_wh", "Battery discharge"))


def _load(config: Path) -> SimConfig:
    try:
        return load_config(config)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise usage_error(f"cannot read {config}: {exc}") from None
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"{config}: {problem}", markup=False)
        raise typer.Exit(1) from None


def _run(cfg: SimConfig, quiet: bool) -> Results:
    span = cfg.end_s - cfg.start_s
    columns = (TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeRemainingColumn())
    keys = list(dict.fromkeys(optimum_key(v.controls) for v in cfg.variants))
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        names = ["no battery", *(optimum_name(k, len(keys) == 1) for k in keys),
                 *(v.name for v in cfg.variants)]
        tasks = {name: bar.add_task(name, total=span) for name in names}
        return run_all(cfg.study, cfg.variants, show_optimum=cfg.show_optimum,
                       optimum_block_s=cfg.optimum_block_s,
                       progress=lambda name, seconds: bar.advance(tasks[name], seconds))


def _fetched(cfg: SimConfig) -> SimConfig:
    loc = cfg.spec.location
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gridtwin" / "weather"
    try:
        path = fetch_pvgis_tmy(loc.latitude_deg, loc.longitude_deg, cache)
        return cfg.with_weather_file(checked_weather_file(str(path)))
    except (WeatherFetchError, ValueError) as exc:
        err.print(f"{exc}", markup=False, soft_wrap=True)
        err.print("Run without --fetch-weather to use the bundled station, or set "
                  "site.weather_file to a file you have.", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _share(o: Outcome) -> str:
    return "-" if o.share_of_optimum is None else f"{100 * o.share_of_optimum:.1f}"


def _metrics(o: Outcome, currency: str) -> list[str]:
    return [*(kwh(o.totals_wh[key]) for key, _ in _COLUMNS), f"{o.self_sufficiency_pct:.1f}",
            f"{round_money(o.bill.total)} {currency}", f"{round_money(o.savings)} {currency}",
            _share(o)]


_ROWS = (*(title for _, title in _COLUMNS), "Self-sufficiency [%]", "Bill", "Savings",
         "Share of optimum [%]")


def summary_tables(cfg: SimConfig, base: Outcome, outcomes: list[Outcome],
                   width: int) -> list[Table]:
    """One column per variant (the baseline first), one row per quantity; as many tables
    as it takes to fit ``width`` columns with every value whole (names may wrap)."""
    days = (cfg.end_s - cfg.start_s) / 86_400
    columns = [base, *outcomes]
    cells = [_metrics(o, cfg.compiled.currency) for o in columns]
    cells[0][-1] = ""  # the baseline has no share
    least = [_column_width(o.name, c) for o, c in zip(columns, cells, strict=True)]
    whole = [max(w, len(o.name) + 3) for o, w in zip(columns, least, strict=True)]
    room = width - _column_width("", list(_ROWS)) - 1
    tables = []
    chunks = _chunks(least, room)
    for number, chunk in enumerate(chunks):
        first, last = number == 0, number == len(chunks) - 1
        table = Table(title=f"{cfg.spec.name}: {days:g} days from {_date(cfg)}" if first else None,
                      caption=_CAPTION if last else None)
        table.add_column("", no_wrap=True)
        # Widths are set here, not left to Rich: given minimum widths it can lay a table
        # out wider than the console and crop its right edge.
        shown = _shared_out([least[i] for i in chunk], [whole[i] for i in chunk], room)
        for i, w in zip(chunk, shown, strict=True):
            table.add_column(columns[i].name, justify="right", overflow="fold", width=w - 3)
        for row, name in enumerate(_ROWS):
            table.add_row(name, *(cells[i][row] for i in chunk))
        tables.append(table)
    return tables


_CAPTION = ("Energy in kWh; savings against the same site without a battery; share of "
            "optimum = savings / the savings of the perfect-foresight optimum with the same "
            "reserve, export rule and grid charging.")


def _column_width(name: str, cells: list[str]) -> int:
    """Characters a column takes: its widest value or the longest word of its name, plus
    padding and one border."""
    return max(*(len(c) for c in cells), *(len(w) for w in name.split()), 1) + 3


def _shared_out(least: list[int], whole: list[int], room: int) -> list[int]:
    """Column widths from their least (values and words whole) towards their whole
    width (the name on one line), the spare ``room`` shared a character at a time."""
    shown = list(least)
    spare = room - sum(least)
    while spare > 0 and any(s < w for s, w in zip(shown, whole, strict=True)):
        for i, w in enumerate(whole):
            if spare > 0 and shown[i] < w:
                shown[i] += 1
                spare -= 1
    return shown


def _chunks(widths: list[int], room: int) -> list[list[int]]:
    """Consecutive column indices grouped so each group's width fits ``room`` (one column
    at least per group)."""
    groups: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if groups[-1] and used + w > room:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += w
    return groups


def _date(cfg: SimConfig) -> str:
    return datetime.fromtimestamp(cfg.start_s, ZoneInfo(cfg.spec.time_zone)).date().isoformat()


def _json_outcome(o: Outcome) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": o.name, **o.totals_wh, "self_sufficiency_pct": round(o.self_sufficiency_pct, 3),
        "bill": o.bill.display(), "savings": str(round_money(o.savings)),
        "monthly_bill": {month: str(round_money(total)) for month, total in o.monthly}}
    if o.optimum_bill is not None:
        row["optimum_bill"] = str(round_money(o.optimum_bill))
        row["share_of_optimum_pct"] = (None if o.share_of_optimum is None
                                       else round(100 * o.share_of_optimum, 3))
    return row


def _json(cfg: SimConfig, res: Results, plots: list[Path]) -> dict[str, Any]:
    return {
        "config": str(cfg.path), "start": cfg.start_s, "end": cfg.end_s,
        "time_zone": cfg.spec.time_zone, "currency": cfg.compiled.currency,
        "optimum_block_s": cfg.optimum_block_s,
        "weather": weather_used(cfg.spec.location).as_dict(),
        "baseline": _json_outcome(res.base[1]),
        "variants": [_json_outcome(o) for _, o in res.variants],
        "optimum": [_json_outcome(o) for _, o in res.optima],
        "plots": [str(p) for p in plots],
    }


def simulate(
    config: Annotated[Path, typer.Argument(help="TOML configuration (see examples/simulate.toml).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write PNG plots here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    optimum: Annotated[bool, typer.Option(
        "--optimum", help="Add the perfect-foresight optimum as columns and plots.")] = False,
    fetch_weather: Annotated[bool, typer.Option(
        "--fetch-weather", help="Download the site's PVGIS typical year (once; cached) and "
                                "use it instead of the bundled station.")] = False,
) -> None:
    """Offline what-if: simulate a site under several battery settings and a tariff."""
    cfg = _load(config)
    if fetch_weather:
        cfg = _fetched(cfg)
    if optimum:
        cfg = replace(cfg, show_optimum=True)
    res = _run(cfg, quiet)
    plots: list[Path] = []
    if out_dir is not None:
        from gridtwin.cli.simplots import write_plots

        plots = write_plots(cfg, res.base, [*res.variants, *res.optima], out_dir)
    if as_json:
        print_json(_json(cfg, res, plots))
        return
    for table in summary_tables(cfg, res.base[1], [o for _, o in [*res.variants, *res.optima]],
                                out.width):
        out.print(table)
    out.print(f"Weather: {weather_used(cfg.spec.location).line()}", markup=False)
    for path in plots:
        err.print(f"wrote {path}", markup=False)
