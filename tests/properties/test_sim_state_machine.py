"""Rule-based state machine over the engine: advancing, commands and events.

Two copies of one site are driven through the same timed sequence of commands and
events. Copy A advances straight to each instant; copy B is also observed at an extra
instant in between (as a polling client would). They must never differ, and every
observed state must keep the physical invariants.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gridtwin.domain.controls import SiteControls
from gridtwin.domain.events import SiteEvent
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.state import SiteState
from tests.unit.sim.synthetic import (
    T0,
    BellEnvironment,
    TouPrices,
    event,
    plug_in,
    site_controls,
    site_specs,
)

ENV = BellEnvironment(solar_peak_w=9_000, base_load_w=900, evening_load_w=2_500)
PRICES = TouPrices()


class SiteMachine(RuleBasedStateMachine):
    spec: SiteSpec
    controls: SiteControls
    a: SiteState
    b: SiteState

    def __init__(self) -> None:
        super().__init__()
        self.events: list[SiteEvent] = []

    @initialize(spec=site_specs(), controls=site_controls(), app=st.floats(0, 100))
    def start(self, spec: SiteSpec, controls: SiteControls, app: float) -> None:
        self.spec = spec
        self.controls = controls
        self.a = self.b = initial_state(spec, T0, app)

    def _advance(self, state: SiteState, until: int) -> SiteState:
        return advance(self.spec, self.controls, state, until, env=ENV, prices=PRICES,
                       events=tuple(self.events)).state

    @rule(dt=st.integers(1, 8 * 3600), frac=st.floats(0.0, 1.0))
    def wait(self, dt: int, frac: float) -> None:
        until = self.a.t_s + dt
        self.a = self._advance(self.a, until)
        mid = self.b.t_s + int(dt * frac)
        self.b = self._advance(self._advance(self.b, mid), until)

    @rule(controls=site_controls())
    def command(self, controls: SiteControls) -> None:
        self.controls = controls
        self.a = self._advance(self.a, self.a.t_s)  # applied at the command instant
        self.b = self._advance(self.b, self.b.t_s)

    @rule(kind=st.sampled_from(["grid_outage", "island", "storm_alert", "grid_restore"]),
          delay=st.integers(0, 3_600), duration=st.none() | st.integers(1, 6 * 3600))
    def grid_event(self, kind: str, delay: int, duration: int | None) -> None:
        start = self.a.t_s + delay
        end = start if kind == "grid_restore" else (
            None if duration is None else start + duration)
        self.events.append(event(kind, start, end, eid=f"e{len(self.events)}"))

    @rule(delay=st.integers(0, 3_600), energy_wh=st.integers(1, 40_000), data=st.data())
    def ev_plug_in(self, delay: int, energy_wh: int, data: st.DataObject) -> None:
        if not self.spec.wall_connectors:
            return
        din = data.draw(st.sampled_from([w.din for w in self.spec.wall_connectors]))
        ev = plug_in(din, self.a.t_s + delay, energy_wh=energy_wh)
        self.events.append(replace(ev, id=f"p{len(self.events)}"))

    @invariant()
    def observers_agree(self) -> None:
        assert self.a == self.b

    @invariant()
    def physics_holds(self) -> None:
        s = self.a
        pack = self.spec.total_pack_wh
        assert s.load_w == s.solar_w + s.battery_w + s.grid_w + s.generator_w
        assert 0.05 * pack - 1e-9 <= s.energy_wh <= pack + 1e-9
        assert -self.spec.max_charge_w <= s.battery_w <= self.spec.max_discharge_w
        if s.grid_down:
            assert s.grid_w == 0
        assert all(c >= 0 for c in s.counters_j)


SiteMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestSiteMachine = SiteMachine.TestCase
