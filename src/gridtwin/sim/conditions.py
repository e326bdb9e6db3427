"""Events → piecewise-constant conditions (emulator §6, site-behavior §6–§8).

The advance window ``[t0, t1]`` is cut at every event instant into segments of constant
conditions: grid down / islanded, storm event, and per Wall Connector the plugged
session, fault and scheduled-start wait. ``sky`` and ``load_spike`` events are the
environment's business (gridtwin.sim.environment applies them per step), so they
neither cut segments nor appear here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.state import BackupInterval, ChargeSession

__all__ = [
    "Conditions",
    "Segments",
    "backup_intervals",
    "build_segments",
    "islanded_intervals",
]

_FOREVER = 2**62
_CUTTING = frozenset({EventType.GRID_OUTAGE, EventType.GRID_RESTORE, EventType.ISLAND,
                      EventType.STORM_ALERT, EventType.WC_FAULT})


@dataclass(frozen=True)
class Conditions:
    """Conditions at one instant. wc: per connector (session event id or "", fault, waiting)."""

    grid_down: bool
    islanded: bool
    intentional: bool
    storm_event: bool
    wc: tuple[tuple[str, bool, bool], ...]


@dataclass(frozen=True)
class Segments:
    """Segments starting at ``starts`` (starts[0] == t0, all <= t1) with their conditions.

    changed: 1 where conditions differ from the previous segment (0 for the first).
    cond: (M, 2) grid down, storm event; wc: (M, K, 3) session index into
    ``sessions``, fault, waiting. sessions: the charge sessions the window can touch.
    """

    starts: npt.NDArray[np.int64]
    changed: npt.NDArray[np.int64]
    cond: npt.NDArray[np.int64]
    wc: npt.NDArray[np.int64]
    conditions: tuple[Conditions, ...]
    sessions: tuple[ChargeSession, ...]


def _end(e: SiteEvent) -> int:
    return _FOREVER if e.end_s is None else e.end_s


def _outages(events: Sequence[SiteEvent]) -> list[tuple[int, int]]:
    """Outage intervals, each cut at the first grid_restore at or after its start."""
    restores = sorted(e.start_s for e in events if e.type is EventType.GRID_RESTORE)
    out = []
    for e in events:
        if e.type is not EventType.GRID_OUTAGE:
            continue
        end = _end(e)
        for r in restores:
            if r >= e.start_s:
                end = min(end, r)
                break
        if end > e.start_s:
            out.append((e.start_s, end))
    return out


def _islands(spec: SiteSpec, events: Sequence[SiteEvent]) -> list[tuple[int, int]]:
    if not spec.has_backup:
        return []
    return [(e.start_s, _end(e)) for e in events
            if e.type is EventType.ISLAND and _end(e) > e.start_s]


def islanded_intervals(spec: SiteSpec, events: Sequence[SiteEvent]
                       ) -> list[tuple[int, int, bool]]:
    """Merged islanded intervals (start, end, intentional) [s]; end 2**62 if open.

    Touching or overlapping outages and island events form one interval; it is
    intentional when no outage is part of it. Empty for sites that cannot island.
    """
    if not (spec.has_backup and spec.has_battery):
        return []
    parts = sorted([(s, e, False) for s, e in _outages(events)]
                   + [(s, e, True) for s, e in _islands(spec, events)])
    merged: list[tuple[int, int, bool]] = []
    for s, e, intentional in parts:
        if merged and s <= merged[-1][1]:
            ms, me, mi = merged[-1]
            merged[-1] = (ms, max(me, e), mi and intentional)
        else:
            merged.append((s, e, intentional))
    return merged


def backup_intervals(spec: SiteSpec, events: Sequence[SiteEvent], t0: int, t1: int,
                     open_start_s: int | None = None) -> tuple[BackupInterval, ...]:
    """Islanded intervals touching (t0, t1]; end None while still open at t1.

    ``open_start_s``: start of the interval the state at t0 is still in, stored open. When
    its event was ended at exactly t0 (an island or outage ended at the state's own
    instant), the interval ends at t0 and is given too, so its record is closed. When it
    is no longer one of the site's intervals at all (its event deleted, or the site can no
    longer island: backup or battery removed), its record is closed at t0 with its stored
    kind kept (``intentional`` None); one that began at t0 comes back empty (end ==
    start): its record is to be dropped."""
    out = []
    merged = islanded_intervals(spec, events)
    for s, e, intentional in merged:
        if s <= t1 and (e > t0 or (e == t0 and s == open_start_s)):
            out.append(BackupInterval(s, e if e <= t1 else None, intentional))
    if open_start_s is not None and all(s != open_start_s for s, _, _ in merged):
        out.insert(0, BackupInterval(open_start_s, t0, None))
    return tuple(out)


@dataclass
class _Session:
    record: ChargeSession
    connector: int
    unplug_s: int


def _sessions(spec: SiteSpec, events: Sequence[SiteEvent], active: Sequence[ChargeSession],
              t0: int, t1: int) -> list[_Session]:
    """Sessions in the state plus those plugged in during [t0, t1], with unplug instants."""
    dins = {wc.din: k for k, wc in enumerate(spec.wall_connectors)}
    known = {s.event_id for s in active}
    records = [s for s in active if s.din in dins]
    for e in sorted(events, key=lambda e: e.start_s):
        if e.type is EventType.EV_PLUG_IN and t0 <= e.start_s <= t1 and e.id not in known:
            p = e.params
            if p.get("din") in dins:
                records.append(_new_session(e))
    return [_Session(r, dins[r.din], _unplug_s(r, events)) for r in records]


def _new_session(e: SiteEvent) -> ChargeSession:
    p = e.params
    max_w = p.get("max_power_w")
    sched = p.get("scheduled_start_s")
    return ChargeSession(
        event_id=e.id, din=str(p["din"]), vehicle_id=str(p.get("vehicle_id", "")),
        vin=str(p.get("vin", "")), target_wh=int(p.get("energy_wh", 20_000)),
        max_power_w=None if max_w is None else int(max_w),
        scheduled_start_s=None if sched is None else int(sched), plugged_s=e.start_s,
        vehicle_max_w=int(p.get("vehicle_max_w", 11_500)))


def _unplug_s(s: ChargeSession, events: Sequence[SiteEvent]) -> int:
    """First of: the plug event's end, an ev_unplug or another plug-in on the connector."""
    end = _FOREVER if s.unplugged_s is None else s.unplugged_s
    for e in events:
        if e.id == s.event_id and e.end_s is not None:
            end = min(end, max(e.end_s, s.plugged_s))
        elif (e.type in (EventType.EV_UNPLUG, EventType.EV_PLUG_IN)
              and e.params.get("din") == s.din and e.start_s > s.plugged_s):
            end = min(end, e.start_s)
    return end


def _instants(events: Sequence[SiteEvent], sessions: list[_Session], t0: int, t1: int
              ) -> list[int]:
    cut = {t0}
    for e in events:
        if e.type in _CUTTING:
            cut.update((e.start_s, _end(e)))
    for s in sessions:
        cut.update((s.record.plugged_s, s.unplug_s, s.record.scheduled_start_s or t0))
    return sorted(t for t in cut if t0 <= t <= t1)


def _at(spec: SiteSpec, events: Sequence[SiteEvent], sessions: list[_Session],
        islands: list[tuple[int, int, bool]], outages: list[tuple[int, int]], t: int
        ) -> tuple[Conditions, list[int]]:
    """Conditions at t, plus the session index per connector."""
    outage = any(s <= t < e for s, e in outages)
    islanded = any(s <= t < e for s, e, _ in islands)
    grid_down = islanded or outage
    storm = any(e.type is EventType.STORM_ALERT and e.active_at(t) for e in events)
    wc = []
    index = []
    for k, conn in enumerate(spec.wall_connectors):
        fault = any(e.type is EventType.WC_FAULT and e.params.get("din") == conn.din
                    and e.active_at(t) for e in events)
        q = next((i for i, s in enumerate(sessions)
                  if s.connector == k and s.record.plugged_s <= t < s.unplug_s), -1)
        sched = sessions[q].record.scheduled_start_s if q >= 0 else None
        waiting = q >= 0 and sched is not None and t < sched
        wc.append((sessions[q].record.event_id if q >= 0 else "", fault, waiting))
        index.append(q)
    return Conditions(grid_down, islanded, islanded and not outage, storm, tuple(wc)), index


def build_segments(spec: SiteSpec, events: Sequence[SiteEvent],
                   active: Sequence[ChargeSession], t0: int, t1: int) -> Segments:
    """Cut [t0, t1] at every event instant and tabulate the conditions of each piece."""
    sessions = _sessions(spec, events, active, t0, t1)
    islands = islanded_intervals(spec, events)
    outages = _outages(events)
    starts = _instants(events, sessions, t0, t1)
    n_wc = len(spec.wall_connectors)
    cond = np.zeros((len(starts), 2), dtype=np.int64)
    wc = np.zeros((len(starts), n_wc, 3), dtype=np.int64)
    changed = np.zeros(len(starts), dtype=np.int64)
    conditions: list[Conditions] = []
    for m, t in enumerate(starts):
        c, index = _at(spec, events, sessions, islands, outages, t)
        conditions.append(c)
        cond[m] = (c.grid_down, c.storm_event)
        for k in range(n_wc):
            wc[m, k] = (index[k], c.wc[k][1], c.wc[k][2])
        changed[m] = m > 0 and c != conditions[m - 1]
    records = tuple(_with_unplug(s, t1) for s in sessions)
    return Segments(np.asarray(starts, dtype=np.int64), changed, cond, wc,
                    tuple(conditions), records)


def _with_unplug(s: _Session, t1: int) -> ChargeSession:
    if s.unplug_s <= t1 and s.record.unplugged_s is None:
        return replace(s.record, unplugged_s=s.unplug_s)
    return s.record
