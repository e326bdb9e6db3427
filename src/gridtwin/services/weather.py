"""Which weather a site's simulation uses, and how far its station is from the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridtwin.domain.site import Location
from gridtwin.sim.weather import nearest_station, site_station, station_distance_km

__all__ = ["WeatherUsed", "weather_used"]


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
