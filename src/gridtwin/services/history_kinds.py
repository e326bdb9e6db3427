"""calendar_history kinds derived from the stored 5-minute history: power, soe,
self_consumption, time_of_use_energy and savings (docs/history-kinds.md).

Every value is computed from the cumulative per-cell Wh rows that kind=energy reads, with
the same parameters, window rules and caps (wire-format §9.1, §9.2). Nothing new is stored.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from gridtwin.core import jsonio
from gridtwin.core.units import BUCKET_S
from gridtwin.domain.energy import (
    BATTERY_CHARGE,
    BATTERY_DISCHARGE,
    CELLS,
    GRID_EXPORT,
    GRID_IMPORT,
    HOME_USAGE,
    flow_indices,
)
from gridtwin.domain.profile import Quirk
from gridtwin.services.auth import Principal
from gridtwin.services.history import (
    MAX_BUCKETS,
    _cumulative,
    _Request,
    _request,
    _returnable_edges,
    _window_error,
)
from gridtwin.services.sites import SiteView, with_site
from gridtwin.services.world import World
from gridtwin.sim.prices import compile_stored
from gridtwin.sim.runner import cumulative_wh
from gridtwin.store.repository import Tx
from gridtwin.tariff import CompiledTariff, Intervals, classes_at, compute_bill

__all__ = [
    "KINDS",
    "SOE_STEP_S",
    "PowerHistory",
    "SavingsHistory",
    "SelfConsumptionHistory",
    "SoeHistory",
    "TouEnergyHistory",
    "history_kind",
    "label_key",
]

KINDS = ("power", "soe", "self_consumption", "time_of_use_energy", "savings")
SOE_STEP_S = 900
"""soe samples every 15 minutes (as real sites return; power every 5 minutes)."""
MAX_FINE_BUCKETS = 366 * 288
"""Most 5-minute buckets one time_of_use_energy or savings reply reads (a leap year)."""

# Cell positions of the flows read here (the one cells→flow table, domain/energy.py).
_TO_HOME = flow_indices(HOME_USAGE)
_CHARGE = flow_indices(BATTERY_CHARGE)
_DISCHARGE = flow_indices(BATTERY_DISCHARGE)
_IMPORT = flow_indices(GRID_IMPORT)
_EXPORT = flow_indices(GRID_EXPORT)
_SOLAR_TO_HOME = CELLS.index("solar_to_home")
_BATTERY_TO_HOME = CELLS.index("battery_to_home")


@dataclass(frozen=True)
class PowerHistory:
    """5-minute buckets: Wh per cell (n x 10) and each bucket's elapsed seconds (300, or
    less for the current bucket). Empty = ``time_series: null``."""

    view: SiteView
    period: str
    zone: ZoneInfo
    starts: list[int]
    wh: npt.NDArray[np.int64]
    seconds: list[int]


@dataclass(frozen=True)
class SoeHistory:
    """App-scale state of energy [%] at the start of each 15-minute bucket."""

    view: SiteView
    period: str
    zone: ZoneInfo
    starts: list[int]
    pct: list[float]


@dataclass(frozen=True)
class SelfConsumptionHistory:
    """Per bucket: solar and battery share of home use [%] (0 when there was none)."""

    view: SiteView
    period: str
    zone: ZoneInfo
    starts: list[int]
    solar_pct: list[float]
    battery_pct: list[float]


@dataclass(frozen=True)
class TouEnergyHistory:
    """Per tariff period key (``label_key``): Wh per cell in each bucket (n x 10)."""

    view: SiteView
    period: str
    zone: ZoneInfo
    starts: list[int]
    by_label: dict[str, npt.NDArray[np.int64]]


@dataclass(frozen=True)
class SavingsHistory:
    """Per bucket: energy value of the site [currency] (exact Decimal) and its currency."""

    view: SiteView
    zone: ZoneInfo
    starts: list[int]
    values: list[Decimal]
    currency: str


KindHistory = PowerHistory | SoeHistory | SelfConsumptionHistory | TouEnergyHistory | SavingsHistory


def label_key(label: str) -> str:
    """The response key of a tariff period label: lower case, ``ON_PEAK`` as ``peak``
    (the keys real replies carry: ``off_peak``, ``partial_peak``, ``peak``)."""
    key = label.lower()
    return "peak" if key == "on_peak" else key


def _sum(wh: npt.NDArray[np.int64], cells: list[int]) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = wh[:, cells].sum(axis=1)
    return out


def _summary_request(req: _Request) -> _Request:
    """Buckets of the summary kinds: one local day for period=day, else as kind=energy."""
    return replace(req, period="week") if req.period == "day" else req


def _fine_cap(req: _Request, view: SiteView, params: Mapping[str, str], kind: str, limit: int,
              what: str) -> None:
    """400 before any read when the returnable span holds more than ``limit`` 5-minute
    buckets (the span the window, installation and now leave)."""
    first = max(req.lo_s, view.spec.installation_s)
    last = min(req.hi_s - 1 if req.hi_s > req.lo_s else req.lo_s, view.now_s - 1)
    if last >= first and (last + 1 - first) // BUCKET_S + 2 > limit:
        raise _window_error(params, f"kind={kind} {what}")


def _power(tx: Tx, view: SiteView, params: Mapping[str, str]) -> PowerHistory:
    req = _request(params, "day", view)
    empty = PowerHistory(view, req.period, req.zone, [], np.zeros((0, len(CELLS)), np.int64), [])
    if Quirk.NO_HISTORY in view.quirks:
        return empty
    _fine_cap(req, view, params, "power", MAX_BUCKETS,
              f"returns 5-minute buckets: at most {MAX_BUCKETS} (~34 days) per request")
    edges = _returnable_edges(replace(req, period="day"), view, params)
    if not edges:
        return empty
    wh = np.diff(_cumulative(tx, view, edges), axis=0)
    seconds = [min(b, view.now_s) - a for a, b in itertools.pairwise(edges)]
    return PowerHistory(view, req.period, req.zone, edges[:-1], wh, seconds)


def _step_starts(req: _Request, view: SiteView, step_s: int) -> list[int]:
    """Starts of the ``step_s`` buckets (UTC multiples) that overlap the window, start
    before now and end after the installation instant (wire-format §9.2)."""
    lo, hi, now, inst = req.lo_s, req.hi_s, view.now_s, view.spec.installation_s
    last = min(hi - 1 if hi > lo else lo, now - 1)
    first = min(max(lo, inst), last)
    top = max(hi, lo + 1)
    return [s for s in range(first // step_s * step_s, last // step_s * step_s + 1, step_s)
            if s + step_s > inst and s + step_s > lo and s < top]


APP_PCT_EDIT = "gridtwin:app_pct"
"""Command-log name of a control-plane ``app_pct`` edit; its body holds the stored energy
before and after [Wh], so the soe history before the edit is not shifted by it."""


def app_pct_edit_body(before_wh: float, after_wh: float) -> dict[str, float]:
    return {"energy_before_wh": before_wh, "energy_after_wh": after_wh}


def soe_at(view: SiteView, instants: npt.NDArray[np.int64], rows_wh: npt.NDArray[np.int64],
           edits: Sequence[tuple[int, str]] = ()) -> npt.NDArray[np.float64]:
    """App-scale state of energy [%] at ``instants`` [Unix s] whose cumulative Wh per cell
    are the rows of ``rows_wh`` (k x 10), back from the live state: E(t) = E(now) - eta x
    charged + discharged / eta over (t, now], the engine's energy rule (site-behavior §3),
    less each ``app_pct`` edit after t (its logged jump, ``APP_PCT_EDIT``), clamped to the
    pack and to 0-100 % on the app scale."""
    spec = view.spec
    pack = float(spec.total_pack_wh)
    eta = math.sqrt(spec.round_trip)
    now = cumulative_wh(view.state.counters_j)
    charged = float(now[_CHARGE].sum()) - rows_wh[:, _CHARGE].sum(axis=1)
    discharged = float(now[_DISCHARGE].sum()) - rows_wh[:, _DISCHARGE].sum(axis=1)
    energy = view.state.energy_wh - eta * charged + discharged / eta
    for edit_s, body_json in edits:
        body = jsonio.loads(body_json, decimals=False)
        jump_wh = float(body["energy_after_wh"]) - float(body["energy_before_wh"])
        energy = energy - np.where(instants < edit_s, jump_wh, 0.0)
    energy = np.clip(energy, 0.0, pack)
    pct: npt.NDArray[np.float64] = np.clip((100.0 * energy / pack - 5.0) / 0.95, 0.0, 100.0)
    return pct


def _soe(tx: Tx, view: SiteView, params: Mapping[str, str]) -> SoeHistory:
    req = _request(params, "day", view)
    empty = SoeHistory(view, req.period, req.zone, [], [])
    spec = view.spec
    if Quirk.NO_HISTORY in view.quirks or not spec.has_battery or spec.total_pack_wh <= 0:
        return empty
    _fine_cap(req, view, params, "soe", MAX_BUCKETS * SOE_STEP_S // BUCKET_S,
              f"returns 15-minute samples: at most {MAX_BUCKETS} (~104 days) per request")
    starts = _step_starts(req, view, SOE_STEP_S)
    if not starts:
        return empty
    cumulative = _cumulative(tx, view, starts)
    edits = tx.logged_after(view.site_id, APP_PCT_EDIT, starts[0])
    pct = soe_at(view, np.asarray(starts, dtype=np.int64), cumulative, edits)
    return SoeHistory(view, req.period, req.zone, starts, pct.tolist())


def _summary_edges(view: SiteView, params: Mapping[str, str]) -> tuple[_Request, list[int]]:
    req = _request(params, "day", view)
    if Quirk.NO_HISTORY in view.quirks:
        return req, []
    return req, _returnable_edges(_summary_request(req), view, params)


def _self_consumption(tx: Tx, view: SiteView, params: Mapping[str, str]) -> SelfConsumptionHistory:
    req, edges = _summary_edges(view, params)
    if not edges:
        return SelfConsumptionHistory(view, req.period, req.zone, [], [], [])
    wh = np.diff(_cumulative(tx, view, edges), axis=0)
    home = _sum(wh, _TO_HOME).astype(np.float64)
    safe = np.where(home > 0, home, 1.0)
    solar = np.where(home > 0, 100.0 * wh[:, _SOLAR_TO_HOME] / safe, 0.0)
    battery = np.where(home > 0, 100.0 * wh[:, _BATTERY_TO_HOME] / safe, 0.0)
    return SelfConsumptionHistory(view, req.period, req.zone, edges[:-1],
                                  solar.tolist(), battery.tolist())


@dataclass(frozen=True)
class _Fine:
    """5-minute buckets of a summary reply: starts, Wh per cell (m x 10) and the index of
    the reply bucket each belongs to."""

    starts: npt.NDArray[np.int64]
    wh: npt.NDArray[np.int64]
    bucket: npt.NDArray[np.int64]


def _fine(tx: Tx, view: SiteView, edges: list[int]) -> _Fine:
    """The 5-minute buckets from the first edge (or the installation, when later: nothing
    is recorded before it) to the last one that has begun."""
    start = max(edges[0], view.spec.installation_s // BUCKET_S * BUCKET_S)
    stop = min(edges[-1], -(-view.now_s // BUCKET_S) * BUCKET_S)
    grid = list(range(start, stop + 1, BUCKET_S))
    if len(grid) < 2:
        grid = [start, start + BUCKET_S]
    wh = np.diff(_cumulative(tx, view, grid), axis=0)
    starts = np.asarray(grid[:-1], dtype=np.int64)
    bucket = np.searchsorted(np.asarray(edges, np.int64), starts, side="right") - 1
    return _Fine(starts, wh, bucket.astype(np.int64))


def _tariffs(tx: Tx, view: SiteView) -> list[tuple[int, CompiledTariff]]:
    """(stored_s, tariff) of every stored tariff that still compiles, oldest first."""
    out = []
    for stored_s, raw in tx.tariff_history(view.site_id):
        compiled = compile_stored(raw)
        if compiled is not None:
            out.append((int(stored_s), compiled))
    return out


def _version_of(tariffs: list[tuple[int, CompiledTariff]], t_s: npt.NDArray[np.int64]
                ) -> npt.NDArray[np.int64]:
    """Index of the tariff in force at each instant: the latest stored at or before it,
    the first one before any (as the engine prices, sim/prices.py)."""
    stored = np.asarray([t for t, _ in tariffs], dtype=np.int64)
    which: npt.NDArray[np.int64] = np.maximum(np.searchsorted(stored, t_s, side="right") - 1, 0)
    return which


def _tou_request(view: SiteView, params: Mapping[str, str], kind: str
                 ) -> tuple[_Request, list[int]]:
    req = _request(params, "day", view)
    _fine_cap(req, view, params, kind, MAX_FINE_BUCKETS,
              "splits 5-minute buckets: at most 366 days per request")
    if Quirk.NO_HISTORY in view.quirks:
        return req, []
    return req, _returnable_edges(_summary_request(req), view, params)


def _tou_energy(tx: Tx, view: SiteView, params: Mapping[str, str]) -> TouEnergyHistory:
    req, edges = _tou_request(view, params, "time_of_use_energy")
    tariffs = _tariffs(tx, view)
    if not edges or not tariffs:
        return TouEnergyHistory(view, req.period, req.zone, [], {})
    fine = _fine(tx, view, edges)
    n = len(edges) - 1
    version = _version_of(tariffs, fine.starts)
    by_label: dict[str, npt.NDArray[np.int64]] = {}
    for v in np.unique(version).tolist():
        tariff = tariffs[v][1]
        keys = [label_key(label) for _, label in tariff.buy.classes]
        for key in keys:
            by_label.setdefault(key, np.zeros((n, len(CELLS)), np.int64))
        mask = version == v
        classes = classes_at(tariff, view.spec.time_zone, fine.starts[mask]).buy_class
        for c in np.unique(classes).tolist():
            pick = np.flatnonzero(mask)[classes == c]
            np.add.at(by_label[keys[int(c)]], fine.bucket[pick], fine.wh[pick])
    return TouEnergyHistory(view, req.period, req.zone, edges[:-1], by_label)


def _savings(tx: Tx, view: SiteView, params: Mapping[str, str]) -> SavingsHistory:
    req, edges = _tou_request(view, params, "savings")
    tariffs = _tariffs(tx, view)
    if not edges or not tariffs:
        return SavingsHistory(view, req.zone, [], [], "")
    fine = _fine(tx, view, edges)
    # The first tariff also prices the time before it was stored (as the engine does).
    versions = [(min(tariffs[0][0], edges[0]), tariffs[0][1]), *tariffs[1:]]
    imports, exports, home = _sum(fine.wh, _IMPORT), _sum(fine.wh, _EXPORT), _sum(fine.wh, _TO_HOME)
    values = []
    zone = view.spec.time_zone
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        inside = fine.bucket == i
        starts = fine.starts[inside]
        actual = compute_bill(versions, zone, a, b, Intervals.of(starts, imports[inside], exports[inside]))
        alone = compute_bill(versions, zone, a, b,
                             Intervals.of(starts, home[inside], np.zeros(len(starts), np.int64)))
        values.append((alone.energy_charge - alone.export_credit)
                      - (actual.energy_charge - actual.export_credit))
    currency = tariffs[int(_version_of(tariffs, np.asarray([edges[0]]))[0])][1].currency
    return SavingsHistory(view, req.zone, edges[:-1], values, currency)


_BY_KIND: dict[str, Callable[[Tx, SiteView, Mapping[str, str]], KindHistory]] = {
    "power": _power, "soe": _soe, "self_consumption": _self_consumption,
            "time_of_use_energy": _tou_energy, "savings": _savings}


def history_kind(world: World, principal: Principal, site_id: int,
                 params: Mapping[str, str]) -> KindHistory:
    """``calendar_history`` for one of :data:`KINDS`, validated after the site lookup."""
    kind = params.get("kind", "")
    fn = _BY_KIND[kind]

    def run(tx: Tx, view: SiteView) -> KindHistory:
        return fn(tx, view, params)

    return with_site(world, principal, site_id, run)
