"""Weather files written by tests: a bundled station's year relocated, and a sunny desert
year built from clear sky (no file from outside the repository is needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

GREENSBORO = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


def _hours(utc_offset_h: float) -> pd.DatetimeIndex:
    """Mid-points of the 8,760 hours of a TMY3 year on a fixed-offset clock."""
    return pd.date_range("2023-01-01 00:30", periods=8760, freq="h",
                         tz=f"Etc/GMT{-int(utc_offset_h):+d}")


def _write(dest: Path, header: str, ghi: np.ndarray, dni: np.ndarray, dhi: np.ndarray,
           temp: np.ndarray | None = None) -> Path:
    lines = GREENSBORO.read_text(encoding="latin-1").splitlines(keepends=True)
    out = [header, lines[1]]
    for k, line in enumerate(lines[2:]):
        cols = line.rstrip("\n").split(",")
        cols[4], cols[7], cols[10] = (str(round(float(v[k]))) for v in (ghi, dni, dhi))
        if temp is not None:
            cols[31] = f"{temp[k]:.1f}"
        out.append(",".join(cols) + "\n")
    dest.write_text("".join(out), encoding="latin-1")
    return dest


def relocated_tmy3(dest: Path, latitude: float, longitude: float, utc_offset_h: float,
                   elevation_m: float = 100.0) -> Path:
    """Greensboro's year moved to another place, kept physically consistent: each hour's
    clear-sky index and diffuse fraction are Greensboro's, applied to the new place's own
    clear sky (so GHI = DHI + DNI cos(zenith) holds there, as in a measured file)."""
    data, meta = pvlib.iotools.read_tmy3(str(GREENSBORO), map_variables=True)
    home = pvlib.location.Location(meta["latitude"], meta["longitude"], altitude=meta["altitude"])
    away = pvlib.location.Location(latitude, longitude, altitude=elevation_m)
    home_cs = home.get_clearsky(_hours(meta["TZ"]), model="ineichen")["ghi"].to_numpy()
    away_hours = _hours(utc_offset_h)
    away_cs = away.get_clearsky(away_hours, model="ineichen")["ghi"].to_numpy()
    ghi0, dhi0 = data["ghi"].to_numpy(float), data["dhi"].to_numpy(float)
    with np.errstate(all="ignore"):
        kc = np.where(home_cs > 20, ghi0 / home_cs, 0.0).clip(0, 1.3)
        kd = np.where(ghi0 > 0, dhi0 / ghi0, 1.0).clip(0, 1)
    ghi = kc * away_cs
    dhi = kd * ghi
    cosz = np.cos(np.radians(away.get_solarposition(away_hours)["zenith"].to_numpy()))
    dni = np.where(cosz > 0.05, (ghi - dhi) / np.maximum(cosz, 0.05), 0.0)
    header = f'999999,"RELOCATED",XX,{utc_offset_h:.1f},{latitude:.3f},{longitude:.3f},{elevation_m:.0f}\n'
    return _write(dest, header, ghi, dni, dhi)


def desert_tmy3(dest: Path, latitude: float = 33.45, longitude: float = -112.07,
                utc_offset_h: float = -7.0, elevation_m: float = 340.0,
                clearness: float = 0.97) -> Path:
    """A Phoenix-like year: clear-sky irradiance x ``clearness`` and hot air."""
    hours = _hours(utc_offset_h)
    cs = pvlib.location.Location(latitude, longitude, altitude=elevation_m).get_clearsky(
        hours, model="ineichen")
    doy = np.asarray(hours.day_of_year, dtype=float)
    hour = np.asarray(hours.hour, dtype=float)
    temp = 23.0 - 10.0 * np.cos(2 * np.pi * (doy - 15) / 365) + 6.0 * np.sin(2 * np.pi * (hour - 9) / 24)
    header = f'999998,"DESERT",AZ,{utc_offset_h:.1f},{latitude:.3f},{longitude:.3f},{elevation_m:.0f}\n'
    return _write(dest, header, *(clearness * cs[c].to_numpy() for c in ("ghi", "dni", "dhi")), temp)


def greensboro_columns() -> dict[str, np.ndarray]:
    """Greensboro's hourly GHI, DNI, DHI [W/m2], air temperature [C], wind [m/s]."""
    data, _ = pvlib.iotools.read_tmy3(str(GREENSBORO), map_variables=True)
    return {k: data[k].to_numpy(float) for k in ("ghi", "dni", "dhi", "temp_air", "wind_speed")}


def write_epw(dest: Path, latitude: float, longitude: float, utc_offset_h: float,
              elevation_m: float, cols: dict[str, np.ndarray]) -> Path:
    """An EnergyPlus weather file with the given hourly columns (others at missing codes)."""
    head = [f"LOCATION,Testville,XX,USA,TMY3,999999,{latitude},{longitude},{utc_offset_h},{elevation_m}",
            "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
            "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,written by a test",
            "COMMENTS 2,", "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    stamps = pd.date_range("2023-01-01 01:00", periods=8760, freq="h")
    rows = []
    for k, t in enumerate(stamps):
        hour = 24 if t.hour == 0 else t.hour
        day = t - pd.Timedelta(hours=1) if t.hour == 0 else t
        fields = [1999, day.month, day.day, hour, 60, "?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9",
                  round(cols["temp_air"][k], 1), 0.0, 50, 101325, 0, 0, 300,
                  round(cols["ghi"][k]), round(cols["dni"][k]), round(cols["dhi"][k]),
                  999999, 999999, 999999, 9999, 0, round(cols["wind_speed"][k], 1), 0, 0,
                  77777, 9, 9, 999999999, 0, 0.0, 0, 88, 0.0, 0.0, 0.0]
        rows.append(",".join(str(f) for f in fields))
    dest.write_text("\n".join(head + rows) + "\n", encoding="ascii")
    return dest


def write_pvgis_json(dest: Path, latitude: float, longitude: float, elevation_m: float,
                     cols: dict[str, np.ndarray], utc_offset_h: float) -> Path:
    """A PVGIS TMY JSON (rows in UTC): the local-clock columns rolled to UTC."""
    import json

    shift = round(-utc_offset_h)  # local hour k is UTC hour k + shift
    roll = {k: np.roll(v, shift) for k, v in cols.items()}
    stamps = pd.date_range("2023-01-01 00:00", periods=8760, freq="h")
    hourly = [{"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": roll["temp_air"][k], "RH": 50.0,
               "G(h)": roll["ghi"][k], "Gb(n)": roll["dni"][k], "Gd(h)": roll["dhi"][k],
               "IR(h)": 300.0, "WS10m": roll["wind_speed"][k], "WD10m": 0.0, "SP": 101325.0}
              for k, t in enumerate(stamps)]
    doc = {"inputs": {"location": {"latitude": latitude, "longitude": longitude,
                                   "elevation": elevation_m}},
           "outputs": {"months_selected": [], "tmy_hourly": hourly},
           "meta": {"inputs": {}}}
    dest.write_text(json.dumps(doc), encoding="ascii")
    return dest


def write_nsrdb(dest: Path, latitude: float, longitude: float, utc_offset_h: float,
                elevation_m: float, cols: dict[str, np.ndarray]) -> Path:
    """An NSRDB PSM3-style CSV (two metadata lines, then hourly rows on local time)."""
    meta_keys = ["Source", "Location ID", "City", "State", "Country", "Latitude", "Longitude",
                 "Time Zone", "Elevation", "Local Time Zone"]
    meta_vals = ["NSRDB", "123456", "-", "-", "-", latitude, longitude, int(utc_offset_h),
                 int(elevation_m), int(utc_offset_h)]
    lines = [",".join(meta_keys), ",".join(str(v) for v in meta_vals),
             "Year,Month,Day,Hour,Minute,GHI,DHI,DNI,Temperature,Wind Speed"]
    stamps = pd.date_range("2023-01-01 00:00", periods=8760, freq="h")
    for k, t in enumerate(stamps):
        lines.append(f"2023,{t.month},{t.day},{t.hour},30,{cols['ghi'][k]:.0f},{cols['dhi'][k]:.0f},"
                     f"{cols['dni'][k]:.0f},{cols['temp_air'][k]:.1f},{cols['wind_speed'][k]:.1f}")
    dest.write_text("\n".join(lines) + "\n", encoding="ascii")
    return dest
