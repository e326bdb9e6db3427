"""Validation of an imported state snapshot's rows against the store schema, so an import
is refused (400 naming ``tables.<table>[i].<column>``) before anything is deleted, and no
value reaches a column that cannot hold it (lengths and ranges are checked here, never by
the database)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, String, Table, Text

from gridtwin.core import jsonio
from gridtwin.domain.codec import controls_from_dict, spec_from_dict
from gridtwin.domain.events import EventType
from gridtwin.sim.codec import state_from_dict
from gridtwin.store import schema

__all__ = ["MAX_PROBLEMS_PER_TABLE", "Rows", "check_tables", "importable_tables"]

Problems = Callable[[str, str], None]


def importable_tables() -> dict[str, Table]:
    """Every stored table of the world: not ``meta`` (secrets and the clock travel as their
    own members) nor the control tables (faults travel as their own member; rate buckets
    and the journal belong to the running server) nor the caches (rebuilt from the rows)."""
    return {t.name: t for t in schema.metadata.sorted_tables
            if t.name != "meta" and t.name not in schema.CONTROL_TABLES | schema.CACHE_TABLES}


def _value_problem(col: Column[Any], value: Any) -> str | None:
    """Why ``value`` cannot go into ``col``, or None when it can."""
    if value is None:
        return None if col.nullable or _generated(col) else "must not be null"
    kind = col.type
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(kind, Integer):  # BigInteger is an Integer
        bits = 63 if isinstance(kind, BigInteger) else 31
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be an integer"
        return None if -(2**bits) <= value < 2**bits else f"must fit in {bits + 1} bits"
    if isinstance(kind, Float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "must be a finite number"
    if isinstance(kind, String):  # Text is a String without a length
        if not isinstance(value, str):
            return "must be text"
        if kind.length is not None and not isinstance(kind, Text) and len(value) > kind.length:
            return f"must be at most {kind.length} characters"
        return None
    return None


def _generated(col: Column[Any]) -> bool:
    """True when the database fills the column if it is left out."""
    return (col.default is not None or col.server_default is not None
            or (col.primary_key and col.autoincrement is True))


def _check_site(add: Problems, path: str, row: dict[str, Any]) -> None:
    """The site's JSON documents decode as a spec, controls and a simulation state."""
    decoders = (("spec_json", spec_from_dict), ("controls_json", controls_from_dict),
                ("state_json", state_from_dict))
    for column, decode in decoders:
        try:
            decode(jsonio.loads(row[column], decimals=False))
        except Exception:
            add(f"{path}.{column}", "is not a valid stored document")


def _check_event(add: Problems, path: str, row: dict[str, Any]) -> None:
    if row["type"] not in {t.value for t in EventType}:
        add(f"{path}.type", "is not an event type")
    try:
        params = jsonio.loads(row["params_json"], decimals=False)
    except Exception:
        params = None
    if not isinstance(params, dict):
        add(f"{path}.params_json", "must be a JSON object")


def _check_json(add: Problems, path: str, text: str) -> None:
    try:
        jsonio.loads(text, decimals=False)
    except Exception:
        add(path, "must be JSON text")


MAX_PROBLEMS_PER_TABLE = 20
"""A bad table reports its first problems, not one per row of a large history."""


class Rows:
    """One table's imported rows, read lazily as column -> value objects: either a list of
    objects or the export's ``{columns, rows}`` arrays (never all expanded at once)."""

    def __init__(self, columns: list[str] | None, items: list[Any]) -> None:
        self.columns, self.items = columns, items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.columns is None:
            yield from self.items
        else:
            for values in self.items:
                yield dict(zip(self.columns, values, strict=True))


def check_tables(add: Problems, data: Any) -> dict[str, Rows]:
    """The snapshot's ``tables`` member, checked row by row; problems go to ``add``."""
    if not isinstance(data, dict):
        add("tables", "must be an object of table names to row lists")
        return {}
    tables = importable_tables()
    out: dict[str, Rows] = {}
    for name, raw in data.items():
        path = f"tables.{str(name)[:64]}"
        table = tables.get(name)
        if table is None:
            add(path, f"unknown table; one of {', '.join(tables)}")
            continue
        rows = _rows(add, path, table, raw)
        if rows is not None and _check_rows(add, path, table, rows):
            out[name] = rows
    return out


def _check_rows(add: Problems, path: str, table: Table, rows: Rows) -> bool:
    found = 0

    def count(where: str, text: str) -> None:
        nonlocal found
        found += 1
        if found <= MAX_PROBLEMS_PER_TABLE:
            add(where, text)

    pk = [c.name for c in table.primary_key.columns]
    previous: tuple[Any, ...] | None = None
    ordered = True
    for i, row in enumerate(rows):
        rpath = f"{path}[{i}]"
        if not _check_row(count, rpath, table, row):
            continue
        key = tuple(row.get(c) for c in pk)
        if None not in key:
            if previous is not None and key <= previous:
                ordered = False
            previous = key
        if table.name == "sites":
            _check_site(count, rpath, row)
        elif table.name == "site_events":
            _check_event(count, rpath, row)
        elif table.name == "tariffs":
            _check_json(count, f"{rpath}.raw_json", row["raw_json"])
    if found == 0 and not ordered:
        # Exports are in key order, so this set is only built for hand-made snapshots.
        keys: set[tuple[Any, ...]] = set()
        for i, row in enumerate(rows):
            key = tuple(row.get(c) for c in pk)
            if None not in key:
                if key in keys:
                    count(f"{path}[{i}]", f"repeats the key {', '.join(pk)} of an earlier row")
                keys.add(key)
    return found == 0


def _rows(add: Problems, path: str, table: Table, rows: Any) -> Rows | None:
    """A list of row objects, or the export's ``{columns, rows}`` arrays."""
    if isinstance(rows, list):
        return Rows(None, rows)
    if not isinstance(rows, dict) or set(rows) != {"columns", "rows"}:
        add(path, "must be a list of rows or {columns, rows}")
        return None
    columns, arrays = rows["columns"], rows["rows"]
    known = {c.name for c in table.columns}
    if (not isinstance(columns, list) or not all(isinstance(c, str) and c in known for c in columns)
            or len(set(columns)) != len(columns)):
        add(f"{path}.columns", f"must list distinct columns of {table.name}")
        return None
    if not isinstance(arrays, list):
        add(f"{path}.rows", "must be a list of value arrays")
        return None
    for i, values in enumerate(arrays):
        if not isinstance(values, list) or len(values) != len(columns):
            add(f"{path}.rows[{i}]", f"must be an array of {len(columns)} values")
            return None
    return Rows(columns, arrays)


def _check_row(add: Problems, path: str, table: Table, row: Any) -> bool:
    """True when the row's columns are all known and hold acceptable values."""
    if not isinstance(row, dict):
        add(path, "must be an object of column values")
        return False
    columns = {c.name: c for c in table.columns}
    ok = True
    for key in row:
        if key not in columns:
            add(f"{path}.{str(key)[:64]}", f"unknown column of {table.name}")
            ok = False
    for name, col in columns.items():
        if name not in row:
            if not (col.nullable or _generated(col)):
                add(path, f"misses the column {name}")
                ok = False
            continue
        problem = _value_problem(col, row[name])
        if problem is not None:
            add(f"{path}.{name}", problem)
            ok = False
    return ok
