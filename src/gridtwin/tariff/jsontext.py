"""Exact JSON text for tariffs: strict parsing to Decimal and writing Decimals back
with their own text (spec tariff.md §1: ``0.4138`` stays ``0.4138``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str | bytes) -> Any:
    """Parse JSON strictly: floats as Decimal, ``NaN``/``Infinity`` rejected (ValueError)."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text of ``value``; Decimals keep their text, member order is kept."""
    return "".join(_chunks(value, indent, 0))


def _chunks(value: Any, indent: int | None, depth: int) -> list[str]:
    if isinstance(value, dict):
        items = [_key(k) + ": " + "".join(_chunks(v, indent, depth + 1)) for k, v in value.items()]
        return _container("{", "}", items, indent, depth)
    if isinstance(value, (list, tuple)):
        items = ["".join(_chunks(v, indent, depth + 1)) for v in value]
        return _container("[", "]", items, indent, depth)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not valid JSON")
        return [str(value)]
    return [json.dumps(value, allow_nan=False)]


def _key(key: object) -> str:
    return json.dumps(key if isinstance(key, str) else str(key))


def _container(
    open_: str, close: str, items: list[str], indent: int | None, depth: int
) -> list[str]:
    if not items:
        return [open_ + close]
    if indent is None:
        return [open_, ", ".join(items), close]
    inner = "\n" + " " * (indent * (depth + 1))
    outer = "\n" + " " * (indent * depth)
    return [open_, inner, ("," + inner).join(items), outer, close]
