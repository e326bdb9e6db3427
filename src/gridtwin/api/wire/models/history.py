"""History replies and query parameters (wire-format §9-§11)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from gridtwin.api.wire.models.base import Closed, omitted
from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.domain.catalogue import ENERGY_BUCKET
from gridtwin.domain.catalogue_series import (
    BACKUP_EVENT,
    BACKUP_HISTORY,
    CHARGE_HISTORY,
    CHARGE_SESSION,
    HISTORY_HEAD,
    SECONDS,
    TARGET_ID,
    TIME_SERIES,
)

__all__ = ["BackupHistoryResponse", "CalendarHistoryQuery", "ChargeHistoryResponse", "EnergyBucket",
           "EnergyHistoryResponse", "TelemetryHistoryQuery", "history_model"]



def history_model(name: str, item_name: str, item: Any, *, nullable: bool = True) -> type[BaseModel]:
    """A calendar_history reply of one kind: the head, then ``time_series`` of ``item``s."""
    series = replace(TIME_SERIES, shape=item_name, nullable=nullable)
    return catalogue_model(name, (*HISTORY_HEAD, series), f"``{name}``.", {item_name: item})


EnergyBucket = catalogue_model(
    "EnergyBucket", ENERGY_BUCKET,
    "One energy-history bucket (§9.4): integer Wh; totals only when non-zero.")


EnergyHistory = history_model("EnergyHistory", "EnergyBucket", EnergyBucket)
BackupEvent = catalogue_model("BackupEvent", BACKUP_EVENT, "An outage or backup event (§10).")
BackupHistory = catalogue_model("BackupHistory", BACKUP_HISTORY, "The backup events.",
                                {"BackupEvent": BackupEvent})


class EnergyHistoryResponse(Closed):
    """``calendar_history?kind=energy`` (§9.3)."""

    response: EnergyHistory  # type: ignore[valid-type]


class BackupHistoryResponse(Closed):
    """``calendar_history?kind=backup`` (§10)."""

    response: BackupHistory  # type: ignore[valid-type]


Seconds = catalogue_model("Seconds", SECONDS, "A protobuf Timestamp or Duration.")
TargetId = catalogue_model("TargetId", TARGET_ID, "The charged vehicle.")
ChargeSession = catalogue_model("ChargeSession", CHARGE_SESSION, "One charging session (§11).",
                                {"Seconds": Seconds, "TargetId": TargetId})
ChargeHistory = catalogue_model("ChargeHistory", CHARGE_HISTORY, "The charging sessions.",
                                {"ChargeSession": ChargeSession})


class ChargeHistoryResponse(Closed):
    """``telemetry_history?kind=charge`` (§11)."""

    response: ChargeHistory  # type: ignore[valid-type]


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


