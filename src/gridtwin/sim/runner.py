"""Advances a stored site to an instant: load state, step the engine, write results.

The runner plays pvlib's ModelChain: it wires the pure pieces (environment, tariff
prices, engine) to the store. It is the only sim module that touches gridtwin.store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from gridtwin.core import jsonio
from gridtwin.core.units import BUCKET_S, joules_to_wh_rounded
from gridtwin.domain.codec import controls_from_dict, spec_from_dict
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.profile import Quirk, active_quirks
from gridtwin.domain.site import SiteSpec
from gridtwin.sim import engine
from gridtwin.sim.codec import state_from_dict, state_to_dict
from gridtwin.sim.envcache import cached_environment_provider
from gridtwin.sim.prices import tariff_price_provider
from gridtwin.sim.state import AdvanceResult, SiteState
from gridtwin.store.repository import SiteRow, Tx

__all__ = [
    "CHUNK_S",
    "MAX_SIMULATION_S",
    "LoadedSite",
    "advance_loaded",
    "advance_site",
    "cumulative_wh",
    "load_site",
    "site_events",
]

CHUNK_S = 30 * 86_400
"""Longest span simulated in one engine call [s]; keeps memory flat during warm-up."""

MAX_SIMULATION_S = 400 * 86_400
"""The one cap on a long simulation [s]: the control plane refuses a clock jump or advance
of more, and a new site's warm-up starts at most this long before the instant it is first
simulated to (older buckets read as zero; emulator §3)."""


@dataclass(frozen=True)
class LoadedSite:
    """A stored site; ``tariffs`` is its tariff history [(stored_s, raw_json), ...]."""

    row: SiteRow
    spec: SiteSpec
    controls: SiteControls
    state: SiteState
    tariffs: tuple[tuple[int, str], ...] = ()

    @property
    def quirks(self) -> frozenset[Quirk]:
        return active_quirks(self.spec.profile, dict(self.spec.quirks))


def load_site(tx: Tx, site_id: int) -> LoadedSite | None:
    row = tx.get_site(site_id)
    if row is None:
        return None
    return LoadedSite(
        row,
        spec_from_dict(jsonio.loads(row.spec_json, decimals=False)),
        controls_from_dict(jsonio.loads(row.controls_json, decimals=False)),
        state_from_dict(jsonio.loads(row.state_json, decimals=False)),
        tuple(tx.tariff_history(site_id)),
    )


def site_events(tx: Tx, site_id: int) -> tuple[SiteEvent, ...]:
    return tuple(
        SiteEvent(
            id=e["id"], type=EventType(e["type"]), start_s=int(e["start_s"]),
            end_s=None if e["end_s"] is None else int(e["end_s"]),
            params=jsonio.loads(e["params_json"], decimals=False),
        )
        for e in tx.list_events(site_id)
    )


def cumulative_wh(counters_j: Sequence[int]) -> npt.NDArray[np.int64]:
    """Wh(C) per cell for cumulative joule counters (site-behavior §9.2 rounding)."""
    return np.array([joules_to_wh_rounded(int(c)) for c in counters_j], dtype=np.int64)


def _write(tx: Tx, site_id: int, before: SiteState, result: AdvanceResult) -> None:
    if len(result.bucket_starts):
        # bucket_wh[k] = Wh(C(end_k)) - Wh(C(start_k)); the first bucket starts at the old
        # state's bucket base, so a running sum gives Wh(C) at every completed boundary.
        totals = cumulative_wh(before.bucket_base_j) + np.cumsum(result.bucket_wh, axis=0)
        tx.insert_totals(site_id, (result.bucket_starts + BUCKET_S).tolist(), totals)
    for interval in result.backup_intervals:
        if interval.end_s == interval.start_s:  # ended at its start: never off grid
            tx.delete_backup(site_id, interval.start_s)
        else:
            tx.upsert_backup(site_id, interval.start_s, interval.end_s, interval.intentional)
    for session in result.sessions:
        if session.first_power_s is None:
            continue
        tx.upsert_session(
            site_id, event_id=session.event_id, din=session.din, vehicle_id=session.vehicle_id,
            first_power_s=session.first_power_s, last_power_s=session.last_power_s,
            delivered_j=session.delivered_j,
        )


def _warm_up_start(site: LoadedSite, until_s: int) -> SiteState:
    """The state to simulate from: a site never simulated (still at its installation instant,
    nothing recorded) whose installation is more than MAX_SIMULATION_S before ``until_s``
    starts its warm-up then instead, with the same initial charge."""
    state = site.state
    if (until_s - state.t_s <= MAX_SIMULATION_S or state.t_s != site.spec.installation_s
            or any(state.counters_j) or state.sessions):
        return state
    # Rounded up to a 5-minute boundary so the span stays within the cap.
    t = -(-(until_s - MAX_SIMULATION_S) // BUCKET_S) * BUCKET_S
    return replace(state, t_s=t, decided_s=t, hold_until_s=t)


def advance_loaded(
    tx: Tx, site: LoadedSite, until_s: int, events: Sequence[SiteEvent] | None = None,
    *, max_span_s: int | None = None,
) -> LoadedSite:
    """Simulate ``site`` up to ``until_s`` [Unix s], persist, return the new state.

    ``max_span_s``: simulate at most this long [s] and stop short of ``until_s`` (the caller
    commits and calls again: a long catch-up in chunks, each one durable).
    An advance to the state's own instant still runs: when a command or event changed
    the conditions at that instant, the engine re-decides the step there (frozen clocks).
    """
    state = _warm_up_start(site, until_s)
    if until_s < state.t_s:
        return site
    if max_span_s is not None:
        until_s = min(until_s, state.t_s + max_span_s)
    evs = tuple(site_events(tx, site.spec.energy_site_id) if events is None else events)
    env = cached_environment_provider(site.spec, evs)
    prices = tariff_price_provider(site.spec.time_zone, site.tariffs)
    quirks = site.quirks
    while True:
        stop = min(until_s, state.t_s + CHUNK_S)
        result = engine.advance(
            site.spec, site.controls, state, stop,
            env=env, prices=prices, events=evs, quirks=quirks,
        )
        _write(tx, site.spec.energy_site_id, state, result)
        state = result.state
        if state.t_s >= until_s:
            break
    if state == site.state:
        return site
    tx.save_state(site.spec.energy_site_id, jsonio.dumps(state_to_dict(state)), state.t_s)
    return replace(site, state=state)


def advance_site(tx: Tx, site_id: int, until_s: int) -> LoadedSite | None:
    site = load_site(tx, site_id)
    return None if site is None else advance_loaded(tx, site, until_s)
