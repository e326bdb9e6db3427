"""Spec tariff.md §9.2, shape, v1 and currency: TC-26 to TC-31 (TC-26 (c) is in test_cli)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import tariff_docs as td
from tariff_checks import check_point, ids, look

from gridtwin.domain.profile import Profile, Quirk, active_quirks
from gridtwin.tariff import http_error_parts, validate, validate_tou_settings

OBSERVED = active_quirks(Profile.OBSERVED)
P = "seasons.Summer.tou_periods.OFF_PEAK.periods[0]"


def test_tc26a_v1_sent_as_tariff_content() -> None:
    body = {"tou_settings": {"tariff_content": td.amber_v1()["response"]}}
    report = validate_tou_settings(body)
    assert ids(report) == [("E02", "tou_settings.tariff_content")]
    description, messages = http_error_parts(report)
    assert list(messages) == ["tou_settings.tariff_content"]
    assert messages["tou_settings.tariff_content"] == [
        "E02: This is the v1 (tariff_content) shape: tariff_content was sent. Send "
        "tariff_content_v2 (convert v1 with 'gridtwin tariff convert-v1')."
    ]
    assert description == messages["tou_settings.tariff_content"][0][5:]


def test_tc26b_v1_sent_as_tariff_content_v2() -> None:
    body = {"tou_settings": {"tariff_content_v2": td.amber_v1()["response"]}}
    report = validate_tou_settings(body)
    _, messages = http_error_parts(report)
    key = "tou_settings.tariff_content_v2.demand_charges.ALL"
    assert list(messages) == [key]
    assert messages[key] == [
        "E02: This is the v1 (tariff_content) shape: demand_charges.ALL holds prices without "
        "a rates object. Send tariff_content_v2 (convert v1 with 'gridtwin tariff convert-v1')."
    ]


def _currency(doc: dict, value: str | None) -> dict:
    if value is None:
        doc.pop("currency")
    else:
        doc["currency"] = value
    return doc


def test_tc27_currency() -> None:
    aud = _currency(td.flat(), "AUD")
    report = validate(aud)
    assert ids(report) == [("E16", "currency")]
    assert report.errors[0].text == "currency 'AUD' is not supported; use USD, EUR or GBP."
    report = validate(aud, quirks=OBSERVED)
    assert ids(report) == []
    assert ids(report, "warnings") == [("W01", "currency")]
    assert report.warnings[0].text == (
        "currency 'AUD' is outside USD, EUR and GBP; accepted by this site's profile."
    )
    lower = _currency(td.flat(), "aud")
    assert ids(validate(lower)) == [("E16", "currency")]
    assert ids(validate(lower, quirks=OBSERVED)) == [("E16", "currency")]
    assert validate(lower, quirks=OBSERVED).errors[0].text == (
        "currency 'aud' is not an ISO 4217 code."
    )
    report = validate(_currency(td.flat(), None))
    assert ids(report) == [("E16", "currency")]
    assert report.errors[0].text == "currency is missing; use USD, EUR or GBP."


@pytest.mark.parametrize(
    ("sell_currency", "errors"),
    [
        ("", []),
        (None, []),
        ("USD", []),
        ("EUR", [("E17", "sell_tariff.currency")]),
    ],
)
def test_tc27_sell_currency(sell_currency: str | None, errors: list) -> None:
    doc = td.flat()
    _currency(doc["sell_tariff"], sell_currency)
    report = validate(doc)
    assert ids(report) == errors
    if errors:
        assert report.errors[0].text == (
            "sell_tariff: currency 'EUR' differs from the tariff currency 'USD'."
        )


def test_tc28_synthetic_multi_season_fixture() -> None:
    report = validate(td.ha_multi())
    assert ids(report) == [("E16", "currency")]
    assert ids(report, "warnings") == [
        ("W06", f"{side}seasons.{s}.tou_periods")
        for side in ("", "sell_tariff.")
        for s in ("Summer", "Winter")
    ]
    doc = td.ha_multi()
    doc["currency"] = "USD"
    report = validate(doc)
    assert ids(report) == []
    tariff = report.tariff
    check_point(look(tariff, "2025-07-01 18:00"), "Summer", "PEAK", "0.35", "0.18")
    check_point(look(tariff, "2025-01-15 18:00"), "Winter", "PEAK", "0.25", "0.12")
    check_point(look(tariff, "2025-01-15 20:00"), "Winter", "OFF_PEAK", "0.12", "0.05")
    check_point(look(tariff, "2025-03-31 16:30"), "Winter", "OFF_PEAK")
    check_point(look(tariff, "2025-04-01 16:00"), "Summer", "PEAK")
    check_point(look(tariff, "2025-10-01 17:00"), "Winter", "PEAK")


def _first_period(doc: dict) -> dict:
    return doc["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]["periods"][0]


@pytest.mark.parametrize("value", ["8", Decimal("8.0"), 8.0, True, None])
def test_tc29_from_hour_type(value: object) -> None:
    doc = td.flat()
    _first_period(doc)["fromHour"] = value
    report = validate(doc)
    assert ids(report) == [("E03", f"{P}.fromHour")]
    assert report.errors[0].text == "fromHour must be an integer"


def test_tc29_ranges_and_shapes() -> None:
    doc = td.flat()
    _first_period(doc)["toHour"] = 25
    assert ids(validate(doc)) == [("E04", f"{P}.toHour")]
    assert validate(doc).errors[0].text == "toHour must be between 0 and 24"
    doc = td.flat()
    _first_period(doc).update(toHour=24, toMinute=30)
    assert ids(validate(doc)) == [("E04", P)]
    assert validate(doc).errors[0].text == "period ends after 24:00"
    doc = td.flat()
    doc["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]["periods"] = []
    report = validate(doc)
    assert ids(report) == [("E06", "seasons.Summer.tou_periods.OFF_PEAK.periods")]
    assert report.errors[0].text == "Season 'Summer', label 'OFF_PEAK' has no periods."
    doc = td.flat()
    doc["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"] = {}
    report = validate(doc)
    assert ids(report) == [("E05", "seasons.Summer.tou_periods.OFF_PEAK")]
    assert report.errors[0].text == "periods is required"
    doc = td.flat()
    doc["seasons"]["Summer"]["fromMonth"] = 13
    assert ids(validate(doc)) == [("E04", "seasons.Summer.fromMonth")]


def test_tc29_to_minute_sixty() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "ON_PEAK": "0.40"},
        OFF_PEAK=[td.period("0-6", "00:00", "15:60")],
        ON_PEAK=[td.period("0-6", "16:00", "00:00")],
    )
    report = validate(doc)
    assert ids(report) == []
    assert ids(report, "warnings") == [("N03", f"{P}.toMinute")]
    assert report.warnings[0].text == "toMinute 60 is read as 16:00."
    check_point(look(report.tariff, "2025-05-05 15:59"), label="OFF_PEAK")
    check_point(look(report.tariff, "2025-05-05 16:00"), label="ON_PEAK")


def test_tc30_other_warnings() -> None:
    doc = td.flat()
    doc.update(foo=1, monthly_charges=10, version=2)
    del doc["name"], doc["demand_charges"]
    report = validate(doc)
    assert ids(report) == []
    assert ids(report, "warnings") == [
        ("W10", "monthly_charges"),
        ("W07", "foo"),
        ("W04", "demand_charges"),
        ("W12", "name"),
        ("W13", "version"),
    ]
    assert [p.text for p in report.warnings] == [
        "monthly_charges is stored but not used in bills.",
        "Unknown member 'foo' is ignored (kept in the stored copy).",
        "demand_charges is missing; the Tesla app's value graphs may break.",
        "name is missing; the Tesla app shows it.",
        "version 2 is not 1; the tariff is read as version 1.",
    ]


def test_tc31_no_sell_side() -> None:
    doc = td.flat()
    del doc["sell_tariff"]
    report = validate(doc)
    assert ids(report) == []
    assert ids(report, "warnings") == [("W11", "sell_tariff")]
    point = look(report.tariff, "2025-05-05 12:00")
    check_point(point, buy="0.20", sell="0", buy_eff="0.20", sell_eff="0")
    assert (point.sell_season, point.sell_label) == (None, None)


def test_quirk_ids_are_the_profile_ones() -> None:
    assert Quirk.CURRENCY_ANY_ISO4217 in OBSERVED
