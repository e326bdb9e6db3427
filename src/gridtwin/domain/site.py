"""A site's physical description: what is installed and where (emulator §5 ``sites[]``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from gridtwin.domain.battery import (
    APP_BUFFER_FRACTION,
    PV_INVERTER_ETA,
    UNIT_SPECS,
    BatteryModel,
    UnitSpec,
)
from gridtwin.domain.catalogue_nested import EV_RESERVE_SUPPORTED, STORM_MODE_CAPABLE
from gridtwin.domain.profile import Profile

__all__ = [
    "CONTROLLERS",
    "DEFAULT_HOURLY_WEIGHTS",
    "BatteryBank",
    "GeneratorSpec",
    "LoadSpec",
    "Location",
    "SiteKind",
    "SiteSpec",
    "SolarSpec",
    "VehicleSpec",
    "WallConnectorSpec",
]

DEFAULT_HOURLY_WEIGHTS: tuple[float, ...] = (
    30, 27, 26, 26, 26, 30, 40, 50, 45, 38, 35, 35,
    36, 35, 35, 38, 45, 58, 66, 66, 60, 52, 42, 35,
)
"""Relative home-load weights per local hour from 00:00 (site-behavior §10.2)."""
CONTROLLERS = ("optimiser", "perfect_foresight", "reference")
"""Values of SiteSpec.controller (the autonomous-mode controller)."""


class SiteKind(StrEnum):
    BATTERY = "battery"
    SOLAR = "solar"
    WALL_CONNECTOR = "wall_connector"


@dataclass(frozen=True)
class Location:
    """latitude_deg [deg north], longitude_deg [deg east], elevation_m [m]; weather_file:
    path of the site's own typical-year weather file (None: the nearest bundled station)."""

    latitude_deg: float
    longitude_deg: float
    elevation_m: float = 0.0
    weather_file: str | None = None


@dataclass(frozen=True)
class BatteryBank:
    """``count`` units of one model. Per-unit overrides in [W]; health [-] scales full pack."""

    model: BatteryModel
    count: int = 1
    health: float = 1.0
    max_charge_w: int | None = None
    max_discharge_w: int | None = None
    grid_charge_cap_w: int | None = None

    @property
    def spec(self) -> UnitSpec:
        return UNIT_SPECS[self.model]


@dataclass(frozen=True)
class SolarSpec:
    """dc_kw [kW DC], tilt_deg [deg], azimuth_deg [deg, 180 = south; None = equator-facing],
    losses_pct [%], inverter_ac_w [W AC cap; None = from Powerwall+/PW3 or 1.2 x DC],
    inverter_eta [-, nominal PV inverter efficiency; None = from Powerwall+/PW3 or 0.96]."""

    dc_kw: float = 7.6
    tilt_deg: float = 20.0
    azimuth_deg: float | None = None
    losses_pct: float = 14.0
    inverter_ac_w: int | None = None
    inverter_eta: float | None = None


@dataclass(frozen=True)
class LoadSpec:
    """daily_kwh [kWh/day]; hourly_weights relative per local hour; min_w [W] floor.

    appliances: the actual load plays seeded appliance runs and HVAC compressor cycles
    (textured) instead of the smooth shape with noise; the forecast stays smooth.
    """

    daily_kwh: float = 24.0
    hourly_weights: tuple[float, ...] = DEFAULT_HOURLY_WEIGHTS
    min_w: int = 150
    weather_sensitive: bool = True
    appliances: bool = False


@dataclass(frozen=True)
class GeneratorSpec:
    """rated_w [W]; start_pct / stop_pct app [%] (site-behavior §10.3)."""

    rated_w: int = 7_000
    start_pct: float = 20.0
    stop_pct: float = 60.0
    charges_battery: bool = False


@dataclass(frozen=True)
class WallConnectorSpec:
    """max_power_w [W]; group: shared-circuit group name; group_limit_w [W]."""

    din: str
    device_id: str
    max_power_w: int = 11_500
    group: str | None = None
    group_limit_w: int | None = None


@dataclass(frozen=True)
class VehicleSpec:
    """A vehicle that can plug in; max_charge_w [W]."""

    id: str
    vin: str
    max_charge_w: int = 11_500
    display_name: str = ""
    in_products: bool = False


@dataclass(frozen=True)
class SiteSpec:
    """Everything fixed about a site. Times are Unix seconds [s]."""

    energy_site_id: int
    kind: SiteKind
    name: str
    time_zone: str
    location: Location
    installation_s: int
    gateway_din: str
    site_uuid: str
    batteries: tuple[BatteryBank, ...] = ()
    solar: SolarSpec | None = None
    load: LoadSpec = field(default_factory=LoadSpec)
    generator: GeneratorSpec | None = None
    wall_connectors: tuple[WallConnectorSpec, ...] = ()
    max_import_w: int = 1_000_000_000
    max_export_w: int = 1_000_000_000
    step_s: int = 60
    sky: str = "tmy"
    restart_pct: float = 5.0
    profile: Profile = Profile.DOCUMENTED
    quirks: tuple[tuple[str, bool], ...] = ()
    components: tuple[tuple[str, object], ...] = ()
    version: str = "24.4.0 0fe780c9"
    seed: int = 0
    controller: str = "optimiser"
    """Autonomous-mode controller: ``optimiser`` (Time-Based Control over forecasts),
    ``perfect_foresight`` (the optimiser fed the realised solar and load, for studies)
    or ``reference`` (the site-behavior §5.3 heuristic)."""
    signed_commands: bool = False
    """Treat gateway ``set_island_mode`` requests as if signed: they open and close the grid
    contactor (real gateways act only on signed ones; unsigned, they only acknowledge)."""

    @property
    def has_battery(self) -> bool:
        return any(not b.spec.is_expansion for b in self.batteries)

    @property
    def powerwall_count(self) -> int:
        return sum(b.count for b in self.batteries if not b.spec.is_expansion)

    @property
    def unit_count(self) -> int:
        return sum(b.count for b in self.batteries)

    @property
    def total_pack_wh(self) -> int:
        """T: round(sum of stored full-pack energy x health) [Wh]; 0 without battery.
        Internal to the engine; the wire reports :attr:`usable_ac_wh`."""
        return round(sum(b.spec.full_pack_wh * b.count * b.health for b in self.batteries))

    @property
    def usable_ac_wh(self) -> int:
        """AC energy the pack delivers from app 100 % to 0 %: round(0.95 T sqrt(rt)) [Wh]
        (the wire's total_pack_energy); 0 without battery."""
        return round((1.0 - APP_BUFFER_FRACTION) * self.total_pack_wh
                     * math.sqrt(self.round_trip))

    @property
    def nameplate_wh(self) -> int:
        return sum(b.spec.nameplate_wh * b.count for b in self.batteries)

    @property
    def max_charge_w(self) -> int:
        return sum((b.max_charge_w or b.spec.max_charge_w) * b.count for b in self.batteries
                   if not b.spec.is_expansion)

    @property
    def max_discharge_w(self) -> int:
        return sum((b.max_discharge_w or b.spec.max_discharge_w) * b.count
                   for b in self.batteries if not b.spec.is_expansion)

    @property
    def round_trip(self) -> float:
        return self.batteries[0].spec.round_trip if self.batteries else 1.0

    @property
    def battery_type(self) -> str:
        return self.batteries[0].spec.battery_type if self.batteries else ""

    def component(self, name: str, default: object) -> object:
        """A component override from the scenario, else ``default``."""
        return dict(self.components).get(name, default)

    @property
    def has_backup(self) -> bool:
        return bool(self.component("backup", self.kind is SiteKind.BATTERY))

    @property
    def ev_reserve_supported(self) -> bool:
        return bool(self.component(EV_RESERVE_SUPPORTED.key, False))

    @property
    def storm_capable(self) -> bool:
        return bool(self.component(STORM_MODE_CAPABLE.key, self.kind is SiteKind.BATTERY))

    @property
    def solar_ac_limit_w(self) -> int:
        """AC cap on PV output [W]."""
        if self.solar is None:
            return 0
        if self.solar.inverter_ac_w is not None:
            return self.solar.inverter_ac_w
        inverter = sum(b.spec.solar_inverter_w * b.count for b in self.batteries)
        return inverter if inverter > 0 else round(self.solar.dc_kw * 1000 * 1.2)

    @property
    def solar_inverter_eta(self) -> float:
        """Nominal efficiency of the PV inverter [-]: the scenario's, else that of the
        Powerwall units that carry the PV (PW3 0.975), else PVWatts' 0.96."""
        if self.solar is not None and self.solar.inverter_eta is not None:
            return self.solar.inverter_eta
        units = [b.spec for b in self.batteries if b.spec.solar_inverter_w > 0]
        return units[0].pv_inverter_eta if units else PV_INVERTER_ETA
