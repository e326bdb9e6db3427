"""Spec tariff.md §9.2, lookup and semantics: TC-01 to TC-25."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import tariff_docs as td
from tariff_checks import check_point, ids, look

from gridtwin.domain.profile import Quirk
from gridtwin.tariff import Report, convert_v1, dumps, price_at, segments, validate

OBSERVED = frozenset({Quirk.CURRENCY_ANY_ISO4217})
S = "seasons.Summer.tou_periods"
SELL_S = "sell_tariff.seasons.Summer.tou_periods"


def clean(doc: dict, **kwargs: object) -> Report:
    report = validate(doc, **kwargs)  # type: ignore[arg-type]
    assert ids(report) == [], report.errors
    assert ids(report, "warnings") == [], report.warnings
    return report


def test_tc01_docs_sample_is_clean() -> None:
    clean(td.pge())


@pytest.mark.parametrize(
    ("when", "season", "label", "buy"),
    [
        ("2025-07-15 17:00", "Winter", "ON_PEAK", "0.5576"),
        ("2025-07-15 16:00", "Winter", "ON_PEAK", "0.5576"),
        ("2025-07-15 15:59", "Winter", "PARTIAL_PEAK", "0.4471"),
        ("2025-07-15 21:00", "Winter", "PARTIAL_PEAK", "0.4471"),
        ("2025-07-15 23:59", "Winter", "PARTIAL_PEAK", "0.4471"),
        ("2025-07-16 00:00", "Winter", "OFF_PEAK", "0.2451"),
        ("2025-01-15 22:00", "Summer", "PARTIAL_PEAK", "0.4138"),
        ("2025-06-01 00:00", "Winter", "OFF_PEAK", None),
        ("2025-05-31 23:59", "Summer", "PARTIAL_PEAK", None),
        ("2025-09-30 23:59", "Winter", "PARTIAL_PEAK", None),
        ("2025-10-01 00:00", "Summer", "OFF_PEAK", None),
    ],
)
def test_tc02_docs_sample_lookups(when: str, season: str, label: str, buy: str | None) -> None:
    point = look(validate(td.pge()).tariff, when)
    check_point(point, season, label, buy, buy)
    assert (point.sell_season, point.sell_label) == (season, label)


def test_tc03_real_readback_documented() -> None:
    report = validate(td.tfa())
    assert ids(report) == [("E16", "currency")]
    assert ids(report, "warnings") == [("W06", S), ("W06", SELL_S)]
    assert report.tariff is None


def test_tc04_real_readback_observed() -> None:
    report = validate(td.tfa(), quirks=OBSERVED)
    assert ids(report) == []
    assert ids(report, "warnings") == [
        ("W01", "currency"),
        ("W06", S),
        ("W06", SELL_S),
        ("N02", f"{SELL_S}.PERIOD_17_00"),
        ("N02", f"{SELL_S}.PERIOD_17_30"),
        ("N02", f"{SELL_S}.PERIOD_18_00"),
    ]
    tariff = report.tariff
    check_point(look(tariff, "2025-01-06 00:00"), "Summer", "PERIOD_00_00", "0.24")
    check_point(look(tariff, "2025-01-06 00:29"), "Summer", "PERIOD_00_00", "0.24")
    check_point(look(tariff, "2025-01-06 00:30"), "Summer", "PERIOD_00_30")
    check_point(look(tariff, "2025-01-06 23:45"), "Summer", "PERIOD_23_30", "0.31", "0.0")
    check_point(
        look(tariff, "2025-01-06 17:10"),
        "Summer",
        "PERIOD_17_00",
        "0.42",
        "0.45",
        buy_eff="0.45",
        sell_eff="0.45",
    )
    check_point(look(tariff, "2025-01-06 18:30"), "Summer", "PERIOD_18_30", "0.42", "0.0")


def test_tc05_v1_with_overnight_period_on_all_days() -> None:
    tariff = clean(convert_v1(td.amber_v1(), "USD")).tariff
    check_point(look(tariff, "2025-03-05 03:00"), "Summer", "OFF_PEAK", "0.01", "0.01")
    check_point(look(tariff, "2025-03-05 05:29"), "Summer", "OFF_PEAK")
    check_point(look(tariff, "2025-03-05 05:30"), "Summer", "ON_PEAK", "0.43", "0.3")
    check_point(look(tariff, "2025-03-05 19:59"), "Summer", "ON_PEAK")
    check_point(look(tariff, "2025-03-05 20:00"), "Summer", "OFF_PEAK")
    check_point(look(tariff, "2025-03-05 10:15"), "Summer", "OFF_PEAK")
    check_point(look(tariff, "2025-03-08 03:00"), "Summer", "OFF_PEAK")


def test_tc06_overnight_periods_on_partial_weeks() -> None:
    report = validate(convert_v1(td.agl_v1(), "USD"))
    off = "seasons.Season3.tou_periods.OFF_PEAK"
    assert ids(report) == []
    assert ids(report, "warnings") == [
        ("W03", f"{off}.periods[0]"),
        ("W03", f"{off}.periods[1]"),
        ("W05", "seasons.Season3"),
        ("W03", f"sell_tariff.{off}.periods[0]"),
        ("W03", f"sell_tariff.{off}.periods[1]"),
    ]
    tariff = report.tariff
    check_point(look(tariff, "2024-11-02 07:00"), "Season3", "SUPER_OFF_PEAK")
    check_point(look(tariff, "2024-11-02 04:45"), "Season3", "PARTIAL_PEAK")
    check_point(look(tariff, "2024-11-03 03:00"), "Season3", "OFF_PEAK")
    check_point(look(tariff, "2024-11-04 06:00"), "Season3", "OFF_PEAK")
    check_point(look(tariff, "2024-11-05 08:00"), "Season3", "OFF_PEAK")
    check_point(look(tariff, "2024-11-30 23:59"), "Season3", "OFF_PEAK")
    check_point(look(tariff, "2024-12-01 00:00"), "Summer", "SUPER_OFF_PEAK", "0.15", "0.07")
    check_point(look(tariff, "2025-04-01 12:00"), "Winter", "OFF_PEAK", "0.30")


def test_tc07_whole_day_period() -> None:
    tariff = clean(convert_v1(td.single_v1(), "USD")).tariff
    for when in ("2025-03-05 00:00", "2025-08-09 23:59", "2024-02-29 12:00"):
        check_point(look(tariff, when), "Summer", "OFF_PEAK", "0.20", "0.04")


def test_tc08_zero_length() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "ON_PEAK": "0.40"},
        OFF_PEAK=[td.period("0-6", "00:00", "00:00")],
        ON_PEAK=[td.period("0-6", "16:00", "16:00")],
    )
    report = validate(doc)
    assert ids(report) == [("E09", f"{S}.ON_PEAK.periods[0]")]
    assert ids(report, "warnings") == []


def test_tc09_wrapped_weekday_range_with_gaps() -> None:
    report = validate(td.ha_week())
    gaps = [("E10", S)] * 3 + [("E10", SELL_S)] * 3
    assert ids(report) == [("E16", "currency"), *gaps]
    assert ids(report, "warnings") == [
        ("W02", f"{S}.WEEKEND.periods[0]"),
        ("W06", S),
        ("W02", f"{SELL_S}.WEEKEND.periods[0]"),
        ("W06", SELL_S),
    ]
    assert report.errors[0].text == "currency is missing; use USD, EUR or GBP."
    days = [p.text for p in report.errors[1:4]]
    assert days == [
        f"Season 'Summer', {d}: no period covers 00:00-24:00."
        for d in ("Tuesday", "Wednesday", "Thursday")
    ]
    doc = td.ha_week()
    doc["currency"] = "USD"
    report = validate(doc)
    assert ids(report) == gaps
    assert report.errors[0].text == "Season 'Summer', Tuesday: no period covers 00:00-24:00."


def test_tc10_overlapping_weekday_ranges() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "ON_PEAK": "0.40", "PARTIAL_PEAK": "0.30"},
        OFF_PEAK=[td.period("0-6", "17:00", "09:00")],
        ON_PEAK=[td.period("0-4", "09:00", "17:00")],
        PARTIAL_PEAK=[td.period("4-6", "09:00", "17:00")],
    )
    report = validate(doc)
    assert ids(report) == [("E11", S)]
    assert report.errors[0].text == (
        "Season 'Summer', Friday 09:00-17:00: periods ON_PEAK and PARTIAL_PEAK overlap."
    )
    assert ids(report, "warnings") == [("W02", f"{S}.PARTIAL_PEAK.periods[0]")]


def test_tc11_same_label_overlap() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20"},
        OFF_PEAK=[td.period("0-6", "00:00", "12:00"), td.period("0-6", "11:00", "00:00")],
    )
    report = validate(doc)
    assert ids(report) == [("E11", S)] * 7
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert [p.text for p in report.errors] == [
        f"Season 'Summer', {d} 11:00-12:00: periods OFF_PEAK and OFF_PEAK overlap." for d in days
    ]


def two_seasons(
    winter: tuple[tuple[int, int], tuple[int, int]], summer: tuple[tuple[int, int], tuple[int, int]]
) -> dict:
    """F-FLAT whose buy side has seasons Winter then Summer, both whole-day OFF_PEAK."""
    doc = td.flat()
    whole = td.tou(OFF_PEAK=[td.period("0-6", "00:00", "00:00")])
    doc["seasons"] = {"Winter": td.season(*winter, whole), "Summer": td.season(*summer, whole)}
    doc["energy_charges"]["Winter"] = {"rates": {"OFF_PEAK": Decimal("0.10")}}
    return doc


def test_tc12_season_wrapping_the_year() -> None:
    tariff = clean(two_seasons(((10, 1), (3, 31)), ((4, 1), (9, 30)))).tariff
    for when in ("2024-12-31 23:59", "2025-01-01 00:00", "2025-03-31 23:59", "2025-10-01 00:00"):
        check_point(look(tariff, when), "Winter", buy="0.10")
    for when in ("2025-04-01 00:00", "2025-09-30 23:59"):
        check_point(look(tariff, when), "Summer", buy="0.20")


def test_tc13_leap_day() -> None:
    report = validate(two_seasons(((12, 1), (2, 28)), ((3, 1), (11, 30))))
    assert ids(report) == [("E12", "seasons")]
    assert report.errors[0].text == "No season covers Feb 29."
    tariff = clean(two_seasons(((12, 1), (2, 29)), ((3, 1), (11, 30)))).tariff
    check_point(look(tariff, "2024-02-29 12:00"), "Winter")
    check_point(look(tariff, "2025-02-28 12:00"), "Winter")
    check_point(look(tariff, "2025-03-01 00:00"), "Summer")
    report = validate(two_seasons(((12, 1), (2, 29)), ((2, 29), (11, 30))))
    assert ids(report) == [("E13", "seasons")]
    assert report.errors[0].text == "Seasons 'Winter' and 'Summer' both cover Feb 29."
    tariff = clean(two_seasons(((12, 1), (2, 28)), ((2, 29), (11, 30)))).tariff
    check_point(look(tariff, "2024-02-29 00:00"), "Summer")
    check_point(look(tariff, "2024-02-28 23:59"), "Winter")
    check_point(look(tariff, "2025-02-28 12:00"), "Winter")
    check_point(look(tariff, "2025-03-01 00:00"), "Summer")


def test_tc14_day_past_the_months_end() -> None:
    report = validate(two_seasons(((12, 1), (10, 31)), ((11, 1), (11, 31))))
    assert ids(report) == []
    assert ids(report, "warnings") == [("W09", "seasons.Summer.toDay")]
    assert report.warnings[0].text == (
        "Nov has no day 31; dates are compared as (month, day) pairs."
    )
    check_point(look(report.tariff, "2025-11-30 12:00"), "Summer")
    check_point(look(report.tariff, "2025-12-01 00:00"), "Winter")
    check_point(look(report.tariff, "2025-10-31 23:59"), "Winter")


def test_tc15_placeholder_seasons() -> None:
    doc = td.flat()
    doc["seasons"]["Winter"] = {}
    clean(doc)
    doc = td.flat()
    doc["seasons"]["Winter"] = {
        "fromMonth": 0,
        "fromDay": 0,
        "toMonth": 0,
        "toDay": 0,
        "tou_periods": {},
    }
    doc["energy_charges"]["Winter"] = {"rates": {}}
    clean(doc)
    doc = td.flat()
    doc["seasons"]["Winter"] = {}
    doc["energy_charges"]["Winter"] = {"rates": {"OFF_PEAK": Decimal("0.1")}}
    assert ids(validate(doc)) == [("E15", "energy_charges.Winter")]


def _energy(doc: dict, charges: dict) -> dict:
    doc["energy_charges"] = td.api(charges)
    return doc


def _peaks(doc: dict) -> dict:
    doc["seasons"]["Summer"]["tou_periods"] = td.tou(
        ON_PEAK=[td.period("0-6", "16:00", "21:00")], OFF_PEAK=[td.period("0-6", "21:00", "16:00")]
    )
    return doc


@pytest.mark.parametrize(
    ("charges", "price"),
    [
        ({"ALL": {"rates": {"ALL": 0.25}}}, "0.25"),
        ({"ALL": {"rates": {"ALL": 0.25}}, "Summer": {}}, "0.25"),
        ({"ALL": {"rates": {"ALL": 0}}, "Summer": {"rates": {"OFF_PEAK": 0.3}}}, "0.3"),
        ({"ALL": {"rates": {"OFF_PEAK": 0.22}}}, "0.22"),
    ],
    ids=["a", "b", "d", "f"],
)
def test_tc16_all_handling_lookups(charges: dict, price: str) -> None:
    tariff = clean(_energy(td.flat(), charges)).tariff
    check_point(look(tariff, "2025-05-05 12:00"), "Summer", "OFF_PEAK", price)


def test_tc16c_all_as_season_default() -> None:
    doc = _energy(_peaks(td.flat()), {"Summer": {"rates": {"ON_PEAK": 0.4, "ALL": 0.1}}})
    tariff = clean(doc).tariff
    check_point(look(tariff, "2025-05-05 17:00"), "Summer", "ON_PEAK", "0.4")
    check_point(look(tariff, "2025-05-05 03:00"), "Summer", "OFF_PEAK", "0.1")


def test_tc16_all_handling_errors() -> None:
    doc = _energy(
        td.flat(),
        {
            "ALL": {"rates": {"ALL": 0}},
            "Summer": {"rates": {"OFF_PEAK": 0.2, "SUPER_OFF_PEAK": 0.1}},
        },
    )
    assert ids(validate(doc)) == [("E15", "energy_charges.Summer.rates.SUPER_OFF_PEAK")]
    doc = _energy(
        td.flat(),
        {"ALL": {"rates": {"ALL": 0, "ON_PEAK": 0.5}}, "Summer": {"rates": {"OFF_PEAK": 0.2}}},
    )
    assert ids(validate(doc)) == [("E15", "energy_charges.ALL.rates.ON_PEAK")]
    doc = _energy(td.flat(), {"ALL": {"rates": {"ALL": 0.2}}})
    doc["seasons"] = {"ALL": doc["seasons"]["Summer"]}
    assert ids(validate(doc)) == [("E07", "seasons.ALL"), ("E08", "seasons")]
    doc = _energy(td.flat(), {"ALL": {"rates": {"ALL": 0.2}}})
    periods = doc["seasons"]["Summer"]["tou_periods"]
    doc["seasons"]["Summer"]["tou_periods"] = {"ALL": periods["OFF_PEAK"]}
    report = validate(doc)
    assert ids(report) == [("E07", f"{S}.ALL")]
    assert ids(report, "warnings") == []


def test_tc17_missing_price() -> None:
    doc = _energy(_peaks(td.flat()), {"Summer": {"rates": {"ON_PEAK": 0.4}}})
    report = validate(doc)
    assert ids(report) == [("E14", f"{S}.OFF_PEAK")]
    assert report.errors[0].text == "Season 'Summer', label 'OFF_PEAK' has no energy price."


def test_tc18_zero_is_a_price() -> None:
    doc = _energy(
        td.flat("0.20", "0"),
        {"ALL": {"rates": {"ALL": 0.25}}, "Summer": {"rates": {"OFF_PEAK": 0}}},
    )
    tariff = clean(doc).tariff
    check_point(look(tariff, "2025-05-05 12:00"), buy="0", buy_eff="0")


def test_tc19_sell_above_buy() -> None:
    doc = td.flat("0.07", "0.15")
    before = dumps(doc)
    report = validate(doc)
    assert ids(report) == []
    assert ids(report, "warnings") == [("N02", f"{SELL_S}.OFF_PEAK")]
    assert report.warnings[0].text == (
        "Effective sell price 0.15 (season 'Summer', label 'OFF_PEAK') exceeds effective buy "
        "price 0.07 (season 'Summer', label 'OFF_PEAK'), first on Monday at 00:00; the buy "
        "price is raised to 0.15."
    )
    check_point(
        look(report.tariff, "2025-05-05 02:00"),
        buy="0.07",
        sell="0.15",
        buy_eff="0.15",
        sell_eff="0.15",
    )
    assert dumps(doc) == before  # the stored copy still says 0.07


def test_tc20_negative_prices() -> None:
    report = validate(td.flat("-0.05", "-0.02"))
    assert ids(report, "warnings") == [
        ("N01", "energy_charges.Summer.rates.OFF_PEAK"),
        ("N01", "sell_tariff.energy_charges.Summer.rates.OFF_PEAK"),
    ]
    assert report.warnings[0].text == "Negative price -0.05 is used as 0."
    assert report.warnings[1].text == "sell_tariff: Negative price -0.02 is used as 0."
    check_point(look(report.tariff, "2025-05-05 12:00"), buy="-0.05", buy_eff="0", sell_eff="0")


def test_tc21_independent_sell_grid() -> None:
    doc = td.sell_periods(
        td.flat("0.30"), {"ON_PEAK": "0.1"}, ON_PEAK=[td.period("0-6", "09:00", "17:00")]
    )
    report = validate(doc)
    assert ids(report) == [("E10", SELL_S)] * 14
    assert report.errors[0].text == (
        "sell_tariff: Season 'Summer', Monday: no period covers 00:00-09:00."
    )
    assert report.errors[1].text == (
        "sell_tariff: Season 'Summer', Monday: no period covers 17:00-24:00."
    )
    doc = td.sell_periods(
        td.flat("0.30"),
        {"ON_PEAK": "0.40", "OFF_PEAK": "0.05"},
        ON_PEAK=[td.period("0-6", "16:00", "21:00")],
        OFF_PEAK=[td.period("0-6", "21:00", "16:00")],
    )
    report = validate(doc)
    assert ids(report) == []
    assert ids(report, "warnings") == [("N02", f"{SELL_S}.ON_PEAK")]
    assert "first on Monday at 16:00" in report.warnings[0].text
    check_point(look(report.tariff, "2025-01-06 18:00"), buy="0.30", sell="0.40", buy_eff="0.40")
    check_point(look(report.tariff, "2025-01-06 12:00"), buy="0.30", sell="0.05")


def test_tc22_day_of_week() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.10", "ON_PEAK": "0.30"},
        OFF_PEAK=[td.period("0-4", "00:00", "00:00")],
        ON_PEAK=[td.period("5-6", "00:00", "00:00")],
    )
    tariff = clean(doc).tariff
    for when, label in (
        ("2024-06-01 12:00", "ON_PEAK"),
        ("2024-06-02 12:00", "ON_PEAK"),
        ("2024-06-03 12:00", "OFF_PEAK"),
        ("2024-05-31 12:00", "OFF_PEAK"),
    ):
        check_point(look(tariff, when), label=label)


def test_tc23_omitted_zero_fields() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"SUPER_OFF_PEAK": "0.10", "OFF_PEAK": "0.20"},
        SUPER_OFF_PEAK=[{"toDayOfWeek": 4, "toHour": 8}],
        OFF_PEAK=[{"fromHour": 8, "toDayOfWeek": 4}, {"fromDayOfWeek": 5, "toDayOfWeek": 6}],
    )
    tariff = clean(doc).tariff
    check_point(look(tariff, "2025-05-05 07:59"), label="SUPER_OFF_PEAK")
    check_point(look(tariff, "2025-05-05 08:00"), label="OFF_PEAK")
    check_point(look(tariff, "2025-05-09 23:59"), label="OFF_PEAK")
    check_point(look(tariff, "2025-05-10 07:00"), label="OFF_PEAK")


def test_tc24_missing_to_day_of_week() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "ON_PEAK": "0.40"},
        OFF_PEAK=[td.period("0-6", "09:00", "08:00")],
        ON_PEAK=[{"fromDayOfWeek": 0, "fromHour": 8, "toHour": 9}],
    )
    report = validate(doc)
    assert ids(report) == [("E10", S)] * 6
    days = ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert [p.text for p in report.errors] == [
        f"Season 'Summer', {d}: no period covers 08:00-09:00." for d in days
    ]
    on = f"{S}.ON_PEAK.periods[0]"
    assert ids(report, "warnings") == [("W08", on), ("W02", on)]


def _dst_tariff():
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "PARTIAL_PEAK": "0.30"},
        OFF_PEAK=[td.period("0-6", "00:00", "01:30"), td.period("0-6", "03:00", "00:00")],
        PARTIAL_PEAK=[td.period("0-6", "01:30", "03:00")],
    )
    return clean(doc).tariff


@pytest.mark.parametrize(
    ("utc", "label"),
    [
        ("2025-03-09 09:29", "OFF_PEAK"),
        ("2025-03-09 09:30", "PARTIAL_PEAK"),
        ("2025-03-09 09:59", "PARTIAL_PEAK"),
        ("2025-03-09 10:00", "OFF_PEAK"),
        ("2025-11-02 08:29", "OFF_PEAK"),
        ("2025-11-02 08:30", "PARTIAL_PEAK"),
        ("2025-11-02 09:00", "OFF_PEAK"),
        ("2025-11-02 09:30", "PARTIAL_PEAK"),
        ("2025-11-02 10:59", "PARTIAL_PEAK"),
        ("2025-11-02 11:00", "OFF_PEAK"),
    ],
)
def test_tc25_dst_lookups(utc: str, label: str) -> None:
    when = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert price_at(_dst_tariff(), when, "America/Los_Angeles").buy_label == label


def test_tc25_dst_segments_on_fall_day() -> None:
    def z(hhmm: str) -> datetime:
        return datetime.fromisoformat(f"2025-11-02 {hhmm}").replace(tzinfo=UTC)

    found = segments(_dst_tariff(), z("08:00"), z("12:00"), "America/Los_Angeles")
    assert len(found) == 5
    assert [s.start for s in found[1:]] == [z("08:30"), z("09:00"), z("09:30"), z("11:00")]
    assert [s.price.buy_label for s in found] == [
        "OFF_PEAK",
        "PARTIAL_PEAK",
        "OFF_PEAK",
        "PARTIAL_PEAK",
        "OFF_PEAK",
    ]
    assert found[0].start == z("08:00") and found[-1].end == z("12:00")
