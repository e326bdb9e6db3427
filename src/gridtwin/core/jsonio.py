"""Strict JSON in and out.

Parsing keeps decimal number text (``parse_float=Decimal``) and member order, and refuses
``NaN``/``Infinity`` and lone UTF-16 surrogates (``"\\ud800"``: not Unicode text, so it
could be neither stored nor echoed; RFC 8259 §8.2, I-JSON). Dumping writes Decimals with their own text, never NaN/Infinity,
compact and byte-stable for identical input (wire-format §1.3, tariff.md §1).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any

from gridtwin.core.errors import InvalidRequest

__all__ = ["JsonError", "dataclass_dict", "dumps", "load_object", "loads"]


class JsonError(ValueError):
    """The text is not strict JSON."""


def _no_constants(name: str) -> Any:
    raise JsonError(f"{name} is not valid JSON")


# Text that may decode to a surrogate: a \uD800-\uDFFF escape, or (json decodes bytes
# with "surrogatepass") a UTF-8-encoded surrogate.
_MAY_HOLD_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_MAY_HOLD_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str | bytes, *, decimals: bool = True) -> Any:
    """Parse strict JSON. Floats become Decimal (wire and tariff text), or float for
    gridtwin's own stored documents with ``decimals=False``. Raises JsonError."""
    try:
        value = json.loads(text, parse_float=Decimal if decimals else float,
                           parse_constant=_no_constants)
    except JsonError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonError(str(exc)) from exc
    screen = (_MAY_HOLD_SURROGATE_BYTES.search(text) if isinstance(text, bytes)
              else _MAY_HOLD_SURROGATE.search(text))
    if screen is not None:
        _refuse_surrogates(value)
    return value


def load_object(raw: bytes, *, decimals: bool = True) -> dict[str, Any]:
    """A request body as a JSON object, whatever Content-Type says; empty means {}.
    Raises InvalidRequest (the API's 400) for anything else."""
    if not raw.strip():
        return {}
    try:
        data = loads(raw, decimals=decimals)
    except (JsonError, UnicodeDecodeError) as exc:
        raise InvalidRequest() from exc
    if not isinstance(data, dict):
        raise InvalidRequest()
    return data


def _refuse_surrogates(value: Any) -> None:
    """Raise JsonError if a string or key holds a surrogate. The parser joins a valid
    pair into one character, so any surrogate left is a lone one. Iterative: the
    parser accepts nesting as deep as the recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise JsonError("a string holds a lone UTF-16 surrogate (not Unicode text)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_escape = json.JSONEncoder(ensure_ascii=False).encode


def _number(value: float | Decimal) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite number")
        return str(value) if "E" not in str(value) else format(value, "f")
    if not math.isfinite(value):
        raise ValueError("non-finite number")
    return repr(value)


def _dump(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_escape(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float | Decimal):
        out.append(_number(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(_escape(str(key)))
            out.append(":")
            _dump(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _dump(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")


_fast = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    """Compact strict JSON text; Decimals keep their digits.

    Without Decimals the C encoder writes the same bytes several times faster (large
    history replies hold the GIL for less); with one it raises TypeError, and the
    pure-Python writer handles the document. (They differ only on bool or None object
    keys, which no gridtwin document has.)
    """
    try:
        return str(_fast(value))
    except TypeError:
        pass
    out: list[str] = []
    _dump(value, out)
    return "".join(out)


_LEAVES = frozenset({str, int, float, bool, type(None), Decimal})


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for another type), computed once per class."""
    try:
        return _FIELD_NAMES[kind]
    except KeyError:
        names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
        _FIELD_NAMES[kind] = names
        return names


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple or kind is list:
        return kind([_plain(v) for v in value])
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _field_names(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value  # an enum or another immutable leaf


def dataclass_dict(value: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for dataclasses of immutable leaves, several times faster
    (no deep copy of leaves; field names cached per class). Saving thousands of sites
    at once (a scenario load) spent most of its time in ``asdict``."""
    out: dict[str, Any] = _plain(value)
    return out
