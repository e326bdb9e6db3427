"""Annual PV energy of the demo system: gridtwin vs NREL PySAM PVWatts v8, side by side.

Demo system: 7.6 kW DC, tilt 20, azimuth 180, losses 14 %, two Powerwall 2 (no PV
inverter of their own, so the AC cap is 1.2 x DC = 9.12 kW), San Francisco
(34.05 N, 118.25 W, 90 m), America/Los_Angeles, sky ``tmy``. Year 2025.

PySAM gets the very series gridtwin tabulates for the site (5-minute GHI/DNI/DHI, air
temperature and wind at bucket centres, UTC timestamps with tz 0, the minute column at
the centre so SAM treats values as instantaneous there) and the same system: roof mount
(INOCT 49 C, no row self-shading), standard module, inverter efficiency 96 %.
gridtwin's side is the noise-free ``solar_forecast_w`` of a year at 5-minute steps.

Run: ``python benchmarks/bench_pv.py`` (needs the ``bench`` extra: nrel-pysam).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from gridtwin.domain.site import SiteSpec
from gridtwin.services import provision
from gridtwin.sim import environment, weather

YEAR_START_S = 1_735_689_600  # 2025-01-01T00:00Z, a common year
STEP_S = 300
N_STEPS = 365 * 86_400 // STEP_S


def demo_spec(sky: str = "tmy") -> SiteSpec:
    """The demo site that ``gridtwin serve`` creates (2 x PW2, 7.6 kW PV, Los Angeles)."""
    return replace(provision.demo_spec(0, YEAR_START_S), installation_s=0, sky=sky)


def _calendar(unix_s: npt.NDArray[np.int64]) -> dict[str, list[float]]:
    t = unix_s.astype("datetime64[s]")
    year, month = t.astype("datetime64[Y]"), t.astype("datetime64[M]")
    day, hour = t.astype("datetime64[D]"), t.astype("datetime64[h]")
    fields = {
        "year": year.astype(np.int64) + 1970,
        "month": (month - year.astype("datetime64[M]")).astype(np.int64) + 1,
        "day": (day - month.astype("datetime64[D]")).astype(np.int64) + 1,
        "hour": (hour - day.astype("datetime64[h]")).astype(np.int64),
        "minute": (t - hour.astype("datetime64[s]")).astype(np.int64) / 60.0,
    }
    return {k: np.asarray(v, dtype=np.float64).tolist() for k, v in fields.items()}


def pysam_weather(spec: SiteSpec) -> dict[str, Any]:
    """``solar_resource_data`` from gridtwin's own 5-minute site weather for 2025."""
    loc = spec.location
    wx = weather.site_weather(loc.latitude_deg, loc.longitude_deg, loc.elevation_m)
    centres = YEAR_START_S + np.arange(N_STEPS, dtype=np.int64) * STEP_S + STEP_S // 2
    ref = weather.ref_bucket(centres)
    series = {"gh": wx.ghi_w_m2, "dn": wx.dni_w_m2, "df": wx.dhi_w_m2,
              "tdry": wx.temp_air_c, "wspd": wx.wind_speed_m_s}
    data: dict[str, Any] = {"lat": loc.latitude_deg, "lon": loc.longitude_deg, "tz": 0.0,
                            "elev": loc.elevation_m, **_calendar(centres)}
    data.update({k: v[ref].tolist() for k, v in series.items()})
    return data


@dataclass(frozen=True)
class Result:
    annual_kwh: float
    seconds: float


def run_pysam(spec: SiteSpec, resource: dict[str, Any]) -> Result:
    """PVWatts v8 on ``resource`` with the spec's system [kWh, s]."""
    import PySAM.Pvwattsv8 as pv

    assert spec.solar is not None
    model = pv.default("PVWattsNone")
    model.SolarResource.solar_resource_data = resource
    design = model.SystemDesign
    design.system_capacity = spec.solar.dc_kw
    design.dc_ac_ratio = spec.solar.dc_kw * 1000.0 / spec.solar_ac_limit_w
    design.inv_eff = spec.solar_inverter_eta * 100.0
    design.losses = spec.solar.losses_pct
    design.tilt = spec.solar.tilt_deg
    design.azimuth = spec.solar.azimuth_deg if spec.solar.azimuth_deg is not None else 180.0
    design.array_type = 1  # fixed roof mount
    design.module_type = 0  # standard
    start = time.perf_counter()
    model.execute()
    return Result(float(model.Outputs.annual_energy), time.perf_counter() - start)


def run_gridtwin(spec: SiteSpec, step_s: int = STEP_S) -> Result:
    """gridtwin's noise-free solar over 2025 at ``step_s`` steps [kWh, s]."""
    start = time.perf_counter()
    env = environment.site_environment(spec, YEAR_START_S, 365 * 86_400 // step_s, step_s)
    seconds = time.perf_counter() - start
    return Result(float(env.solar_forecast_w.sum()) * step_s / 3.6e6, seconds)


def main() -> None:
    spec = demo_spec()
    cold = run_gridtwin(spec)  # builds and caches the site tables
    warm = run_gridtwin(spec)
    minute = run_gridtwin(spec, 60)
    sam = run_pysam(spec, pysam_weather(spec))
    station = weather.nearest_station(spec.location.latitude_deg).name
    print(f"weather: {station} mapped to {spec.location}")
    print(f"{'':28}{'annual kWh':>12}{'s / site-year':>16}")
    rows = (("gridtwin 5-min, cold cache", cold), ("gridtwin 5-min, warm cache", warm),
            ("gridtwin 60 s, warm cache", minute), ("PySAM Pvwattsv8 5-min", sam))
    for label, result in rows:
        print(f"{label:28}{result.annual_kwh:12.1f}{result.seconds:16.3f}")
    print(f"ratio gridtwin / PySAM = {warm.annual_kwh / sam.annual_kwh:.4f}")


if __name__ == "__main__":
    main()
