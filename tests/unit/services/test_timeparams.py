"""History query parameters (services/timeparams.py), without HTTP: the pypowerwall repair of
a ``time_zone`` glued to ``start_date=`` keeps both values (mutation-testing survivor)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from gridtwin.core.errors import InvalidField
from gridtwin.services.timeparams import resolve_zone


def test_glued_time_zone_is_split_into_zone_and_start_date():
    zone, fixed = resolve_zone(
        {"time_zone": "Asia/Dubaistart_date=2025-07-13T00:00:00+04:00", "kind": "energy"},
        "America/Los_Angeles")
    assert zone == ZoneInfo("Asia/Dubai")
    assert fixed == {"time_zone": "Asia/Dubai", "start_date": "2025-07-13T00:00:00+04:00",
                     "kind": "energy"}


def test_glued_start_date_does_not_override_an_explicit_one():
    _, fixed = resolve_zone({"time_zone": "UTC&start_date=2025-01-01", "start_date": "2025-02-01"},
                            "America/Los_Angeles")
    assert fixed == {"time_zone": "UTC", "start_date": "2025-02-01"}


def test_absent_zone_is_the_site_zone_and_unknown_zone_is_400():
    assert resolve_zone({}, "Europe/Paris") == (ZoneInfo("Europe/Paris"), {})
    with pytest.raises(InvalidField) as err:
        resolve_zone({"time_zone": "Mars/Olympusstart_date=2025-01-01"}, "UTC")
    assert "time_zone" in err.value.messages
