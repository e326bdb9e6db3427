"""Rule ids, severities and the text helpers shared by the validator (spec tariff.md §5).

Texts are single English sentences in ASCII; the helpers here format times, weekdays,
dates, name lists and problem paths exactly as §5.1 prescribes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from enum import StrEnum
from typing import Final

__all__ = [
    "APP_LABELS",
    "RULES",
    "WEEKDAYS",
    "Severity",
    "ascii_text",
    "date_text",
    "hhmm",
    "join_names",
    "month_text",
    "number_text",
    "path_index",
    "path_key",
    "severity_of",
]


class Severity(StrEnum):
    """How a problem affects the tariff (§5.1)."""

    ERROR = "error"
    NORMALISED = "normalised"
    WARNING = "warning"


_E, _N, _W = Severity.ERROR, Severity.NORMALISED, Severity.WARNING

RULES: Final[dict[str, tuple[Severity, str]]] = {
    "E01": (_E, "body shape"),
    "E02": (_E, "v1 (tariff_content) shape"),
    "E03": (_E, "wrong JSON type"),
    "E04": (_E, "integer out of range"),
    "E05": (_E, "required member missing"),
    "E06": (_E, "label without periods"),
    "E07": (_E, "reserved or empty name"),
    "E08": (_E, "no active season"),
    "E09": (_E, "zero-length period"),
    "E10": (_E, "gap in a week grid"),
    "E11": (_E, "overlap in a week grid"),
    "E12": (_E, "date in no season"),
    "E13": (_E, "date in several seasons"),
    "E14": (_E, "label without energy price"),
    "E15": (_E, "price for an unknown season or label"),
    "E16": (_E, "currency"),
    "E17": (_E, "sell currency differs"),
    "N01": (_N, "negative price used as 0"),
    "N02": (_N, "sell above buy: buy raised"),
    "N03": (_N, "toMinute 60"),
    "W01": (_W, "currency outside USD, EUR, GBP"),
    "W02": (_W, "day range not shown by the app"),
    "W03": (_W, "overnight period on part of the week"),
    "W04": (_W, "no demand_charges"),
    "W05": (_W, "season name not Summer or Winter"),
    "W06": (_W, "labels not shown by the app"),
    "W07": (_W, "unknown member"),
    "W08": (_W, "toDayOfWeek missing"),
    "W09": (_W, "day past the month's end"),
    "W10": (_W, "stored but not billed"),
    "W11": (_W, "no sell_tariff"),
    "W12": (_W, "name or utility missing"),
    "W13": (_W, "version not 1"),
}

APP_LABELS: Final = frozenset({"ON_PEAK", "OFF_PEAK", "PARTIAL_PEAK", "SUPER_OFF_PEAK"})
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def severity_of(code: str) -> Severity:
    """Severity of rule ``code`` (e.g. ``"E10"``)."""
    return RULES[code][0]


def path_key(base: str, key: str) -> str:
    """``base`` extended by object key ``key``: ``.key`` or ``["key"]`` (§5.1)."""
    if _IDENT.fullmatch(key):
        return f"{base}.{key}" if base else key
    return f"{base}[{json.dumps(key)}]"


def path_index(base: str, index: int) -> str:
    """``base`` extended by array index ``index`` [-]."""
    return f"{base}[{index}]"


def ascii_text(name: str) -> str:
    """``name`` with non-ASCII characters written as ``\\uXXXX`` escapes, so texts stay ASCII."""
    if name.isascii():
        return name
    return "".join(c if c.isascii() else _escape(c) for c in name)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def hhmm(minute_of_day: int) -> str:
    """``HH:MM`` of a minute of the day, ``24:00`` for the end of the day [min]."""
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def date_text(month: int, day: int) -> str:
    """``Mon D`` text of a (month, day) pair, e.g. ``Feb 29``."""
    return f"{_MONTHS[month - 1]} {day}"


def month_text(month: int) -> str:
    """Three-letter English month name of ``month`` (1-12)."""
    return _MONTHS[month - 1]


def join_names(names: list[str]) -> str:
    """``A``, ``A and B`` or ``A, B and C`` (names already ordered)."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def number_text(value: int | float | Decimal) -> str:
    """The decimal text of a JSON number as it was given."""
    if isinstance(value, float):
        return repr(value)
    return str(value)
