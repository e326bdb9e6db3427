"""Pass P1 for ``seasons``: seasons, labels and periods (spec tariff.md §2.3-§2.7, §3.3-§3.5).

Records E03-E07, E09, N03, W02, W03, W07, W08 and W09 in the order of §5.2 and fills
``SeasonDraft`` values, marking seasons whose periods are unusable for coverage (P2).
"""

from __future__ import annotations

from typing import Final

from gridtwin.tariff.draft import Collector, LabelDraft, PeriodDraft, SeasonDraft, SideDraft
from gridtwin.tariff.rules import ascii_text, hhmm, month_text, path_index, path_key
from gridtwin.tariff.values import is_int

__all__ = ["LEAP_MONTH_DAYS", "check_seasons", "days_of"]

LEAP_MONTH_DAYS: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DATE_FIELDS: Final = (
    ("fromMonth", 1, 12),
    ("fromDay", 1, 31),
    ("toMonth", 1, 12),
    ("toDay", 1, 31),
)
_SEASON_MEMBERS: Final = frozenset({"fromMonth", "fromDay", "toMonth", "toDay", "tou_periods"})
_PERIOD_FIELDS: Final = (
    ("fromDayOfWeek", 0, 6),
    ("toDayOfWeek", 0, 6),
    ("fromHour", 0, 23),
    ("fromMinute", 0, 59),
    ("toHour", 0, 24),
    ("toMinute", 0, 60),
)
_PERIOD_MEMBERS: Final = frozenset(name for name, _, _ in _PERIOD_FIELDS)
_APP_DAY_RANGES: Final = frozenset({(0, 6), (0, 4), (5, 6)})
_RESERVED: Final = frozenset({"", "ALL"})


def days_of(first: int, last: int) -> tuple[int, ...]:
    """Weekdays of an inclusive range, wrapping through Sunday when first > last (§3.3)."""
    if first <= last:
        return tuple(range(first, last + 1))
    return (*range(first, 7), *range(last + 1))


def _unknown(key: str) -> str:
    return f"Unknown member '{ascii_text(key)}' is ignored (kept in the stored copy)."


def check_seasons(value: object, side: SideDraft) -> None:
    """Validate the ``seasons`` member of one side, appending a draft per season."""
    path = path_key(side.base, "seasons")
    if not isinstance(value, dict):
        side.out.add("E03", path, "seasons must be an object")
        return
    side.seasons_usable = True
    for name, season in value.items():
        side.seasons.append(_check_season(name, season, path, side.out))


def _check_season(name: str, value: object, seasons_path: str, out: Collector) -> SeasonDraft:
    draft = SeasonDraft(name, path_key(seasons_path, name), named_ok=name not in _RESERVED)
    if not draft.named_ok:
        out.add("E07", draft.path, f"'{ascii_text(name)}' cannot be used as a season name.")
    if not isinstance(value, dict):
        out.add("E03", draft.path, f"{ascii_text(name)} must be an object")
        return draft
    tou = value.get("tou_periods")
    draft.active = isinstance(tou, dict) and bool(tou)
    for key in value:
        if key not in _SEASON_MEMBERS:
            out.add("W07", path_key(draft.path, key), _unknown(key))
    _check_bounds(value, draft, out)
    if "tou_periods" in value:
        if not isinstance(tou, dict):
            out.add("E03", draft.tou_path, "tou_periods must be an object")
        elif tou:
            for label, entry in tou.items():
                draft.labels.append(_check_label(label, entry, draft, out))
    return draft


def _check_bounds(value: dict[str, object], draft: SeasonDraft, out: Collector) -> None:
    bounds: list[int] = []
    for key, low, high in _DATE_FIELDS:
        raw = value.get(key, 0)
        field_path = path_key(draft.path, key)
        if not is_int(raw):
            out.add("E03", field_path, f"{key} must be an integer")
            draft.bounds_ok = False
            raw = 0
        elif draft.active and not low <= raw <= high:
            out.add("E04", field_path, f"{key} must be between {low} and {high}")
            draft.bounds_ok = False
        bounds.append(raw)
    draft.bounds = (bounds[0], bounds[1], bounds[2], bounds[3])
    if draft.active and draft.bounds_ok:
        for month, day, key in ((bounds[0], bounds[1], "fromDay"), (bounds[2], bounds[3], "toDay")):
            if day > LEAP_MONTH_DAYS[month - 1]:
                out.add(
                    "W09",
                    path_key(draft.path, key),
                    f"{month_text(month)} has no day {day}; dates are compared as "
                    "(month, day) pairs.",
                )


def _check_label(label: str, entry: object, season: SeasonDraft, out: Collector) -> LabelDraft:
    draft = LabelDraft(label, path_key(season.tou_path, label), named_ok=label not in _RESERVED)
    if not draft.named_ok:
        out.add("E07", draft.path, f"'{ascii_text(label)}' cannot be used as a period label.")
        season.periods_ok = False
    if not isinstance(entry, dict):
        out.add("E03", draft.path, f"{ascii_text(label)} must be an object")
        season.periods_ok = False
        return draft
    if "periods" not in entry:
        out.add("E05", draft.path, "periods is required")
        season.periods_ok = False
    else:
        _check_period_list(entry["periods"], draft, season, out)
    for key in entry:
        if key != "periods":
            out.add("W07", path_key(draft.path, key), _unknown(key))
    return draft


def _check_period_list(
    periods: object, label: LabelDraft, season: SeasonDraft, out: Collector
) -> None:
    path = path_key(label.path, "periods")
    if not isinstance(periods, list):
        out.add("E03", path, "periods must be an array")
        season.periods_ok = False
        return
    if not periods:
        out.add(
            "E06",
            path,
            f"Season '{ascii_text(season.name)}', label '{ascii_text(label.name)}' has no periods.",
        )
        season.periods_ok = False
        return
    for index, period in enumerate(periods):
        period_path = path_index(path, index)
        if not isinstance(period, dict):
            out.add("E03", period_path, f"periods[{index}] must be an object")
            season.periods_ok = False
            continue
        draft = _check_period(period, period_path, season, label.name, out)
        season.periods_ok = season.periods_ok and draft.usable
        label.periods.append(draft)


def _read_fields(period: dict[str, object], path: str, out: Collector) -> dict[str, int] | None:
    values: dict[str, int] = {}
    for key, low, high in _PERIOD_FIELDS:
        raw = period.get(key, 0)
        if not is_int(raw):
            out.add("E03", path_key(path, key), f"{key} must be an integer")
        elif not low <= raw <= high:
            out.add("E04", path_key(path, key), f"{key} must be between {low} and {high}")
        else:
            values[key] = raw
    for key in period:
        if key not in _PERIOD_MEMBERS:
            out.add("W07", path_key(path, key), _unknown(key))
    return values if len(values) == len(_PERIOD_FIELDS) else None


def _check_period(
    period: dict[str, object], path: str, season: SeasonDraft, label: str, out: Collector
) -> PeriodDraft:
    values = _read_fields(period, path, out)
    if values is not None and values["toHour"] * 60 + values["toMinute"] > 1440:
        out.add("E04", path, "period ends after 24:00")
        values = None
    if "toDayOfWeek" not in period:
        out.add("W08", path, "toDayOfWeek is missing and read as 0 (Monday).")
    if values is None:
        _check_day_range(period, path, out)
        return PeriodDraft(path, (), 0, 0, usable=False)
    to_hour, to_minute = values["toHour"], values["toMinute"]
    if to_minute == 60 and to_hour <= 23:
        out.add("N03", path_key(path, "toMinute"), f"toMinute 60 is read as {to_hour + 1:02d}:00.")
    start = values["fromHour"] * 60 + values["fromMinute"]
    end = (to_hour * 60 + to_minute) or 1440
    days = days_of(values["fromDayOfWeek"], values["toDayOfWeek"])
    if start == end:
        out.add(
            "E09",
            path,
            f"Season '{ascii_text(season.name)}', label '{ascii_text(label)}': "
            f"period {hhmm(start)}-{hhmm(end)} has zero length (only "
            "00:00-00:00 means the whole day).",
        )
    _check_day_range(period, path, out)
    if start > end and len(days) < 7:
        out.add(
            "W03",
            path,
            f"Overnight period on part of the week: each listed day gets "
            f"{hhmm(start)}-24:00 and 00:00-{hhmm(end)} of the same day.",
        )
    return PeriodDraft(path, days, start, end, usable=start != end)


def _check_day_range(period: dict[str, object], path: str, out: Collector) -> None:
    first, last = period.get("fromDayOfWeek", 0), period.get("toDayOfWeek", 0)
    if not (is_int(first) and is_int(last) and 0 <= first <= 6 and 0 <= last <= 6):
        return
    if (first, last) not in _APP_DAY_RANGES:
        out.add(
            "W02", path, f"Day range {first}-{last} is not one the Tesla app shows (0-6, 0-4, 5-6)."
        )
