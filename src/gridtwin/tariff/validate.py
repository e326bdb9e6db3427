"""The validator: runs every rule of spec tariff.md §5 in the order of §5.2.

``validate`` takes a bare ``tariff_content_v2`` document and never raises for bad
content; ``validate_tou_settings`` takes the whole POST body.
"""

from __future__ import annotations

from collections.abc import Mapping

from gridtwin.domain.profile import Quirk
from gridtwin.tariff.compile import check_sell_above_buy, compile_side, compile_tariff
from gridtwin.tariff.coverage import check_coverage
from gridtwin.tariff.draft import Collector, SideDraft
from gridtwin.tariff.fields import check_fields
from gridtwin.tariff.model import Problem, Report
from gridtwin.tariff.prices import check_prices
from gridtwin.tariff.rules import APP_LABELS, ascii_text, join_names, path_key
from gridtwin.tariff.shape import body_problem, e01, find_v1_shape
from gridtwin.tariff.tiling import check_tiling
from gridtwin.tariff.values import is_int

__all__ = ["validate", "validate_tou_settings"]

_NO_QUIRKS: frozenset[Quirk] = frozenset()


def validate(doc: object, *, quirks: frozenset[Quirk] = _NO_QUIRKS) -> Report:
    """Validate a bare ``tariff_content_v2`` document with the site's quirks.

    doc: the parsed JSON value (numbers as int, float or Decimal).
    quirks: the quirks in force (only ``currency_any_iso4217`` matters here).
    Returns every problem in report order, and the compiled tariff when there is no error.
    """
    if not isinstance(doc, dict):
        return Report((e01(),))
    shape = find_v1_shape(doc)
    if shape is not None:
        return Report((shape,))
    problems: list[Problem] = []
    out = Collector(problems)
    buy = SideDraft("", out)
    _run_side(doc, buy, quirks, None)
    sell: SideDraft | None = None
    sell_doc = doc.get("sell_tariff")
    if isinstance(sell_doc, dict):
        sell = SideDraft("sell_tariff", out.for_side("sell_tariff: "))
        _run_side(sell_doc, sell, quirks, doc.get("currency"))
    if out.error_count:
        return Report(tuple(problems))
    sell_compiled = compile_side(sell) if sell is not None else None
    tariff = compile_tariff(buy, sell_compiled)
    if sell_compiled is not None:
        check_sell_above_buy(tariff.buy, sell_compiled, out)
    return Report(tuple(problems), tariff)


def validate_tou_settings(body: object, *, quirks: frozenset[Quirk] = _NO_QUIRKS) -> Report:
    """Validate a whole ``time_of_use_settings`` body ``{"tou_settings": {...}}``.

    E01 and E02 for ``tariff_content`` carry HTTP-level paths (``tou_settings....``).
    """
    problem, doc = body_problem(body)
    if problem is not None:
        return Report((problem,))
    return validate(doc, quirks=quirks)


def _run_side(
    doc: Mapping[str, object], side: SideDraft, quirks: frozenset[Quirk], buy_currency: object
) -> None:
    """Passes P1-P5 of one side."""
    check_fields(doc, side, quirks, buy_currency)
    check_coverage(side)
    check_tiling(side)
    check_prices(side)
    _side_warnings(doc, side)


def _side_warnings(doc: Mapping[str, object], side: SideDraft) -> None:
    """P5: W04, W05, W06, W11, W12, W13 (W04, W05, W11-W13 on the buy side only)."""
    out, seasons = side.out, side.counted_seasons()
    if not side.is_sell and "demand_charges" not in doc:
        out.add(
            "W04",
            "demand_charges",
            "demand_charges is missing; the Tesla app's value graphs may break.",
        )
    if not side.is_sell:
        for season in seasons:
            if season.name not in ("Summer", "Winter"):
                out.add(
                    "W05",
                    season.path,
                    f"Season name '{ascii_text(season.name)}' is not "
                    "Summer or Winter; the Tesla app's graphs may break.",
                )
    for season in seasons:
        odd = [ascii_text(x) for x in season.label_names() if x not in APP_LABELS]
        if odd:
            out.add(
                "W06", season.tou_path, f"Labels {join_names(odd)} are not shown by the Tesla app."
            )
    if not side.is_sell:
        _buy_only_warnings(doc, out)


def _buy_only_warnings(doc: Mapping[str, object], out: Collector) -> None:
    if "sell_tariff" not in doc:
        out.add("W11", "sell_tariff", "No sell_tariff: exported energy is valued at 0.")
    for member in ("name", "utility"):
        if doc.get(member, "") == "":
            out.add("W12", path_key("", member), f"{member} is missing; the Tesla app shows it.")
    version = doc.get("version", 1)
    if is_int(version) and version != 1:
        out.add("W13", "version", f"version {version} is not 1; the tariff is read as version 1.")
