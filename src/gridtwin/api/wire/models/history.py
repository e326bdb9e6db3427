"""History replies and query parameters (wire-format §9-§11)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gridtwin.api.wire.models.base import Closed, Timestamp, Wh, omitted
from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.domain.catalogue import ENERGY_BUCKET

__all__ = ["BackupHistoryResponse", "CalendarHistoryQuery", "ChargeHistoryResponse", "EnergyBucket", "EnergyHistoryResponse", "TelemetryHistoryQuery"]

EnergyBucket = catalogue_model(
    "EnergyBucket", ENERGY_BUCKET,
    "One energy-history bucket (§9.4): integer Wh; totals only when non-zero.")


class EnergyHistory(Closed):
    serial_number: str
    period: Literal["day", "week", "month", "year", "lifetime"]
    installation_time_zone: Annotated[str, Field(min_length=1)]
    time_series: list[EnergyBucket] | None = Field(  # type: ignore[valid-type]
        description="null when no bucket is returned")


class BackupEvent(Closed):
    timestamp: Timestamp
    duration: Annotated[int, Field(ge=0, description="s (ms under quirk backup_duration_ms)")]


class BackupHistory(Closed):
    events: list[BackupEvent]
    total_events: Annotated[int, Field(ge=0)]


class EnergyHistoryResponse(Closed):
    """``calendar_history?kind=energy`` (§9.3)."""

    response: EnergyHistory


class BackupHistoryResponse(Closed):
    """``calendar_history?kind=backup`` (§10)."""

    response: BackupHistory


class Seconds(Closed):
    seconds: int


class TargetId(Closed):
    text: str


class ChargeSession(Closed):
    charge_start_time: Seconds
    charge_duration: Seconds
    energy_added_wh: Wh
    din: str
    target_id: TargetId


class ChargeHistory(Closed):
    charge_history: list[ChargeSession]


class ChargeHistoryResponse(Closed):
    """``telemetry_history?kind=charge`` (§11)."""

    response: ChargeHistory


DateParam = Annotated[str, Field(json_schema_extra={
    "anyOf": [{"format": "date-time"}, {"format": "date"}]})]


class CalendarHistoryQuery(Closed):
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


class TelemetryHistoryQuery(Closed):
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


