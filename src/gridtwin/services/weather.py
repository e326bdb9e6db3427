"""Which weather a site's simulation uses, and how far its station is from the site."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridtwin.domain.site import Location
from gridtwin.sim.weather import file_station, nearest_station, site_station, station_distance_km

__all__ = ["WeatherFetchError", "WeatherUsed", "checked_weather_file", "fetch_pvgis_tmy",
           "weather_used"]


@dataclass(frozen=True)
class WeatherUsed:
    """station: its name; file: the site's own weather file (None: a station bundled
    with pvlib); distance_km [km]: from the station to the site."""

    station: str
    file: str | None
    distance_km: float

    def as_dict(self) -> dict[str, Any]:
        return {"station": self.station, "file": self.file, "distance_km": self.distance_km}

    def line(self) -> str:
        where = f"file {self.file}" if self.file else "bundled with pvlib"
        return f"{self.station} ({where}), {self.distance_km:,.0f} km from the site"


def checked_weather_file(path: str) -> str:
    """``path`` resolved, after reading it as a weather file; raises ValueError with a
    one-line reason."""
    return file_station(path).file_name


def weather_used(location: Location) -> WeatherUsed:
    """The station the site's weather comes from; a weather file that has gone since the
    site was described reports the bundled station the engine falls back to."""
    try:
        station = site_station(location.latitude_deg, location.weather_file)
        file = location.weather_file
    except ValueError:
        station, file = nearest_station(location.latitude_deg), None
    distance = station_distance_km(station, location.latitude_deg, location.longitude_deg)
    return WeatherUsed(station.name, file, round(distance, 1))


def fetch_pvgis_tmy(latitude_deg: float, longitude_deg: float, cache_dir: Path) -> Path:
    """The PVGIS typical year at a place, downloaded once with pvlib's PVGIS client and
    kept in ``cache_dir`` as a PVGIS JSON file; raises WeatherFetchError (one line) when
    the service cannot be reached."""
    path = cache_dir / f"pvgis-tmy_{latitude_deg:.3f}_{longitude_deg:.3f}.json"
    if path.is_file():
        return path
    import pvlib  # only when fetching

    try:
        data, meta = pvlib.iotools.get_pvgis_tmy(latitude_deg, longitude_deg,
                                                 outputformat="json", map_variables=False,
                                                 timeout=60)
    except Exception as exc:  # requests raises many kinds; the user needs one line
        raise WeatherFetchError(f"cannot fetch PVGIS weather for {latitude_deg}, {longitude_deg}: "
                                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                                ) from None
    rows = [{"time(UTC)": t.strftime("%Y%m%d:%H%M"),
             **{k: float(v) for k, v in row.items()}} for t, row in data.iterrows()]
    doc = {"inputs": meta["inputs"], "outputs": {"months_selected": meta.get("months_selected", []),
                                                 "tmy_hourly": rows},
           "meta": {"inputs": meta["inputs"].get("descriptions", {})}}
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(doc), encoding="utf-8")
    partial.replace(path)
    return path


class WeatherFetchError(RuntimeError):
    """Weather could not be downloaded; the message is one line."""
