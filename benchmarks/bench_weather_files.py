"""A site's own weather file: gridtwin vs NREL PySAM PVWatts v8 reading the same file.

Files are written here (no download): Greensboro's TMY3 year moved consistently to two
other places (its hourly clear-sky index and diffuse fraction on the new place's clear
sky), and a clear Phoenix-like desert year. For each: annual AC energy of a 7.6 kW array
(south, tilt 20 deg; 30 deg for the desert), gridtwin / PySAM, and kWh/kWp.

Run: ``python benchmarks/bench_weather_files.py`` (needs nrel-pysam).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gridtwin.domain.site import Location, SiteSpec, SolarSpec
from gridtwin.services.provision import demo_spec
from gridtwin.sim import environment
from tests.weatherfiles import desert_tmy3, relocated_tmy3

YEAR_START_S = 1_735_689_600  # 2025-01-01T00:00Z
DC_KW = 7.6


def _spec(lat: float, lon: float, path: Path, tilt: float) -> SiteSpec:
    spec = replace(demo_spec(0, YEAR_START_S), installation_s=0)
    return replace(spec, location=Location(lat, lon, 100.0, str(path)),
                   solar=SolarSpec(dc_kw=DC_KW, tilt_deg=tilt, azimuth_deg=180.0, inverter_ac_w=20_000))


def gridtwin_kwh(spec: SiteSpec) -> float:
    env = environment.site_environment(spec, YEAR_START_S, 365 * 288, 300)
    return float(env.solar_forecast_w.sum()) * 300 / 3.6e6


def pysam_kwh(spec: SiteSpec, path: Path) -> float:
    assert spec.solar is not None
    import PySAM.Pvwattsv8 as pv

    model = pv.default("PVWattsNone")
    model.SolarResource.solar_resource_file = str(path)
    d = model.SystemDesign
    d.system_capacity, d.dc_ac_ratio, d.inv_eff = DC_KW, DC_KW * 1000 / 20_000, 96.0
    d.losses, d.tilt, d.azimuth = spec.solar.losses_pct, spec.solar.tilt_deg, 180.0
    d.array_type, d.module_type = 1, 0
    model.execute()
    return float(model.Outputs.annual_energy)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    cases = [
        ("Greensboro year at 42 N 80 W", relocated_tmy3(tmp / "a.csv", 42.0, -80.0, -5.0), 42.0, -80.0, 20.0),
        ("Greensboro year at 30 N 97.7 W", relocated_tmy3(tmp / "b.csv", 30.0, -97.7, -6.0), 30.0, -97.7, 20.0),
        ("desert year at Phoenix (tilt 30)", desert_tmy3(tmp / "c.csv"), 33.45, -112.07, 30.0),
    ]
    print(f"{'weather file':36}{'gridtwin kWh':>14}{'PySAM kWh':>12}{'ratio':>8}{'kWh/kWp':>9}{'s':>7}")
    for label, path, lat, lon, tilt in cases:
        spec = _spec(lat, lon, path, tilt)
        start = time.perf_counter()
        ours = gridtwin_kwh(spec)
        seconds = time.perf_counter() - start
        sam = pysam_kwh(spec, path)
        print(f"{label:36}{ours:14.0f}{sam:12.0f}{ours / sam:8.4f}{ours / DC_KW:9.0f}{seconds:7.2f}")


if __name__ == "__main__":
    main()
