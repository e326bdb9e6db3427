"""Reading study files (``simulate`` configs and fleet studies): typed reads from TOML
tables that collect every problem instead of stopping at the first, and the variants
(``[[variant]]`` tables and a ``[matrix]`` of their combinations) both files share."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from gridtwin import tariff
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.services.whatif import Variant

__all__ = ["StudyFileError", "TableReader", "read_tariff_doc", "read_variants"]

BASELINE_NAME = "no battery"
"""The name results give the same home without a battery; no variant may take it."""


class StudyFileError(ValueError):
    """An invalid study file; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class TableReader:
    """Typed reads from TOML tables; problems are collected in ``problems``."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def num(self, table: dict[str, Any], key: str, path: str, default: float | None,
            lo: float, hi: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            self.problems.append(f"{path}.{key}: must be a number {lo:g}-{hi:g}")
            return lo
        return float(value)

    def text(self, table: dict[str, Any], key: str, path: str, default: str | None,
             allowed: tuple[str, ...] | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            choice = f" one of {', '.join(allowed)}" if allowed else " a string"
            self.problems.append(f"{path}.{key}: must be{choice}")
            return allowed[0] if allowed else ""
        return value

    def flag(self, table: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problems.append(f"{path}.{key}: must be true or false")
            return default
        return value

    def table(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(f"{key}: must be a table")
            return {}
        return value


def _variant(r: TableReader, item: dict[str, Any], path: str) -> Variant:
    mode = r.text(item, "mode", path, "self_consumption", tuple(m.value for m in OperationMode))
    reserve = int(r.num(item, "reserve", path, 20, 0, 100))
    export = r.text(item, "export", path, "pv_only", tuple(e.value for e in ExportRule))
    charging = r.flag(item, "grid_charging", path, True)
    strategy = r.text(item, "strategy", path, "economics", tuple(s.value for s in Strategy))
    controls = SiteControls(backup_reserve_pct=reserve, mode=OperationMode(mode),
                            export_rule=ExportRule(export), grid_charging_allowed=charging,
                            strategy=Strategy(strategy))
    default = f"{mode} {reserve}% {export}" + ("" if charging else " no-grid-charging")
    return Variant(str(item.get("name", default)), controls)


def read_variants(r: TableReader, doc: dict[str, Any]) -> tuple[Variant, ...]:
    """The ``[[variant]]`` tables, then every combination of the ``[matrix]`` lists (mode,
    reserve, export, grid_charging); one default variant when there is neither."""
    out: list[Variant] = []
    listed = doc.get("variant", [])
    if not isinstance(listed, list):
        r.problems.append("variant: use [[variant]] tables")
        listed = []
    for i, item in enumerate(listed):
        out.append(_variant(r, item if isinstance(item, dict) else {}, f"variant[{i}]"))
    matrix = r.table(doc, "matrix")
    keys = [k for k in ("mode", "reserve", "export", "grid_charging") if k in matrix]
    if keys:
        lists = [v if isinstance(v, list) else [v] for v in (matrix[k] for k in keys)]
        for combo in itertools.product(*lists):
            out.append(_variant(r, dict(zip(keys, combo, strict=True)), "matrix"))
    if not out:
        out.append(_variant(r, {}, "variant"))
    names = [v.name for v in out]
    if len(set(names)) != len(names) or BASELINE_NAME in names:
        r.problems.append(f'variant: names must be unique and not "{BASELINE_NAME}"')
    return tuple(out)


def read_tariff_doc(r: TableReader, table: dict[str, Any], base: Path, where: str
                    ) -> dict[str, Any] | None:
    """The tariff_content_v2 document a ``[tariff]``-like table names: ``file`` (relative
    to ``base``) or an inline ``content`` table; None (with its problem recorded under
    ``where``) when there is none or it cannot be read."""
    try:
        if "file" in table:
            doc = tariff.loads((base / str(table["file"])).read_text(encoding="utf-8-sig"))
        elif isinstance(table.get("content"), dict):
            doc = tariff.loads(json.dumps(table["content"]))
        else:
            r.problems.append(f"{where}: give file = PATH or a [{where}.content] table")
            return None
    except (OSError, ValueError) as exc:
        r.problems.append(f"{where}.file: cannot read: {exc}")
        return None
    if not isinstance(doc, dict):
        r.problems.append(f"{where}: must be a tariff_content_v2 object")
        return None
    return dict(doc)
