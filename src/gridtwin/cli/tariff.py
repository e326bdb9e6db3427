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
    """Show each active buy season as a weekday-by-hour grid of labels and buy prices."""
    report = _report(_read(file), profile)
    if report.tariff is None:
        _print_problems(report, err=True)
        raise typer.Exit(1)
    console = Console()
    for season in range(len(report.tariff.buy.seasons)):
        console.print(_season_table(report.tariff, season))


def _season_table(tariff: CompiledTariff, season: int) -> Table:
    from gridtwin.tariff.rules import WEEKDAYS

    side = tariff.buy
    title = f"Season '{side.seasons[season]}' ({_date_runs(side, season)}), {tariff.currency}/kWh"
    table = Table(title=title, show_lines=False)
    table.add_column("Hour", justify="right")
    for day in WEEKDAYS:
        table.add_column(day[:3], no_wrap=True)
    for hour in range(24):
        table.add_row(f"{hour:02d}:00", *(_cell(side, season, day, hour) for day in range(7)))
    return table


def _cell(side: CompiledSide, season: int, day: int, hour: int) -> str:
    """Label and raw buy price at the top of the hour; ``*`` when the label changes inside."""
    minutes = side.class_grids[season, day, hour * 60 : hour * 60 + 60]
    first = int(minutes[0])
    mark = "*" if bool((minutes != first).any()) else ""
    return f"{side.classes[first][1]}{mark} {side.energy_price[first]}"


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
    source: Annotated[Path, typer.Argument(help='v1 tariff or {"response": v1} file.')],
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
