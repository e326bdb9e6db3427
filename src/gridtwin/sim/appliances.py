"""Appliance texture of the home load: seeded appliance runs and HVAC compressor cycles.

Each home owns a rating per appliance (drawn once from the ranges in ``APPLIANCES``, stream
``appliance-rating``). Every local day, each appliance gets runs in its time-of-day windows
(stream ``appliance``, keyed by day and slot): whether it runs, when it starts, how long.
The dryer starts when a washer run ends. A step's appliance power is the energy the runs
deliver inside the step divided by its length, so any step length gives exact averages and
any window gives the same value for an instant (no state, no history).

The appliances' expected power by time of day (``expected_profile_w``) is what the smooth
base gives up, so the load's expected daily shape and energy stay those of ``daily_kwh``.
HVAC: the smooth heating/cooling term ``H`` becomes compressor cycles (stream ``hvac``):
on at the compressor rating for ``H / rating`` of each ``CYCLE_S`` cycle, at a random phase.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gridtwin.core import rng

__all__ = [
    "APPLIANCES",
    "CYCLE_S",
    "Appliance",
    "ApplianceSet",
    "appliance_set",
    "appliance_w",
    "compressor_w",
    "expected_profile_w",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DAY_S = 86_400
GRID_S = 300
"""Node spacing of the expected time-of-day profile [s]: linear inside each 5-minute bucket,
so a bucket's mean equals its mid-point value at any step length."""
_GRID_N = DAY_S // GRID_S
REFERENCE_DAILY_KWH = 24.0
"""Home size the appliance frequencies in ``APPLIANCES`` are given for [kWh/day]."""
MAX_APPLIANCE_SHARE = 0.7
"""Appliances' expected power never exceeds this share of the smooth base above the floor."""
MAX_DAY_SWING = 0.3
"""Largest share of a day's smooth base that offsets that day's excess appliance energy."""
DRYER_GAP_S = 600.0
"""Longest wait between the washer's end and the dryer's start [s]."""
_RUN_KINDS = 3  # draws per slot and day: occurs, start, duration
_MAX_SLOTS = 1024


@dataclass(frozen=True)
class Appliance:
    """One appliance: rating range [W], run length range [s], and its start windows.

    windows: (first start hour, last start hour, runs per day) in local hours [h].
    ``follows``: the name of the appliance whose run end starts this one; then
    ``windows`` holds one entry whose runs-per-day is the probability per such run.
    """

    name: str
    power_w: tuple[float, float]
    duration_s: tuple[float, float]
    windows: tuple[tuple[float, float, float], ...]
    follows: str | None = None


APPLIANCES: tuple[Appliance, ...] = (
    Appliance("kettle", (1_500.0, 3_000.0), (180.0, 240.0),
              ((6.5, 9.5, 0.8), (12.0, 14.0, 0.4), (15.5, 17.5, 0.4), (19.5, 22.0, 0.4))),
    Appliance("hob", (1_500.0, 3_000.0), (600.0, 1_500.0),
              ((7.0, 9.0, 0.2), (11.5, 13.5, 0.3), (17.0, 20.0, 0.6))),
    Appliance("oven", (2_000.0, 3_500.0), (1_800.0, 3_000.0), ((16.5, 19.5, 0.3),)),
    Appliance("washer", (350.0, 1_000.0), (2_700.0, 3_600.0),
              ((9.5, 12.5, 0.35), (15.0, 19.0, 0.3))),
    Appliance("dryer", (1_800.0, 5_000.0), (2_700.0, 4_200.0), ((0.0, 0.0, 0.85),),
              follows="washer"),
    Appliance("dishwasher", (1_200.0, 2_400.0), (1_800.0, 2_700.0),
              ((13.0, 15.0, 0.15), (20.0, 22.5, 0.35))),
    Appliance("water_heater", (3_800.0, 5_500.0), (600.0, 1_500.0),
              ((5.5, 9.0, 1.0), (12.0, 17.0, 0.3), (18.0, 23.0, 1.0))),
)
"""Appliances of the reference home (``REFERENCE_DAILY_KWH``); sources in docs/decisions.md."""

COMPRESSOR_W = 3_500.0
"""Compressor rating of the reference home's AC / heat pump [W]."""
CYCLE_S = 1_200
"""Thermostat cycle length: 3 cycles per hour [s]."""


@dataclass(frozen=True)
class _Slot:
    appliance: int
    start_h: tuple[float, float]
    probability: float
    follows: int  # slot index whose run end starts this one, or -1


@dataclass(frozen=True, eq=False)
class ApplianceSet:
    """A home's appliance slots, ratings and expected profile (see :func:`appliance_set`)."""

    seed: int
    site_id: int
    slots: tuple[_Slot, ...]
    ratings_w: FloatArray
    profile_w: FloatArray
    """Expected appliance power at each ``GRID_S`` node of the local day [W]."""
    daily_j: float
    """Expected appliance energy per local day [J]."""


def _ratings_w(seed: int, site_id: int) -> FloatArray:
    u = rng.uniform(seed, site_id, "appliance-rating", np.arange(len(APPLIANCES)))
    lo = np.array([a.power_w[0] for a in APPLIANCES], dtype=np.float64)
    hi = np.array([a.power_w[1] for a in APPLIANCES], dtype=np.float64)
    ratings: FloatArray = lo + (hi - lo) * u
    return ratings


def _slots(rate: float) -> tuple[_Slot, ...]:
    """Slots for ``rate`` x the reference frequencies: each window splits into whole runs."""
    names = [a.name for a in APPLIANCES]
    slots: list[_Slot] = []
    first: dict[int, list[int]] = {}
    for i, a in enumerate(APPLIANCES):
        if a.follows is not None:
            continue
        for lo, hi, per_day in a.windows:
            mean = per_day * rate
            copies = math.ceil(mean)
            for _ in range(copies):
                first.setdefault(i, []).append(len(slots))
                slots.append(_Slot(i, (lo, hi), mean / copies, -1))
    for i, a in enumerate(APPLIANCES):
        if a.follows is not None:
            for leader in first.get(names.index(a.follows), []):
                slots.append(_Slot(i, (0.0, 0.0), a.windows[0][2], leader))
    if len(slots) > _MAX_SLOTS:
        raise ValueError("daily_kwh too large for the appliance model")
    return tuple(slots)


def _uniform_pmf(lo_s: float, hi_s: float) -> FloatArray:
    """Probability per grid cell of a time uniform on [lo_s, hi_s) (periodic day)."""
    pmf = np.zeros(_GRID_N)
    first = int(lo_s // GRID_S)
    cells = np.arange(first, max(math.ceil(hi_s / GRID_S), first + 1))
    pmf[cells % _GRID_N] += 1.0
    pmf /= pmf.sum()
    return pmf


def _circular(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.real(np.fft.ifft(np.fft.fft(a) * np.fft.fft(b)))


def _occupancy(start_pmf: FloatArray, duration_s: tuple[float, float]) -> FloatArray:
    """Probability that a run is on at each grid node of the day, summing to E[duration]."""
    lo, hi = duration_s
    tau = np.arange(_GRID_N) * GRID_S
    survival = np.clip((hi - tau) / (hi - lo), 0.0, 1.0)
    occ = np.maximum(_circular(start_pmf, survival), 0.0)
    occ *= (lo + hi) / 2 / GRID_S / occ.sum()
    return occ


def _profile(slots: tuple[_Slot, ...], ratings_w: FloatArray) -> FloatArray:
    starts: list[FloatArray] = []
    profile = np.zeros(_GRID_N)
    for slot in slots:
        a = APPLIANCES[slot.appliance]
        if slot.follows < 0:
            pmf = _uniform_pmf(slot.start_h[0] * 3600, slot.start_h[1] * 3600)
            weight = slot.probability
        else:
            lead = slots[slot.follows]
            end = _circular(starts[slot.follows],
                            _uniform_pmf(*APPLIANCES[lead.appliance].duration_s))
            pmf = _circular(end, _uniform_pmf(0.0, DRYER_GAP_S))
            weight = slot.probability * lead.probability
        starts.append(pmf)
        profile += weight * ratings_w[slot.appliance] * _occupancy(pmf, a.duration_s)
    return profile


def appliance_set(seed: int, site_id: int, daily_kwh: float,
                  base_w: FloatArray) -> ApplianceSet:
    """The appliances of one home, their frequencies scaled with ``daily_kwh``.

    base_w: the smallest smooth base above the load's floor at each grid node of the local
    day [W]; frequencies are lowered where needed so the expected appliance power stays
    within ``MAX_APPLIANCE_SHARE`` of it.
    """
    ratings = _ratings_w(seed, site_id)
    unit = _profile(_slots(1.0), ratings)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(unit > 0, MAX_APPLIANCE_SHARE * base_w / unit, np.inf)
    rate = max(min(daily_kwh / REFERENCE_DAILY_KWH, float(room.min())), 0.0)
    slots = _slots(rate) if rate > 0 else ()
    profile = _profile(slots, ratings)
    profile.setflags(write=False)
    return ApplianceSet(seed, site_id, slots, ratings, profile,
                        float(profile.sum() * GRID_S))


def expected_profile_w(appliances: ApplianceSet, local_s: IntArray) -> FloatArray:
    """Expected appliance power at local wall-clock instants [W] (linear between nodes)."""
    node, into = np.divmod(local_s % DAY_S, GRID_S)
    lo = appliances.profile_w[node]
    step: FloatArray = np.diff(appliances.profile_w, append=appliances.profile_w[0])[node]
    return lo + step * (into / GRID_S)


def _day_runs(appliances: ApplianceSet, days: IntArray) -> tuple[FloatArray, ...]:
    """(start, end, power) per (slot, day) in local seconds [s] and [W]; power 0 = no run."""
    n = len(appliances.slots)
    slot_ids = np.arange(n)
    index = (days[None, :] * _MAX_SLOTS + slot_ids[:, None]) * _RUN_KINDS
    draw = [rng.uniform(appliances.seed, appliances.site_id, "appliance", index + k)
            for k in range(_RUN_KINDS)]
    start = np.zeros((n, days.size))
    end = np.zeros((n, days.size))
    power = np.zeros((n, days.size))
    midnight = days.astype(np.float64) * DAY_S
    for j, slot in enumerate(appliances.slots):
        a = APPLIANCES[slot.appliance]
        on = draw[0][j] < slot.probability
        if slot.follows < 0:
            lo, hi = slot.start_h[0] * 3600, slot.start_h[1] * 3600
            start[j] = midnight + lo + (hi - lo) * draw[1][j]
        else:
            on &= power[slot.follows] > 0
            start[j] = end[slot.follows] + DRYER_GAP_S * draw[1][j]
        end[j] = start[j] + a.duration_s[0] + (a.duration_s[1] - a.duration_s[0]) * draw[2][j]
        power[j] = np.where(on, appliances.ratings_w[slot.appliance], 0.0)
    return start, end, power


def appliance_w(
    appliances: ApplianceSet, local_start_s: IntArray, step_s: int,
) -> tuple[FloatArray, FloatArray]:
    """(appliance power averaged over each step [W], that day's excess energy [J]).

    local_start_s: wall-clock starts of the steps [s], increasing but for the jump back
    of a fall-back hour. The excess is the realised appliance energy of the local day the
    step starts in minus its expectation (negative on a quiet day).
    """
    n = local_start_s.size
    if n == 0 or not appliances.slots:
        return np.zeros(n), np.zeros(n)
    day = local_start_s // DAY_S
    first = int(day.min()) - 1
    days = np.arange(first, int(day.max()) + 1, dtype=np.int64)
    start, end, power = _day_runs(appliances, days)
    excess = (power * (end - start)).sum(axis=0) - appliances.daily_j
    on = power.T.ravel() > 0  # runs in (day, slot) order: a step sums them in that order
    run_lo, run_hi, run_w = start.T.ravel()[on], end.T.ravel()[on], power.T.ravel()[on]
    lo = local_start_s.astype(np.float64)
    total = np.zeros(n)
    cuts = [0, *(np.flatnonzero(np.diff(local_start_s) < 0) + 1).tolist(), n]
    for a, b in itertools.pairwise(cuts):
        seg = lo[a:b]
        first_step = np.searchsorted(seg, run_lo - step_s, side="right")
        count = np.maximum(np.searchsorted(seg, run_hi, side="left") - first_step, 0)
        run = np.repeat(np.arange(run_w.size), count)
        offset = np.arange(run.size) - np.repeat(np.cumsum(count) - count, count)
        step = np.repeat(first_step, count) + offset
        overlap = (np.minimum(seg[step] + step_s, run_hi[run])
                   - np.maximum(seg[step], run_lo[run]))
        total[a:b] = np.bincount(step, weights=run_w[run] * np.clip(overlap, 0.0, step_s),
                                 minlength=b - a)
    return total / step_s, excess[day - first]


def compressor_w(
    seed: int, site_id: int, hvac_w: FloatArray, rating_w: float, local_start_s: IntArray,
    step_s: int,
) -> FloatArray:
    """Compressor power averaged over each step [W]; its expectation is ``hvac_w``.

    Each ``CYCLE_S`` cycle (local time) runs once at ``rating_w`` for the share
    ``hvac_w / rating_w`` of the cycle, at a random phase; a demand above the rating runs
    the whole cycle at ``hvac_w``. The cycle grid is fixed, so a demand that changes
    from step to step moves a run's end only slightly and each day's energy tracks it.
    """
    out = np.zeros(hvac_w.shape)
    need = np.flatnonzero(hvac_w > 0)
    if need.size == 0:
        return out
    demand = hvac_w[need]
    on_s = np.minimum(demand / rating_w, 1.0) * CYCLE_S
    lo = local_start_s[need].astype(np.float64)
    first = local_start_s[need] // CYCLE_S
    c0 = int(first.min())
    phase = rng.uniform(seed, site_id, "hvac", np.arange(c0, int(first.max()) + 2))
    total = np.zeros(need.size)
    for k in (0, 1):  # a step (<= 300 s) touches at most two cycles
        cycle = first + k
        on_lo = cycle * CYCLE_S + phase[cycle - c0] * (CYCLE_S - on_s)
        overlap = np.minimum(lo + step_s, on_lo + on_s) - np.maximum(lo, on_lo)
        total += np.clip(overlap, 0.0, step_s)
    out[need] = np.maximum(demand, rating_w) * total / step_s
    return out
