"""Exact JSON text for tariffs (tariff/jsontext.py): numbers keep their text, and neither
direction lets NaN or Infinity through (mutation-testing survivor: allow_nan on writing)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from gridtwin.tariff import dumps, loads


def test_decimal_text_and_member_order_survive_a_round_trip():
    text = '{"b": 0.4138, "a": [1, 2.50, null, true, "x"]}'
    doc = loads(text)
    assert doc == {"b": Decimal("0.4138"), "a": [1, Decimal("2.50"), None, True, "x"]}
    assert dumps(doc) == text


@pytest.mark.parametrize("text", ['{"a": NaN}', "[Infinity]", "[-Infinity]"])
def test_non_finite_constants_are_refused_on_reading(text):
    with pytest.raises(ValueError, match="not valid JSON"):
        loads(text)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_numbers_are_refused_on_writing(value):
    with pytest.raises(ValueError):
        dumps({"energy_charges": [value]})
