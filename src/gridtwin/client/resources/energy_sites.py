"""One energy site's reads and commands (wire-format §7–§13), sync and async.

Dates accept an aware ``datetime`` (sent as RFC 3339) or a string sent as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gridtwin.client._base import AsyncCore, Call, SyncCore, parse_with
from gridtwin.client.types import (
    BackupHistory,
    BackupTimeRemaining,
    ChargeHistory,
    CommandResult,
    EnergyHistory,
    EnergyProduct,
    GatewayReply,
    LiveStatus,
    PowerHistory,
    SavingsItem,
    SelfConsumptionHistory,
    SiteInfo,
    SoeHistory,
    TouLabelHistory,
)

__all__ = ["AsyncEnergySite", "EnergySite", "SiteCalls"]

When = datetime | str | None
_COMMAND = parse_with(CommandResult)
_GATEWAY = parse_with(GatewayReply)


def _when(value: When) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _query(**values: Any) -> dict[str, str]:
    """Query parameters, leaving out those that are None (as tesla-fleet-api does)."""
    return {k: str(_when(v)) for k, v in values.items() if v is not None}


class SiteCalls:
    """The calls of one site; shared by :class:`EnergySite` and :class:`AsyncEnergySite`."""

    def __init__(self, site_id: int) -> None:
        self.site_id = int(site_id)

    def _path(self, name: str) -> str:
        return f"/api/1/energy_sites/{self.site_id}/{name}"

    def _get(self, name: str, kind: Any, params: Mapping[str, str] | None = None) -> Call[Any]:
        return Call("GET", self._path(name), parse_with(kind), params=params)

    def _command(self, name: str, body: dict[str, Any]) -> Call[CommandResult]:
        return Call("POST", self._path(name), _COMMAND, json=body)

    def site_info(self) -> Call[SiteInfo]:
        return self._get("site_info", SiteInfo)

    def live_status(self) -> Call[LiveStatus]:
        return self._get("live_status", LiveStatus)

    def site_status(self) -> Call[Any]:
        return self._get("site_status", EnergyProduct)

    def backup_time_remaining(self) -> Call[BackupTimeRemaining]:
        return self._get("backup_time_remaining", BackupTimeRemaining)

    def energy_history(self, period: str | None, start_date: When, end_date: When,
                       time_zone: str | None) -> Call[EnergyHistory]:
        params = _query(kind="energy", period=period, start_date=start_date,
                        end_date=end_date, time_zone=time_zone)
        return self._get("calendar_history", EnergyHistory, params)

    def backup_history(self, period: str | None, start_date: When, end_date: When,
                       time_zone: str | None) -> Call[BackupHistory]:
        params = _query(kind="backup", period=period, start_date=start_date,
                        end_date=end_date, time_zone=time_zone)
        return self._get("calendar_history", BackupHistory, params)

    def _history(self, kind: str, model: Any, period: str | None, start_date: When,
                 end_date: When, time_zone: str | None) -> Call[Any]:
        params = _query(kind=kind, period=period, start_date=start_date, end_date=end_date,
                        time_zone=time_zone)
        return self._get("calendar_history", model, params)

    def power_history(self, period: str | None, start_date: When, end_date: When,
                      time_zone: str | None) -> Call[PowerHistory]:
        return self._history("power", PowerHistory, period, start_date, end_date, time_zone)

    def soe_history(self, period: str | None, start_date: When, end_date: When,
                    time_zone: str | None) -> Call[SoeHistory]:
        return self._history("soe", SoeHistory, period, start_date, end_date, time_zone)

    def self_consumption_history(self, period: str | None, start_date: When, end_date: When,
                                 time_zone: str | None) -> Call[SelfConsumptionHistory]:
        return self._history("self_consumption", SelfConsumptionHistory, period, start_date,
                             end_date, time_zone)

    def time_of_use_energy_history(self, period: str | None, start_date: When, end_date: When,
                                   time_zone: str | None) -> Call[dict[str, TouLabelHistory]]:
        return self._history("time_of_use_energy", dict[str, TouLabelHistory], period,
                             start_date, end_date, time_zone)

    def savings_history(self, period: str | None, start_date: When, end_date: When,
                        time_zone: str | None) -> Call[list[SavingsItem]]:
        return self._history("savings", list[SavingsItem], period, start_date, end_date,
                             time_zone)

    def charge_history(self, start_date: When, end_date: When,
                       time_zone: str | None) -> Call[ChargeHistory]:
        params = _query(kind="charge", start_date=start_date, end_date=end_date,
                        time_zone=time_zone)
        return self._get("telemetry_history", ChargeHistory, params)

    def backup(self, percent: int) -> Call[CommandResult]:
        return self._command("backup", {"backup_reserve_percent": percent})

    def operation(self, mode: str) -> Call[CommandResult]:
        return self._command("operation", {"default_real_mode": mode})

    def storm_mode(self, enabled: bool) -> Call[CommandResult]:
        return self._command("storm_mode", {"enabled": enabled})

    def grid_import_export(self, disallow_charge_from_grid_with_solar_installed: bool | None,
                           customer_preferred_export_rule: str | None) -> Call[CommandResult]:
        body: dict[str, Any] = {}
        if disallow_charge_from_grid_with_solar_installed is not None:
            body["disallow_charge_from_grid_with_solar_installed"] = (
                disallow_charge_from_grid_with_solar_installed)
        if customer_preferred_export_rule is not None:
            body["customer_preferred_export_rule"] = customer_preferred_export_rule
        return self._command("grid_import_export", body)

    def off_grid_vehicle_charging_reserve(self, percent: int) -> Call[CommandResult]:
        return self._command("off_grid_vehicle_charging_reserve",
                             {"off_grid_vehicle_charging_reserve_percent": percent})

    def time_of_use_settings(self, tariff_content_v2: Mapping[str, Any] | None,
                             optimization_strategy: str | None,
                             tou_settings: Mapping[str, Any] | None) -> Call[CommandResult]:
        tou = dict(tou_settings or {})
        if tariff_content_v2 is not None:
            tou["tariff_content_v2"] = dict(tariff_content_v2)
        if optimization_strategy is not None:
            tou["optimization_strategy"] = optimization_strategy
        return self._command("time_of_use_settings", {"tou_settings": tou})

    def gateway(self, category: str, request: str, params: Mapping[str, Any] | None) -> Call[GatewayReply]:
        body = {"command_type": "grpc_command", "command_properties": {
            "message": {category: {request: dict(params or {})}}, "identifier_type": 1}}
        return Call("POST", self._path("command"), _GATEWAY, json=body)


def _schedule(start_time: When, duration_seconds: int | None, priority: int | None) -> dict[str, Any]:
    info = {k: v for k, v in (("start_time", _when(start_time)), ("duration_seconds", duration_seconds),
                              ("priority", priority)) if v is not None}
    return {"scheduling_info": info} if info else {}


GATEWAY_READS = {
    "get_system_info": ("common", "get_system_info_request"),
    "get_networking_status": ("common", "get_networking_status_request"),
    "check_internet": ("common", "check_internet_request"),
    "check_for_update": ("common", "check_for_update_request"),
    "check_for_update_urgency": ("common", "check_for_update_urgency_request"),
    "get_backup_events": ("teg", "get_backup_events_request"),
    "get_teg_config": ("teg", "get_config_request"),
    "cancel_backup_event": ("teg", "cancel_manual_backup_event_request"),
}
"""Gateway calls without parameters: method name -> (category, request)."""


class EnergySite:
    """An energy site of the token's user. Every method is one HTTP call."""

    def __init__(self, core: SyncCore, site_id: int) -> None:
        self._core = core
        self._calls = SiteCalls(site_id)

    @property
    def site_id(self) -> int:
        return self._calls.site_id

    def site_info(self) -> SiteInfo:
        return self._core.run(self._calls.site_info())

    def live_status(self) -> LiveStatus:
        return self._core.run(self._calls.live_status())

    def site_status(self) -> Any:
        """The site's products item (``BatteryProduct``, ``SolarProduct``...)."""
        return self._core.run(self._calls.site_status())

    def backup_time_remaining(self) -> BackupTimeRemaining:
        return self._core.run(self._calls.backup_time_remaining())

    def energy_history(self, period: str | None = "day", *, start_date: When = None,
                       end_date: When = None, time_zone: str | None = None) -> EnergyHistory:
        return self._core.run(self._calls.energy_history(period, start_date, end_date, time_zone))

    def backup_history(self, period: str | None = None, *, start_date: When = None,
                       end_date: When = None, time_zone: str | None = None) -> BackupHistory:
        return self._core.run(self._calls.backup_history(period, start_date, end_date, time_zone))

    def power_history(self, period: str | None = "day", *, start_date: When = None,
                      end_date: When = None, time_zone: str | None = None) -> PowerHistory:
        """Average power [W] per 5-minute bucket (``kind=power``)."""
        return self._core.run(self._calls.power_history(
            period, start_date, end_date, time_zone))

    def soe_history(self, period: str | None = "day", *, start_date: When = None,
                    end_date: When = None, time_zone: str | None = None) -> SoeHistory:
        """App-scale state of energy [%] every 15 minutes (``kind=soe``)."""
        return self._core.run(self._calls.soe_history(
            period, start_date, end_date, time_zone))

    def self_consumption_history(self, period: str | None = "day", *, start_date: When = None,
                                 end_date: When = None, time_zone: str | None = None
                                 ) -> SelfConsumptionHistory:
        """Solar and battery share of home use [%] per day, month or year."""
        return self._core.run(self._calls.self_consumption_history(
            period, start_date, end_date, time_zone))

    def time_of_use_energy_history(self, period: str | None = "day", *, start_date: When = None,
                                   end_date: When = None, time_zone: str | None = None
                                   ) -> dict[str, TouLabelHistory]:
        """Energy buckets per tariff period key (``off_peak``, ``peak``...)."""
        return self._core.run(self._calls.time_of_use_energy_history(
            period, start_date, end_date, time_zone))

    def savings_history(self, period: str | None = "day", *, start_date: When = None,
                        end_date: When = None, time_zone: str | None = None) -> list[SavingsItem]:
        """Energy value of the site per day, month or year, by the stored tariff."""
        return self._core.run(self._calls.savings_history(
            period, start_date, end_date, time_zone))

    def charge_history(self, *, start_date: When = None, end_date: When = None,
                       time_zone: str | None = None) -> ChargeHistory:
        return self._core.run(self._calls.charge_history(start_date, end_date, time_zone))

    def backup(self, percent: int) -> CommandResult:
        """Set the backup reserve [%, 0-100]."""
        return self._core.run(self._calls.backup(percent))

    def operation(self, mode: str) -> CommandResult:
        """``self_consumption``, ``autonomous`` or ``backup``."""
        return self._core.run(self._calls.operation(mode))

    def storm_mode(self, enabled: bool) -> CommandResult:
        return self._core.run(self._calls.storm_mode(enabled))

    def grid_import_export(self, *, disallow_charge_from_grid_with_solar_installed: bool | None = None,
                           customer_preferred_export_rule: str | None = None) -> CommandResult:
        """Export rule ``battery_ok``, ``pv_only`` or ``never``; either or both members."""
        return self._core.run(self._calls.grid_import_export(
            disallow_charge_from_grid_with_solar_installed, customer_preferred_export_rule))

    def off_grid_vehicle_charging_reserve(self, percent: int) -> CommandResult:
        return self._core.run(self._calls.off_grid_vehicle_charging_reserve(percent))

    def time_of_use_settings(self, tariff_content_v2: Mapping[str, Any] | None = None, *,
                             optimization_strategy: str | None = None,
                             tou_settings: Mapping[str, Any] | None = None) -> CommandResult:
        """Upload a tariff; ``tou_settings`` sends a whole ``tou_settings`` object."""
        return self._core.run(self._calls.time_of_use_settings(
            tariff_content_v2, optimization_strategy, tou_settings))

    def gateway_command(self, category: str, request: str,
                        params: Mapping[str, Any] | None = None) -> GatewayReply:
        """``POST .../command`` (grpc_command), e.g. ``("teg", "get_backup_events_request")``."""
        return self._core.run(self._calls.gateway(category, request, params))

    def get_system_info(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["get_system_info"])

    def get_networking_status(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["get_networking_status"])

    def check_internet(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["check_internet"])

    def check_for_update(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["check_for_update"])

    def check_for_update_urgency(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["check_for_update_urgency"])

    def get_backup_events(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["get_backup_events"])

    def get_teg_config(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["get_teg_config"])

    def schedule_backup_event(self, start_time: When = None, duration_seconds: int | None = None,
                              priority: int | None = None) -> GatewayReply:
        """Island the site (a manual backup) from ``start_time`` (default now) for
        ``duration_seconds`` (default 7200)."""
        return self.gateway_command("teg", "schedule_manual_backup_event_request",
                                    _schedule(start_time, duration_seconds, priority))

    def cancel_backup_event(self) -> GatewayReply:
        return self.gateway_command(*GATEWAY_READS["cancel_backup_event"])

    def set_island_mode(self, mode: int, force: bool | None = None) -> GatewayReply:
        """Unsigned: acknowledged without effect, as on real gateways (1 on grid, 6 off grid)."""
        return self.gateway_command("teg", "set_island_mode_request",
                                    {"mode": mode, "force": mode == 6 if force is None else force})


class AsyncEnergySite:
    """The async twin of :class:`EnergySite`."""

    def __init__(self, core: AsyncCore, site_id: int) -> None:
        self._core = core
        self._calls = SiteCalls(site_id)

    @property
    def site_id(self) -> int:
        return self._calls.site_id

    async def site_info(self) -> SiteInfo:
        return await self._core.run(self._calls.site_info())

    async def live_status(self) -> LiveStatus:
        return await self._core.run(self._calls.live_status())

    async def site_status(self) -> Any:
        return await self._core.run(self._calls.site_status())

    async def backup_time_remaining(self) -> BackupTimeRemaining:
        return await self._core.run(self._calls.backup_time_remaining())

    async def energy_history(self, period: str | None = "day", *, start_date: When = None,
                             end_date: When = None, time_zone: str | None = None) -> EnergyHistory:
        return await self._core.run(
            self._calls.energy_history(period, start_date, end_date, time_zone))

    async def backup_history(self, period: str | None = None, *, start_date: When = None,
                             end_date: When = None, time_zone: str | None = None) -> BackupHistory:
        return await self._core.run(
            self._calls.backup_history(period, start_date, end_date, time_zone))

    async def power_history(self, period: str | None = "day", *, start_date: When = None,
                      end_date: When = None, time_zone: str | None = None) -> PowerHistory:
        """Average power [W] per 5-minute bucket (``kind=power``)."""
        return await self._core.run(self._calls.power_history(
            period, start_date, end_date, time_zone))

    async def soe_history(self, period: str | None = "day", *, start_date: When = None,
                    end_date: When = None, time_zone: str | None = None) -> SoeHistory:
        """App-scale state of energy [%] every 15 minutes (``kind=soe``)."""
        return await self._core.run(self._calls.soe_history(
            period, start_date, end_date, time_zone))

    async def self_consumption_history(self, period: str | None = "day", *, start_date: When = None,
                                 end_date: When = None, time_zone: str | None = None
                                 ) -> SelfConsumptionHistory:
        """Solar and battery share of home use [%] per day, month or year."""
        return await self._core.run(self._calls.self_consumption_history(
            period, start_date, end_date, time_zone))

    async def time_of_use_energy_history(self, period: str | None = "day", *, start_date: When = None,
                                   end_date: When = None, time_zone: str | None = None
                                   ) -> dict[str, TouLabelHistory]:
        """Energy buckets per tariff period key (``off_peak``, ``peak``...)."""
        return await self._core.run(self._calls.time_of_use_energy_history(
            period, start_date, end_date, time_zone))

    async def savings_history(self, period: str | None = "day", *, start_date: When = None,
                        end_date: When = None, time_zone: str | None = None) -> list[SavingsItem]:
        """Energy value of the site per day, month or year, by the stored tariff."""
        return await self._core.run(self._calls.savings_history(
            period, start_date, end_date, time_zone))

    async def charge_history(self, *, start_date: When = None, end_date: When = None,
                             time_zone: str | None = None) -> ChargeHistory:
        return await self._core.run(self._calls.charge_history(start_date, end_date, time_zone))

    async def backup(self, percent: int) -> CommandResult:
        return await self._core.run(self._calls.backup(percent))

    async def operation(self, mode: str) -> CommandResult:
        return await self._core.run(self._calls.operation(mode))

    async def storm_mode(self, enabled: bool) -> CommandResult:
        return await self._core.run(self._calls.storm_mode(enabled))

    async def grid_import_export(
        self, *, disallow_charge_from_grid_with_solar_installed: bool | None = None,
        customer_preferred_export_rule: str | None = None,
    ) -> CommandResult:
        return await self._core.run(self._calls.grid_import_export(
            disallow_charge_from_grid_with_solar_installed, customer_preferred_export_rule))

    async def off_grid_vehicle_charging_reserve(self, percent: int) -> CommandResult:
        return await self._core.run(self._calls.off_grid_vehicle_charging_reserve(percent))

    async def time_of_use_settings(self, tariff_content_v2: Mapping[str, Any] | None = None, *,
                                   optimization_strategy: str | None = None,
                                   tou_settings: Mapping[str, Any] | None = None) -> CommandResult:
        return await self._core.run(self._calls.time_of_use_settings(
            tariff_content_v2, optimization_strategy, tou_settings))

    async def gateway_command(self, category: str, request: str,
                              params: Mapping[str, Any] | None = None) -> GatewayReply:
        return await self._core.run(self._calls.gateway(category, request, params))

    async def get_system_info(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["get_system_info"])

    async def get_networking_status(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["get_networking_status"])

    async def check_internet(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["check_internet"])

    async def check_for_update(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["check_for_update"])

    async def check_for_update_urgency(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["check_for_update_urgency"])

    async def get_backup_events(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["get_backup_events"])

    async def get_teg_config(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["get_teg_config"])

    async def schedule_backup_event(self, start_time: When = None,
                                    duration_seconds: int | None = None,
                                    priority: int | None = None) -> GatewayReply:
        return await self.gateway_command("teg", "schedule_manual_backup_event_request",
                                          _schedule(start_time, duration_seconds, priority))

    async def cancel_backup_event(self) -> GatewayReply:
        return await self.gateway_command(*GATEWAY_READS["cancel_backup_event"])

    async def set_island_mode(self, mode: int, force: bool | None = None) -> GatewayReply:
        return await self.gateway_command(
            "teg", "set_island_mode_request",
            {"mode": mode, "force": mode == 6 if force is None else force})
