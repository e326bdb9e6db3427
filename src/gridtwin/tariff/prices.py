"""Pass P4: every label has an energy price (E14); charge tables name real seasons and
labels (E15). Spec tariff.md §4.1, §5.3.
"""

from __future__ import annotations

from gridtwin.tariff.draft import SeasonDraft, SideDraft, TableDraft
from gridtwin.tariff.rules import ascii_text, path_key

__all__ = ["check_prices"]


def check_prices(side: SideDraft) -> None:
    """Report E14 per active season and label, then E15 for energy, then demand charges."""
    seasons = side.counted_seasons()
    if side.energy.usable:
        for season in seasons:
            _check_labels_priced(season, side)
    for table in (side.energy, side.demand):
        if table.usable:
            _check_table_keys(table, seasons, side)


def _check_labels_priced(season: SeasonDraft, side: SideDraft) -> None:
    for label in season.labels:
        if label.named_ok and not side.energy.find(season.name, label.name)[0]:
            side.out.add(
                "E14",
                label.path,
                f"Season '{ascii_text(season.name)}', label "
                f"'{ascii_text(label.name)}' has no energy price.",
            )


def _check_table_keys(table: TableDraft, seasons: list[SeasonDraft], side: SideDraft) -> None:
    labels_of = {season.name: set(season.label_names()) for season in seasons}
    all_labels = set().union(*labels_of.values()) if labels_of else set()
    for block in table.blocks:
        rates = block.rates or {}
        key = ascii_text(block.key)
        if block.key == "ALL":
            for label in rates:
                if label != "ALL" and label not in all_labels:
                    side.out.add(
                        "E15",
                        _rate_path(block.path, label),
                        f"{table.name}.ALL has a price for '{ascii_text(label)}', "
                        "which is not a label of any season.",
                    )
        elif block.key in labels_of:
            for label in rates:
                if label != "ALL" and label not in labels_of[block.key]:
                    side.out.add(
                        "E15",
                        _rate_path(block.path, label),
                        f"{path_key(table.name, block.key)} has a price for '{ascii_text(label)}', "
                        f"which is not a label of season '{key}'.",
                    )
        elif rates:
            side.out.add(
                "E15",
                block.path,
                f"{table.name} has prices for season '{key}', which has no time periods.",
            )


def _rate_path(block_path: str, label: str) -> str:
    return path_key(path_key(block_path, "rates"), label)
