"""Pass P1 for the members of one side outside ``seasons`` (spec tariff.md §5.2, §5.3).

Walks the members in schema order, then unknown members in document order, recording
E03, E05, E16, E17, N01, W01, W07 and W10, and fills the side's draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from gridtwin.domain.profile import Quirk
from gridtwin.tariff.draft import BlockDraft, Collector, SideDraft, TableDraft
from gridtwin.tariff.iso4217 import DOCUMENTED_CURRENCIES, ISO_4217_CODES
from gridtwin.tariff.periods import check_seasons
from gridtwin.tariff.rules import ascii_text, number_text, path_index, path_key
from gridtwin.tariff.values import is_int, is_number, to_decimal

__all__ = ["TOP_MEMBERS", "check_fields", "unknown_text"]

_NUMBERS: Final = (
    "monthly_charges",
    "monthly_minimum_bill",
    "min_applicable_demand",
    "max_applicable_demand",
)
TOP_MEMBERS: Final = (
    "version",
    "code",
    "name",
    "utility",
    "currency",
    "daily_charges",
    "daily_demand_charges",
    "demand_charges",
    "energy_charges",
    "seasons",
    *_NUMBERS,
    "sell_tariff",
)
_STRINGS: Final = frozenset({"code", "name", "utility"})


def unknown_text(key: str) -> str:
    """W07 text for member ``key``."""
    return f"Unknown member '{ascii_text(key)}' is ignored (kept in the stored copy)."


def check_fields(
    doc: Mapping[str, object], side: SideDraft, quirks: frozenset[Quirk], buy_currency: object
) -> None:
    """Run P1 over one side's top-level members (``buy_currency`` only used by the sell side)."""
    members = TOP_MEMBERS[:-1] if side.is_sell else TOP_MEMBERS
    for name in members:
        if name in doc:
            _check_member(name, doc[name], side, quirks, buy_currency)
        elif name in ("energy_charges", "seasons"):
            side.out.add("E05", path_key(side.base, name), f"{name} is required")
        elif name == "currency":
            _check_currency(None, side, quirks, buy_currency)
    for key in doc:
        if key not in members:
            side.out.add("W07", path_key(side.base, key), unknown_text(key))


def _check_member(
    name: str, value: object, side: SideDraft, quirks: frozenset[Quirk], buy_currency: object
) -> None:
    path, out = path_key(side.base, name), side.out
    if name == "version":
        if not is_int(value):
            out.add("E03", path, "version must be an integer")
    elif name in _STRINGS:
        if not isinstance(value, str):
            out.add("E03", path, f"{name} must be a string")
    elif name == "currency":
        if isinstance(value, str):
            _check_currency(value, side, quirks, buy_currency)
        else:
            out.add("E03", path, "currency must be a string")
    elif name == "daily_charges":
        _check_daily(value, path, side)
    elif name == "daily_demand_charges":
        if not isinstance(value, dict):
            out.add("E03", path, f"{name} must be an object")
        elif value:
            out.add("W10", path, f"{name} is stored but not used in bills.")
    elif name in ("demand_charges", "energy_charges"):
        table = TableDraft(name, path, present=True)
        setattr(side, "demand" if name == "demand_charges" else "energy", table)
        _check_table(value, table, out)
        if side.is_sell and name == "demand_charges" and _has_nonzero(table):
            out.add("W10", path, f"{name} is stored but not used in bills.")
    elif name == "seasons":
        check_seasons(value, side)
    elif name in _NUMBERS:
        _check_number_member(name, value, path, out)
    elif name == "sell_tariff" and not isinstance(value, dict):
        out.add("E03", path, "sell_tariff must be an object")


def _check_number_member(name: str, value: object, path: str, out: Collector) -> None:
    if not is_number(value):
        out.add("E03", path, f"{name} must be a number")
    elif value != 0:
        out.add("W10", path, f"{name} is stored but not used in bills.")


def _check_currency(
    value: str | None, side: SideDraft, quirks: frozenset[Quirk], buy_currency: object
) -> None:
    side.currency = value
    path, out = path_key(side.base, "currency"), side.out
    if side.is_sell:
        buy = buy_currency if isinstance(buy_currency, str) else ""
        if value and value != buy:
            out.add(
                "E17",
                path,
                f"currency '{ascii_text(value)}' differs from the tariff "
                f"currency '{ascii_text(buy)}'.",
            )
        return
    if not value:
        out.add("E16", path, "currency is missing; use USD, EUR or GBP.")
    elif Quirk.CURRENCY_ANY_ISO4217 not in quirks:
        if value not in DOCUMENTED_CURRENCIES:
            out.add(
                "E16",
                path,
                f"currency '{ascii_text(value)}' is not supported; use USD, EUR or GBP.",
            )
    elif value not in ISO_4217_CODES:
        out.add("E16", path, f"currency '{ascii_text(value)}' is not an ISO 4217 code.")
    elif value not in DOCUMENTED_CURRENCIES:
        out.add(
            "W01",
            path,
            f"currency '{value}' is outside USD, EUR and GBP; accepted by this site's profile.",
        )


def _check_daily(value: object, path: str, side: SideDraft) -> None:
    out = side.out
    if not isinstance(value, list):
        out.add("E03", path, "daily_charges must be an array")
        return
    nonzero = False
    for index, item in enumerate(value):
        item_path = path_index(path, index)
        if not isinstance(item, dict):
            out.add("E03", item_path, f"daily_charges[{index}] must be an object")
            continue
        name, amount = _check_daily_item(item, item_path, out)
        nonzero = nonzero or amount != 0
        side.daily.append((name, max(amount, Decimal(0))))
    if side.is_sell and nonzero:
        out.add("W10", path, "daily_charges is stored but not used in bills.")


def _check_daily_item(item: dict[str, object], path: str, out: Collector) -> tuple[str, Decimal]:
    name = item.get("name", "")
    if not isinstance(name, str):
        out.add("E03", path_key(path, "name"), "name must be a string")
        name = ""
    amount = Decimal(0)
    if "amount" in item:
        raw = item["amount"]
        if not is_number(raw):
            out.add("E03", path_key(path, "amount"), "amount must be a number")
        else:
            amount = to_decimal(raw)
            if amount < 0:
                out.add(
                    "N01",
                    path_key(path, "amount"),
                    f"Negative price {number_text(raw)} is used as 0.",
                )
    for key in item:
        if key not in ("name", "amount"):
            out.add("W07", path_key(path, key), unknown_text(key))
    return name, amount


def _check_table(value: object, table: TableDraft, out: Collector) -> None:
    if not isinstance(value, dict):
        out.add("E03", table.path, f"{table.name} must be an object")
        return
    table.usable = True
    for key, block in value.items():
        block_path = path_key(table.path, key)
        if not isinstance(block, dict):
            out.add("E03", block_path, f"{ascii_text(key)} must be an object")
            continue
        rates = _check_rates(block["rates"], block_path, out) if "rates" in block else None
        for member in block:
            if member != "rates":
                out.add("W07", path_key(block_path, member), unknown_text(member))
        table.blocks.append(BlockDraft(key, block_path, rates))


def _check_rates(
    value: object, block_path: str, out: Collector
) -> dict[str, Decimal | None] | None:
    path = path_key(block_path, "rates")
    if not isinstance(value, dict):
        out.add("E03", path, "rates must be an object")
        return None
    rates: dict[str, Decimal | None] = {}
    for label, price in value.items():
        price_path = path_key(path, label)
        if not is_number(price):
            out.add("E03", price_path, f"{ascii_text(label)} must be a number")
            rates[label] = None
            continue
        exact = rates[label] = to_decimal(price)
        if exact < 0:
            out.add("N01", price_path, f"Negative price {number_text(price)} is used as 0.")
    return rates


def _has_nonzero(table: TableDraft) -> bool:
    return any(
        price is not None and price != 0
        for block in table.blocks
        for price in (block.rates or {}).values()
    )
