"""tariff.md §2 price lookup order, with every step of the chain present at once:
``[S].rates[L]`` → ``[S].rates[ALL]`` → ``[ALL].rates[L]`` → ``[ALL].rates[ALL]``."""

from __future__ import annotations

from decimal import Decimal

import pytest
import tariff_docs as td
from tariff_checks import look

from gridtwin.tariff import validate


def _doc(summer: dict[str, str], every_season: dict[str, str]) -> dict:
    doc = td.flat()
    doc["energy_charges"] = {
        "ALL": {"rates": {k: Decimal(v) for k, v in every_season.items()}},
        "Summer": {"rates": {k: Decimal(v) for k, v in summer.items()}},
    }
    return doc


@pytest.mark.parametrize(
    ("summer", "every_season", "expected"),
    [
        ({"OFF_PEAK": "0.21", "ALL": "0.10"}, {"OFF_PEAK": "0.30", "ALL": "0.90"}, "0.21"),
        ({"ALL": "0.10"}, {"OFF_PEAK": "0.30", "ALL": "0.90"}, "0.10"),
        ({}, {"OFF_PEAK": "0.30", "ALL": "0.90"}, "0.30"),
        ({}, {"ALL": "0.90"}, "0.90"),
    ],
    ids=["season-label", "season-ALL-before-ALL-label", "ALL-label", "ALL-ALL"],
)
def test_each_step_of_the_chain_wins_over_the_later_ones(summer, every_season, expected) -> None:
    report = validate(_doc(summer, every_season))
    assert not report.errors, report.errors
    point = look(report.tariff, "2025-07-15 12:00")
    assert (point.buy_season, point.buy_label) == ("Summer", "OFF_PEAK")
    assert point.buy == Decimal(expected)
