"""``gridtwin tariff``: validate, show and convert tariffs offline (spec tariff.md §7).

Exit codes: 0 no errors, 1 errors in the tariff, 2 unreadable input or usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from gridtwin.domain.profile import Profile, active_quirks

if TYPE_CHECKING:  # the tariff engine (numpy) loads only when a command runs
    from gridtwin.tariff import CompiledSide, CompiledTariff, Report

__all__ = ["app"]

app = typer.Typer(
    help="Validate, show and convert tariff_content_v2 tariffs (offline).",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="JSON file to read.")]
ProfileOpt = Annotated[
    Profile, typer.Option("--profile", help="Compatibility profile whose quirks apply.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _read(path: Path) -> Any:
    """Parse ``path`` strictly (Decimal numbers); exit 2 when it cannot be read."""
    from gridtwin.tariff import loads

    try:
        return loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from None


def _report(doc: Any, profile: Profile) -> Report:
    """Validate a bare v2 document, a POST body or a ``site_info`` reply."""
    from gridtwin.tariff import validate, validate_tou_settings

    quirks = active_quirks(profile)
    if isinstance(doc, dict) and "tou_settings" in doc:
        return validate_tou_settings(doc, quirks=quirks)
    if isinstance(doc, dict) and isinstance(doc.get("response"), dict):
        reply = doc["response"]
        if "tariff_content_v2" in reply:
            return validate(reply["tariff_content_v2"], quirks=quirks)
        if "tariff_content" in reply:
            body = {"tou_settings": {"tariff_content": reply["tariff_content"]}}
            return validate_tou_settings(body, quirks=quirks)
        return validate(reply, quirks=quirks)
    return validate(doc, quirks=quirks)


def _print_problems(report: Report, err: bool = False) -> None:
    for problem in report.problems:
        typer.echo(problem.line(), err=err)


@app.command("validate")
def validate_command(file: FileArg, profile: ProfileOpt = Profile.DOCUMENTED) -> None:
    """Print one line per problem: <severity> <ID> <path>: <text>. Exit 1 on errors."""
    report = _report(_read(file), profile)
    _print_problems(report)
    raise typer.Exit(0 if report.ok else 1)


@app.command("show")
def show_command(file: FileArg, profile: ProfileOpt = Profile.DOCUMENTED) -> None:
    """Show each buy season: its periods with buy and sell prices, then a weekday-by-hour
    grid of period codes (hours with the same codes on every day are merged)."""
    report = _report(_read(file), profile)
    if report.tariff is None:
        _print_problems(report, err=True)
        raise typer.Exit(1)
    console = Console()
    for season in range(len(report.tariff.buy.seasons)):
        legend, grid = _season_tables(report.tariff, season)
        console.print(legend)
        console.print(grid)


def _season_tables(tariff: CompiledTariff, season: int) -> tuple[Table, Table]:
    """A legend (code, period, prices) and a grid of codes; both fit 80 columns."""
    from gridtwin.tariff.rules import WEEKDAYS

    side = tariff.buy
    grid = side.class_grids[season]
    used = sorted({int(c) for c in set(grid.ravel().tolist())})
    code = {index: _code(n) for n, index in enumerate(used)}
    sell = {} if tariff.sell is None else dict(zip(tariff.sell.classes, tariff.sell.energy_price,
                                                   strict=True))
    title = f"Season '{side.seasons[season]}' ({_date_runs(side, season)})"
    legend = Table(title=title, title_justify="left")
    legend.add_column("Code")
    legend.add_column("Period", overflow="fold")
    legend.add_column(f"Buy [{tariff.currency}/kWh]", justify="right")
    legend.add_column(f"Sell [{tariff.currency}/kWh]", justify="right")
    for index in used:
        sell_price = sell.get(side.classes[index])
        legend.add_row(code[index], side.classes[index][1], str(side.energy_price[index]),
                       "-" if sell_price is None else str(sell_price))
    table = Table(caption="* the period changes within the hour", caption_justify="left")
    table.add_column("Hours", no_wrap=True)
    for day in WEEKDAYS:
        table.add_column(day[:3], no_wrap=True)
    rows = [(hour, tuple(_cell(grid, code, day, hour) for day in range(7))) for hour in range(24)]
    for first, last, cells in _merge(rows):
        table.add_row(f"{first:02d}-{last + 1:02d}", *cells)
    return legend, table


def _code(n: int) -> str:
    """A, B, ... Z, AA, AB ..."""
    return _code(n // 26 - 1) + chr(65 + n % 26) if n >= 26 else chr(65 + n)


def _cell(grid: Any, code: dict[int, str], day: int, hour: int) -> str:
    """The code at the top of the hour; ``*`` when the period changes inside it."""
    minutes = grid[day, hour * 60 : hour * 60 + 60]
    first = int(minutes[0])
    return code[first] + ("*" if bool((minutes != first).any()) else "")


def _merge(rows: list[tuple[int, tuple[str, ...]]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Consecutive hours with the same cells as one (first hour, last hour, cells) row."""
    merged: list[tuple[int, int, tuple[str, ...]]] = []
    for hour, cells in rows:
        if merged and merged[-1][2] == cells and "*" not in "".join(cells):
            merged[-1] = (merged[-1][0], hour, cells)
        else:
            merged.append((hour, hour, cells))
    return merged


def _date_runs(side: CompiledSide, season: int) -> str:
    """Date ranges of a leap year in which ``season`` applies, e.g. ``Jan 1-May 31``."""
    from gridtwin.tariff.rules import date_text
    from gridtwin.tariff.tiling import LEAP_DATES

    runs: list[str] = []
    start: int | None = None
    days = [*side.season_of_day.tolist(), -1]
    for index, value in enumerate(days):
        if value == season and start is None:
            start = index
        elif value != season and start is not None:
            runs.append(f"{date_text(*LEAP_DATES[start])}-{date_text(*LEAP_DATES[index - 1])}")
            start = None
    return ", ".join(runs)


@app.command("convert-v1")
def convert_v1_command(
    source: Annotated[Path, typer.Argument(
        help='v1 tariff or {"response": v1} file (example: examples/tou_v1.json).')],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write v2 JSON here (default stdout).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="ISO 4217 code when the input has none.")
    ] = None,
    profile: ProfileOpt = Profile.DOCUMENTED,
) -> None:
    """Convert v1 (tariff_content) to tariff_content_v2 and validate the result."""
    from gridtwin.tariff import convert_v1, dumps, has_v1_marker, unwrap_v1, validate

    doc = _read(source)
    if not has_v1_marker(unwrap_v1(doc)):
        raise _fail(f"{source} has no v1 marker (flat charge maps or period lists)")
    try:
        converted = convert_v1(doc, currency)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    report = validate(converted, quirks=active_quirks(profile))
    text = dumps(converted, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc}") from None
    _print_problems(report, err=True)
    raise typer.Exit(0 if report.ok else 1)


app.command("convert", help="Alias of convert-v1.")(convert_v1_command)
