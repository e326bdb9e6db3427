"""Weather files users have, read with pvlib's readers into one hourly typical year.

Formats: EPW, TMY3 (CSV), TMY2, PVGIS TMY (JSON or CSV) and NSRDB PSM3/PSM4 (CSV). Each
file becomes 8,760 hourly rows in file order (January first): global horizontal
irradiance [W/m2], air temperature [C] and wind speed [m/s], with the file's location and
the UTC offset of its clock. Leap-year files lose 29 February; half-hourly NSRDB files are
averaged to hours. A file that cannot be read raises :class:`WeatherFileError` with one
line saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pvlib

__all__ = ["FORMATS", "WeatherFile", "WeatherFileError", "distance_km", "read_weather_file",
           "sniff_format"]

FloatArray = npt.NDArray[np.float64]

FORMATS = ("epw", "tmy3", "tmy2", "pvgis", "nsrdb")
_HOURS = 8760
_FEB29_ROW = 59 * 24
_EARTH_RADIUS_KM = 6371.0


class WeatherFileError(ValueError):
    """A weather file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class WeatherFile:
    """One typical year read from a file.

    latitude_deg, longitude_deg [deg], elevation_m [m]; utc_offset_h [h]: the offset of the
    clock the rows follow (0 for files in UTC); ghi_w_m2 [W/m2], temp_air_c [C],
    wind_speed_m_s [m/s], dhi_w_m2 [W/m2] (diffuse horizontal): 8,760 hourly rows, row k
    covering [k, k+1) h of that clock.
    """

    name: str
    file_format: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    utc_offset_h: float
    ghi_w_m2: FloatArray
    temp_air_c: FloatArray
    wind_speed_m_s: FloatArray
    dhi_w_m2: FloatArray


def sniff_format(path: Path) -> str:
    """The format of a weather file, from its extension and, for CSV, its first line."""
    suffix = path.suffix.lower()
    if suffix == ".epw":
        return "epw"
    if suffix in (".tm2", ".tmy2"):
        return "tmy2"
    if suffix == ".json":
        return "pvgis"
    if suffix != ".csv":
        raise WeatherFileError(f"{path.name}: unknown weather file type (use .epw, .csv, .tm2 or .json)")
    with path.open("r", encoding="utf-8", errors="replace") as f:
        first = f.readline()
    if first.startswith("Source,") or first.startswith("Source ,"):
        return "nsrdb"
    if first.lower().startswith("latitude"):
        return "pvgis"
    return "tmy3"


def read_weather_file(path: Path, file_format: str | None = None) -> WeatherFile:
    """Read ``path`` (format sniffed unless given) into a :class:`WeatherFile`."""
    if not path.is_file():
        raise WeatherFileError(f"{path}: no such weather file")
    fmt = file_format or sniff_format(path)
    if fmt not in FORMATS:
        raise WeatherFileError(f"{path.name}: unknown weather format {fmt!r} (one of {', '.join(FORMATS)})")
    try:
        name, lat, lon, elev, offset, ghi, temp, wind, dhi = _READERS[fmt](path)
    except WeatherFileError:
        raise
    except Exception as exc:  # pvlib raises many kinds on a malformed file
        raise WeatherFileError(f"{path.name}: not a readable {fmt} weather file "
                               f"({type(exc).__name__})") from None
    columns = [_year_of_hours(np.asarray(v, dtype=np.float64), path) for v in (ghi, temp, wind, dhi)]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and -24 < offset < 24):
        raise WeatherFileError(f"{path.name}: location or time zone out of range")
    if not all(np.isfinite(c).all() for c in columns):
        raise WeatherFileError(f"{path.name}: missing values in irradiance, temperature or wind")
    ghi_w_m2 = np.maximum(columns[0], 0.0)
    return WeatherFile(name, fmt, lat, lon, elev, offset, ghi_w_m2, columns[1],
                       np.maximum(columns[2], 0.0), np.clip(columns[3], 0.0, ghi_w_m2))


def distance_km(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance between two points [km]."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp, dl = p2 - p1, math.radians(lon2_deg - lon1_deg)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _year_of_hours(values: FloatArray, path: Path) -> FloatArray:
    """8,760 hourly values: 29 February dropped, half-hours averaged."""
    per_hour = {_HOURS: 1, _HOURS + 24: 1, 2 * _HOURS: 2, 2 * (_HOURS + 24): 2}.get(len(values))
    if per_hour is None:
        raise WeatherFileError(f"{path.name}: {len(values)} rows; a typical year has 8760 hours")
    if len(values) % (_HOURS * per_hour):  # a leap year
        first = _FEB29_ROW * per_hour
        values = np.concatenate([values[:first], values[first + 24 * per_hour:]])
    hourly: FloatArray = values.reshape(_HOURS, per_hour).mean(axis=1)
    return hourly


def _label(value: object, path: Path) -> str:
    """A station name from a file header: quotes and blanks trimmed, else the file name."""
    text = str(value or "").strip().strip('"').strip()
    return text or path.stem


_Read = tuple[str, float, float, float, float, Any, Any, Any, Any]


def _epw(path: Path) -> _Read:
    data, meta = pvlib.iotools.read_epw(str(path))
    name = f"{_label(meta.get('city'), path)} (EPW)"
    return (name, float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]),
            float(meta["TZ"]), data["ghi"], data["temp_air"], data["wind_speed"], data["dhi"])


def _tmy3(path: Path) -> _Read:
    data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    name = f"{_label(meta.get('Name'), path)} (TMY3)"
    return (name, float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]),
            float(meta["TZ"]), data["ghi"], data["temp_air"], data["wind_speed"], data["dhi"])


def _tmy2(path: Path) -> _Read:
    data, meta = pvlib.iotools.read_tmy2(str(path))
    name = f"{_label(meta.get('City'), path)} (TMY2)"
    return (name, float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]),
            float(meta["TZ"]), data["GHI"], data["DryBulb"] / 10.0, data["Wspd"] / 10.0,
            data["DHI"])


def _pvgis(path: Path) -> _Read:
    data, meta = pvlib.iotools.read_pvgis_tmy(str(path), map_variables=True)
    if isinstance(meta, dict):
        loc = meta["inputs"]["location"]
        lat, lon, elev = loc["latitude"], loc["longitude"], loc["elevation"]
    else:
        raise WeatherFileError(f"{path.name}: PVGIS file without a location")
    name = f"PVGIS {float(lat):.3f}, {float(lon):.3f}"
    return (name, float(lat), float(lon), float(elev), 0.0,
            data["ghi"], data["temp_air"], data["wind_speed"], data["dhi"])


def _nsrdb(path: Path) -> _Read:
    data, meta = pvlib.iotools.read_nsrdb_psm4(str(path), map_variables=True)
    name = f"NSRDB {_label(meta.get('Location ID'), path)}"
    return (name, float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]),
            float(meta["Time Zone"]), data["ghi"], data["temp_air"], data["wind_speed"], data["dhi"])


_READERS = {"epw": _epw, "tmy3": _tmy3, "tmy2": _tmy2, "pvgis": _pvgis, "nsrdb": _nsrdb}
