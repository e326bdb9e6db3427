"""Unit tests of the tariff engine beyond the numbered cases: paths, texts, order, types,
JSON text, conversion, read-back, schedules and immutability."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
import tariff_docs as td
from tariff_checks import ids

import gridtwin.tariff as tariff_pkg
from gridtwin.tariff import (
    CompiledTariff,
    class_series,
    convert_v1,
    dumps,
    http_error_parts,
    label_series,
    loads,
    price_at,
    price_series,
    validate,
    zero_omission_echo,
)
from gridtwin.tariff.rules import RULES, Severity, ascii_text, join_names, path_index, path_key

S = "seasons.Summer.tou_periods"


def compiled(doc: dict) -> CompiledTariff:
    report = validate(doc)
    assert report.tariff is not None, report.errors
    return report.tariff


def test_public_names_are_pinned() -> None:
    expected = {
        "Bill",
        "ClassSeries",
        "CompiledSide",
        "CompiledTariff",
        "DemandLine",
        "EnergyLine",
        "Intervals",
        "PricePoint",
        "Problem",
        "RULES",
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
    }
    assert set(tariff_pkg.__all__) == expected


def test_every_rule_has_a_severity_matching_its_letter() -> None:
    letters = {"E": Severity.ERROR, "N": Severity.NORMALISED, "W": Severity.WARNING}
    assert len(RULES) == 17 + 3 + 13
    assert all(severity is letters[code[0]] for code, (severity, _) in RULES.items())


def test_paths_and_names() -> None:
    assert path_key("", "seasons") == "seasons"
    assert path_key("seasons", "Summer 2025") == 'seasons["Summer 2025"]'
    assert path_key("seasons", "") == 'seasons[""]'
    assert path_key("seasons", 'a"b') == 'seasons["a\\"b"]'
    assert path_index("daily_charges", 0) == "daily_charges[0]"
    assert ascii_text("Été") == "\\u00c9t\\u00e9"
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B", "C"]) == "A, B and C"


def test_quoted_season_paths_and_http_prefix() -> None:
    doc = td.flat()
    doc["seasons"] = {"Summer 2025": doc["seasons"]["Summer"]}
    doc["seasons"]["Summer 2025"]["fromMonth"] = 0
    report = validate(doc)
    assert ids(report)[0] == ("E04", 'seasons["Summer 2025"].fromMonth')
    _, messages = http_error_parts(report)
    assert next(iter(messages)) == 'tou_settings.tariff_content_v2.seasons["Summer 2025"].fromMonth'


def test_top_level_types_in_schema_order() -> None:
    doc = td.flat()
    doc.update(
        version="1",
        code=1,
        name=None,
        utility=[],
        daily_charges={},
        daily_demand_charges=[],
        demand_charges=[],
        monthly_charges="0",
        sell_tariff="none",
    )
    doc["extra"] = True
    report = validate(doc)
    assert [(p.code, p.path, p.text) for p in report.problems[:10]] == [
        ("E03", "version", "version must be an integer"),
        ("E03", "code", "code must be a string"),
        ("E03", "name", "name must be a string"),
        ("E03", "utility", "utility must be a string"),
        ("E03", "daily_charges", "daily_charges must be an array"),
        ("E03", "daily_demand_charges", "daily_demand_charges must be an object"),
        ("E03", "demand_charges", "demand_charges must be an object"),
        ("E03", "monthly_charges", "monthly_charges must be a number"),
        ("E03", "sell_tariff", "sell_tariff must be an object"),
        ("W07", "extra", "Unknown member 'extra' is ignored (kept in the stored copy)."),
    ]


def test_missing_required_members() -> None:
    report = validate({"currency": "USD", "name": "n", "utility": "u"})
    assert ids(report) == [("E05", "energy_charges"), ("E05", "seasons")]
    assert [p.text for p in report.errors] == ["energy_charges is required", "seasons is required"]
    report = validate({**td.flat(), "seasons": {}})
    assert ids(report) == [("E08", "seasons"), ("E15", "energy_charges.Summer")]
    assert report.errors[0].text == (
        "No season has time periods; at least one season needs tou_periods."
    )


def test_daily_charges_and_sell_side_w10() -> None:
    doc = td.flat()
    doc["daily_charges"] = [
        {"name": "A", "amount": Decimal("-1"), "x": 1},
        3,
        {"name": 5, "amount": "2"},
    ]
    doc["daily_demand_charges"] = {"a": 1}
    doc["sell_tariff"]["daily_charges"] = [{"name": "S", "amount": Decimal("0.5")}]
    doc["sell_tariff"]["demand_charges"] = {"ALL": {"rates": {"ALL": 2}}}
    report = validate(doc)
    assert [(p.code, p.path) for p in report.problems] == [
        ("N01", "daily_charges[0].amount"),
        ("W07", "daily_charges[0].x"),
        ("E03", "daily_charges[1]"),
        ("E03", "daily_charges[2].name"),
        ("E03", "daily_charges[2].amount"),
        ("W10", "daily_demand_charges"),
        ("W10", "sell_tariff.daily_charges"),
        ("W10", "sell_tariff.demand_charges"),
    ]
    assert report.problems[2].text == "daily_charges[1] must be an object"
    assert report.problems[-1].text == (
        "sell_tariff: demand_charges is stored but not used in bills."
    )


def test_charge_table_shapes() -> None:
    doc = td.flat()
    doc["energy_charges"]["Summer"] = {"rates": {"OFF_PEAK": "0.2"}, "note": "x"}
    doc["demand_charges"] = {"ALL": [], "Summer": {"rates": []}}
    report = validate(doc)
    assert [(p.code, p.path) for p in report.problems] == [
        ("E03", "demand_charges.ALL"),
        ("E03", "demand_charges.Summer.rates"),
        ("E03", "energy_charges.Summer.rates.OFF_PEAK"),
        ("W07", "energy_charges.Summer.note"),
    ]


def test_e15_on_demand_charges_and_texts() -> None:
    doc = td.flat()
    doc["demand_charges"] = {
        "ALL": {"rates": {"ALL": 0, "X": 1}},
        "Summer": {"rates": {"Y": 1}},
        "Spring": {"rates": {"Z": 1}},
    }
    report = validate(doc)
    assert [(p.path, p.text) for p in report.errors] == [
        (
            "demand_charges.ALL.rates.X",
            "demand_charges.ALL has a price for 'X', which is not a label of any season.",
        ),
        (
            "demand_charges.Summer.rates.Y",
            "demand_charges.Summer has a price for 'Y', which is not a label of season 'Summer'.",
        ),
        (
            "demand_charges.Spring",
            "demand_charges has prices for season 'Spring', which has no time periods.",
        ),
    ]


def test_e07_empty_names() -> None:
    doc = td.flat()
    doc["seasons"][""] = {}
    periods = doc["seasons"]["Summer"]["tou_periods"]
    periods[""] = periods["OFF_PEAK"]
    report = validate(doc)
    assert ids(report) == [("E07", f'{S}[""]'), ("E07", 'seasons[""]')]
    assert report.errors[0].text == "'' cannot be used as a period label."
    assert report.errors[1].text == "'' cannot be used as a season name."


def test_period_member_checks_in_order() -> None:
    doc = td.flat()
    doc["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]["periods"] = [
        {
            "fromDayOfWeek": 7,
            "toDayOfWeek": 6,
            "fromHour": 0,
            "fromMinute": 60,
            "toHour": 0,
            "toMinute": 0,
            "note": 1,
        },
        "not a period",
    ]
    report = validate(doc)
    period = f"{S}.OFF_PEAK.periods[0]"
    assert [(p.code, p.path) for p in report.problems] == [
        ("E04", f"{period}.fromDayOfWeek"),
        ("E04", f"{period}.fromMinute"),
        ("W07", f"{period}.note"),
        ("E03", f"{S}.OFF_PEAK.periods[1]"),
    ]
    assert report.errors[0].text == "fromDayOfWeek must be between 0 and 6"


def test_overlap_of_three_labels_and_tiling_texts() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"A": "0.1", "B": "0.1", "C": "0.1"},
        C=[td.period("0-6", "00:00", "00:00")],
        A=[td.period("0-6", "10:00", "11:00")],
        B=[td.period("0-6", "10:30", "12:00")],
    )
    texts = [p.text for p in validate(doc).errors[:3]]
    assert texts == [
        "Season 'Summer', Monday 10:00-10:30: periods A and C overlap.",
        "Season 'Summer', Monday 10:30-11:00: periods A, B and C overlap.",
        "Season 'Summer', Monday 11:00-12:00: periods B and C overlap.",
    ]
    doc = td.flat()
    doc["seasons"]["Summer"].update(fromMonth=3, toMonth=10)
    doc["seasons"]["Winter"] = dict(doc["seasons"]["Summer"], fromMonth=10, toMonth=11)
    assert [p.text for p in validate(doc).errors] == [
        "No season covers Jan 1 to Feb 29.",
        "Seasons 'Summer' and 'Winter' both cover Oct 1 to Oct 31.",
        "No season covers Dec 1 to Dec 31.",
    ]


def test_json_text_round_trip() -> None:
    text = '{"b": 1, "a": [0.4138, 1E+2, -0.0, true, null, "\\u00e9"]}'
    value = loads(text)
    assert list(value) == ["b", "a"]
    assert dumps(value) == '{"b": 1, "a": [0.4138, 1E+2, -0.0, true, null, "\\u00e9"]}'
    with pytest.raises(ValueError):
        loads('{"a": NaN}')
    with pytest.raises(ValueError):
        loads('{"a": Infinity}')
    assert dumps({"a": {}, "b": []}, indent=2) == '{\n  "a": {},\n  "b": []\n}'


def test_convert_v1_keeps_order_and_existing_v2_parts() -> None:
    v1 = td.amber_v1()["response"]
    out = convert_v1(v1, "GBP")
    assert list(out) == ["version", *v1, "currency"]
    assert out["demand_charges"]["Summer"] == {"rates": {}}
    assert out["seasons"]["Winter"] == v1["seasons"]["Winter"]
    assert out["sell_tariff"]["currency"] == "GBP"
    again = convert_v1(out, None)
    assert again == out  # already v2: nothing changes
    with pytest.raises(ValueError):
        convert_v1(v1, None)


def test_zero_omission_keeps_other_members() -> None:
    doc = td.flat()
    doc["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]["x"] = 0
    echo = zero_omission_echo(doc)
    entry = echo["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]
    assert entry == {"periods": [{"toDayOfWeek": 6}], "x": 0}
    assert echo["seasons"]["Summer"]["fromMonth"] == 1
    assert echo["version"] == 1


def test_price_series_matches_price_at_over_dst() -> None:
    tariff = compiled(td.pge())
    start_s = int(datetime(2025, 3, 8, 8, 0, tzinfo=UTC).timestamp())
    buy, sell = price_series(tariff, "America/Los_Angeles", start_s, 2 * 288, 300)
    for i in range(0, 2 * 288, 7):
        when = datetime.fromtimestamp(start_s + 300 * i, UTC)
        point = price_at(tariff, when, "America/Los_Angeles")
        assert buy[i] == float(point.buy_eff) and sell[i] == float(point.sell_eff)
    assert buy.dtype == np.float64 and sell.shape == (576,)


def test_label_series_names_classes() -> None:
    tariff = compiled(td.pge())
    start_s = int(datetime(2025, 7, 15, 7, 0, tzinfo=UTC).timestamp())  # 00:00 PDT
    series = label_series(tariff, "America/Los_Angeles", start_s, 24, 3600)
    labels = [tariff.buy.classes[c][1] for c in series.buy_class]
    assert labels[:15] == ["OFF_PEAK"] * 15
    assert labels[15:] == ["PARTIAL_PEAK"] + ["ON_PEAK"] * 5 + ["PARTIAL_PEAK"] * 3
    assert class_series is label_series
    assert price_series(tariff, "UTC", 0, 0, 300)[0].size == 0
    with pytest.raises(ValueError):
        price_series(tariff, "UTC", 0, 1, 0)


def test_price_at_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        price_at(compiled(td.pge()), datetime(2025, 1, 1), "UTC")


def test_compiled_tariff_is_immutable_and_comparable() -> None:
    tariff = compiled(td.pge())
    with pytest.raises(ValueError):
        tariff.buy.class_grids[0, 0, 0] = 1
    with pytest.raises(AttributeError):
        tariff.currency = "EUR"  # type: ignore[misc]
    assert tariff == compiled(td.pge())
    assert tariff != compiled(td.flat())


def test_validation_never_raises_on_odd_input() -> None:
    odd: list[object] = [
        None,
        1,
        "x",
        [],
        {"seasons": []},
        {"seasons": {"S": None}},
        {"seasons": {"S": {"tou_periods": []}}},
        {"energy_charges": {"ALL": None}, "sell_tariff": {}},
    ]
    for doc in odd:
        assert not validate(doc).ok
