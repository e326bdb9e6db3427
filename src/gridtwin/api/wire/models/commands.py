"""Command request bodies and their examples (wire-format §12, spec/tariff.md §2)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gridtwin.api.wire.models.base import (
    Closed,
    ExportRule,
    Open,
    OperationMode,
    Strategy,
    drop_none_defaults,
    omitted,
)
from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    DEFAULT_REAL_MODE,
    EV_RESERVE_PERCENT,
    TARIFF_CONTENT_V2,
    TOU_SETTINGS,
)
from gridtwin.domain.catalogue_nested import (
    EXPORT_RULE,
    GRID_CHARGING_DISALLOWED,
    OPTIMIZATION_STRATEGY,
)

__all__ = ["COMMAND_BODIES", "COMMAND_EXAMPLES", "BackupBody", "ChargeBlock", "CommandAck", "CommandAckResponse", "DailyCharge", "GridImportExportBody", "LabelEntry", "OffGridReserveBody", "OperationBody", "Season", "SellTariff", "StormModeBody", "Tariff", "TimeOfUseBody", "TouPeriod", "TouSettingsBody"]


class CommandAck(Closed):
    code: Literal[201]
    message: Literal["Updated", "Backup reserve updated", "Operation mode updated"]


class CommandAckResponse(Closed):
    """HTTP 200 ``{"response": {"code": 201, "message": "Updated"}}`` (D2); sites with quirk
    ``command_ack_messages`` (profile ``observed``) answer ``backup`` with "Backup reserve
    updated" and ``operation`` with "Operation mode updated"."""

    response: CommandAck


StrictPercent = Annotated[int, Field(ge=0, le=100, strict=True)]


class BackupBody(Open):
    backup_reserve_percent: StrictPercent


class OperationBody(Open):
    default_real_mode: OperationMode


class StormModeBody(Open):
    enabled: Annotated[bool, Field(strict=True)]


def _at_least_one_grid_member(schema: dict[str, Any], cls: type[BaseModel] | None = None) -> None:
    drop_none_defaults(schema, cls)
    schema["anyOf"] = [{"required": [GRID_CHARGING_DISALLOWED.key]},
                       {"required": [EXPORT_RULE.key]}]


class GridImportExportBody(Open):
    """At least one of the two members."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_at_least_one_grid_member)

    disallow_charge_from_grid_with_solar_installed: Annotated[bool, Field(strict=True)] = omitted()
    customer_preferred_export_rule: ExportRule = omitted()


class OffGridReserveBody(Open):
    off_grid_vehicle_charging_reserve_percent: StrictPercent


class TouPeriod(Open):
    fromDayOfWeek: Annotated[int, Field(ge=0, le=6)] = omitted()
    toDayOfWeek: Annotated[int, Field(ge=0, le=6)] = omitted()
    fromHour: Annotated[int, Field(ge=0, le=23)] = omitted()
    fromMinute: Annotated[int, Field(ge=0, le=59)] = omitted()
    toHour: Annotated[int, Field(ge=0, le=24)] = omitted()
    toMinute: Annotated[int, Field(ge=0, le=60)] = omitted()


class LabelEntry(Open):
    periods: Annotated[list[TouPeriod], Field(min_length=1)]


class Season(Open):
    fromMonth: Annotated[int, Field(ge=1, le=12)] = omitted()
    fromDay: Annotated[int, Field(ge=1, le=31)] = omitted()
    toMonth: Annotated[int, Field(ge=1, le=12)] = omitted()
    toDay: Annotated[int, Field(ge=1, le=31)] = omitted()
    tou_periods: dict[str, LabelEntry] = omitted()


class ChargeBlock(Open):
    rates: dict[str, float] = omitted()


class DailyCharge(Open):
    name: str = omitted()
    amount: float = omitted()


class SellTariff(Open):
    currency: str = omitted()
    energy_charges: dict[str, ChargeBlock]
    seasons: dict[str, Season]
    demand_charges: dict[str, ChargeBlock] = omitted()
    daily_charges: list[DailyCharge] = omitted()


class Tariff(Open):
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


class TouSettingsBody(Open):
    tariff_content_v2: Tariff
    optimization_strategy: Strategy = omitted()


class TimeOfUseBody(Open):
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
    "backup": {BACKUP_RESERVE_PERCENT.key: 20},
    "operation": {DEFAULT_REAL_MODE.key: "self_consumption"},
    "storm_mode": {"enabled": True},
    "grid_import_export": {GRID_CHARGING_DISALLOWED.key: False, EXPORT_RULE.key: "battery_ok"},
    "off_grid_vehicle_charging_reserve": {EV_RESERVE_PERCENT.key: 50},
    "time_of_use_settings": {TOU_SETTINGS.key: {TARIFF_CONTENT_V2.key: _flat_tariff(),
                                              OPTIMIZATION_STRATEGY.key: "economics"}},
}

COMMAND_BODIES: dict[str, type[BaseModel]] = {
    "backup": BackupBody,
    "operation": OperationBody,
    "storm_mode": StormModeBody,
    "grid_import_export": GridImportExportBody,
    "off_grid_vehicle_charging_reserve": OffGridReserveBody,
    "time_of_use_settings": TimeOfUseBody,
}


