"""``gridtwin fleet STUDY.toml --out DIR``: a what-if study over many homes on Dask.

Parses the study, runs :func:`gridtwin.fleet.run` with a progress bar, writes
DIR/results.parquet (one row per home and variant), DIR/summary.csv, DIR/summary.md and
DIR/savings.png, and prints the summary. Exit 0 ok, 1 invalid study, 2 unreadable file,
usage, or a scheduler that cannot be reached.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from gridtwin.cli.output import EXIT_REFUSED, err, out, usage_error

__all__ = ["fleet"]


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _summary_table(frame: object, title: str) -> Table:
    """Region × variant rows; whole currency units so that 80 columns hold every value
    (names may wrap)."""
    table = Table(title=title, box=box.SIMPLE_HEAD,
                  caption="Mean bill and savings per home-year in the tariff's currency "
                          "(savings against the same home without a battery; p10-p90 "
                          "their spread), self-sufficiency (%), peak 5-minute import (kW).")
    heads = ("Region (homes)", "Variant", "Bill", "Savings", "p10-p90", "Self %", "Peak")
    for i, head in enumerate(heads):
        if i < 2:
            table.add_column(head, overflow="fold")
        else:
            table.add_column(head, justify="right", no_wrap=True)
    for r in frame.itertuples(index=False):  # type: ignore[attr-defined]
        table.add_row(f"{r.region} ({r.homes})", str(r.variant), _money(r.bill_mean),
                      _money(r.savings_mean),
                      f"{_money(r.savings_p10)}-{_money(r.savings_p90)}",
                      f"{r.self_sufficiency_pct_mean:.1f}", f"{r.peak_import_kw_mean:.2f}")
    return table


def fleet(
    study_file: Annotated[Path, typer.Argument(
        metavar="STUDY", help="Study file (TOML; see examples/fleet.toml).")],
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Directory for results.parquet, summary.csv/.md and savings.png.")],
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=256, help="Local Dask worker processes.")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Use an existing Dask cluster, e.g. tcp://HOST:8786.")] = None,
    chunk_homes: Annotated[int | None, typer.Option(
        "--chunk-homes", min=1, max=1000, help="Homes per task (default: the study's).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Fleet what-if: many homes × battery variants on Dask, results in Parquet."""
    try:
        import gridtwin.fleet as api
        from gridtwin.services.fleet.config import StudyError
    except ImportError as exc:  # dask / pyarrow are the `fleet` extra
        raise usage_error(f"{exc}; install gridtwin[fleet]") from None
    try:
        study = api.load(study_file)
        n_homes = len(api.homes(study))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise usage_error(f"cannot read {study_file}: {exc}") from None
    except StudyError as exc:
        for problem in exc.problems:
            err.print(f"{study_file}: {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    label = f"{n_homes} homes × {len(study.variants)} variants"
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task(label, total=n_homes)
        try:
            table = api.run(study, workers=workers, scheduler=scheduler, chunk_homes=chunk_homes,
                            out=out_dir / "results.parquet",
                            progress=lambda done, _total: bar.update(task, completed=done))
        except OSError as exc:  # a scheduler that cannot be reached
            raise usage_error(f"{scheduler or 'local cluster'}: {exc}") from None
    paths = api.write_summary(table, out_dir)
    days = (study.end - study.start).days
    out.print(_summary_table(api.summary_frame(table),
                             f"{label}, {days} days from {study.start.isoformat()}"))
    for path in [out_dir / "results.parquet", *paths]:
        err.print(f"wrote {path}", markup=False)
