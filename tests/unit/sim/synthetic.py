"""Synthetic, pure input providers and site builders for engine tests (no pvlib, no tariff).

Solar is a bell (sine) between local 06:00 and 18:00; home load is a base plus an
evening bump and a small deterministic ripple (so actual and forecast differ a little).
Times are local via a fixed UTC offset so tests need no tz database lookups for inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.events import EventType, SiteEvent
from gridtwin.domain.site import (
    BatteryBank,
    GeneratorSpec,
    Location,
    SiteKind,
    SiteSpec,
    SolarSpec,
    WallConnectorSpec,
)
from gridtwin.sim.state import Environment, PriceSeries

DAY_S = 86_400
T0 = 1_717_200_000 - 1_717_200_000 % DAY_S  # 2024-06-01 00:00 UTC


def _local_hour(t: npt.NDArray[np.int64], utc_offset_s: int) -> npt.NDArray[np.float64]:
    return ((t + utc_offset_s) % DAY_S) / 3600.0


@dataclass(frozen=True)
class BellEnvironment:
    """EnvironmentProvider: solar peak_w at local noon, load base + evening bump [W]."""

    solar_peak_w: int = 6_000
    base_load_w: int = 400
    evening_load_w: int = 1_600
    ripple_w: int = 150
    utc_offset_s: int = 0
    sky: Callable[[int], float] | None = None  # factor per day index

    def __call__(self, start_s: int, n_steps: int, step_s: int) -> Environment:
        t = start_s + step_s * np.arange(n_steps, dtype=np.int64)
        h = _local_hour(t + step_s // 2, self.utc_offset_s)
        bell = np.where((h > 6) & (h < 18), np.sin(np.pi * (h - 6) / 12.0), 0.0)
        solar = self.solar_peak_w * bell
        if self.sky is not None:
            day = (t + self.utc_offset_s) // DAY_S
            solar = solar * np.array([self.sky(int(d)) for d in day])
        evening = np.where((h >= 17) & (h < 22), self.evening_load_w, 0)
        load = self.base_load_w + evening + 0.3 * self.base_load_w * np.sin(h * 0.7)
        ripple = self.ripple_w * np.sin(t / 977.0)
        solar_i = np.round(solar).astype(np.int64)
        load_i = np.round(load).astype(np.int64)
        return Environment(start_s, step_s, solar_i, np.maximum(0, load_i + np.round(ripple)
                                                                .astype(np.int64)),
                           solar_i, load_i)


@dataclass(frozen=True)
class TouPrices:
    """PriceProvider: buy peak 16:00-21:00 local, off-peak 00:00-06:00, mid otherwise."""

    peak: float = 0.50
    mid: float = 0.30
    off_peak: float = 0.12
    sell: float = 0.05
    utc_offset_s: int = 0
    demand_kw: float = 0.0
    """Demand price during the peak [currency/kW] (0: no demand charges)."""

    def __call__(self, start_s: int, n_steps: int, step_s: int) -> PriceSeries:
        t = start_s + step_s * np.arange(n_steps, dtype=np.int64)
        h = _local_hour(t, self.utc_offset_s)
        peak = (h >= 16) & (h < 21)
        buy = np.where(peak, self.peak, np.where(h < 6, self.off_peak, self.mid))
        demand = month = None
        if self.demand_kw > 0:
            demand = np.where(peak, self.demand_kw, 0.0)
            local = (t + self.utc_offset_s).astype("datetime64[s]")
            month = local.astype("datetime64[M]").astype(np.int64)
        return PriceSeries(start_s, step_s, buy.astype(np.float64),
                           np.full(n_steps, self.sell, dtype=np.float64), demand, month)


def battery_site(*, powerwalls: int = 2, model: BatteryModel = BatteryModel.POWERWALL_2,
                 dc_kw: float | None = 7.6, step_s: int = 60, installation_s: int = T0,
                 wall_connectors: int = 0, generator: GeneratorSpec | None = None,
                 components: tuple[tuple[str, object], ...] = (), max_import_w: int = 10**9,
                 max_export_w: int = 10**9, kind: SiteKind = SiteKind.BATTERY,
                 time_zone: str = "UTC", group_limit_w: int | None = None) -> SiteSpec:
    """A test site; wall connectors get DINs 'wc0', 'wc1', ... (shared group if limited)."""
    batteries = (BatteryBank(model, powerwalls),) if powerwalls > 0 else ()
    wcs = tuple(WallConnectorSpec(f"wc{k}", f"dev{k}",
                                  group="g" if group_limit_w is not None else None,
                                  group_limit_w=group_limit_w)
                for k in range(wall_connectors))
    return SiteSpec(
        energy_site_id=1, kind=kind, name="test", time_zone=time_zone,
        location=Location(37.0, -122.0), installation_s=installation_s, gateway_din="gw",
        site_uuid="uuid", batteries=batteries,
        solar=SolarSpec(dc_kw=dc_kw) if dc_kw else None, generator=generator,
        wall_connectors=wcs, max_import_w=max_import_w, max_export_w=max_export_w,
        step_s=step_s, components=components)


@dataclass(frozen=True)
class ConstEnvironment:
    """EnvironmentProvider with constant solar and home load [W] (forecast = actual)."""

    solar_w: int = 0
    load_w: int = 0

    def __call__(self, start_s: int, n_steps: int, step_s: int) -> Environment:
        s = np.full(n_steps, self.solar_w, dtype=np.int64)
        h = np.full(n_steps, self.load_w, dtype=np.int64)
        return Environment(start_s, step_s, s, h, s.copy(), h.copy())


def event(kind: str, start_s: int, end_s: int | None = None, eid: str | None = None,
          **params: object) -> SiteEvent:
    """A SiteEvent of type ``kind`` (EventType value)."""
    return SiteEvent(eid or f"{kind}@{start_s}", EventType(kind), start_s, end_s, dict(params))


def plug_in(din: str, start_s: int, energy_wh: int = 20_000, **params: object) -> SiteEvent:
    """An ev_plug_in event on connector ``din``."""
    return event("ev_plug_in", start_s, None, eid=f"plug-{din}-{start_s}", din=din,
                 vehicle_id=f"veh-{din}", vin=f"VIN{din}", energy_wh=energy_wh, **params)


def pack_wh(spec: SiteSpec, app_pct: float) -> float:
    """Raw energy of an app percentage on this site [Wh]."""
    return spec.total_pack_wh * (0.05 + 0.0095 * app_pct)


# --- Hypothesis strategies (shared by the property and state-machine tests) ---


@st.composite
def site_specs(draw: st.DrawFn) -> SiteSpec:
    model = draw(st.sampled_from(list(BatteryModel)[:3]))
    count = draw(st.integers(1, 4 if model is BatteryModel.POWERWALL_3 else 3))
    spec = battery_site(
        powerwalls=count, model=model, wall_connectors=draw(st.integers(0, 2)),
        step_s=draw(st.sampled_from([30, 60, 150, 300])),
        max_export_w=draw(st.sampled_from([10**9, 0, 2_500])),
        max_import_w=draw(st.sampled_from([10**9, 6_000])),
        generator=draw(st.none() | st.builds(GeneratorSpec, rated_w=st.integers(2_000, 9_000),
                                             charges_battery=st.booleans())),
        components=(("backup", draw(st.booleans()) or draw(st.booleans())),
                    ("off_grid_vehicle_charging_reserve_supported", draw(st.booleans()))),
        group_limit_w=draw(st.sampled_from([None, 2_000, 16_000])))
    health = draw(st.sampled_from([1.0, 0.93]))
    return replace(spec, batteries=(BatteryBank(model, count, health=health),))


@st.composite
def site_controls(draw: st.DrawFn) -> SiteControls:
    return SiteControls(
        backup_reserve_pct=draw(st.integers(0, 100)),
        mode=draw(st.sampled_from(list(OperationMode))),
        storm_mode_enabled=draw(st.booleans()),
        export_rule=draw(st.sampled_from(list(ExportRule))),
        grid_charging_allowed=draw(st.booleans()),
        ev_reserve_pct=draw(st.integers(0, 100)),
        strategy=draw(st.sampled_from(list(Strategy))))


@st.composite
def site_events(draw: st.DrawFn, n_wc: int, start_s: int = T0, span_s: int = DAY_S) -> tuple[SiteEvent, ...]:
    at = st.integers(start_s, start_s + span_s)
    out: list[SiteEvent] = []
    for k in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["grid_outage", "island", "storm_alert", "grid_restore"]))
        start = draw(at)
        end = None if draw(st.integers(0, 5)) == 0 else start + draw(st.integers(1, 6 * 3600))
        if kind == "grid_restore":
            end = start
        out.append(event(kind, start, end, eid=f"e{k}"))
    for k in range(n_wc):
        for j in range(draw(st.integers(0, 2))):
            start = draw(at)
            sched = draw(st.none() | st.integers(start, start + 4 * 3600))
            out.append(replace(plug_in(f"wc{k}", start, energy_wh=draw(st.integers(1, 30_000)),
                                       scheduled_start_s=sched), id=f"p{k}{j}"))
        if draw(st.booleans()):
            s = draw(at)
            out.append(event("ev_unplug", s, s, eid=f"u{k}", din=f"wc{k}"))
        if draw(st.booleans()):
            s = draw(at)
            out.append(event("wc_fault", s, s + 1_800, eid=f"f{k}", din=f"wc{k}"))
    return tuple(out)
