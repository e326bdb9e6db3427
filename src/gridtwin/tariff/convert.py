"""The v1 (``tariff_content``) to v2 converter (spec tariff.md §7).

v1 charge blocks are flat ``{label: price}`` maps and ``tou_periods[L]`` is a bare list;
v2 wraps them as ``{"rates": ...}`` and ``{"periods": [...]}``. Everything else is copied
unchanged, in order. The converter never validates: callers run ``validate`` on the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridtwin.tariff.shape import find_v1_shape

__all__ = ["convert_v1", "has_v1_marker", "unwrap_v1"]


def unwrap_v1(doc: object) -> object:
    """The v1 object of a bare document, a ``{"response": v1}`` envelope or a
    ``{"tou_settings": {"tariff_content": v1}}`` body."""
    if isinstance(doc, dict):
        settings = doc.get("tou_settings")
        if isinstance(settings, dict) and isinstance(settings.get("tariff_content"), dict):
            return settings["tariff_content"]
        if isinstance(doc.get("response"), dict):
            return doc["response"]
    return doc


def has_v1_marker(doc: object) -> bool:
    """True when ``doc`` (already unwrapped) has a v1 charge block or period list."""
    return isinstance(doc, dict) and find_v1_shape(doc) is not None


def convert_v1(doc: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    """The v2 form of a v1 tariff (a bare object or ``{"response": v1}``).

    currency: ISO 4217 code appended when the input has none; required then.
    Raises ValueError when the input has no currency and ``currency`` is None.
    """
    source = unwrap_v1(doc)
    if not isinstance(source, dict):
        raise ValueError("the input is not a JSON object")
    if "currency" not in source and currency is None:
        raise ValueError("the input has no currency; pass one (e.g. --currency USD)")
    out = _convert_side(source, currency)
    sell = source.get("sell_tariff")
    if isinstance(sell, dict):
        buy_currency = out.get("currency")
        sell_currency = buy_currency if isinstance(buy_currency, str) else currency
        out["sell_tariff"] = _convert_side(sell, sell_currency)
    return out


def _convert_side(side: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {} if "version" in side else {"version": 1}
    for key, value in side.items():
        if key in ("energy_charges", "demand_charges") and isinstance(value, dict):
            out[key] = {name: _charge_block(block) for name, block in value.items()}
        elif key == "seasons" and isinstance(value, dict):
            out[key] = {name: _season(season) for name, season in value.items()}
        else:
            out[key] = value
    if "currency" not in out and currency is not None:
        out["currency"] = currency
    return out


def _charge_block(block: object) -> object:
    if isinstance(block, dict) and "rates" not in block:
        return {"rates": block}
    return block


def _season(season: object) -> object:
    if not isinstance(season, dict) or not isinstance(season.get("tou_periods"), dict):
        return season
    converted = dict(season)
    converted["tou_periods"] = {
        label: {"periods": entry} if isinstance(entry, list) else entry
        for label, entry in season["tou_periods"].items()
    }
    return converted
