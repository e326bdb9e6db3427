"""What a site's simulation carries between advances, and what one advance returns.

The runner stores :class:`SiteState` after every advance and passes it back next time;
an advance from ``state`` to ``until_s`` depends only on its inputs, so observing a site
more or less often never changes its trajectory (site-behavior §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gridtwin.domain.energy import CELLS

__all__ = [
    "CELLS",
    "AdvanceResult",
    "BackupInterval",
    "ChargeSession",
    "Environment",
    "EnvironmentProvider",
    "PriceProvider",
    "PriceSeries",
    "SiteState",
]

@dataclass(frozen=True)
class Environment:
    """Exogenous inputs for ``n`` steps of ``step_s`` from ``start_s`` (step i covers
    ``[start_s + i*step_s, start_s + (i+1)*step_s)``). All arrays have length n.

    solar_w: AC solar available after inverter clipping, before curtailment [W], int64 >= 0.
    home_load_w: home circuits, Wall Connectors excluded, with noise [W], int64 >= 0.
    solar_forecast_w, home_load_forecast_w: the same without noise (autonomous mode) [W].
    """

    start_s: int
    step_s: int
    solar_w: npt.NDArray[np.int64]
    home_load_w: npt.NDArray[np.int64]
    solar_forecast_w: npt.NDArray[np.int64]
    home_load_forecast_w: npt.NDArray[np.int64]


class EnvironmentProvider(Protocol):
    def __call__(self, start_s: int, n_steps: int, step_s: int) -> Environment:
        """Environment for steps starting at ``start_s`` (a multiple of ``step_s``)."""
        ...


@dataclass(frozen=True)
class PriceSeries:
    """Effective prices per step [currency/kWh], float64, length n (tariff.md §4.2).

    demand_price_kw: per step, the demand price of the buy class in force
    [currency/kW] (0: none); demand_month: per step, the local month it belongs to
    (any increasing month number) so a monthly peak can restart. Both None when the
    tariff has no demand charges (tariff.md §8.3).
    """

    start_s: int
    step_s: int
    buy_eff: npt.NDArray[np.float64]
    sell_eff: npt.NDArray[np.float64]
    demand_price_kw: npt.NDArray[np.float64] | None = None
    demand_month: npt.NDArray[np.int64] | None = None


class PriceProvider(Protocol):
    def __call__(self, start_s: int, n_steps: int, step_s: int) -> PriceSeries: ...


@dataclass(frozen=True)
class BackupInterval:
    """One islanded interval [start_s, end_s); end_s None while still islanded. An empty one
    (end_s == start_s) is an interval that no longer exists: its record is dropped."""

    start_s: int
    end_s: int | None
    intentional: bool | None
    """No outage is part of it; None when only its stored record's end changes (the
    interval is no longer one of the site's, so its kind is whatever was stored)."""


@dataclass(frozen=True)
class ChargeSession:
    """One EV session on a Wall Connector. Instants [Unix s], energy [J] (exact)."""

    event_id: str
    din: str
    vehicle_id: str
    vin: str
    target_wh: int
    max_power_w: int | None
    scheduled_start_s: int | None
    plugged_s: int
    delivered_j: int = 0
    first_power_s: int | None = None
    last_power_s: int | None = None
    unplugged_s: int | None = None
    vehicle_max_w: int = 11_500


@dataclass(frozen=True)
class SiteState:
    """A site at instant ``t_s`` [Unix s].

    energy_wh: raw stored energy E, 0 <= E <= T [Wh].
    counters_j: cumulative joules per CELLS since installation [J].
    bucket_base_j: counters_j at the start of the current 5-minute bucket [J].
    The powers [W] are those in force at t_s (decided at the start of the current step).
    wall_connector_w / wall_connector_state: per connector, in site order.

    Decision bookkeeping (engine-internal; a runner that edits the state, e.g. the
    ``app_pct`` knob, sets ``decision_key`` to "" so the next advance re-decides):
    decided_s: instant the current powers were decided [s]; hold_until_s: end of their
    interval [s] (next step boundary or an EV completion); decided_energy_wh /
    planned_energy_wh: E at decided_s and at hold_until_s [Wh]; decision_key: digest of
    the controls, conditions and inputs the decision used. topup_active: §4 top-up latch.
    ev_reserve_hold: Wall Connectors held at the off-grid EV reserve until the resume
    margin above it.
    unserved_j: cumulative shed load [J] (``unserved_wh`` = unserved_j / 3600);
    unserved_w: load being shed now [W]. grid_down: a grid outage is in progress (any
    site kind; ``islanded`` only for sites that island). demand_month / demand_peak_w:
    the optimiser's running peak grid import [W] over the demand-priced steps of local
    month ``demand_month`` (-1: none yet), which demand charges bill (tariff.md §8.3).
    """

    t_s: int
    energy_wh: float
    counters_j: tuple[int, ...] = (0,) * len(CELLS)
    bucket_base_j: tuple[int, ...] = (0,) * len(CELLS)
    solar_w: int = 0
    battery_w: int = 0
    grid_w: int = 0
    generator_w: int = 0
    load_w: int = 0
    wall_connector_w: tuple[int, ...] = ()
    wall_connector_state: tuple[int, ...] = ()
    islanded: bool = False
    island_intentional: bool = False
    island_start_s: int | None = None
    dark: bool = False
    generator_on: bool = False
    storm_active: bool = False
    controller_state: str = "normal"
    unserved_wh: float = 0.0
    sessions: tuple[ChargeSession, ...] = ()
    decided_s: int = 0
    hold_until_s: int = 0
    decided_energy_wh: float = 0.0
    planned_energy_wh: float = 0.0
    decision_key: str = ""
    topup_active: bool = False
    ev_reserve_hold: bool = False
    unserved_j: int = 0
    unserved_w: int = 0
    grid_down: bool = False
    demand_month: int = -1
    demand_peak_w: int = 0


@dataclass(frozen=True)
class AdvanceResult:
    """Result of advancing a site from ``state.t_s`` to ``until_s``.

    bucket_starts / bucket_wh: every 5-minute bucket completed during the advance,
    bucket_wh[k, c] = Wh(C_c(end)) - Wh(C_c(start)) for cell c (site-behavior §9.2), int64.
    backup_intervals: islanded intervals that began or changed during the advance.
    sessions: charge sessions that changed during the advance (final form).
    """

    state: SiteState
    bucket_starts: npt.NDArray[np.int64]
    bucket_wh: npt.NDArray[np.int64]
    backup_intervals: tuple[BackupInterval, ...] = ()
    sessions: tuple[ChargeSession, ...] = field(default_factory=tuple)
