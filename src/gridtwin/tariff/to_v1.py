"""The v2 (``tariff_content_v2``) to v1 (``tariff_content``) view: the inverse of convert_v1.

v1 charge blocks are flat ``{label: price}`` maps and ``tou_periods[L]`` is a bare list, so
``{"rates": {...}}`` is unwrapped to ``{...}`` and ``{"periods": [...]}`` to ``[...]``.
Members a v1 block cannot hold (anything beside ``rates`` / ``periods``) are dropped; every
other member is copied unchanged, in order. For a v1 document ``d`` with ``version`` and
``currency``, ``to_v1(convert_v1(d, None)) == d``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["to_v1"]


def to_v1(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The v1 form of a v2 tariff document (buy side and, if present, ``sell_tariff``)."""
    out = _side(doc)
    sell = doc.get("sell_tariff")
    if isinstance(sell, Mapping):
        out["sell_tariff"] = _side(sell)
    return out


def _side(side: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in side.items():
        if key in ("energy_charges", "demand_charges") and isinstance(value, Mapping):
            out[key] = {name: _charge_block(block) for name, block in value.items()}
        elif key == "seasons" and isinstance(value, Mapping):
            out[key] = {name: _season(season) for name, season in value.items()}
        else:
            out[key] = value
    return out


def _charge_block(block: object) -> object:
    if isinstance(block, Mapping) and isinstance(block.get("rates"), Mapping):
        return dict(block["rates"])
    return block


def _season(season: object) -> object:
    if not isinstance(season, Mapping) or not isinstance(season.get("tou_periods"), Mapping):
        return season
    converted = dict(season)
    converted["tou_periods"] = {
        label: list(entry["periods"])
        if isinstance(entry, Mapping) and isinstance(entry.get("periods"), list) else entry
        for label, entry in season["tou_periods"].items()
    }
    return converted
