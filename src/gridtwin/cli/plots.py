"""PNG charts with matplotlib's object API (Agg; no pyplot state, no display needed)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gridtwin.cli.views import ENERGY_COLUMNS, energy_rows
from gridtwin.client.types import EnergyHistory

__all__ = ["COLOURS", "bar_groups", "history_png", "save"]

COLOURS = {
    "solar": "#f2b705", "home": "#3a7bd5", "grid_import": "#8c8c8c", "grid_export": "#2ca58d",
    "battery_charge": "#7b4fd6", "battery_discharge": "#c04f9b", "battery": "#7b4fd6",
    "grid": "#8c8c8c",
}


def save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=110)
    return path


def bar_groups(ax: Axes, labels: list[str], series: dict[str, list[float]],
               colours: dict[str, str] | None = None) -> None:
    """Side-by-side bars per label, one colour per series."""
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, values, width, label=name, color=(colours or {}).get(name))
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 12 else 0,
                  ha="right" if len(labels) > 12 else "center", fontsize=8)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def history_png(site_id: int, history: EnergyHistory, path: Path) -> Path:
    """Energy per table row (hours of a day, days, months...) [kWh], one bar per flow."""
    rows = energy_rows(history)
    fig = Figure(figsize=(11, 5), layout="constrained")
    ax = fig.add_subplot()
    labels = [label for label, _ in rows]
    series = {title: [flows[key] / 1000 for _, flows in rows] for key, title in ENERGY_COLUMNS}
    colours = {title: COLOURS[key] for key, title in ENERGY_COLUMNS}
    bar_groups(ax, labels, series, colours)
    ax.set_ylabel("Energy [kWh]")
    ax.set_title(f"Site {site_id}: energy, period {history.period}")
    return save(fig, path)
