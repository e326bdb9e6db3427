"""The read-back of quirk ``tariff_readback_zero_omission`` (wire-format.md §12.7).

Tesla's read-back leaves out zero integers of seasons and periods and ``amount: 0`` of
daily charges, and reads placeholder seasons back as ``{}``. Missing integers read as 0
(spec tariff.md §2.7), so the echo parses to the same tariff.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridtwin.tariff.values import is_int, is_number

__all__ = ["zero_omission_echo"]

_ZERO_INT_MEMBERS = frozenset(
    {
        "fromMonth",
        "fromDay",
        "toMonth",
        "toDay",
        "fromDayOfWeek",
        "toDayOfWeek",
        "fromHour",
        "fromMinute",
        "toHour",
        "toMinute",
        "monthly_charges",
        "monthly_minimum_bill",
        "min_applicable_demand",
        "max_applicable_demand",
    }
)


def zero_omission_echo(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The stored tariff ``doc`` as the ``observed`` profile echoes it (a new object)."""
    out = _side(doc)
    sell = doc.get("sell_tariff")
    if isinstance(sell, dict):
        out["sell_tariff"] = _side(sell)
    return out


def _side(side: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in side.items():
        if key in _ZERO_INT_MEMBERS and _is_zero_int(value):
            continue
        if key == "daily_charges" and isinstance(value, list):
            out[key] = [_daily(item) for item in value]
        elif key == "seasons" and isinstance(value, dict):
            out[key] = {name: _season(season) for name, season in value.items()}
        else:
            out[key] = value
    return out


def _is_zero_int(value: object) -> bool:
    return is_int(value) and value == 0


def _daily(item: object) -> object:
    if not isinstance(item, dict):
        return item
    return {k: v for k, v in item.items() if not (k == "amount" and is_number(v) and v == 0)}


def _season(season: object) -> object:
    if not isinstance(season, dict):
        return season
    tou = season.get("tou_periods")
    if not (isinstance(tou, dict) and tou):
        return {}
    out = {k: v for k, v in season.items() if not (k in _ZERO_INT_MEMBERS and _is_zero_int(v))}
    out["tou_periods"] = {label: _label(entry) for label, entry in tou.items()}
    return out


def _label(entry: object) -> object:
    if not isinstance(entry, dict) or not isinstance(entry.get("periods"), list):
        return entry
    periods = [
        {k: v for k, v in p.items() if not (k in _ZERO_INT_MEMBERS and _is_zero_int(v))}
        if isinstance(p, dict)
        else p
        for p in entry["periods"]
    ]
    return {**entry, "periods": periods}
