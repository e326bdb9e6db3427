"""Lenient parsing of history query parameters (wire-format §1.2, §9.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gridtwin.core.errors import InvalidField

__all__ = ["HISTORY_FIRST_S", "HISTORY_LAST_S", "parse_history_instant", "parse_instant", "resolve_zone"]

HISTORY_FIRST_S = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
HISTORY_LAST_S = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())
"""History dates must fall in [1900-01-01, 2200-01-01) UTC [Unix s]: local-calendar
arithmetic around them never leaves the years datetime can represent."""

_DT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|z|[+\- ]\d{2}:?\d{2})?$"
)


def _zone(name: str) -> ZoneInfo | None:
    if not name or "\x00" in name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def resolve_zone(params: Mapping[str, str], site_zone: str) -> tuple[ZoneInfo, dict[str, str]]:
    """The calendar zone and the (possibly repaired) parameters.

    pypowerwall glues ``start_date=`` onto ``time_zone`` (no ``&``); split it there.
    """
    fixed = dict(params)
    name = fixed.get("time_zone")
    if name is None or name == "":
        return ZoneInfo(site_zone), fixed
    zone = _zone(name)
    if zone is None and "start_date=" in name:
        head, _, tail = name.partition("start_date=")
        head = head.rstrip("&?")
        zone = _zone(head)
        if zone is not None:
            fixed["time_zone"] = head
            fixed.setdefault("start_date", tail)
    if zone is None:
        raise InvalidField.for_field("time_zone", f"unknown time zone {name!r}")
    return zone, fixed


def parse_instant(name: str, text: str, zone: ZoneInfo) -> datetime:
    """An aware instant from RFC 3339 text; naive times and bare dates are local in ``zone``."""
    m = _DT.match(text.strip()) if len(text) < 64 else None
    if m is None:
        raise InvalidField.for_field(name, f"cannot parse {text!r} as an RFC 3339 date-time")
    year, month, day, hh, mm, ss, off = m.groups()
    try:
        d = date(int(year), int(month), int(day))
        hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError("time out of range")
        if off is None:
            return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=zone)
        if off in ("Z", "z"):
            tz = UTC
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if delta >= timedelta(hours=24):
                raise ValueError("offset out of range")
            tz = timezone(sign * delta)
        return datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=tz)
    except (ValueError, OverflowError) as exc:
        raise InvalidField.for_field(name, f"invalid date-time {text!r}: {exc}") from exc


def parse_history_instant(name: str, text: str, zone: ZoneInfo) -> int:
    """A history date parameter as Unix seconds, inside [HISTORY_FIRST_S, HISTORY_LAST_S)."""
    t = parse_instant(name, text, zone)
    try:
        value = int(t.timestamp())
    except (OverflowError, ValueError) as exc:
        raise InvalidField.for_field(name, f"{text!r} is out of range") from exc
    if not HISTORY_FIRST_S <= value < HISTORY_LAST_S:
        raise InvalidField.for_field(name, "must be between 1900-01-01 and 2200-01-01")
    return value
