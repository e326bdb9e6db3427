"""The results table of a fleet study (pyarrow) and its deterministic Parquet file.

One row per home and variant (the no-battery baseline first), sorted by (home_id,
variant_index). The file is written in row groups of a fixed size whatever the chunking,
so the same study gives byte-identical Parquet for any number of workers or chunk size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from gridtwin.services.fleet.chunk import FLOW_COLUMNS, Row
from gridtwin.services.fleet.config import FleetStudy
from gridtwin.services.fleet.population import Home
from gridtwin.tariff import round_money

__all__ = ["ROW_GROUP", "SCHEMA", "ParquetSink", "rows_table"]

ROW_GROUP = 8192
SCHEMA = pa.schema([
    ("home_id", pa.int64()), ("variant_index", pa.int16()), ("variant", pa.string()),
    ("region", pa.string()), ("tariff", pa.string()), ("currency", pa.string()),
    ("solar_kw", pa.float64()), ("battery_model", pa.string()), ("battery_count", pa.int16()),
    ("annual_kwh", pa.float64()), ("ev_kwh", pa.float64()),
    *((name, pa.float64()) for name in FLOW_COLUMNS),
    ("self_sufficiency_pct", pa.float64()), ("peak_import_kw", pa.float64()),
    ("bill", pa.float64()), ("savings", pa.float64()),
])


def rows_table(study: FleetStudy, homes: dict[int, Home], rows: Sequence[Row]) -> pa.Table:
    """The rows as a table in SCHEMA (energies in kWh, money rounded to cents)."""
    names = ["no battery", *(v.name for v in study.variants)]
    cols: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    for r in rows:
        h = homes[r.home_id]
        values: dict[str, Any] = {
            "home_id": r.home_id, "variant_index": r.variant_index,
            "variant": names[r.variant_index], "region": h.region, "tariff": h.tariff,
            "currency": study.tariffs[h.tariff].compiled.currency, "solar_kw": h.solar_kw,
            "battery_model": h.battery_model if r.variant_index and h.battery_count else "",
            "battery_count": h.battery_count if r.variant_index else 0,
            "annual_kwh": h.annual_kwh, "ev_kwh": h.ev_kwh,
            "self_sufficiency_pct": r.self_sufficiency_pct,
            "peak_import_kw": r.peak_import_w / 1000.0,
            "bill": float(round_money(r.bill)), "savings": float(round_money(r.savings))}
        for name, wh in zip(FLOW_COLUMNS, r.flows_wh, strict=True):
            values[name] = wh / 1000.0
        for key, value in values.items():
            cols[key].append(value)
    return pa.Table.from_pydict(cols, schema=SCHEMA)


class ParquetSink:
    """Appends tables in order and writes them in ROW_GROUP-row groups."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self._pending: list[pa.Table] = []
        self._rows = 0

    def append(self, table: pa.Table) -> None:
        self._pending.append(table)
        self._rows += table.num_rows
        if self._rows >= ROW_GROUP:
            joined = pa.concat_tables(self._pending)
            whole = joined.num_rows // ROW_GROUP * ROW_GROUP
            for lo in range(0, whole, ROW_GROUP):
                self._writer.write_table(joined.slice(lo, ROW_GROUP), row_group_size=ROW_GROUP)
            rest = joined.slice(whole)
            self._pending, self._rows = [rest], rest.num_rows

    def close(self) -> None:
        if self._rows:
            self._writer.write_table(pa.concat_tables(self._pending), row_group_size=ROW_GROUP)
        self._pending, self._rows = [], 0
        self._writer.close()
