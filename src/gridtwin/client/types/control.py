"""Control-plane replies (emulator.md). Instants are Unix seconds of simulated time
unless named ``wall``. These objects are emulator internals that grow: beyond an id,
fields are optional, and unknown keys are kept (``model_extra``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gridtwin.client.types._model import WireModel

__all__ = [
    "AdminSite",
    "AdvanceResult",
    "ClockInfo",
    "Event",
    "EventEnded",
    "FaultRule",
    "Health",
    "JournalEntry",
    "LoadResult",
    "MintedToken",
    "PresetInfo",
    "SitePowers",
    "SiteWeather",
    "TokenRecord",
]


class Health(WireModel):
    status: str
    version: str | None = None
    sim_time: int | None = None
    clock_mode: str | None = None
    sites: int | None = None


class ClockInfo(WireModel):
    """mode: realtime, scaled or frozen; rate [-]; now: sim time [s]; wall: host time [s]."""

    mode: str
    rate: float
    now: int
    wall: int | None = None


class AdvanceResult(WireModel):
    now: int
    fired: list[str] = Field(default_factory=list)


class Event(WireModel):
    """An event; ``state`` (pending, active, done) is set in listings."""

    id: str
    site_id: int | None = None
    type: str | None = None
    start: int | None = None
    end: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    state: str | None = None


class EventEnded(WireModel):
    id: str
    state: str


class SitePowers(WireModel):
    """Powers in force [W], signs as in live_status."""

    solar: int = 0
    battery: int = 0
    grid: int = 0
    generator: int = 0
    load: int = 0
    wall_connectors: list[int] = Field(default_factory=list)


class SiteWeather(WireModel):
    """The weather a site is simulated with: the station's name, the site's own weather
    file (None: a station bundled with pvlib) and the station's distance [km]."""

    station: str
    file: str | None = None
    distance_km: float | None = None


class AdminSite(WireModel):
    """The internal state of a site (emulator §5 site knobs)."""

    energy_site_id: int
    owner: str | None = None
    type: str | None = None
    name: str | None = None
    time_zone: str | None = None
    profile: str | None = None
    signed_commands: bool | None = None
    weather: SiteWeather | None = None
    sim_time: int | None = None
    energy_wh: float | None = None
    app_pct: float | None = None
    powers: SitePowers | None = None
    controller_state: str | None = None
    islanded: bool | None = None
    dark: bool | None = None
    unserved_wh: float | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    active_events: list[dict[str, Any]] = Field(default_factory=list)
    sessions: list[dict[str, Any]] = Field(default_factory=list)


class FaultRule(WireModel):
    id: str
    match: dict[str, Any] = Field(default_factory=dict)
    action: dict[str, Any] = Field(default_factory=dict)
    probability: float = 1.0
    count: int | None = None
    expires_at: float | None = None


class MintedToken(WireModel):
    access_token: str
    jti: str | None = None
    expires_at: int
    refresh_token: str | None = None


class TokenRecord(WireModel):
    jti: str
    user_id: str | None = None
    name: str | None = None
    scopes: str | None = None
    issued_s: int | None = None
    expires_s: int | None = None
    revoked: bool | int | None = None


class JournalEntry(WireModel):
    """One emulated-API exchange (emulator §9); Authorization shown as ``sub=… jti=…``."""

    seq: int
    txid: str | None = None
    wall_time: float | None = None
    sim_time: int | None = None
    method: str
    path: str
    query: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, Any] = Field(default_factory=dict)
    body: str | None = None
    status: int | None = None
    response_headers: dict[str, Any] = Field(default_factory=dict)
    response_body: str | None = None
    duration_ms: float | None = None
    endpoint: str | None = None
    user: str | None = None
    site_id: int | None = None
    fault_rule: str | None = None
    worker: int | None = None
    """The pid of the server process that answered (``serve --workers N``)."""


class PresetInfo(WireModel):
    """A preset of ``GET /_gridtwin/presets``: its name and one line on what it shows."""

    name: str
    description: str = ""


class LoadResult(WireModel):
    """After loading a scenario or preset, or a reset: tokens by ``user:name``; a site
    reset names the site in ``reset``."""

    now: int | None = None
    seed: int | None = None
    sites: list[int] = Field(default_factory=list)
    tokens: dict[str, str] = Field(default_factory=dict)
    events: list[str] = Field(default_factory=list)
    reset: int | None = None
