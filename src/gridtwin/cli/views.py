"""Rich renderings of API replies: sites, the live power flow and history tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gridtwin.cli.output import kw, kwh

if TYPE_CHECKING:  # the SDK (pydantic) loads only when a command runs
    from gridtwin.client.types import (
        BackupHistory,
        ChargeHistory,
        EnergyBucket,
        EnergyHistory,
        LiveStatus,
    )

__all__ = ["ENERGY_COLUMNS", "backup_table", "bucket_flows", "charge_table", "energy_rows", "energy_table",
           "live_panel", "sites_table"]

WC_STATES = {1: "charging", 2: "not connected", 4: "connected", 5: "scheduled", 7: "fault"}

ENERGY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("solar", "Solar"), ("home", "Home"), ("grid_import", "Grid in"),
    ("grid_export", "Grid out"), ("battery_charge", "Batt in"), ("battery_discharge", "Batt out"),
)
"""Summary flows of a history bucket [Wh], in table order."""


def _site_row(p: Any) -> tuple[str, ...]:
    from gridtwin.client.types import BatteryProduct, SolarProduct, WallConnectorProduct

    if isinstance(p, BatteryProduct):
        return (str(p.energy_site_id), p.site_name, "battery", f"{p.percentage_charged:.1f} %",
                kw(p.battery_power), _yes(p.components.solar),
                str(len(p.components.wall_connectors or [])))
    if isinstance(p, SolarProduct):
        return (str(p.energy_site_id), p.site_name, "solar", "-", "-", kw(p.solar_power), "0")
    if isinstance(p, WallConnectorProduct):
        return (str(p.energy_site_id), "", "charger", "-", "-", "no",
                str(len(p.components.wall_connectors or [])))
    return ()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def sites_table(products: Sequence[Any]) -> Table:
    table = Table(title="Energy sites", caption="Power: battery (+ discharging), or solar; "
                                                "WCs: Wall Connectors; charger: a Wall Connector "
                                                "site")
    # Short headers: a 16-digit site id and a name still fit 80 columns on one line.
    for name in ("Site id", "Name", "Type", "Charge", "Power", "Solar", "WCs"):
        table.add_column(name, justify="right" if name in ("Charge", "Power", "WCs") else "left",
                         no_wrap=name != "Name", overflow="fold")
    for product in products:
        row = _site_row(product)
        if row:
            table.add_row(*row)
    return table


def _flow(label: str, power_w: int, positive: str, negative: str, extra: str = "") -> tuple[str, ...]:
    state = "idle" if power_w == 0 else positive if power_w > 0 else negative
    return label, kw(abs(power_w)), state, extra


def live_panel(site_id: int, live: LiveStatus) -> Panel:
    """Where the power goes now: solar, home, battery, grid, generator and each EV."""
    grid = Table.grid(padding=(0, 2))
    for _ in range(4):
        grid.add_column()
    grid.columns[1].justify = "right"
    grid.add_row(*_flow("Solar", live.solar_power, "producing", "-"))
    grid.add_row("Home", kw(live.load_power), "using", "")
    grid.add_row(*_flow("Battery", live.battery_power, "discharging", "charging",
                        f"{live.percentage_charged:.1f} %"))
    grid.add_row(*_flow("Grid", live.grid_power, "importing", "exporting",
                        f"{live.grid_status} ({live.island_status})"))
    if live.generator_power:
        grid.add_row(*_flow("Generator", live.generator_power, "running", "-"))
    for wc in live.wall_connectors or []:
        state = WC_STATES.get(wc.wall_connector_state, str(wc.wall_connector_state))
        grid.add_row(f"EV {wc.din[-6:]}", kw(wc.wall_connector_power), state, wc.vin or "")
    notes = Text("Storm Watch active", style="bold yellow") if live.storm_mode_active else Text("")
    title = f"Site {site_id} · {live.timestamp.isoformat()}"
    return Panel(Group(grid, notes), title=title, expand=False)


def bucket_flows(b: EnergyBucket) -> dict[str, int]:
    """Summary flows of one bucket [Wh]."""
    return {
        "solar": b.solar_energy_exported,
        "home": (b.consumer_energy_imported_from_grid + b.consumer_energy_imported_from_solar
                 + b.consumer_energy_imported_from_battery
                 + b.consumer_energy_imported_from_generator),
        "grid_import": b.grid_energy_imported,
        "grid_export": (b.grid_energy_exported_from_solar + b.grid_energy_exported_from_battery
                        + b.grid_energy_exported_from_generator),
        "battery_charge": (b.battery_energy_imported_from_grid + b.battery_energy_imported_from_solar
                           + b.battery_energy_imported_from_generator),
        "battery_discharge": b.battery_energy_exported,
    }


def energy_rows(history: EnergyHistory) -> list[tuple[str, dict[str, int]]]:
    """(label, flows [Wh]) per table row; a day's 5-minute buckets are summed per hour."""
    rows: list[tuple[str, dict[str, int]]] = []
    fmt = {"day": "%H:00", "week": "%a %d %b", "month": "%a %d %b", "year": "%b %Y",
           "lifetime": "%Y"}.get(history.period, "%Y-%m-%d %H:%M")
    for bucket in history.time_series or []:
        label = bucket.timestamp.strftime(fmt)
        flows = bucket_flows(bucket)
        if rows and rows[-1][0] == label:
            rows[-1] = (label, {k: rows[-1][1][k] + v for k, v in flows.items()})
        else:
            rows.append((label, flows))
    return rows


def energy_table(site_id: int, history: EnergyHistory) -> Table:
    rows = energy_rows(history)
    unit = "hourly" if history.period == "day" else "per bucket"
    table = Table(title=f"Site {site_id} energy, period {history.period} ({unit}, kWh)",
                  show_footer=bool(rows))
    totals = {key: sum(r[1][key] for r in rows) for key, _ in ENERGY_COLUMNS}
    table.add_column("Start", footer="Total")
    for key, title in ENERGY_COLUMNS:
        table.add_column(title, justify="right", footer=kwh(totals[key]))
    for label, flows in rows:
        table.add_row(label, *(kwh(flows[key]) for key, _ in ENERGY_COLUMNS))
    if not rows:
        table.caption = "no data in this window"
    return table


def backup_table(site_id: int, history: BackupHistory) -> RenderableType:
    table = Table(title=f"Site {site_id} backup events ({history.total_events})")
    table.add_column("Start")
    table.add_column("Duration", justify="right")
    for event in history.events:
        table.add_row(event.timestamp.isoformat(), f"{event.duration:,}")
    return table


def charge_table(site_id: int, history: ChargeHistory) -> RenderableType:
    table = Table(title=f"Site {site_id} charging sessions")
    for name in ("Start (Unix s)", "Duration [s]", "Energy [kWh]", "Wall Connector", "Vehicle"):
        table.add_column(name)
    for s in history.charge_history:
        table.add_row(str(s.charge_start_time.seconds), str(s.charge_duration.seconds),
                      kwh(s.energy_added_wh), s.din, s.target_id.text)
    return table
