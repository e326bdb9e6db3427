"""The tariff engine: ``tariff_content_v2`` validation, price lookup and bills.

Implements spec/tariff.md. Pure: no I/O, no clock reads, no randomness. Typical use::

    report = validate(doc, quirks=active_quirks(profile))
    if report.ok:
        point = price_at(report.tariff, when, "America/Los_Angeles")

Only ``report.tariff`` (a ``CompiledTariff``) is priced; raw documents never are.
"""

from __future__ import annotations

from gridtwin.tariff.bill import bill_totals, compute_bill
from gridtwin.tariff.billtypes import Bill, DemandLine, EnergyLine, Intervals, round_money
from gridtwin.tariff.convert import convert_v1, has_v1_marker, unwrap_v1
from gridtwin.tariff.httpparts import full_path, http_error_parts
from gridtwin.tariff.jsontext import dumps, loads
from gridtwin.tariff.lookup import price_at, segments
from gridtwin.tariff.model import (
    CompiledSide,
    CompiledTariff,
    PricePoint,
    Problem,
    Report,
    Segment,
    Severity,
)
from gridtwin.tariff.readback import zero_omission_echo
from gridtwin.tariff.rules import RULES
from gridtwin.tariff.schedule import (
    ClassSeries,
    class_series,
    classes_at,
    label_series,
    price_series,
)
from gridtwin.tariff.validate import validate, validate_tou_settings

__all__ = [
    "RULES",
    "Bill",
    "ClassSeries",
    "CompiledSide",
    "CompiledTariff",
    "DemandLine",
    "EnergyLine",
    "Intervals",
    "PricePoint",
    "Problem",
    "Report",
    "Segment",
    "Severity",
    "bill_totals",
    "class_series",
    "classes_at",
    "compute_bill",
    "convert_v1",
    "dumps",
    "full_path",
    "has_v1_marker",
    "http_error_parts",
    "label_series",
    "loads",
    "price_at",
    "price_series",
    "round_money",
    "segments",
    "unwrap_v1",
    "validate",
    "validate_tou_settings",
    "zero_omission_echo",
]
