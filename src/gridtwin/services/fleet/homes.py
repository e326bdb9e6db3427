"""A fleet home as the engine sees it: its SiteSpec and its environment with EV charging.

The spec's noise streams are keyed by (study seed, home id): ``seed`` is the study's and
``energy_site_id`` the home's id, so a home's weather noise and load noise are the same
whatever chunk it runs in. EV charging is home load (the batch engine has no Wall
Connectors): every local night from ``ev_start_hour`` at ``ev_kw`` until the day's share
of ``ev_kwh`` is delivered, known to the forecasts too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.site import BatteryBank, LoadSpec, Location, SiteKind, SiteSpec, SolarSpec
from gridtwin.services.fleet.population import Home
from gridtwin.services.study import no_battery
from gridtwin.sim.environment import local_wall_s, site_environment
from gridtwin.sim.state import Environment, EnvironmentProvider

__all__ = ["ev_load_w", "home_environment", "home_provider", "home_spec", "sliced_provider"]

_DAY_S = 86_400


def home_spec(home: Home, seed: int, step_s: int, installed_s: int) -> SiteSpec:
    """The home with its battery (a solar-only site when battery_count is 0); the PV AC
    limit is pinned so that solar is the same with and without the battery."""
    spec = SiteSpec(
        energy_site_id=home.home_id, kind=SiteKind.BATTERY, name=f"home {home.home_id}",
        time_zone=home.time_zone,
        location=Location(home.latitude_deg, home.longitude_deg, home.elevation_m,
                          home.weather_file),
        installation_s=installed_s, gateway_din="fleet", site_uuid=f"fleet-{home.home_id}",
        batteries=(BatteryBank(BatteryModel(home.battery_model), count=home.battery_count),),
        solar=None if home.solar_kw <= 0 else SolarSpec(
            dc_kw=home.solar_kw, tilt_deg=home.tilt_deg, azimuth_deg=home.azimuth_deg),
        load=LoadSpec(daily_kwh=home.annual_kwh / 365.0),
        step_s=step_s, seed=seed)
    if spec.solar is not None:
        spec = replace(spec, solar=replace(spec.solar, inverter_ac_w=spec.solar_ac_limit_w))
    return no_battery(spec) if home.battery_count == 0 else spec


def ev_load_w(home: Home, start_s: int, n_steps: int, step_s: int) -> npt.NDArray[np.int64]:
    """EV charging power per step [W]: ev_kw from ev_start_hour local until the day's
    ev_kwh / 365 is delivered (the last step partly), 0 without an EV."""
    if home.ev_kwh <= 0:
        return np.zeros(n_steps, dtype=np.int64)
    starts = start_s + step_s * np.arange(n_steps, dtype=np.int64)
    since = (local_wall_s(starts, home.time_zone) - home.ev_start_hour * 3600) % _DAY_S
    power_w = home.ev_kw * 1000.0
    duration_s = min(home.ev_kwh * 1000.0 / 365.0 * 3600.0 / power_w, float(_DAY_S))
    share = np.clip((duration_s - since) / step_s, 0.0, 1.0)
    return np.rint(power_w * share).astype(np.int64)


def home_environment(home: Home, spec: SiteSpec, start_s: int, n_steps: int, step_s: int
                     ) -> Environment:
    """The site's environment (gridtwin.sim.environment) with EV charging added to the
    home load and its forecast."""
    env = site_environment(spec, start_s, n_steps, step_s)
    if home.ev_kwh <= 0:
        return env
    ev = ev_load_w(home, start_s, n_steps, step_s)
    return replace(env, home_load_w=env.home_load_w + ev,
                   home_load_forecast_w=env.home_load_forecast_w + ev)


def home_provider(home: Home, spec: SiteSpec) -> EnvironmentProvider:
    """An EnvironmentProvider of :func:`home_environment` (the single-home what-if path
    takes it to simulate the same home as the fleet)."""

    def provide(start_s: int, n_steps: int, step_s: int) -> Environment:
        return home_environment(home, spec, start_s, n_steps, step_s)

    return provide


def sliced_provider(env: Environment) -> EnvironmentProvider:
    """Windows cut from one precomputed environment (values are window-independent, so
    a cut equals a fresh computation)."""

    def provide(start_s: int, n_steps: int, step_s: int) -> Environment:
        i = (start_s - env.start_s) // step_s
        if step_s != env.step_s or start_s % step_s != env.start_s % step_s or i < 0 \
                or i + n_steps > len(env.solar_w):
            raise ValueError("window outside the precomputed environment")
        sl = slice(i, i + n_steps)
        return Environment(start_s, step_s, env.solar_w[sl], env.home_load_w[sl],
                           env.solar_forecast_w[sl], env.home_load_forecast_w[sl])

    return provide
