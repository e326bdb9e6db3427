"""Energy, backup and charge history (wire-format §9–§11).

Every bucket is the exact field-wise sum of the stored 5-minute buckets it covers, plus the
current partial 5-minute bucket from the live counters (site-behavior §9.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from gridtwin.core.errors import Internal, InvalidField
from gridtwin.core.units import BUCKET_S
from gridtwin.domain.profile import Quirk
from gridtwin.services.auth import Principal
from gridtwin.services.calendar import PERIODS, bucket_edges, unit_containing
from gridtwin.services.sites import SiteView, with_site
from gridtwin.services.timeparams import parse_history_instant, resolve_zone
from gridtwin.services.world import World
from gridtwin.sim.runner import cumulative_wh
from gridtwin.store.repository import Tx

__all__ = [
    "BackupHistory",
    "ChargeHistory",
    "EnergyHistory",
    "calendar_history",
    "charge_history",
]

MAX_WINDOW_S = 10 * 366 * 86_400
"""Longest requested window [s] for every period but lifetime (whose buckets are years)."""
MAX_BUCKETS = 10_000
"""Most buckets in one reply: a 31-day month of 5-minute buckets (8,940 at most) or ten
years of days fit; the body stays under ~8 MB."""
CHARGE_DEFAULT_S = 30 * 86_400


@dataclass(frozen=True)
class EnergyHistory:
    """Buckets [start_s, end) with Wh per cell (n x 10). Empty = ``time_series: null``."""

    view: SiteView
    period: str
    zone: ZoneInfo
    starts: list[int]
    wh: npt.NDArray[np.int64]


@dataclass(frozen=True)
class BackupHistory:
    view: SiteView
    zone: ZoneInfo
    events: list[tuple[int, int]]  # (start_s, duration_s)


@dataclass(frozen=True)
class ChargeHistory:
    view: SiteView
    sessions: list[dict[str, Any]]


@dataclass(frozen=True)
class _Request:
    """Validated calendar_history parameters: [lo_s, hi_s) before widening to buckets."""

    period: str
    zone: ZoneInfo
    lo_s: int
    hi_s: int


def _period(params: Mapping[str, str], default: str) -> str:
    period = params.get("period") or default
    if period not in PERIODS:
        raise InvalidField.for_field("period", f"must be one of {', '.join(PERIODS)}")
    return period


def _dates_named(params: Mapping[str, str]) -> list[str]:
    """The date parameters a window error is about (those given, else end_date)."""
    return [n for n in ("start_date", "end_date") if params.get(n)] or ["end_date"]


def _window_error(params: Mapping[str, str], problem: str) -> InvalidField:
    names = _dates_named(params)
    return InvalidField(f"{', '.join(names)}: {problem}", {n: [problem] for n in names})


def _request(params: Mapping[str, str], default_period: str, view: SiteView) -> _Request:
    """Parse and check kind-independent parameters (wire-format §9.1), before any store read."""
    zone, fixed = resolve_zone(params, view.spec.time_zone)
    period = _period(fixed, default_period)
    now = view.now_s
    start = (parse_history_instant("start_date", fixed["start_date"], zone)
             if fixed.get("start_date") else None)
    end = parse_history_instant("end_date", fixed["end_date"], zone) if fixed.get("end_date") else None
    if start is not None and end is not None and start > end:
        raise InvalidField.for_field("start_date", "must not be after end_date")
    if start is not None:
        lo, hi = start, max(end if end is not None else now, start)
    else:
        anchor = end if end is not None else now
        if period == "lifetime":
            lo, hi = view.spec.installation_s, max(anchor, view.spec.installation_s)
        else:
            lo, hi = unit_containing(anchor, period, zone)
    if period != "lifetime" and hi - lo > MAX_WINDOW_S:
        raise _window_error(fixed, f"window is longer than 10 years for period={period}")
    return _Request(period, zone, lo, hi)


def _returnable_edges(req: _Request, view: SiteView, params: Mapping[str, str]) -> list[int]:
    """Edges of the buckets that overlap the request, start before now and end after the
    installation instant (wire-format §9.2). Only those buckets are enumerated, so the cost
    follows the reply, not the requested window."""
    lo, hi, now, inst = req.lo_s, req.hi_s, view.now_s, view.spec.installation_s
    first = max(lo, inst)  # the first returnable bucket contains this instant...
    last = min(hi - 1 if hi > lo else lo, now - 1)  # ...and the last one this one
    if first > last:
        # Both in one bucket (e.g. a site installed this instant): that bucket, else none.
        one = bucket_edges(last, last, req.period, req.zone)
        return one if one[1] > first else []
    if req.period == "day" and (last + 1 - first) // BUCKET_S + 2 > MAX_BUCKETS:
        raise _window_error(params, f"window holds more than {MAX_BUCKETS} buckets for "
                            f"period=day (5-minute buckets: at most ~34 days per request)")
    edges = bucket_edges(first, last + 1, req.period, req.zone)
    if len(edges) - 1 > MAX_BUCKETS:
        raise _window_error(params, f"window holds more than {MAX_BUCKETS} buckets")
    return edges


def _cumulative(tx: Tx, view: SiteView, edges: list[int]) -> npt.NDArray[np.int64]:
    """Cumulative Wh per cell at each edge (n x 10): the stored rows at exactly those
    boundaries for past edges, the live counters for edges at or after now, zero before the
    first stored boundary. Reads one row per edge whatever the bucket size."""
    now = view.now_s
    at = np.asarray(edges, dtype=np.int64)
    n_past = int(np.searchsorted(at, now, side="left"))  # edges are increasing
    past = at[:n_past]
    if n_past > 1 and past[1] - past[0] == BUCKET_S:
        # 5-minute buckets: every boundary in the range is an edge, one range read.
        rows = tx.totals_range(view.site_id, int(past[0]), int(past[-1]))
    else:
        rows = tx.totals_at(view.site_id, past.tolist())
    out = np.zeros((len(at), 10), dtype=np.int64)
    idx = np.minimum(np.searchsorted(rows.ends, past), max(len(rows.ends) - 1, 0))
    found = rows.ends[idx] == past if len(rows.ends) else np.zeros(n_past, dtype=bool)
    out[:n_past][found] = rows.wh[idx[found]]
    if not found.all():
        first = tx.first_total_end(view.site_id)
        if first is not None and bool((past[~found] > first).any()):
            raise Internal(f"history rows missing for site {view.site_id}")
    out[n_past:] = cumulative_wh(view.state.counters_j)
    return out


def _sum_buckets(tx: Tx, view: SiteView, edges: list[int]) -> npt.NDArray[np.int64]:
    """Wh per cell in each bucket [edges[i], edges[i+1]): differences of cumulative totals,
    so every period is the exact sum of its 5-minute buckets (site-behavior §9.2)."""
    return np.diff(_cumulative(tx, view, edges), axis=0)


def _energy(tx: Tx, view: SiteView, params: Mapping[str, str]) -> EnergyHistory:
    req = _request(params, "day", view)
    empty = EnergyHistory(view, req.period, req.zone, [], np.zeros((0, 10), np.int64))
    if Quirk.NO_HISTORY in view.quirks:
        return empty
    edges = _returnable_edges(req, view, params)
    if not edges:
        return empty
    return EnergyHistory(view, req.period, req.zone, edges[:-1], _sum_buckets(tx, view, edges))


def _backup(tx: Tx, view: SiteView, params: Mapping[str, str]) -> BackupHistory:
    req = _request(params, "lifetime", view)
    # Only the outer edges matter: the bucket containing lo and the one containing the end.
    w0 = bucket_edges(req.lo_s, req.lo_s, req.period, req.zone)[0]
    last = req.hi_s - 1 if req.hi_s > req.lo_s else req.lo_s
    w1 = min(bucket_edges(last, last, req.period, req.zone)[1], view.now_s)
    events = []
    for row in tx.list_backups(view.site_id):
        start = int(row["start_s"])
        end = view.now_s if row["end_s"] is None else int(row["end_s"])
        if (start < w1 and end > w0) or (start == end and w0 <= start < w1):
            events.append((start, end - start))
    return BackupHistory(view, req.zone, events)


def calendar_history(
    world: World, principal: Principal, site_id: int, params: Mapping[str, str]
) -> EnergyHistory | BackupHistory:
    """``calendar_history``: kind=energy or kind=backup, validated after the site lookup."""

    def run(tx: Tx, view: SiteView) -> EnergyHistory | BackupHistory:
        kind = params.get("kind")
        if kind == "energy":
            return _energy(tx, view, params)
        if kind == "backup":
            return _backup(tx, view, params)
        raise InvalidField.for_field(
            "kind", "must be one of energy, backup, power, soe, self_consumption, "
            "time_of_use_energy, savings")

    return with_site(world, principal, site_id, run)


def charge_history(
    world: World, principal: Principal, site_id: int, params: Mapping[str, str]
) -> ChargeHistory:
    def run(tx: Tx, view: SiteView) -> ChargeHistory:
        zone, fixed = resolve_zone(params, view.spec.time_zone)
        kind = fixed.get("kind")
        if kind != "charge":
            raise InvalidField.for_field("kind", "must be charge")
        end = parse_history_instant("end_date", fixed["end_date"], zone) if fixed.get("end_date") else None
        hi = end if end is not None else view.now_s
        start = (parse_history_instant("start_date", fixed["start_date"], zone)
                 if fixed.get("start_date") else None)
        lo = start if start is not None else hi - CHARGE_DEFAULT_S
        if lo > hi:
            raise InvalidField.for_field("start_date", "must not be after end_date")
        sessions = [
            s for s in tx.list_sessions(view.site_id)
            if s["first_power_s"] is not None and s["first_power_s"] < max(hi, lo + 1)
            and (s["last_power_s"] or s["first_power_s"]) >= lo
        ]
        return ChargeHistory(view, sessions)

    return with_site(world, principal, site_id, run)

