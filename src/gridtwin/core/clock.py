"""Clocks. The only module that reads real time.

Simulated time drives physics, events, history and timestamps; wall time drives auth
expiry and rate-limit windows (wire-format §4.1, emulator §3).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["Clock", "ClockMode", "SimClock", "wall_now_s", "wall_time_s"]

ClockMode = Literal["realtime", "scaled", "frozen"]


def wall_time_s() -> float:
    """Host wall time, Unix seconds [s] (float)."""
    return time.time()


def wall_now_s() -> int:
    """Host wall time, whole Unix seconds [s]."""
    return int(time.time())


class Clock(Protocol):
    def now_s(self) -> int:
        """Current simulated instant, whole Unix seconds [s]."""
        ...


@dataclass
class _ClockState:
    mode: ClockMode
    rate: float
    anchor_sim_s: float
    anchor_wall_s: float


class SimClock:
    """Simulated clock: realtime (sim = wall + offset), scaled (rate x wall) or frozen.

    Sim time is continuous across mode switches and only moves forward.
    """

    def __init__(
        self, start_s: float | None = None, mode: ClockMode = "realtime", rate: float = 1.0
    ) -> None:
        wall = wall_time_s()
        self._lock = threading.Lock()
        self._state = _ClockState(mode, rate, wall if start_s is None else start_s, wall)

    def _sim_at(self, wall: float) -> float:
        st = self._state
        if st.mode == "frozen":
            return st.anchor_sim_s
        rate = 1.0 if st.mode == "realtime" else st.rate
        return st.anchor_sim_s + (wall - st.anchor_wall_s) * rate

    def now_s(self) -> int:
        with self._lock:
            return int(self._sim_at(wall_time_s()) // 1)

    @property
    def mode(self) -> ClockMode:
        return self._state.mode

    @property
    def rate(self) -> float:
        return self._state.rate

    def set_mode(self, mode: ClockMode, rate: float | None = None) -> None:
        with self._lock:
            wall = wall_time_s()
            sim = self._sim_at(wall)
            new_rate = self._state.rate if rate is None else rate
            self._state = _ClockState(mode, new_rate, sim, wall)

    def jump_to(self, sim_s: float) -> None:
        """Move sim time to ``sim_s`` (callers enforce forward-only)."""
        with self._lock:
            self._state = _ClockState(self._state.mode, self._state.rate, sim_s, wall_time_s())

    def snapshot(self) -> dict[str, float | str]:
        """Exact state: mode, rate and the (sim, wall) anchor pair [s]."""
        with self._lock:
            st = self._state
            return {"mode": st.mode, "rate": st.rate, "anchor_sim_s": st.anchor_sim_s,
                    "anchor_wall_s": st.anchor_wall_s}

    def restore(self, snap: dict[str, float | str]) -> None:
        """Adopt a snapshot taken by this or another process (shared clocks)."""
        with self._lock:
            self._state = _ClockState(
                str(snap["mode"]),  # type: ignore[arg-type]
                float(snap["rate"]), float(snap["anchor_sim_s"]), float(snap["anchor_wall_s"]))

    def advance(self, seconds: float) -> None:
        with self._lock:
            wall = wall_time_s()
            self._state = _ClockState(
                self._state.mode, self._state.rate, self._sim_at(wall) + seconds, wall
            )
