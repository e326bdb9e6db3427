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
from gridtwin.domain.profile import Quirk
from gridtwin.services.auth import Principal
from gridtwin.services.calendar import PERIODS, bucket_edges, unit_containing
from gridtwin.services.sites import SiteView, with_site
from gridtwin.services.timeparams import parse_instant, resolve_zone
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

MAX_DAY_WINDOW_S = 10 * 366 * 86_400
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


def _period(params: Mapping[str, str], default: str) -> str:
    period = params.get("period") or default
    if period not in PERIODS:
        raise InvalidField.for_field("period", f"must be one of {', '.join(PERIODS)}")
    return period


def _window(params: Mapping[str, str], period: str, zone: ZoneInfo, view: SiteView) -> tuple[int, int]:
    """[start_s, end_s) of the request before widening to buckets."""
    now = view.now_s
    start = parse_instant("start_date", params["start_date"], zone) if params.get("start_date") else None
    end = parse_instant("end_date", params["end_date"], zone) if params.get("end_date") else None
    if start is not None and end is not None and start > end:
        raise InvalidField.for_field("start_date", "must not be after end_date")
    if start is not None:
        lo = int(start.timestamp())
        hi = int(end.timestamp()) if end is not None else now
        hi = max(hi, lo)
    else:
        anchor = int(end.timestamp()) if end is not None else now
        if period == "lifetime":
            lo, hi = view.spec.installation_s, max(anchor, view.spec.installation_s)
        else:
            lo, hi = unit_containing(anchor, period, zone)
    if period == "day" and hi - lo > MAX_DAY_WINDOW_S:
        raise InvalidField.for_field("end_date", "window is longer than 10 years for period=day")
    return lo, hi


def _cumulative(tx: Tx, view: SiteView, edges: list[int]) -> npt.NDArray[np.int64]:
    """Cumulative Wh per cell at each edge (n x 10): stored rows for past boundaries, the
    live counters for edges at or after now, zero before the first stored boundary."""
    now = view.now_s
    past = [e for e in edges if e < now]
    if len(edges) > 100:
        # 5-minute windows: one range read instead of one lookup per edge.
        rows = tx.totals_range(view.site_id, edges[0], edges[-1])
        known = dict(zip(rows.ends.tolist(), rows.wh, strict=True))
    else:
        known = tx.totals_at(view.site_id, past)
    missing = [e for e in past if e not in known]
    first = tx.first_total_end(view.site_id) if missing else None
    if first is not None and any(e > first for e in missing):
        raise Internal(f"history rows missing for site {view.site_id}")
    live = cumulative_wh(view.state.counters_j)
    zero = np.zeros(10, dtype=np.int64)
    return np.array([live if e >= now else known.get(e, zero) for e in edges], dtype=np.int64)


def _sum_buckets(tx: Tx, view: SiteView, edges: list[int]) -> npt.NDArray[np.int64]:
    """Wh per cell in each bucket [edges[i], edges[i+1]): differences of cumulative totals,
    so every period is the exact sum of its 5-minute buckets (site-behavior §9.2)."""
    return np.diff(_cumulative(tx, view, edges), axis=0)


def _energy(tx: Tx, view: SiteView, params: Mapping[str, str]) -> EnergyHistory:
    zone, fixed = resolve_zone(params, view.spec.time_zone)
    period = _period(fixed, "day")
    lo, hi = _window(fixed, period, zone, view)
    if Quirk.NO_HISTORY in view.quirks:
        return EnergyHistory(view, period, zone, [], np.zeros((0, 10), np.int64))
    edges = bucket_edges(lo, hi, period, zone)
    keep = [
        i for i in range(len(edges) - 1)
        if edges[i] < view.now_s and edges[i + 1] > view.spec.installation_s
    ]
    if not keep:
        return EnergyHistory(view, period, zone, [], np.zeros((0, 10), np.int64))
    sub = edges[keep[0] : keep[-1] + 2]
    sums = _sum_buckets(tx, view, sub)
    return EnergyHistory(view, period, zone, sub[:-1], sums)


def _backup(tx: Tx, view: SiteView, params: Mapping[str, str]) -> BackupHistory:
    zone, fixed = resolve_zone(params, view.spec.time_zone)
    period = _period(fixed, "lifetime")
    lo, hi = _window(fixed, period, zone, view)
    edges = bucket_edges(lo, hi, period, zone)
    w0, w1 = edges[0], min(edges[-1], view.now_s)
    events = []
    for row in tx.list_backups(view.site_id):
        start = int(row["start_s"])
        end = view.now_s if row["end_s"] is None else int(row["end_s"])
        if (start < w1 and end > w0) or (start == end and w0 <= start < w1):
            events.append((start, end - start))
    return BackupHistory(view, zone, events)


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
        raise InvalidField.for_field("kind", "must be energy or backup")

    return with_site(world, principal, site_id, run)


def charge_history(
    world: World, principal: Principal, site_id: int, params: Mapping[str, str]
) -> ChargeHistory:
    def run(tx: Tx, view: SiteView) -> ChargeHistory:
        zone, fixed = resolve_zone(params, view.spec.time_zone)
        kind = fixed.get("kind")
        if kind != "charge":
            raise InvalidField.for_field("kind", "must be charge")
        end = parse_instant("end_date", fixed["end_date"], zone) if fixed.get("end_date") else None
        hi = int(end.timestamp()) if end is not None else view.now_s
        start = parse_instant("start_date", fixed["start_date"], zone) if fixed.get("start_date") else None
        lo = int(start.timestamp()) if start is not None else hi - CHARGE_DEFAULT_S
        if lo > hi:
            raise InvalidField.for_field("start_date", "must not be after end_date")
        sessions = [
            s for s in tx.list_sessions(view.site_id)
            if s["first_power_s"] is not None and s["first_power_s"] < max(hi, lo + 1)
            and (s["last_power_s"] or s["first_power_s"]) >= lo
        ]
        return ChargeHistory(view, sessions)

    return with_site(world, principal, site_id, run)

