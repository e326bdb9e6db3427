"""Remote mode: the CLI over the SDK, against gridtwin or any Fleet API base URL.

    gridtwin sites | live SITE | history SITE | reserve SITE PCT | mode SITE MODE
    gridtwin storm SITE on|off | grid-rules SITE | ev-reserve SITE PCT
    gridtwin tariff upload SITE FILE

``--url`` (default http://127.0.0.1:8080, env GRIDTWIN_URL), ``--token`` (env
GRIDTWIN_TOKEN), ``--json`` prints the server's reply. Exit 0 ok, 1 refused, 2 usage.
"""

from __future__ import annotations

import contextlib
import json
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.live import Live

from gridtwin.cli import views
from gridtwin.cli.output import err, out, print_json, refusals, usage_error

if TYPE_CHECKING:  # the SDK (httpx, pydantic) loads only when a command runs
    from gridtwin.client import Client, EnergySite
    from gridtwin.client.types import CommandResult

__all__ = ["DEFAULT_BASE_URL", "register"]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
"""The SDK's default (gridtwin.client.DEFAULT_BASE_URL); a unit test keeps them equal."""

UrlOpt = Annotated[str, typer.Option("--url", envvar="GRIDTWIN_URL",
                                     help="Base URL of gridtwin or the Fleet API.")]
TokenOpt = Annotated[str | None, typer.Option("--token", envvar="GRIDTWIN_TOKEN",
                                              help="Access token.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the server's JSON reply.")]
SiteArg = Annotated[str, typer.Argument(help="Energy site id, or a site name.")]


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    LIFETIME = "lifetime"


class Kind(StrEnum):
    ENERGY = "energy"
    BACKUP = "backup"
    CHARGE = "charge"


def _client(url: str, token: str | None) -> Client:
    if not token:
        raise usage_error("give --token or set GRIDTWIN_TOKEN")
    from gridtwin.client import Client

    return Client(url, token)


def _site(client: Client, site: str) -> EnergySite:
    """The site by id, or by its name among the user's products."""
    if site.isdigit():
        return client.energy_site(int(site))
    for product in client.products():
        if getattr(product, "site_name", None) == site:
            return client.energy_site(product.energy_site_id)
    err.print(f"no site named {site!r}", markup=False)
    raise typer.Exit(1)


def sites(url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """List the energy sites the token can see."""
    with _client(url, token) as client, refusals():
        products = client.products()
    if as_json:
        print_json([p.to_wire() for p in products])
    else:
        out.print(views.sites_table(products))


def live(
    site: SiteArg, url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None,
    as_json: JsonOpt = False,
    once: Annotated[bool, typer.Option("--once", help="Print one frame and exit.")] = False,
    interval: Annotated[float, typer.Option(min=0.5, help="Seconds between refreshes.")] = 2.0,
    frames: Annotated[int, typer.Option(min=0, help="Stop after N frames (0: until Ctrl-C).")] = 0,
) -> None:
    """Show the site's power flow, refreshing until Ctrl-C (``--once`` for one frame)."""
    limit = 1 if once else frames
    with _client(url, token) as client, refusals():
        resource = _site(client, site)
        with contextlib.suppress(KeyboardInterrupt):
            _watch(resource, as_json, interval, limit)


def _watch(site: EnergySite, as_json: bool, interval_s: float, limit: int) -> None:
    status = site.live_status()
    if as_json or limit == 1:
        _print_frame(site.site_id, status, as_json)
        shown = 1
        while limit == 0 or shown < limit:
            time.sleep(interval_s)
            _print_frame(site.site_id, site.live_status(), as_json)
            shown += 1
        return
    with Live(views.live_panel(site.site_id, status), console=out, auto_refresh=False) as view:
        shown = 1
        while limit == 0 or shown < limit:
            time.sleep(interval_s)
            view.update(views.live_panel(site.site_id, site.live_status()), refresh=True)
            shown += 1


def _print_frame(site_id: int, status: Any, as_json: bool) -> None:
    if as_json:
        print_json(status.to_wire())
    else:
        out.print(views.live_panel(site_id, status))


def history(
    site: SiteArg, url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None,
    as_json: JsonOpt = False,
    period: Annotated[Period, typer.Option(help="Window and bucket size.")] = Period.DAY,
    kind: Annotated[Kind, typer.Option(help="energy, backup or charge history.")] = Kind.ENERGY,
    end_date: Annotated[str | None, typer.Option(help="RFC 3339 instant in the window.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG chart (energy only).")] = None,
) -> None:
    """Energy, backup or charge history as a table (``--plot`` for a PNG)."""
    if plot is not None and kind is not Kind.ENERGY:
        raise usage_error("--plot needs --kind energy")
    with _client(url, token) as client, refusals():
        resource = _site(client, site)
        if kind is Kind.ENERGY:
            result: Any = resource.energy_history(period.value, end_date=end_date)
        elif kind is Kind.BACKUP:
            result = resource.backup_history(period.value, end_date=end_date)
        else:
            result = resource.charge_history(end_date=end_date)
    if plot is not None:
        from gridtwin.cli.plots import history_png

        history_png(resource.site_id, result, plot)
    if as_json:
        print_json(result.to_wire())
        return
    if kind is Kind.ENERGY:
        out.print(views.energy_table(resource.site_id, result))
    elif kind is Kind.BACKUP:
        out.print(views.backup_table(resource.site_id, result))
    else:
        out.print(views.charge_table(resource.site_id, result))
    if plot is not None:
        err.print(f"wrote {plot}", markup=False)


def _done(result: CommandResult, as_json: bool, what: str) -> None:
    if as_json:
        print_json(result.to_wire())
    else:
        out.print(f"{what}: {result.message}", markup=False)


def reserve(site: SiteArg, percent: Annotated[int, typer.Argument(help="Backup reserve [%].")],
            url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """Set the backup reserve."""
    with _client(url, token) as client, refusals():
        result = _site(client, site).backup(percent)
    _done(result, as_json, f"backup reserve {percent} %")


def mode(site: SiteArg,
         value: Annotated[str, typer.Argument(metavar="MODE",
                                              help="self_consumption, autonomous or backup.")],
         url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """Set the operating mode."""
    with _client(url, token) as client, refusals():
        result = _site(client, site).operation(value)
    _done(result, as_json, f"mode {value}")


def storm(site: SiteArg, state: Annotated[str, typer.Argument(metavar="on|off")],
          url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """Turn Storm Watch on or off."""
    if state not in ("on", "off"):
        raise usage_error("storm mode must be on or off")
    with _client(url, token) as client, refusals():
        result = _site(client, site).storm_mode(state == "on")
    _done(result, as_json, f"storm mode {state}")


def grid_rules(
    site: SiteArg,
    export: Annotated[str | None, typer.Option(
        "--export", help="Export rule: battery_ok, pv_only or never.")] = None,
    grid_charging: Annotated[bool | None, typer.Option(
        "--grid-charging/--no-grid-charging", help="Allow charging from the grid.")] = None,
    url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False,
) -> None:
    """Set the export rule and whether the battery may charge from the grid."""
    if export is None and grid_charging is None:
        raise usage_error("give --export and/or --grid-charging/--no-grid-charging")
    disallow = None if grid_charging is None else not grid_charging
    with _client(url, token) as client, refusals():
        result = _site(client, site).grid_import_export(
            disallow_charge_from_grid_with_solar_installed=disallow,
            customer_preferred_export_rule=export)
    _done(result, as_json, "grid rules")


def ev_reserve(site: SiteArg,
               percent: Annotated[int, typer.Argument(help="Off-grid EV charging reserve [%].")],
               url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None,
               as_json: JsonOpt = False) -> None:
    """Set the off-grid vehicle charging reserve."""
    with _client(url, token) as client, refusals():
        result = _site(client, site).off_grid_vehicle_charging_reserve(percent)
    _done(result, as_json, f"off-grid EV reserve {percent} %")


def tariff_upload(
    site: SiteArg, file: Annotated[Path, typer.Argument(help="tariff_content_v2 JSON, or a "
                                                              "whole time_of_use_settings body.")],
    strategy: Annotated[str | None, typer.Option(help="economics or balanced.")] = None,
    url: UrlOpt = DEFAULT_BASE_URL, token: TokenOpt = None, as_json: JsonOpt = False,
) -> None:
    """Upload a tariff to a site (POST time_of_use_settings)."""
    try:
        doc = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise usage_error(f"cannot read {file}: {exc}") from None
    if not isinstance(doc, dict):
        raise usage_error(f"{file} does not hold a JSON object")
    tou = doc.get("tou_settings") if isinstance(doc.get("tou_settings"), dict) else None
    tariff = None if tou is not None else doc.get("tariff_content_v2", doc)
    with _client(url, token) as client, refusals():
        result = _site(client, site).time_of_use_settings(
            tariff, optimization_strategy=strategy, tou_settings=tou)
    _done(result, as_json, f"tariff from {file.name}")


def register(app: typer.Typer, tariff_app: typer.Typer) -> None:
    """Add the remote commands to the main app and ``upload`` to the tariff sub-app."""
    app.command()(sites)
    app.command()(live)
    app.command()(history)
    app.command()(reserve)
    app.command()(mode)
    app.command()(storm)
    app.command("grid-rules")(grid_rules)
    app.command("ev-reserve")(ev_reserve)
    tariff_app.command("upload")(tariff_upload)
