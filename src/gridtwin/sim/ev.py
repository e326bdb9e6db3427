"""Wall Connector charging (site-behavior §8): demands, group sharing, exact completion.

A connector's demand is ``min(connector max, session max incl. vehicle max, group share)``.
A connector whose share is below 1 440 W pauses. The interval that would overshoot the
session's target is cut short so that delivered joules hit ``energy_wh * 3600`` exactly:
first at full power up to the last whole second, then one second at the remainder.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gridtwin.sim.jit import inlined_kernel, kernel
from gridtwin.sim.kernel_io import Chargers
from gridtwin.sim.params import WC_MIN_W

__all__ = ["allocate_wc", "wc_demands"]

STATE_CHARGING = 1
STATE_UNPLUGGED = 2
STATE_STOPPED = 4
STATE_SCHEDULED = 5
STATE_FAULT = 7

SEG_SESSION = 0  # per-connector condition columns of Segments.wc: session index (-1 none)
SEG_FAULT = 1
SEG_WAITING = 2


@kernel
def wc_demands(t_s: int, hold_s: int, session: npt.NDArray[np.int64],
               fault: npt.NDArray[np.int64], waiting: npt.NDArray[np.int64],
               ch: Chargers) -> int:
    """Fill ch.demand_w [W] per connector at t_s; return the interval end [s], <= hold_s.

    session / fault / waiting: (K,) the current segment's conditions per connector
    (session index, -1 none; 1 faulted; 1 waiting for a scheduled start).
    """
    demand_w = ch.demand_w
    for k in range(ch.max_w.shape[0]):
        q = session[k]
        demand_w[k] = 0
        if q < 0 or fault[k] != 0 or waiting[k] != 0:
            continue
        if ch.target_j[q] - ch.delivered_j[q] > 0:
            demand_w[k] = min(ch.max_w[k], ch.session_max_w[q])
    _share_groups(ch.group, ch.group_limit_w, demand_w)
    end_s = hold_s
    for k in range(ch.max_w.shape[0]):
        p = demand_w[k]
        if p <= 0:
            continue
        q = session[k]
        remaining_j = ch.target_j[q] - ch.delivered_j[q]
        if p * (end_s - t_s) <= remaining_j:
            continue
        if remaining_j >= p:
            end_s = min(end_s, t_s + remaining_j // p)
        else:  # the last second, at exactly the remainder
            demand_w[k] = remaining_j
            end_s = t_s + 1
    return end_s


@kernel
def _share_groups(wc_group: npt.NDArray[np.int64], group_limit_w: npt.NDArray[np.int64],
                  demand_w: npt.NDArray[np.int64]) -> None:
    """Cap each demand at its group's limit divided by the connectors charging in it."""
    for grp in range(group_limit_w.shape[0]):
        charging = 0
        for k in range(demand_w.shape[0]):
            if wc_group[k] == grp and demand_w[k] > 0:
                charging += 1
        if charging == 0:
            continue
        share = group_limit_w[grp] // charging
        for k in range(demand_w.shape[0]):
            if wc_group[k] == grp and demand_w[k] > 0:
                demand_w[k] = min(demand_w[k], share) if share >= WC_MIN_W else 0


@inlined_kernel
def allocate_wc(demand_w: npt.NDArray[np.int64], cap_w: int,
                wc_w: npt.NDArray[np.int64]) -> int:
    """Serve demands in connector order within cap_w [W]; return the total [W].

    A connector that would get less than its demand and less than 1 440 W stops (0 W).
    """
    left = max(cap_w, 0)
    total = 0
    for k in range(demand_w.shape[0]):
        p = min(demand_w[k], left)
        if p < demand_w[k] and p < WC_MIN_W:
            p = 0
        wc_w[k] = p
        left -= p
        total += p
    return total


@inlined_kernel
def total_demand_w(demand_w: npt.NDArray[np.int64]) -> int:
    """Sum of demands [W]."""
    total = 0
    for k in range(demand_w.shape[0]):
        total += demand_w[k]
    return total


def connector_states(fault: list[bool], session: list[int], waiting: list[bool],
                     power_w: list[int]) -> tuple[int, ...]:
    """wire-format §8.1 state code per connector."""
    states = []
    for k in range(len(power_w)):
        if fault[k]:
            states.append(STATE_FAULT)
        elif session[k] < 0:
            states.append(STATE_UNPLUGGED)
        elif waiting[k]:
            states.append(STATE_SCHEDULED)
        elif power_w[k] > 0:
            states.append(STATE_CHARGING)
        else:
            states.append(STATE_STOPPED)
    return tuple(states)


def empty_demands(n: int) -> npt.NDArray[np.int64]:
    """A zeroed per-connector power array [W]."""
    return np.zeros(n, dtype=np.int64)
