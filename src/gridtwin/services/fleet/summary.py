"""The summary of a fleet study: a table by region (climate) and variant, as CSV and
Markdown, and PNG distributions of the savings against no battery (matplotlib's object
API, no display needed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
from matplotlib.figure import Figure

__all__ = ["SUMMARY_COLUMNS", "summary_frame", "write_summary"]

SUMMARY_COLUMNS = ("region", "variant", "currency", "homes", "bill_mean", "savings_mean",
                   "savings_p10", "savings_median", "savings_p90", "self_sufficiency_pct_mean",
                   "peak_import_kw_mean", "grid_import_kwh_mean", "grid_export_kwh_mean")


def summary_frame(table: pa.Table) -> pd.DataFrame:
    """One row per (region, variant, currency), in the study's variant order."""
    df = table.select(["region", "variant", "variant_index", "currency", "bill", "savings",
                       "self_sufficiency_pct", "peak_import_kw", "grid_import_kwh",
                       "grid_export_kwh"]).to_pandas()
    groups = df.groupby(["region", "variant_index", "variant", "currency"], sort=True)
    out = groups.agg(
        homes=("bill", "size"), bill_mean=("bill", "mean"), savings_mean=("savings", "mean"),
        savings_p10=("savings", lambda s: s.quantile(0.1)),
        savings_median=("savings", "median"),
        savings_p90=("savings", lambda s: s.quantile(0.9)),
        self_sufficiency_pct_mean=("self_sufficiency_pct", "mean"),
        peak_import_kw_mean=("peak_import_kw", "mean"),
        grid_import_kwh_mean=("grid_import_kwh", "mean"),
        grid_export_kwh_mean=("grid_export_kwh", "mean")).reset_index()
    return out[list(SUMMARY_COLUMNS)].round(2)


def _markdown(frame: pd.DataFrame) -> str:
    head = ["Region", "Variant", "Homes", "Mean bill", "Mean savings", "Savings p10",
            "Median", "p90", "Self-sufficiency %", "Peak import kW"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in frame.itertuples(index=False):
        cur = f" {r.currency}"
        lines.append("| " + " | ".join([
            str(r.region), str(r.variant), str(r.homes), f"{r.bill_mean:,.2f}{cur}",
            f"{r.savings_mean:,.2f}{cur}", f"{r.savings_p10:,.2f}", f"{r.savings_median:,.2f}",
            f"{r.savings_p90:,.2f}", f"{r.self_sufficiency_pct_mean:.1f}",
            f"{r.peak_import_kw_mean:.2f}"]) + " |")
    return "\n".join(lines) + "\n"


def savings_png(table: pa.Table, path: Path) -> Path:
    """Histograms of annual savings per variant, one panel per region."""
    df = table.select(["region", "variant", "variant_index", "currency", "savings"]).to_pandas()
    df = df[df["variant_index"] > 0]
    regions = sorted(df["region"].unique())
    fig = Figure(figsize=(5.5 * max(len(regions), 1), 3.8), layout="constrained")
    axes = fig.subplots(1, max(len(regions), 1), squeeze=False)[0]
    for ax, region in zip(axes, regions, strict=False):
        part = df[df["region"] == region]
        lo, hi = float(part["savings"].min()), float(part["savings"].max())
        bins = 30 if hi > lo else 1
        for _, rows in part.groupby("variant_index", sort=True):
            ax.hist(rows["savings"], bins=bins, range=(lo, hi if hi > lo else lo + 1),
                    histtype="step", linewidth=1.5, label=str(rows["variant"].iloc[0]))
        currency = ", ".join(sorted(part["currency"].unique()))
        ax.set_title(f"{region} ({part['variant_index'].nunique()} variants)", fontsize=10)
        ax.set_xlabel(f"Annual savings vs no battery [{currency}]")
        ax.set_ylabel("Homes")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=90)
    return path


def write_summary(table: pa.Table, out_dir: Path) -> list[Path]:
    """summary.csv, summary.md and savings.png in ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = summary_frame(table)
    csv_path = out_dir / "summary.csv"
    frame.to_csv(csv_path, index=False)
    md_path = out_dir / "summary.md"
    md_path.write_text(_markdown(frame), encoding="utf-8")
    return [csv_path, md_path, savings_png(table, out_dir / "savings.png")]
