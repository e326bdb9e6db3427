"""Instants and durations in control-plane bodies (services/calendar_parse.py), without HTTP
(mutation-testing survivor: refusing every RFC 3339 string went unseen by the fast suite)."""

from __future__ import annotations

import pytest

from gridtwin.core.errors import InvalidField
from gridtwin.services.calendar_parse import parse_duration_s, parse_when

NOW_S = 1_752_606_000  # 2025-07-15T19:00:00Z


def test_instants_from_seconds_text_and_offsets():
    assert parse_when("at", 1_752_600_000, NOW_S) == 1_752_600_000
    assert parse_when("at", "2025-07-15T19:00:00Z", NOW_S) == NOW_S
    assert parse_when("at", "2025-07-15T21:00:00+02:00", NOW_S) == NOW_S
    assert parse_when("at", "2025-07-15T19:00:00", NOW_S) == NOW_S  # naive text is UTC
    assert parse_when("at", "+PT1H30M", NOW_S) == NOW_S + 5400
    assert parse_when("at", "+P1DT1S", NOW_S) == NOW_S + 86_401


@pytest.mark.parametrize("value", [True, 1.5, None, ["2025-07-15"], "+P", "+PT", "tomorrow"])
def test_anything_else_is_a_field_error(value):
    with pytest.raises(InvalidField) as err:
        parse_when("at", value, NOW_S)
    assert list(err.value.messages) == ["at"]


def test_durations():
    assert parse_duration_s("d", "PT2H") == 7200
    assert parse_duration_s("d", "P2D") == 172_800
    with pytest.raises(InvalidField):
        parse_duration_s("d", "2H")
