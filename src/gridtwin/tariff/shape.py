"""Body-shape rules that stop validation at once: E01 and E02 (spec tariff.md §5.2, §5.3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from gridtwin.tariff.model import Problem
from gridtwin.tariff.rules import Severity, path_key
from gridtwin.tariff.values import is_number

__all__ = ["E01_PATH", "E02_TARIFF_CONTENT_PATH", "body_problem", "e01", "find_v1_shape"]

E01_PATH: Final = "tou_settings.tariff_content_v2"
E02_TARIFF_CONTENT_PATH: Final = "tou_settings.tariff_content"
_E02_TAIL: Final = ". Send tariff_content_v2 (convert v1 with 'gridtwin tariff convert-v1')."


def e01() -> Problem:
    """The E01 problem (HTTP-level path)."""
    return Problem("E01", Severity.ERROR, E01_PATH, "must provide a valid TOU setting")


def _e02(path: str, detail: str) -> Problem:
    text = f"This is the v1 (tariff_content) shape: {detail}{_E02_TAIL}"
    return Problem("E02", Severity.ERROR, path, text)


def body_problem(body: object) -> tuple[Problem | None, object]:
    """E01/E02 for a whole ``time_of_use_settings`` body, else (None, tariff document)."""
    if not isinstance(body, dict):
        return e01(), None
    settings = body.get("tou_settings")
    if not isinstance(settings, dict):
        return e01(), None
    if "tariff_content_v2" in settings:
        doc = settings["tariff_content_v2"]
        return (None, doc) if isinstance(doc, dict) else (e01(), None)
    if "tariff_content" in settings:
        return _e02(E02_TARIFF_CONTENT_PATH, "tariff_content was sent"), None
    return e01(), None


def find_v1_shape(doc: Mapping[str, object]) -> Problem | None:
    """The first v1-shaped member (buy side, then sell side), as an E02 problem."""
    for path, detail in _v1_members(doc, ""):
        return _e02(path, detail)
    sell = doc.get("sell_tariff")
    if isinstance(sell, dict):
        for path, detail in _v1_members(sell, "sell_tariff"):
            return _e02(path, detail)
    return None


def _v1_members(side: Mapping[str, object], base: str) -> Iterator[tuple[str, str]]:
    for table in ("demand_charges", "energy_charges"):
        blocks = side.get(table)
        if not isinstance(blocks, dict):
            continue
        for key, block in blocks.items():
            if _is_v1_block(block):
                path = path_key(path_key(base, table), key)
                yield path, f"{path} holds prices without a rates object"
    seasons = side.get("seasons")
    if not isinstance(seasons, dict):
        return
    for name, season in seasons.items():
        tou = season.get("tou_periods") if isinstance(season, dict) else None
        if not isinstance(tou, dict):
            continue
        for label, entry in tou.items():
            if isinstance(entry, list):
                path = path_key(
                    path_key(path_key(path_key(base, "seasons"), name), "tou_periods"), label
                )
                yield path, f'{path} is a list, not {{"periods": [...]}}'


def _is_v1_block(block: object) -> bool:
    """A ChargeBlock without ``rates`` holding at least one number (v1 flat map)."""
    return (
        isinstance(block, dict)
        and "rates" not in block
        and any(is_number(value) for value in block.values())
    )
