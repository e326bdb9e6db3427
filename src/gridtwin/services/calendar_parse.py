"""Instants in control-plane bodies: Unix seconds, RFC 3339 text, or ``+PT2H``-style offsets."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from gridtwin.core.errors import InvalidField
from gridtwin.services.timeparams import parse_instant

__all__ = ["parse_duration_s", "parse_when"]

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def parse_duration_s(name: str, text: str) -> int:
    m = _DURATION.match(text)
    if not m or text in ("P", "PT"):
        raise InvalidField.for_field(name, f"cannot parse duration {text!r} (ISO 8601, e.g. PT2H)")
    d, h, mi, s = (int(m.group(k) or 0) for k in ("d", "h", "m", "s"))
    return ((d * 24 + h) * 60 + mi) * 60 + s


def parse_when(name: str, value: Any, now_s: int) -> int:
    """An instant [Unix s] from an int, an RFC 3339 string (UTC if naive) or ``+P…`` from now."""
    if isinstance(value, bool):
        raise InvalidField.for_field(name, "must be an instant")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.startswith("+"):
            return now_s + parse_duration_s(name, value[1:])
        return int(parse_instant(name, value, UTC).timestamp())  # type: ignore[arg-type]
    raise InvalidField.for_field(name, "must be Unix seconds, RFC 3339 text or +PT…")
