"""JSON value tests and exact number conversion (spec tariff.md §1, §5.3 E03).

The API parses JSON with ``parse_float=Decimal``, so a number may arrive as ``int``,
``float`` or ``Decimal``. Booleans are never numbers.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TypeGuard

__all__ = ["Number", "is_int", "is_number", "to_decimal"]

Number = int | float | Decimal


def is_int(value: object) -> TypeGuard[int]:
    """True for a JSON integer: ``int`` but not ``bool`` (``8.0`` is not an integer)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[Number]:
    """True for a finite JSON number of any Python representation."""
    if is_int(value):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return False


def to_decimal(value: Number) -> Decimal:
    """The exact decimal of a JSON number; floats go through their shortest text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)
