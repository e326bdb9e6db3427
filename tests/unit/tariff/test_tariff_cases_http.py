"""Spec tariff.md §9.2 TC-32 to TC-36 without HTTP: the engine parts the server relies on.

The contract versions (through the real app) live in tests/contract/.
"""

from __future__ import annotations

import copy

import tariff_docs as td
from tariff_checks import ids

from gridtwin.domain.profile import Profile, active_quirks
from gridtwin.tariff import (
    dumps,
    http_error_parts,
    loads,
    validate,
    validate_tou_settings,
    zero_omission_echo,
)

OBSERVED = active_quirks(Profile.OBSERVED)
DOCUMENTED = active_quirks(Profile.DOCUMENTED)


def test_tc32_accept_and_echo() -> None:
    submitted = dumps({"tou_settings": {"tariff_content_v2": td.pge()}})
    body = loads(submitted)
    doc = body["tou_settings"]["tariff_content_v2"]
    untouched = copy.deepcopy(doc)
    report = validate_tou_settings(body)
    assert report.ok and report.tariff is not None
    assert doc == untouched  # validation never edits the document it stores
    echoed = dumps(doc)
    assert echoed in submitted
    assert list(loads(echoed)) == list(td.pge())  # member order kept
    assert "0.4138" in echoed and "0.41380000000000006" not in echoed


def test_tc32_float_input_echoes_its_shortest_text() -> None:
    doc = td.pge()
    doc["energy_charges"]["Summer"]["rates"]["PARTIAL_PEAK"] = 0.4138
    assert "0.4138," in dumps(doc)


def test_tc33_reject_with_every_problem() -> None:
    doc = td.ha_week()
    doc["currency"] = "USD"
    description, messages = http_error_parts(
        validate_tou_settings({"tou_settings": {"tariff_content_v2": doc}})
    )
    texts = [
        f"Season 'Summer', {d}: no period covers 00:00-24:00."
        for d in ("Tuesday", "Wednesday", "Thursday")
    ]
    assert description == texts[0]
    assert messages == {
        "tou_settings.tariff_content_v2.seasons.Summer.tou_periods": [f"E10: {t}" for t in texts],
        "tou_settings.tariff_content_v2.sell_tariff.seasons.Summer.tou_periods": [
            f"E10: sell_tariff: {t}" for t in texts
        ],
    }
    assert list(messages) == [
        "tou_settings.tariff_content_v2.seasons.Summer.tou_periods",
        "tou_settings.tariff_content_v2.sell_tariff.seasons.Summer.tou_periods",
    ]


def test_tc34_atomic_rejection_has_no_tariff() -> None:
    doc = td.buy_periods(
        td.flat(),
        {"OFF_PEAK": "0.20", "ON_PEAK": "0.40"},
        OFF_PEAK=[td.period("0-6", "00:00", "00:00")],
        ON_PEAK=[td.period("0-6", "16:00", "16:00")],
    )
    report = validate_tou_settings({"tou_settings": {"tariff_content_v2": doc}})
    assert not report.ok
    assert report.tariff is None  # nothing for the service to store


def test_tc35_no_tariff() -> None:
    body = {"tou_settings": {"optimization_strategy": "economics"}}
    assert http_error_parts(validate_tou_settings(body)) == (
        "must provide a valid TOU setting",
        {"tou_settings.tariff_content_v2": ["E01: must provide a valid TOU setting"]},
    )


def test_tc35_other_body_shapes_are_e01() -> None:
    for body in (
        [],
        {},
        {"tou_settings": []},
        {"tou_settings": {"tariff_content_v2": None}},
        {"tou_settings": {"tariff_content_v2": [1]}},
    ):
        assert ids(validate_tou_settings(body)) == [("E01", "tou_settings.tariff_content_v2")]


def test_tc36_profile() -> None:
    body = {"tou_settings": {"tariff_content_v2": td.tfa()}}
    documented = validate_tou_settings(body, quirks=DOCUMENTED)
    assert documented.errors[0].code == "E16"
    observed = validate_tou_settings(body, quirks=OBSERVED)
    assert observed.ok
    echo = zero_omission_echo(td.tfa())
    assert validate(echo, quirks=OBSERVED).tariff == observed.tariff


def test_tc36_zero_omission_echo_of_the_docs_sample() -> None:
    doc = td.pge()
    echo = zero_omission_echo(doc)
    assert echo["daily_charges"] == [{"name": "Charge"}]
    assert echo["seasons"]["Summer"]["tou_periods"]["OFF_PEAK"]["periods"][0] == {
        "toHour": 15,
        "toDayOfWeek": 6,
    }
    assert "monthly_charges" not in echo
    assert echo["energy_charges"] == doc["energy_charges"]  # prices, zeros included, stay
    assert validate(echo).tariff == validate(doc).tariff
    assert doc == td.pge()  # the stored copy is untouched


def test_tc36_placeholder_seasons_read_back_empty() -> None:
    doc = td.flat()
    doc["seasons"]["Winter"] = {
        "fromMonth": 0,
        "fromDay": 0,
        "toMonth": 0,
        "toDay": 0,
        "tou_periods": {},
    }
    echo = zero_omission_echo(doc)
    assert echo["seasons"]["Winter"] == {}
    assert validate(echo).tariff == validate(doc).tariff
