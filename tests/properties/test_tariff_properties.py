"""Hypothesis properties of the tariff engine (spec tariff.md §9.2 TC-45, TC-46).

Tariffs are generated from random cut points: seasons tile the leap year from random
boundaries (some wrap the new year), each weekday group (0-6, or 0-4 and 5-6) is cut at
random minutes, and the segment across midnight is written either as one overnight
period or as two periods. The plan that built a tariff is the oracle for its lookups.
"""

from __future__ import annotations

import bisect
import copy
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridtwin.tariff import (
    Intervals,
    compute_bill,
    price_at,
    price_series,
    segments,
    validate,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
LEAP_DATES = [(m, d) for m in range(1, 13) for d in range(1, MONTH_DAYS[m - 1] + 1)]
SEASON_NAMES = ("Summer", "Winter", "Shoulder", "Season3")
LABELS = ("ON_PEAK", "OFF_PEAK", "PARTIAL_PEAK", "SUPER_OFF_PEAK", "PEAK", "SHOULDER")
ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Europe/London",
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass
class Group:
    """One weekday group of a season: cut minutes and the label of each segment."""

    first: int
    last: int
    cuts: list[int]
    labels: list[str]
    split_overnight: bool
    end_as_24: bool

    def days(self) -> range:
        return range(self.first, self.last + 1)

    def segment_of(self, minute: int) -> int:
        return bisect.bisect_right(self.cuts, minute) - 1  # -1: the segment across midnight

    def periods(self) -> list[tuple[str, dict[str, int], tuple[int, int]]]:
        """(label, Period, (start, end) in minutes) per period, segment order."""
        out = []
        bounds = [*self.cuts, self.cuts[0] + 1440]
        for j, label in enumerate(self.labels):
            start, end = bounds[j], bounds[j + 1]
            if end <= 1440:
                out.append((label, self._period(start, end), (start, end)))
            elif self.split_overnight:
                out.append((label, self._period(start, 1440), (start, 1440)))
                out.append((label, self._period(0, end - 1440), (0, end - 1440)))
            else:
                out.append((label, self._period(start, end - 1440), (start, end - 1440)))
        return out

    def _period(self, start: int, end: int) -> dict[str, int]:
        to_hour, to_minute = divmod(end, 60)
        if end == 1440 and not self.end_as_24:
            to_hour = 0
        return {
            "fromDayOfWeek": self.first,
            "toDayOfWeek": self.last,
            "fromHour": start // 60,
            "fromMinute": start % 60,
            "toHour": to_hour,
            "toMinute": to_minute,
        }


@dataclass
class SeasonPlan:
    name: str
    groups: list[Group]
    prices: dict[str, Decimal]

    def group_of(self, weekday: int) -> Group:
        return next(g for g in self.groups if g.first <= weekday <= g.last)

    def tou_periods(self) -> dict[str, Any]:
        tou: dict[str, Any] = {}
        for group in self.groups:
            for label, period, _ in group.periods():
                tou.setdefault(label, {"periods": []})["periods"].append(period)
        return tou


@dataclass
class Plan:
    cuts: list[int]
    seasons: list[SeasonPlan]
    sell_prices: list[dict[str, Decimal]] | None
    daily: Decimal

    def season_of(self, month: int, day: int) -> SeasonPlan:
        index = bisect.bisect_right(self.cuts, LEAP_DATES.index((month, day))) - 1
        return self.seasons[index]

    def expected(self, when: datetime, tz: str) -> tuple[str, str, Decimal]:
        local = when.astimezone(ZoneInfo(tz))
        season = self.season_of(local.month, local.day)
        group = season.group_of(local.weekday())
        label = group.labels[group.segment_of(local.hour * 60 + local.minute)]
        return season.name, label, season.prices[label]

    def side(self, prices: list[dict[str, Decimal]]) -> dict[str, Any]:
        seasons, energy = {}, {"ALL": {"rates": {"ALL": 0}}}
        bounds = [*self.cuts, self.cuts[0] + 366]
        for i, season in enumerate(self.seasons):
            first, last = LEAP_DATES[bounds[i] % 366], LEAP_DATES[(bounds[i + 1] - 1) % 366]
            seasons[season.name] = {
                "fromMonth": first[0],
                "fromDay": first[1],
                "toMonth": last[0],
                "toDay": last[1],
                "tou_periods": season.tou_periods(),
            }
            energy[season.name] = {"rates": dict(prices[i])}
        return {"energy_charges": energy, "seasons": seasons}

    def document(self) -> dict[str, Any]:
        doc = {
            "version": 1,
            "name": "Generated",
            "utility": "Test",
            "currency": "USD",
            "daily_charges": [{"name": "Charge", "amount": self.daily}],
            "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
            **self.side([s.prices for s in self.seasons]),
        }
        if self.sell_prices is not None:
            doc["sell_tariff"] = {
                "name": "Generated",
                "utility": "Test",
                **self.side(self.sell_prices),
            }
        return doc


prices = st.integers(min_value=-5, max_value=60).map(lambda c: Decimal(c) / 100)


@st.composite
def groups(draw: st.DrawFn, first: int, last: int, labels: list[str]) -> Group:
    k = draw(st.integers(1, 6))
    cuts = sorted(draw(st.sets(st.integers(0, 1439), min_size=k, max_size=k)))
    if k == 1:
        cuts = [0]  # one segment must not be written as a zero-length period
    return Group(
        first,
        last,
        cuts,
        [draw(st.sampled_from(labels)) for _ in cuts],
        draw(st.booleans()),
        draw(st.booleans()),
    )


@st.composite
def season_plans(draw: st.DrawFn, name: str) -> SeasonPlan:
    pool = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=6, unique=True))
    ranges = draw(st.sampled_from([[(0, 6)], [(0, 4), (5, 6)]]))
    plan_groups = [draw(groups(a, b, pool)) for a, b in ranges]
    used = {label for g in plan_groups for label in g.labels}
    return SeasonPlan(name, plan_groups, {label: draw(prices) for label in sorted(used)})


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(1, 4))
    cuts = sorted(draw(st.sets(st.integers(0, 365), min_size=n, max_size=n)))
    seasons = [draw(season_plans(SEASON_NAMES[i])) for i in range(n)]
    sell = None
    if draw(st.booleans()):
        sell = [{label: draw(prices) for label in s.prices} for s in seasons]
    return Plan(cuts, seasons, sell, draw(prices))


instants = st.integers(
    int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
    int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
).map(lambda s: datetime.fromtimestamp(s, UTC))


@SETTINGS
@given(
    plan=plans(), tz=st.sampled_from(ZONES), moments=st.lists(instants, min_size=200, max_size=200)
)
def test_tc45_random_tilings_validate_and_price_at_finds_the_label(
    plan: Plan, tz: str, moments: list[datetime]
) -> None:
    report = validate(plan.document())
    assert report.errors == ()
    assert report.tariff is not None
    for when in moments:
        point = price_at(report.tariff, when, tz)
        assert (point.buy_season, point.buy_label, point.buy) == plan.expected(when, tz)


def _labels_with_several_periods(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (s, label)
        for s, season in doc["seasons"].items()
        for label, entry in season["tou_periods"].items()
        if len(entry["periods"]) > 1
    ]


@SETTINGS
@given(plan=plans(), data=st.data())
def test_tc45_deleting_or_copying_a_period(plan: Plan, data: st.DataObject) -> None:
    doc = plan.document()
    candidates = _labels_with_several_periods(doc)
    if candidates:
        season, label = data.draw(st.sampled_from(candidates))
        removed = copy.deepcopy(doc)
        periods = removed["seasons"][season]["tou_periods"][label]["periods"]
        del periods[data.draw(st.integers(0, len(periods) - 1))]
        codes = {p.code for p in validate(removed).errors}
        assert codes == {"E10"}
    copied = copy.deepcopy(doc)
    season = data.draw(st.sampled_from(sorted(copied["seasons"])))
    label = data.draw(st.sampled_from(sorted(copied["seasons"][season]["tou_periods"])))
    periods = copied["seasons"][season]["tou_periods"][label]["periods"]
    periods.append(dict(data.draw(st.sampled_from(periods))))
    assert {p.code for p in validate(copied).errors} == {"E11"}


def _pick_period(plan: Plan, data: st.DataObject) -> tuple[SeasonPlan, Group, int] | None:
    """A season, group and segment whose period lies inside the day (not at 24:00)."""
    options = [(s, g, j) for s in plan.seasons for g in s.groups for j in range(len(g.cuts) - 1)]
    return data.draw(st.sampled_from(options)) if options else None


def _errors(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p.code, p.path, p.text) for p in validate(doc).errors]


def _move(
    doc: dict[str, Any], season: SeasonPlan, group: Group, start: int, new_start: int, new_end: int
) -> None:
    entry = doc["seasons"][season.name]["tou_periods"]
    for periods in (e["periods"] for e in entry.values()):
        for period in periods:
            if (period["fromDayOfWeek"], period["fromHour"] * 60 + period["fromMinute"]) == (
                group.first,
                start,
            ) and period["toDayOfWeek"] == group.last:
                period.update(
                    fromHour=new_start // 60,
                    fromMinute=new_start % 60,
                    toHour=new_end // 60,
                    toMinute=new_end % 60,
                )
                return
    raise AssertionError("period not found")


@SETTINGS
@given(plan=plans(), data=st.data())
def test_shrinking_or_shifting_one_period_is_located_exactly(
    plan: Plan, data: st.DataObject
) -> None:
    picked = _pick_period(plan, data)
    if picked is None:
        return
    season, group, j = picked
    start, end = group.cuts[j], group.cuts[j + 1]
    path = f"seasons.{season.name}.tou_periods"
    head = f"Season '{season.name}'"
    delta = data.draw(st.integers(1, end - start - 1)) if end - start > 1 else 0
    if delta:
        shrunk = plan.document()
        _move(shrunk, season, group, start, start, end - delta)
        assert _errors(shrunk) == [
            (
                "E10",
                path,
                f"{head}, {WEEKDAYS[d]}: no period covers {hhmm(end - delta)}-{hhmm(end)}.",
            )
            for d in group.days()
        ]
    next_end = group.cuts[j + 2] if j + 2 < len(group.cuts) else 1440
    if j + 2 >= len(group.cuts) and group.cuts[0] > 0:
        next_end = 1440  # the next segment runs across midnight; stay inside the day
    room = min(end - start, next_end - end) - 1
    if room < 1:
        return
    shift = data.draw(st.integers(1, room))
    shifted = plan.document()
    _move(shifted, season, group, start, start + shift, end + shift)
    pair = " and ".join(sorted([group.labels[j], group.labels[j + 1]]))
    expected = []
    for d in group.days():
        expected.append(
            (
                "E10",
                path,
                f"{head}, {WEEKDAYS[d]}: no period covers {hhmm(start)}-{hhmm(start + shift)}.",
            )
        )
        expected.append(
            (
                "E11",
                path,
                f"{head}, {WEEKDAYS[d]} {hhmm(end)}-{hhmm(end + shift)}: periods {pair} overlap.",
            )
        )
    assert _errors(shifted) == expected


def _buckets(seed: int, n: int, top: int) -> np.ndarray:
    """Deterministic pseudo-random Wh per bucket (a multiplicative hash of the index)."""
    index = np.arange(n, dtype=np.uint64)
    mixed = (index * np.uint64(2654435761) + np.uint64(seed)) % np.uint64(2**32)
    return (mixed % np.uint64(top + 1)).astype(np.int64)


@SETTINGS
@given(
    plan=plans(),
    tz=st.sampled_from(ZONES),
    seed=st.integers(0, 2**31),
    start=st.integers(0, 3 * 366 * 288),
    first=st.integers(1, 1500),
    second=st.integers(1, 1500),
)
def test_tc46_bills_are_additive(
    plan: Plan, tz: str, seed: int, start: int, first: int, second: int
) -> None:
    tariff = validate(plan.document()).tariff
    assert tariff is not None
    a = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) + 300 * start
    b, c = a + 300 * first, a + 300 * (first + second)
    grid = np.arange(a, c, 300, dtype=np.int64)
    intervals = Intervals.of(
        grid, _buckets(seed, grid.size, 3000), _buckets(seed + 7, grid.size, 2000)
    )
    whole, left, right = (
        compute_bill([(0, tariff)], tz, x, y, intervals) for x, y in ((a, c), (a, b), (b, c))
    )
    for name in ("energy_charge", "export_credit", "daily_charge"):
        assert getattr(whole, name) == getattr(left, name) + getattr(right, name)


@SETTINGS
@given(
    plan=plans(),
    tz=st.sampled_from(ZONES),
    start=instants,
    step_min=st.sampled_from([1, 5, 15, 60, 7]),
    data=st.data(),
)
def test_price_series_matches_price_at(
    plan: Plan, tz: str, start: datetime, step_min: int, data: st.DataObject
) -> None:
    tariff = validate(plan.document()).tariff
    assert tariff is not None
    n = 3000
    buy, sell = price_series(tariff, tz, int(start.timestamp()), n, step_min * 60)
    for i in data.draw(st.lists(st.integers(0, n - 1), min_size=30, max_size=30)):
        point = price_at(tariff, start + timedelta(minutes=step_min * i), tz)
        assert (buy[i], sell[i]) == (float(point.buy_eff), float(point.sell_eff))


@SETTINGS
@given(plan=plans(), tz=st.sampled_from(ZONES), start=instants, hours=st.integers(1, 72))
def test_segments_are_maximal_constant_runs(
    plan: Plan, tz: str, start: datetime, hours: int
) -> None:
    tariff = validate(plan.document()).tariff
    assert tariff is not None
    end = start + timedelta(hours=hours)
    found = segments(tariff, start, end, tz)
    assert found[0].start == start and found[-1].end == end
    for before, after in itertools.pairwise(found):
        assert before.end == after.start
        assert before.price != after.price
    second = timedelta(seconds=1)
    for segment in found:
        assert price_at(tariff, segment.start, tz) == segment.price
        assert price_at(tariff, segment.end - second, tz) == segment.price


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 1500)
    | st.text(max_size=4)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every member and element below ``value``."""
    found = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        found.append((*path, key))
        found.extend(_nodes(child, (*path, key)))
    return found


@SETTINGS
@given(plan=plans(), data=st.data())
def test_validation_never_raises_on_mutated_documents(plan: Plan, data: st.DataObject) -> None:
    doc = plan.document()
    for _ in range(data.draw(st.integers(1, 3))):
        *parents, last = data.draw(st.sampled_from(_nodes(doc)))
        target = doc
        for key in parents:
            target = target[key]
        if data.draw(st.booleans()) and isinstance(target, dict):
            del target[last]
        else:
            target[last] = data.draw(json_values)
        if not _nodes(doc):
            break
    report = validate(doc)
    assert report.ok == (report.tariff is not None)
    assert all(p.text.isascii() for p in report.problems)
