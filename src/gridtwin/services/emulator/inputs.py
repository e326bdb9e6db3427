"""Typed reading of control-plane JSON, every problem recorded under its JSON path.

Control-plane input is checked here, at the edge, before anything is written: types,
ranges, known members, and text lengths that fit the store's columns, so the database
never refuses a value (issue 12). Numbers are compared as given (a 400-digit integer is
out of range, never an overflow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gridtwin.core.errors import InvalidField
from gridtwin.store import schema

__all__ = ["MAX_INSTANT_S", "NAME_CHARS", "Problems", "Reader", "column_chars", "is_number",
           "shown_value"]

MAX_INSTANT_S = 253_402_300_799
"""9999-12-31T23:59:59Z: the last instant RFC 3339 can write."""


def column_chars(column: Any) -> int:
    """The character limit of a String column of the store schema."""
    length = getattr(column.type, "length", None)
    assert isinstance(length, int), column
    return length


NAME_CHARS = {
    "user": column_chars(schema.users.c.id),
    "din": column_chars(schema.charge_sessions.c.din),
    "vehicle_id": column_chars(schema.charge_sessions.c.vehicle_id),
}
"""Text members that end up in a String column, and that column's size."""

_SHOWN_KEY_CHARS = 64


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def shown_value(value: object) -> str:
    """A refused JSON value as a message shows it: its type, and the value when short
    (a 400-digit integer or a long text is named, not echoed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 24 else f"an integer of {len(text.lstrip('-'))} digits"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) <= 24 else f"text of {len(value)} characters"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _shown(key: str) -> str:
    return key if len(key) <= _SHOWN_KEY_CHARS else key[:_SHOWN_KEY_CHARS] + "…"


class Problems:
    """Problems by JSON path, in order of discovery."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, path: str, text: str) -> None:
        self.messages.setdefault(path, []).append(text)

    def raise_if_any(self) -> None:
        if self.messages:
            path, texts = next(iter(self.messages.items()))
            raise InvalidField(f"{path}: {texts[0]}", self.messages)


class Reader:
    """The members of one JSON object at ``path``; a wrong member is recorded, and the
    reader returns the default so checking goes on and every problem is listed."""

    def __init__(self, problems: Problems, data: object, path: str,
                 known: Iterable[str] | None = None) -> None:
        self.problems = problems
        self.path = path
        if data is None:
            data = {}
        if not isinstance(data, dict):
            problems.add(path, "must be an object")
            data = {}
        self.data: Mapping[str, Any] = data
        if known is not None:
            allowed = tuple(known)
            for key in data:
                if key not in allowed:
                    self.add(key, f"unknown member; one of {', '.join(allowed)}")

    def at(self, key: str) -> str:
        shown = _shown(key)
        return f"{self.path}.{shown}" if self.path else shown

    def add(self, key: str, text: str) -> None:
        self.problems.add(self.at(key), text)

    def given(self, key: str) -> bool:
        return self.data.get(key) is not None

    def number(self, key: str, default: float, lo: float, hi: float) -> float:
        value = self.data.get(key, default)
        if not is_number(value) or not lo <= value <= hi:
            self.add(key, f"must be a number {lo:g}-{hi:g}")
            return default
        return float(value)

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            self.add(key, f"must be an integer {lo}-{hi}")
            return default
        return int(value)

    def optional_integer(self, key: str, lo: int, hi: int) -> int | None:
        return self.integer(key, lo, lo, hi) if self.given(key) else None

    def optional_number(self, key: str, lo: float, hi: float) -> float | None:
        return self.number(key, lo, lo, hi) if self.given(key) else None

    def text(self, key: str, default: str, max_chars: int) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not 1 <= len(value) <= max_chars:
            self.add(key, f"must be text of 1-{max_chars} characters")
            return default
        return value

    def optional_text(self, key: str, max_chars: int) -> str | None:
        if not self.given(key):
            return None
        return self.text(key, "", max_chars) or None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.add(key, "must be true or false")
            return default
        return value

    def choice(self, key: str, default: str, allowed: Iterable[str]) -> str:
        options = tuple(allowed)
        value = self.data.get(key, default)
        if not isinstance(value, str) or value not in options:
            self.add(key, f"must be one of {', '.join(options)}")
            return default
        return value

    def child(self, key: str, known: Iterable[str] | None = None) -> Reader:
        """The object member ``key`` (absent or null reads as empty)."""
        return Reader(self.problems, self.data.get(key), self.at(key), known)

    def items(self, key: str, default: list[Any], max_items: int) -> list[Any]:
        value = self.data.get(key, default)
        if not isinstance(value, list) or len(value) > max_items:
            self.add(key, f"must be a list of at most {max_items} items")
            return []
        return value
