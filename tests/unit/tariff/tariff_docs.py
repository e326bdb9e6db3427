"""Tariff documents for the TC-NN tests, built in code from the facts of spec tariff.md §9.1.

Nothing here is copied from reference files. Documents come back as the API parses
them: JSON numbers with a fraction are ``Decimal`` (``parse_float=Decimal``).

Source facts: F-PGE (Tesla Fleet API docs sample, PG&E EV2-A), F-TFA
(Teslemetry/python-tesla-fleet-api tests/fixtures/tariff_v2_sample.json, Apache-2.0),
F-HA-MULTI and F-HA-WEEK (home-assistant/core teslemetry fixtures, Apache-2.0),
F-AMBER-V1 (timdorr/tesla-api docs, MIT), F-AGL-V1 and F-SINGLE-V1 (facts listed in the
spec), F-FLAT (gridtwin's own).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from gridtwin.tariff import loads

Doc = dict[str, Any]


def api(doc: Doc) -> Doc:
    """``doc`` as the API would parse it (floats become Decimal)."""
    return loads(json.dumps(doc))


def period(days: str, start: str, end: str) -> Doc:
    """A Period with all six members: ``period("0-6", "16:00", "21:00")``."""
    first, last = (int(x) for x in days.split("-"))
    from_hour, from_minute = (int(x) for x in start.split(":"))
    to_hour, to_minute = (int(x) for x in end.split(":"))
    return {
        "fromDayOfWeek": first,
        "toDayOfWeek": last,
        "fromHour": from_hour,
        "fromMinute": from_minute,
        "toHour": to_hour,
        "toMinute": to_minute,
    }


def tou(**labels: list[Doc]) -> Doc:
    """``tou_periods`` from label=[periods] keywords, v2 shape."""
    return {label: {"periods": periods} for label, periods in labels.items()}


def season(from_md: tuple[int, int], to_md: tuple[int, int], tou_periods: Doc) -> Doc:
    return {
        "fromMonth": from_md[0],
        "fromDay": from_md[1],
        "toMonth": to_md[0],
        "toDay": to_md[1],
        "tou_periods": tou_periods,
    }


# --- F-PGE -----------------------------------------------------------------------------


def _pge_periods() -> Doc:
    return tou(
        PARTIAL_PEAK=[period("0-6", "15:00", "16:00"), period("0-6", "21:00", "00:00")],
        ON_PEAK=[period("0-6", "16:00", "21:00")],
        OFF_PEAK=[period("0-6", "00:00", "15:00")],
    )


def _pge_side() -> Doc:
    return {
        "daily_charges": [{"name": "Charge", "amount": 0}],
        "daily_demand_charges": {},
        "demand_charges": {
            "ALL": {"rates": {"ALL": 0}},
            "Summer": {"rates": {}},
            "Winter": {"rates": {}},
        },
        "energy_charges": {
            "ALL": {"rates": {"ALL": 0}},
            "Summer": {"rates": {"PARTIAL_PEAK": 0.4138, "ON_PEAK": 0.4305, "OFF_PEAK": 0.2451}},
            "Winter": {"rates": {"PARTIAL_PEAK": 0.4471, "ON_PEAK": 0.5576, "OFF_PEAK": 0.2451}},
        },
        "seasons": {
            "Summer": season((10, 1), (5, 31), _pge_periods()),
            "Winter": season((6, 1), (9, 30), _pge_periods()),
        },
    }


def pge() -> Doc:
    """F-PGE: PG&E EV2-A, two seasons, ON/PARTIAL/OFF peak, buy and sell."""
    names = {
        "utility": "Pacific Gas & Electric Co",
        "code": "PGE-EV-2A-TOU",
        "name": "Residential - Time of Use - Plug-In Electric Vehicle 2 (NEM 2.0)",
    }
    zeros = {
        "monthly_minimum_bill": 0,
        "min_applicable_demand": 0,
        "max_applicable_demand": 0,
        "monthly_charges": 0,
    }
    sell = {
        **zeros,
        **_pge_side(),
        "code": "",
        "currency": "",
        "name": names["name"],
        "utility": names["utility"],
    }
    return api(
        {"version": 1, **zeros, **names, "currency": "USD", **_pge_side(), "sell_tariff": sell}
    )


# --- F-TFA -----------------------------------------------------------------------------


def _tfa_period(start_min: int) -> Doc:
    """A half-hour period in the zero-omission form of Tesla's read-back."""
    end = start_min + 30
    fields = {
        "toDayOfWeek": 6,
        "fromHour": start_min // 60,
        "fromMinute": start_min % 60,
        "toHour": end // 60,
        "toMinute": end % 60,
    }
    return {k: v for k, v in fields.items() if v != 0}


def _tfa_label(start_min: int) -> str:
    return f"PERIOD_{start_min // 60:02d}_{start_min % 60:02d}"


def _tfa_buy_price(start_min: int) -> float:
    hour = start_min // 60
    if hour < 6:
        return 0.24
    return 0.42 if 16 <= hour < 21 else 0.31


def _tfa_sell_price(start_min: int) -> float:
    return 0.45 if 17 * 60 <= start_min < 18 * 60 + 30 else 0.0


def tfa() -> Doc:
    """F-TFA: 48 half-hour labels, AUD, zeros omitted, ``toHour`` 24, ``Winter: {}``."""
    starts = range(0, 1440, 30)
    periods = {_tfa_label(m): {"periods": [_tfa_period(m)]} for m in starts}
    seasons = {
        "Summer": {
            "fromDay": 1,
            "toDay": 31,
            "fromMonth": 1,
            "toMonth": 12,
            "tou_periods": periods,
        },
        "Winter": {},
    }
    buy_rates = {_tfa_label(m): _tfa_buy_price(m) for m in starts}
    sell_rates = {_tfa_label(m): _tfa_sell_price(m) for m in starts}
    return api(
        {
            "code": "POWER_SYNC:FLOW_POWER",
            "name": "Flow Power (PowerSync)",
            "utility": "Flow Power",
            "currency": "AUD",
            "version": 1,
            "daily_charges": [{"name": "Charge"}],
            "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "Summer": {}, "Winter": {}},
            "energy_charges": {
                "ALL": {"rates": {"ALL": 0}},
                "Summer": {"rates": buy_rates},
                "Winter": {},
            },
            "seasons": seasons,
            "sell_tariff": {
                "name": "Flow Power (managed by PowerSync)",
                "energy_charges": {
                    "ALL": {"rates": {"ALL": 0}},
                    "Summer": {"rates": sell_rates},
                    "Winter": {},
                },
                "seasons": copy.deepcopy(seasons),
            },
        }
    )


# --- F-HA-MULTI, F-HA-WEEK -------------------------------------------------------------


def _ha_period(first: int, last: int, from_hour: int, to_hour: int) -> Doc:
    return {"fromDayOfWeek": first, "toDayOfWeek": last, "fromHour": from_hour, "toHour": to_hour}


def _ha_doc(name: str, energy: Doc, sell_energy: Doc, seasons: Doc) -> Doc:
    def side(title: str, charges: Doc, daily: list[Doc]) -> Doc:
        return {
            "name": title,
            "utility": "Test Utility",
            "daily_charges": daily,
            "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
            "energy_charges": {"ALL": {"rates": {"ALL": 0}}, **charges},
            "seasons": copy.deepcopy(seasons),
        }

    buy = side(name, energy, [{"name": "Charge"}])
    return api(
        {"code": "Test", **buy, "sell_tariff": side(name + " Sell", sell_energy, []), "version": 1}
    )


def ha_multi() -> Doc:
    """F-HA-MULTI: Summer Apr-Sep and Winter Oct-Mar, PEAK and OFF_PEAK, no currency."""

    def two(peak_from: int, peak_to: int) -> Doc:
        return {
            "PEAK": {"periods": [_ha_period(0, 6, peak_from, peak_to)]},
            "OFF_PEAK": {"periods": [_ha_period(0, 6, peak_to, peak_from)]},
        }

    seasons = {
        "Summer": {
            "fromDay": 1,
            "toDay": 30,
            "fromMonth": 4,
            "toMonth": 9,
            "tou_periods": two(16, 21),
        },
        "Winter": {
            "fromDay": 1,
            "toDay": 31,
            "fromMonth": 10,
            "toMonth": 3,
            "tou_periods": two(17, 20),
        },
    }
    buy = {
        "Summer": {"rates": {"PEAK": 0.35, "OFF_PEAK": 0.2}},
        "Winter": {"rates": {"PEAK": 0.25, "OFF_PEAK": 0.12}},
    }
    sell = {
        "Summer": {"rates": {"PEAK": 0.18, "OFF_PEAK": 0.08}},
        "Winter": {"rates": {"PEAK": 0.12, "OFF_PEAK": 0.05}},
    }
    return _ha_doc("Multi Season Tariff", buy, sell, seasons)


def ha_week() -> Doc:
    """F-HA-WEEK: one WEEKEND label on days 4-0 (Friday through Monday); Tue-Thu uncovered."""
    seasons = {
        "Summer": {
            "fromDay": 1,
            "toDay": 31,
            "fromMonth": 1,
            "toMonth": 12,
            "tou_periods": {"WEEKEND": {"periods": [_ha_period(4, 0, 0, 0)]}},
        }
    }
    return _ha_doc(
        "Week Crossing Tariff",
        {"Summer": {"rates": {"WEEKEND": 0.15}}},
        {"Summer": {"rates": {"WEEKEND": 0.05}}},
        seasons,
    )


# --- v1 documents ----------------------------------------------------------------------


def _v1_side(name: str, utility: str, energy: Doc, seasons: Doc, extra: Doc | None = None) -> Doc:
    return {
        **(extra or {}),
        "name": name,
        "utility": utility,
        "daily_charges": [{"amount": 0, "name": "Charge"}],
        "demand_charges": {"ALL": {"ALL": 0}, "Summer": {}, "Winter": {}},
        "energy_charges": {"ALL": {"ALL": 0}, **energy},
        "seasons": copy.deepcopy(seasons),
    }


_V1_PLACEHOLDER = {"fromDay": 0, "toDay": 0, "fromMonth": 0, "toMonth": 0, "tou_periods": {}}


def _v1_season(from_md: tuple[int, int], to_md: tuple[int, int], periods: Doc) -> Doc:
    return {
        "fromDay": from_md[1],
        "toDay": to_md[1],
        "fromMonth": from_md[0],
        "toMonth": to_md[0],
        "tou_periods": periods,
    }


def amber_v1() -> Doc:
    """F-AMBER-V1: a ``{"response": v1}`` reply with an overnight OFF_PEAK on all days."""
    periods = {
        "ON_PEAK": [period("0-6", "05:30", "07:00"), period("0-6", "17:00", "20:00")],
        "PARTIAL_PEAK": [period("0-6", "07:00", "10:00"), period("0-6", "15:00", "17:00")],
        "OFF_PEAK": [
            period("0-6", "10:00", "10:30"),
            period("0-6", "10:30", "15:00"),
            period("0-6", "20:00", "05:30"),
        ],
    }
    seasons = {"Summer": _v1_season((1, 1), (12, 31), periods), "Winter": _V1_PLACEHOLDER}
    buy = {"Summer": {"ON_PEAK": 0.43, "PARTIAL_PEAK": 0.43, "OFF_PEAK": 0.01}, "Winter": {}}
    sell = {"Summer": {"ON_PEAK": 0.3, "PARTIAL_PEAK": 0.1, "OFF_PEAK": 0.01}, "Winter": {}}
    return api(
        {
            "response": {
                **_v1_side("Amber", "Amber", buy, seasons),
                "sell_tariff": _v1_side("Amber", "Amber", sell, seasons),
            }
        }
    )


def agl_v1() -> Doc:
    """F-AGL-V1: weekday/weekend schedules, a November ``Season3`` with overnight periods."""
    season3 = {
        "OFF_PEAK": [period("0-4", "21:00", "09:00"), period("5-6", "21:00", "04:30")],
        "ON_PEAK": [period("0-4", "17:00", "21:00"), period("5-6", "17:00", "21:00")],
        "PARTIAL_PEAK": [
            period("0-4", "09:00", "17:00"),
            period("5-6", "04:30", "05:30"),
            period("5-6", "13:30", "17:00"),
        ],
        "SUPER_OFF_PEAK": [period("5-6", "05:30", "13:30")],
    }

    def main(peak_end: str) -> Doc:
        return {
            "OFF_PEAK": [
                period("0-4", "06:00", "16:00"),
                period("0-4", peak_end, "00:00"),
                period("5-6", "06:00", "00:00"),
            ],
            "ON_PEAK": [period("0-4", "16:00", peak_end)],
            "SUPER_OFF_PEAK": [period("0-4", "00:00", "06:00"), period("5-6", "00:00", "06:00")],
        }

    seasons = {
        "Season3": _v1_season((11, 1), (11, 30), season3),
        "Summer": _v1_season((12, 1), (3, 31), main("21:00")),
        "Winter": _v1_season((4, 1), (10, 31), main("20:00")),
    }
    four = dict.fromkeys(("OFF_PEAK", "ON_PEAK", "PARTIAL_PEAK", "SUPER_OFF_PEAK"), 0.01)
    buy = {
        "Season3": four,
        "Summer": {"OFF_PEAK": 0.30, "ON_PEAK": 0.47, "SUPER_OFF_PEAK": 0.15},
        "Winter": {"OFF_PEAK": 0.30, "ON_PEAK": 0.35, "SUPER_OFF_PEAK": 0.08},
    }
    sevens = dict.fromkeys(("OFF_PEAK", "ON_PEAK", "SUPER_OFF_PEAK"), 0.07)
    sell = {"Season3": four, "Summer": sevens, "Winter": dict(sevens)}
    code = {"code": "(edited)"}
    return api(
        {
            "response": {
                **_v1_side("Test Tariff", "Acme Energy", buy, seasons, code),
                "sell_tariff": _v1_side("EV night saver (edited)", "AGL", sell, seasons),
            }
        }
    )


def single_v1() -> Doc:
    """F-SINGLE-V1: one flat rate as a 00:00-00:00 all-week period, a zero placeholder."""
    periods = {"OFF_PEAK": [period("0-6", "00:00", "00:00")]}
    seasons = {"Summer": _v1_season((1, 1), (12, 31), periods), "Winter": _V1_PLACEHOLDER}
    return api(
        {
            "response": {
                **_v1_side(
                    "Acme Energy", "Acme", {"Summer": {"OFF_PEAK": 0.2}, "Winter": {}}, seasons
                ),
                "sell_tariff": _v1_side(
                    "Acme energy", "Acme", {"Summer": {"OFF_PEAK": 0.04}, "Winter": {}}, seasons
                ),
            }
        }
    )


# --- F-FLAT ----------------------------------------------------------------------------


def _flat_seasons() -> Doc:
    return {"Summer": season((1, 1), (12, 31), tou(OFF_PEAK=[period("0-6", "00:00", "00:00")]))}


def flat(buy: str = "0.20", sell: str = "0.05") -> Doc:
    """``FLAT(b, s)``: F-FLAT with buy OFF_PEAK price ``buy`` and sell price ``sell``."""
    return {
        "version": 1,
        "code": "FLAT",
        "name": "Flat",
        "utility": "Test",
        "currency": "USD",
        "daily_charges": [{"name": "Charge", "amount": 0}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
        "energy_charges": {
            "ALL": {"rates": {"ALL": 0}},
            "Summer": {"rates": {"OFF_PEAK": Decimal(buy)}},
        },
        "seasons": _flat_seasons(),
        "sell_tariff": {
            "name": "Flat",
            "utility": "Test",
            "currency": "",
            "energy_charges": {
                "ALL": {"rates": {"ALL": 0}},
                "Summer": {"rates": {"OFF_PEAK": Decimal(sell)}},
            },
            "seasons": _flat_seasons(),
        },
    }


def _prices(prices: dict[str, str]) -> Doc:
    return {label: Decimal(price) for label, price in prices.items()}


def buy_periods(doc: Doc, prices: dict[str, str], **labels: list[Doc]) -> Doc:
    """Replace the buy side's Summer ``tou_periods`` and Summer energy rates."""
    doc["seasons"]["Summer"]["tou_periods"] = tou(**labels)
    doc["energy_charges"]["Summer"]["rates"] = _prices(prices)
    return doc


def sell_periods(doc: Doc, prices: dict[str, str], **labels: list[Doc]) -> Doc:
    """Replace the sell side's Summer ``tou_periods`` and Summer energy rates."""
    sell = doc["sell_tariff"]
    sell["seasons"]["Summer"]["tou_periods"] = tou(**labels)
    sell["energy_charges"]["Summer"]["rates"] = _prices(prices)
    return doc
