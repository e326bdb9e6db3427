"""Pydantic models of the wire shapes, for the OpenAPI document ONLY (wire-format.md).

Nothing here is used to parse requests or to render replies: the routes read raw bodies and
query strings (api/deps.py) and the renderers in this package build plain dicts. These
models only describe those shapes, so that ``/_gridtwin/openapi.json`` carries real request
and response schemas (and a schema-driven fuzzer can check the server against them).

Conventions:
- a field declared with :func:`omitted` may be absent ("omit when …" in the spec) but is
  never ``null``; a field typed ``X | None`` without a default is always present and may be
  ``null``;
- closed shapes forbid unknown members (``additionalProperties: false``); shapes the spec
  leaves open (site_info ``components``, tariffs, ``features``) allow them.

The helpers at the bottom build the ``responses=`` / ``openapi_extra=`` arguments of the
route decorators.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BEARER_DOC",
    "COMMAND_BODIES",
    "COMMAND_EXAMPLES",
    "BackupHistoryResponse",
    "BackupTimeRemainingResponse",
    "CalendarHistoryQuery",
    "ChargeHistoryResponse",
    "CommandAckResponse",
    "EnergyHistoryResponse",
    "Error",
    "LiveStatusResponse",
    "OAuthTokenReply",
    "ProductsResponse",
    "RegionResponse",
    "SiteInfoResponse",
    "SiteStatusResponse",
    "TelemetryHistoryQuery",
    "TokenRequest",
    "command_body",
    "history_query",
    "responses",
    "token_body",
]


def omitted(**kw: Any) -> Any:
    """A member that may be absent (never ``null``); the schema shows no default."""
    return Field(default=None, **kw)


def _drop_none_defaults(schema: dict[str, Any], _cls: type[BaseModel] | None = None) -> None:
    """Members declared with :func:`omitted` get no ``"default": null`` in the schema."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_none_defaults)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=_drop_none_defaults)


MAX_SAFE_INT = 2**53 - 1
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"
UTC_MILLIS_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"

SiteId = Annotated[int, Field(ge=1, le=MAX_SAFE_INT, description="energy_site_id (JSON integer)")]
Timestamp = Annotated[str, Field(
    pattern=TIMESTAMP_PATTERN,
    description="YYYY-MM-DDTHH:MM:SS±HH:MM, whole seconds, local offset (wire-format §1.4)",
)]
Percent = Annotated[int, Field(ge=0, le=100)]
Watts = Annotated[int, Field(description="W")]
NonNegWatts = Annotated[int, Field(ge=0, description="W")]
Wh = Annotated[int, Field(ge=0, description="Wh")]
OperationMode = Literal["self_consumption", "autonomous", "backup"]
ExportRule = Literal["battery_ok", "pv_only", "never"]
Strategy = Literal["economics", "balanced"]


# --------------------------------------------------------------------------- errors (§2, §3)


class Error(_Closed):
    """The error envelope of every status ≥ 400 (wire-format §2)."""

    response: None
    error: str
    error_description: str
    messages: dict[str, list[str]] = omitted(
        description="field-level problems: JSON path (or query parameter) → problem strings"
    )


class InvalidRequestError(_Closed):
    """400 ``invalid_request``: the body is not a JSON object."""

    response: None
    error: Literal["invalid_request"]
    error_description: str


class InvalidFieldError(_Closed):
    """400 ``invalid_field``: a body member or query parameter is wrong."""

    response: None
    error: Literal["invalid_field"]
    error_description: str
    messages: dict[str, list[str]]


class UnauthorizedError(_Closed):
    """401: no, malformed, badly signed, revoked or expired access token."""

    response: None
    error: Literal["invalid bearer token", "token expired (401)"]
    error_description: str


class ForbiddenError(_Closed):
    """403: the token lacks the scope the route needs."""

    response: None
    error: Annotated[str, Field(pattern=r"^Unauthorized missing scopes [a-z_]+$")]
    error_description: str


class NotFoundError(_Closed):
    """404: unknown site, non-numeric site id, or a site the token's user does not own."""

    response: None
    error: Literal["not_found"]
    error_description: str


class GoneError(_Closed):
    """410: a retired route."""

    response: None
    error: Literal["gone"]
    error_description: str


class PayloadTooLargeError(_Closed):
    """413: the request body exceeds the server's ``max_body_bytes`` (gridtwin extension)."""

    response: None
    error: Literal["invalid_request"]
    error_description: str


class RateLimitedError(_Closed):
    """429: a configured rate limit is exhausted (wire-format §14)."""

    response: None
    error: Literal["rate_limited"]
    error_description: str


class InternalError(_Closed):
    """500: any unexpected failure; never a stack trace."""

    response: None
    error: Literal["upstream internal error"]
    error_description: Literal["Internal error"]


class OAuthGrantError(_Closed):
    """Token endpoint failure (wire-format §4.4), in the §2 envelope with an OAuth2 code."""

    response: None
    error: Literal["unsupported_grant_type", "invalid_request", "invalid_client", "invalid_grant"]
    error_description: str


class OAuthClientError(_Closed):
    """401 from the token endpoint: unknown client or wrong secret."""

    response: None
    error: Literal["invalid_client"]
    error_description: str


# --------------------------------------------------------------------------- products (§6)


class ProductWallConnector(_Closed):
    device_id: str
    din: str
    is_active: bool
    part_number: str


class ProductComponents(_Closed):
    """``components`` in the products form (§6.1)."""

    battery: bool
    battery_type: str = omitted(description="battery sites")
    solar: bool
    solar_type: Literal["pv_panel"] = omitted(description="omitted when the site has no solar")
    grid: bool
    load_meter: bool
    market_type: str
    wall_connectors: list[ProductWallConnector] = omitted(
        description="omitted when the site has none"
    )


class BatteryProduct(_Closed):
    """A battery-site products item (§6.1)."""

    energy_site_id: SiteId
    resource_type: Literal["battery"]
    site_name: str
    id: str
    gateway_id: str
    asset_site_id: str
    warp_site_number: str
    energy_left: float = omitted(
        ge=0, description="Wh; omitted under quirk omit_deprecated_energy_fields"
    )
    total_pack_energy: int = omitted(
        ge=1, description="Wh; omitted under quirk omit_deprecated_energy_fields"
    )
    percentage_charged: Annotated[float, Field(ge=0, le=100)]
    battery_type: str
    backup_capable: bool
    battery_power: Watts
    go_off_grid_test_banner_enabled: None
    storm_mode_enabled: bool
    powerwall_onboarding_settings_set: bool
    powerwall_tesla_electric_interested_in: None
    vpp_tour_enabled: None
    sync_grid_alert_enabled: bool
    breaker_alert_enabled: bool
    components: ProductComponents
    features: dict[str, Any]


class SolarProduct(_Closed):
    """A solar-only products item (§6.2)."""

    energy_site_id: SiteId
    resource_type: Literal["solar"]
    site_name: str
    id: str
    asset_site_id: str
    warp_site_number: str
    solar_power: NonNegWatts
    solar_type: Literal["pv_panel"]
    go_off_grid_test_banner_enabled: None
    storm_mode_enabled: None
    powerwall_onboarding_settings_set: None
    powerwall_tesla_electric_interested_in: None
    sync_grid_alert_enabled: bool
    breaker_alert_enabled: bool
    components: ProductComponents
    features: dict[str, Any]


class WallConnectorProduct(_Closed):
    """A Wall-Connector-only products item (§6.3)."""

    energy_site_id: SiteId
    components: ProductComponents


class VehicleProduct(_Open):
    """A vehicle summary (only for scenario vehicles with ``in_products: true``)."""

    id: int | str
    vehicle_id: int | str
    vin: str
    display_name: str | None = omitted()
    state: str | None = omitted()


ProductItem = BatteryProduct | SolarProduct | WallConnectorProduct | VehicleProduct


class ProductsResponse(_Closed):
    """``GET /api/1/products``: items in scenario order, ``count`` = their number."""

    response: list[ProductItem]
    count: Annotated[int, Field(ge=0)]


class SiteStatusResponse(_Closed):
    """``GET …/site_status``: the site's products item; battery sites always carry energy."""

    response: BatteryProduct | SolarProduct | WallConnectorProduct


# --------------------------------------------------------------------------- site_info (§7)


class UserSettings(_Closed):
    storm_mode_enabled: bool | None
    sync_grid_alert_enabled: bool
    breaker_alert_enabled: bool
    powerwall_onboarding_settings_set: bool | None
    powerwall_tesla_electric_interested_in: bool | None
    go_off_grid_test_banner_enabled: bool | None
    vpp_tour_enabled: bool | None


class Gateway(_Closed):
    device_id: str
    din: str
    serial_number: str
    part_number: str
    part_type: Literal[10]
    part_name: str
    is_active: bool
    site_id: str
    firmware_version: str
    updated_datetime: Annotated[str, Field(pattern=UTC_MILLIS_PATTERN)]


class Battery(_Closed):
    device_id: str
    din: str
    serial_number: str
    part_number: str
    part_type: Literal[2]
    part_name: str
    nameplate_max_charge_power: NonNegWatts
    nameplate_max_discharge_power: NonNegWatts
    nameplate_energy: Wh


class Inverter(_Open):
    device_id: str
    din: str
    part_number: str
    part_type: Literal[7]
    part_name: str
    is_active: bool
    site_id: str


class SiteWallConnector(_Open):
    device_id: str
    din: str
    part_name: str
    is_active: bool


class SiteComponents(_Open):
    """``site_info.components`` (§7.2). Open: a scenario may override or add any flag."""

    solar: bool
    solar_type: Literal["pv_panel"] = omitted(description="omitted when the site has no solar")
    battery: bool
    battery_type: str | None = omitted()
    grid: bool
    backup: bool
    gateway: Literal["teg", "neo"]
    load_meter: bool
    generator: Literal[True] = omitted(description="present only with a generator")
    market_type: str
    tou_capable: bool
    storm_mode_capable: bool
    off_grid_vehicle_charging_reserve_supported: bool = omitted()
    customer_preferred_export_rule: ExportRule = omitted(description="battery sites")
    disallow_charge_from_grid_with_solar_installed: Literal[True] = omitted(
        description="present only while grid charging is disallowed"
    )
    non_export_configured: Literal[True] = omitted(
        description="present only while the export rule is never"
    )
    net_meter_mode: str = omitted()
    gateways: list[Gateway] = omitted(description="battery sites")
    batteries: list[Battery] = omitted(description="battery sites, one per unit")
    inverters: list[Inverter] = omitted(description="third-party PV inverters only")
    wall_connectors: list[SiteWallConnector] = omitted(description="omitted when none")


class TouSettings(_Closed):
    optimization_strategy: Strategy
    schedule: list[dict[str, Any]]


class SiteInfo(_Closed):
    """``site_info`` (§7.1)."""

    id: str
    site_name: str
    backup_reserve_percent: Percent = omitted(description="battery sites")
    default_real_mode: OperationMode = omitted(description="battery sites")
    installation_date: Timestamp
    installation_time_zone: Annotated[str, Field(
        description="IANA zone; empty only under quirk blank_site_info_time_zone"
    )]
    user_settings: UserSettings
    components: SiteComponents
    version: str
    battery_count: Annotated[int, Field(ge=1)] = omitted(description="battery sites")
    tou_settings: TouSettings
    nameplate_power: NonNegWatts = omitted(description="battery sites")
    nameplate_energy: Wh = omitted(description="battery sites")
    off_grid_vehicle_charging_reserve_percent: Percent = omitted(
        description="only when components.off_grid_vehicle_charging_reserve_supported"
    )
    max_site_meter_power_ac: Watts
    min_site_meter_power_ac: Annotated[int, Field(le=0, description="W, ≤ 0")]
    vpp_backup_reserve_percent: int
    tariff_content_v2: dict[str, Any] = omitted(description="echo of the stored tariff")
    tariff_content: dict[str, Any] = omitted(description="the stored tariff in the legacy v1 shape")
    tariff_id: str = omitted()


class SiteInfoResponse(_Closed):
    response: SiteInfo


# --------------------------------------------------------------------------- live_status (§8)


class LiveWallConnector(_Closed):
    """A live_status Wall Connector (§8.1)."""

    din: str
    vin: str = omitted(description="present only while a vehicle is connected")
    wall_connector_state: Literal[1, 2, 4, 5, 7]
    wall_connector_fault_state: Literal[2, 3, 8]
    wall_connector_power: NonNegWatts


class LiveStatus(_Closed):
    """A snapshot at the current simulated instant (§8)."""

    solar_power: NonNegWatts
    energy_left: float = omitted(
        ge=0, description="Wh; omitted under quirk omit_deprecated_energy_fields"
    )
    total_pack_energy: int = omitted(
        ge=1, description="Wh; omitted under quirk omit_deprecated_energy_fields"
    )
    percentage_charged: Annotated[float, Field(ge=0, le=100)]
    backup_capable: bool
    battery_power: Watts
    load_power: Watts
    grid_status: Literal["Active", "Inactive", "Unknown"]
    grid_services_active: Literal[False]
    grid_power: Watts
    grid_services_power: Literal[0]
    generator_power: NonNegWatts
    island_status: Literal[
        "on_grid", "off_grid_intentional", "off_grid_unintentional", "island_status_unknown"
    ]
    storm_mode_active: bool
    timestamp: Timestamp
    wall_connectors: list[LiveWallConnector] | None = Field(
        description="null on solar-only sites; [] on battery sites without Wall Connectors"
    )


class LiveStatusResponse(_Closed):
    response: LiveStatus


# --------------------------------------------------------------------------- history (§9–§11)


class EnergyBucket(_Closed):
    """One energy-history bucket (§9.4): integer Wh; totals only when non-zero."""

    timestamp: Timestamp
    solar_energy_exported: Wh
    generator_energy_exported: Wh
    grid_energy_imported: Wh
    grid_services_energy_imported: Literal[0]
    grid_services_energy_exported: Literal[0]
    grid_energy_exported_from_solar: Wh
    grid_energy_exported_from_generator: Wh
    grid_energy_exported_from_battery: Wh
    battery_energy_exported: Wh
    battery_energy_imported_from_grid: Wh
    battery_energy_imported_from_solar: Wh
    battery_energy_imported_from_generator: Wh
    consumer_energy_imported_from_grid: Wh
    consumer_energy_imported_from_solar: Wh
    consumer_energy_imported_from_battery: Wh
    consumer_energy_imported_from_generator: Wh
    raw_timestamp: Timestamp
    total_home_usage: int = omitted(ge=1)
    total_battery_charge: int = omitted(ge=1)
    total_battery_discharge: int = omitted(ge=1)
    total_solar_generation: int = omitted(ge=1)
    total_grid_energy_exported: int = omitted(ge=1)


class EnergyHistory(_Closed):
    serial_number: str
    period: Literal["day", "week", "month", "year", "lifetime"]
    installation_time_zone: Annotated[str, Field(min_length=1)]
    time_series: list[EnergyBucket] | None = Field(description="null when no bucket is returned")


class BackupEvent(_Closed):
    timestamp: Timestamp
    duration: Annotated[int, Field(ge=0, description="s (ms under quirk backup_duration_ms)")]


class BackupHistory(_Closed):
    events: list[BackupEvent]
    total_events: Annotated[int, Field(ge=0)]


class EnergyHistoryResponse(_Closed):
    """``calendar_history?kind=energy`` (§9.3)."""

    response: EnergyHistory


class BackupHistoryResponse(_Closed):
    """``calendar_history?kind=backup`` (§10)."""

    response: BackupHistory


class Seconds(_Closed):
    seconds: int


class TargetId(_Closed):
    text: str


class ChargeSession(_Closed):
    charge_start_time: Seconds
    charge_duration: Seconds
    energy_added_wh: Wh
    din: str
    target_id: TargetId


class ChargeHistory(_Closed):
    charge_history: list[ChargeSession]


class ChargeHistoryResponse(_Closed):
    """``telemetry_history?kind=charge`` (§11)."""

    response: ChargeHistory


DateParam = Annotated[str, Field(json_schema_extra={
    "anyOf": [{"format": "date-time"}, {"format": "date"}]})]


class CalendarHistoryQuery(_Closed):
    """Query parameters of ``calendar_history`` (§9.1). Unknown parameters are ignored."""

    kind: Literal["energy", "backup", "power", "soe", "self_consumption",
                  "time_of_use_energy", "savings"]
    period: Literal["day", "week", "month", "year", "lifetime"] = omitted(
        description="default day (lifetime for kind=backup)"
    )
    start_date: DateParam = omitted(
        description="RFC 3339 date-time; leniently also a bare date or a date-time without "
        "offset (local in time_zone), fractional seconds, or a space where + belongs",
        examples=["2025-07-14T00:00:00-07:00"],
    )
    end_date: DateParam = omitted(
        description="RFC 3339 date-time (same leniency as start_date)",
        examples=["2025-07-14T23:59:59-07:00"],
    )
    time_zone: str = omitted(
        description="IANA zone name; default the site's installation_time_zone",
        examples=["America/Los_Angeles"],
    )


class TelemetryHistoryQuery(_Closed):
    """Query parameters of ``telemetry_history`` (§11). ``period`` is ignored."""

    kind: Literal["charge"]
    start_date: DateParam = omitted(
        description="RFC 3339 date-time (leniency as for calendar_history); "
        "default end_date minus 30 days",
        examples=["2025-07-01T00:00:00-07:00"],
    )
    end_date: DateParam = omitted(description="RFC 3339 date-time; default now",
                                  examples=["2025-07-15T00:00:00-07:00"])
    time_zone: str = omitted(description="IANA zone name, used to read naive dates",
                             examples=["America/Los_Angeles"])


# --------------------------------------------------------------------------- small reads (§13)


class Region(_Closed):
    region: Literal["na", "eu", "cn"]
    fleet_api_base_url: str


class RegionResponse(_Closed):
    response: Region


class BackupTimeRemaining(_Closed):
    time_remaining_hours: Annotated[float, Field(ge=0)]


class BackupTimeRemainingResponse(_Closed):
    response: BackupTimeRemaining


# --------------------------------------------------------------------------- commands (§12)


class CommandAck(_Closed):
    code: Literal[201]
    message: Literal["Updated", "Backup reserve updated", "Operation mode updated"]


class CommandAckResponse(_Closed):
    """HTTP 200 ``{"response": {"code": 201, "message": "Updated"}}`` (D2); sites with quirk
    ``command_ack_messages`` (profile ``observed``) answer ``backup`` with "Backup reserve
    updated" and ``operation`` with "Operation mode updated"."""

    response: CommandAck


StrictPercent = Annotated[int, Field(ge=0, le=100, strict=True)]


class BackupBody(_Open):
    backup_reserve_percent: StrictPercent


class OperationBody(_Open):
    default_real_mode: OperationMode


class StormModeBody(_Open):
    enabled: Annotated[bool, Field(strict=True)]


def _at_least_one_grid_member(schema: dict[str, Any], cls: type[BaseModel] | None = None) -> None:
    _drop_none_defaults(schema, cls)
    schema["anyOf"] = [{"required": ["disallow_charge_from_grid_with_solar_installed"]},
                       {"required": ["customer_preferred_export_rule"]}]


class GridImportExportBody(_Open):
    """At least one of the two members."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_at_least_one_grid_member)

    disallow_charge_from_grid_with_solar_installed: Annotated[bool, Field(strict=True)] = omitted()
    customer_preferred_export_rule: ExportRule = omitted()


class OffGridReserveBody(_Open):
    off_grid_vehicle_charging_reserve_percent: StrictPercent


class TouPeriod(_Open):
    fromDayOfWeek: Annotated[int, Field(ge=0, le=6)] = omitted()
    toDayOfWeek: Annotated[int, Field(ge=0, le=6)] = omitted()
    fromHour: Annotated[int, Field(ge=0, le=23)] = omitted()
    fromMinute: Annotated[int, Field(ge=0, le=59)] = omitted()
    toHour: Annotated[int, Field(ge=0, le=24)] = omitted()
    toMinute: Annotated[int, Field(ge=0, le=60)] = omitted()


class LabelEntry(_Open):
    periods: Annotated[list[TouPeriod], Field(min_length=1)]


class Season(_Open):
    fromMonth: Annotated[int, Field(ge=1, le=12)] = omitted()
    fromDay: Annotated[int, Field(ge=1, le=31)] = omitted()
    toMonth: Annotated[int, Field(ge=1, le=12)] = omitted()
    toDay: Annotated[int, Field(ge=1, le=31)] = omitted()
    tou_periods: dict[str, LabelEntry] = omitted()


class ChargeBlock(_Open):
    rates: dict[str, float] = omitted()


class DailyCharge(_Open):
    name: str = omitted()
    amount: float = omitted()


class SellTariff(_Open):
    currency: str = omitted()
    energy_charges: dict[str, ChargeBlock]
    seasons: dict[str, Season]
    demand_charges: dict[str, ChargeBlock] = omitted()
    daily_charges: list[DailyCharge] = omitted()


class Tariff(_Open):
    """``tariff_content_v2`` (spec/tariff.md §2); semantic rules are checked by the server."""

    version: int = omitted()
    code: str = omitted()
    name: str = omitted()
    utility: str = omitted()
    currency: str
    daily_charges: list[DailyCharge] = omitted()
    demand_charges: dict[str, ChargeBlock] = omitted()
    energy_charges: dict[str, ChargeBlock]
    seasons: dict[str, Season]
    sell_tariff: SellTariff = omitted()


class TouSettingsBody(_Open):
    tariff_content_v2: Tariff
    optimization_strategy: Strategy = omitted()


class TimeOfUseBody(_Open):
    tou_settings: TouSettingsBody


def _flat_tariff() -> dict[str, Any]:
    """A small valid tariff: one all-year season, off-peak and 16:00–21:00 on-peak."""
    def period(from_hour: int, to_hour: int) -> dict[str, int]:
        return {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": from_hour, "fromMinute": 0,
                "toHour": to_hour, "toMinute": 0}
    season = {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31, "tou_periods": {
        "OFF_PEAK": {"periods": [period(0, 16), period(21, 24)]},
        "ON_PEAK": {"periods": [period(16, 21)]}}}
    side = {
        "daily_charges": [{"name": "Charge", "amount": 0}],
        "demand_charges": {"ALL": {"rates": {"ALL": 0}}},
        "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                           "Summer": {"rates": {"OFF_PEAK": 0.25, "ON_PEAK": 0.45}}},
        "seasons": {"Summer": season},
    }
    sell = {**side, "energy_charges": {"ALL": {"rates": {"ALL": 0}},
                                       "Summer": {"rates": {"OFF_PEAK": 0.05, "ON_PEAK": 0.1}}}}
    return {"version": 1, "code": "EXAMPLE-TOU", "name": "Example TOU", "utility": "Example",
            "currency": "USD", **side, "sell_tariff": {"name": "Example export",
                                                       "utility": "Example", **sell}}


COMMAND_EXAMPLES: dict[str, dict[str, Any]] = {
    "backup": {"backup_reserve_percent": 20},
    "operation": {"default_real_mode": "self_consumption"},
    "storm_mode": {"enabled": True},
    "grid_import_export": {"disallow_charge_from_grid_with_solar_installed": False,
                           "customer_preferred_export_rule": "battery_ok"},
    "off_grid_vehicle_charging_reserve": {"off_grid_vehicle_charging_reserve_percent": 50},
    "time_of_use_settings": {"tou_settings": {"tariff_content_v2": _flat_tariff(),
                                              "optimization_strategy": "economics"}},
}

COMMAND_BODIES: dict[str, type[BaseModel]] = {
    "backup": BackupBody,
    "operation": OperationBody,
    "storm_mode": StormModeBody,
    "grid_import_export": GridImportExportBody,
    "off_grid_vehicle_charging_reserve": OffGridReserveBody,
    "time_of_use_settings": TimeOfUseBody,
}


# --------------------------------------------------------------------------- OAuth (§4.4)


class TokenRequest(_Open):
    """``POST /oauth2/v3/token`` body, form-encoded or JSON."""

    grant_type: Literal["client_credentials", "refresh_token"]
    client_id: str
    client_secret: str = omitted(description="client_credentials")
    scope: str = omitted(description="space-separated; default all the client may have")
    audience: str = omitted()
    refresh_token: str = omitted(description="refresh_token")


class OAuthTokenReply(_Closed):
    """OAuth2 token reply, without the ``response`` wrapper."""

    access_token: str
    refresh_token: str = omitted(description="only when offline_access is granted")
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, Field(ge=1)]
    scope: str


# --------------------------------------------------------------------------- decorator helpers

BEARER = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT",
    description="Access token (HS256 JWT) minted by the CLI, the control plane or "
    "/oauth2/v3/token (wire-format §4).",
)
BEARER_DOC = [Depends(BEARER)]
"""``dependencies=`` for authenticated routes: documents bearer auth in the OpenAPI document.
With ``auto_error=False`` it never rejects a request; the routes authenticate themselves."""

_HEADERS: dict[str, dict[str, Any]] = {
    "x-txid": {"description": "32 lowercase hex characters, unique per request",
               "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
    "x-request-id": {"description": "the client's X-Request-Id, else the txid",
                     "schema": {"type": "string"}},
}
_RATE_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {"description": "integer seconds, ≥ 1", "required": True,
                    "schema": {"type": "integer", "minimum": 1}},
    "RateLimit-Reset": {"description": "integer seconds until the window refills",
                        "required": True, "schema": {"type": "integer", "minimum": 0}},
}

_ERRORS: dict[int, tuple[Any, str]] = {
    400: (InvalidRequestError | InvalidFieldError,
          "invalid_request (body not a JSON object) or invalid_field (with messages)"),
    401: (UnauthorizedError, "No, malformed, badly signed, revoked or expired access token"),
    403: (ForbiddenError, "The token lacks the scope the route needs"),
    404: (NotFoundError, "Unknown or non-numeric site id, or a site of another user"),
    410: (GoneError, "Retired route: use calendar_history"),
    413: (PayloadTooLargeError, "Request body larger than the server's max_body_bytes"),
    429: (RateLimitedError, "Rate limited (only when limits are configured)"),
    500: (InternalError, "Unexpected failure"),
}

_FAULTS = {
    "model": Error,
    "description": "Fault injection only (control plane, emulator.md §7): 402, 408, 412, "
    "421, 423, 451, 503, 504 or any status a rule names, normally in the error envelope. "
    "Never sent without fault rules.",
}


def responses(
    ok: Any | None,
    *errors: int,
    ok_status: int = 200,
    ok_description: str = "Success",
    ok_content: dict[str, Any] | None = None,
    error_models: dict[int, Any] | None = None,
    by_reference: bool = False,
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` argument of a route: the success model and the error statuses.

    ``ok_content`` gives the success ``content`` literally (for a non-JSON reply).
    ``by_reference`` writes error bodies as ``$ref``s to ``components/schemas`` (for a
    route whose own media type is not JSON, e.g. ``/status``); those models must also be
    used by some other route so that they are registered.
    """
    out: dict[int | str, dict[str, Any]] = {}
    if ok_content is not None:
        out[ok_status] = {"description": ok_description, "headers": _HEADERS,
                          "content": ok_content}
    elif ok is not None:
        out[ok_status] = {"model": ok, "description": ok_description, "headers": _HEADERS}
    overrides = error_models or {}
    for status in errors:
        model, description = _ERRORS[status]
        model = overrides.get(status, model)
        headers = {**_HEADERS, **_RATE_HEADERS} if status == 429 else _HEADERS
        entry: dict[str, Any] = {"description": description, "headers": headers}
        if by_reference:
            entry["content"] = {"application/json": {"schema": _ref(model)}}
        else:
            entry["model"] = model
        out[status] = entry
    if by_reference:
        out["default"] = {"description": _FAULTS["description"],
                          "content": {"application/json": {"schema": _ref(Error)}}}
    else:
        out["default"] = dict(_FAULTS)
    return out


def _ref(model: Any) -> dict[str, Any]:
    args = getattr(model, "__args__", None)
    if args:
        return {"anyOf": [_ref(m) for m in args]}
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` inlined (no ``$ref`` left)."""
    defs: dict[str, Any] = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**walk(defs[ref.removeprefix("#/$defs/")]), **walk(rest)}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return _inline(model.model_json_schema(mode="validation"))


def command_body(name: str) -> dict[str, Any]:
    """``openapi_extra=`` of a command: its JSON request body (§12)."""
    model = COMMAND_BODIES[name]
    return {"requestBody": {
        "required": True,
        "description": "Parsed as JSON whatever Content-Type says; unknown members are ignored. "
        "Types are strict: booleans are not integers and strings are not numbers; a "
        "whole-number float such as 50.0 counts as the integer 50, 50.5 does not.",
        "content": {"application/json": {"schema": _schema_of(model),
                                         "example": COMMAND_EXAMPLES[name]}},
    }}


def token_body() -> dict[str, Any]:
    """``openapi_extra=`` of the token endpoint: form-encoded or JSON body (§4.4)."""
    schema = _schema_of(TokenRequest)
    return {"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": schema},
        "application/json": {"schema": schema},
    }}}


def history_query(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra=`` of a history route: its query parameters (§9.1, §11)."""
    schema = _schema_of(model)
    required = set(schema.get("required", []))
    params: list[dict[str, Any]] = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        examples = prop.pop("examples", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": prop}
        if description:
            param["description"] = description
        if examples:
            param["example"] = examples[0]
        params.append(param)
    return {"parameters": params}
