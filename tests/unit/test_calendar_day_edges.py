"""Day-bucket edges of week and month windows (wire-format §9.2, D16).

The fast path steps 24 h from one local midnight to the next and computes a day in full
only when the step misses, once per zone and year, and a window is sliced from the years
it spans; every edge must still be the first instant of its local date, across offset
changes, skipped midnights and half-hour shifts, and at the turn of a year.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridtwin.services.calendar import bucket_edges, local_day_start_s

pytestmark = pytest.mark.timeout(60)

ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/Santiago",  # DST starts at midnight: that midnight does not exist
    "America/Havana",  # same, at 00:00 -> 01:00
    "Asia/Beirut",  # DST starts at midnight
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Africa/Casablanca",  # DST suspended every Ramadan: two changes a month apart
    "Europe/London",
]


def _brute_force(start_s: int, end_s: int, zone: ZoneInfo) -> list[int]:
    """One full computation per local date, from the day containing start_s; a date the
    zone skipped whole has no start."""
    d = datetime.fromtimestamp(start_s, zone).date()
    edges = [local_day_start_s(d, zone)]
    while edges[-1] < end_s or len(edges) == 1:
        d += timedelta(days=1)
        t = local_day_start_s(d, zone)
        if datetime.fromtimestamp(t, zone).date() == d:
            edges.append(t)
    return edges


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("period", ["week", "month"])
def test_day_edges_over_five_years_are_local_midnights(zone_name: str, period: str) -> None:
    zone = ZoneInfo(zone_name)
    start = local_day_start_s(date(2016, 3, 7), zone) + 5 * 3600
    end = local_day_start_s(date(2021, 11, 2), zone) + 3600
    edges = bucket_edges(start, end, period, zone)
    assert edges == _brute_force(start, end, zone)
    assert all(b > a for a, b in itertools.pairwise(edges))
    for e in edges:
        local = datetime.fromtimestamp(e, zone)
        # The first instant of its date: a second earlier is the day before.
        assert datetime.fromtimestamp(e - 1, zone).date() < local.date()


def test_a_window_inside_one_day_has_that_day_as_its_bucket() -> None:
    zone = ZoneInfo("America/Santiago")
    day = local_day_start_s(date(2019, 9, 8), zone)  # the midnight skipped by DST
    assert bucket_edges(day + 60, day + 60, "month", zone) == _brute_force(day + 60, day + 60, zone)


@pytest.mark.parametrize("zone_name", [*ZONES, "Pacific/Apia"])  # Apia skipped 2011-12-30
@pytest.mark.parametrize(("first", "last"), [
    (date(2011, 12, 29), date(2012, 1, 1)),  # ends on the first start of the next year
    (date(2011, 12, 31), date(2011, 12, 31)),  # inside the last day of a year
    (date(2015, 1, 1), date(2015, 1, 1)),  # inside the first day of a year
    (date(2019, 12, 20), date(2023, 1, 3)),  # across four year turns
])
def test_day_edges_across_the_turn_of_a_year(zone_name: str, first: date, last: date) -> None:
    zone = ZoneInfo(zone_name)
    for start, end in ((local_day_start_s(first, zone), local_day_start_s(last, zone)),
                       (local_day_start_s(first, zone) + 7, local_day_start_s(last, zone) + 1)):
        edges = bucket_edges(start, end, "month", zone)
        assert edges == _brute_force(start, end, zone)
        assert all(b > a for a, b in itertools.pairwise(edges))


def test_a_skipped_date_has_no_bucket() -> None:
    """Samoa skipped 2011-12-30: the day of the 29th runs straight into the 31st."""
    zone = ZoneInfo("Pacific/Apia")
    start = local_day_start_s(date(2011, 12, 29), zone)
    edges = bucket_edges(start, start + 1, "week", zone)
    assert edges == [start, local_day_start_s(date(2011, 12, 31), zone)]
    assert edges[1] - edges[0] == 86_400  # 24 h of the 29th, the 30th never began
    assert bucket_edges(start, start + 3 * 86_400, "month", zone) == [
        start, *(local_day_start_s(date(y, m, d), zone) for y, m, d in (
            (2011, 12, 31), (2012, 1, 1), (2012, 1, 2)))]
