"""The control-plane calls (emulator.md, under ``/_gridtwin``), built once for both twins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridtwin.client._base import Call, parse_with
from gridtwin.client.types import (
    AdminSite,
    AdvanceResult,
    ClockInfo,
    Event,
    EventEnded,
    FaultRule,
    Health,
    JournalEntry,
    LoadResult,
    MintedToken,
    PresetInfo,
    TokenRecord,
)

__all__ = ["ControlCalls"]

_P = "/_gridtwin"


def _call(method: str, path: str, kind: Any, json: Any = None,
          params: Mapping[str, Any] | None = None) -> Call[Any]:
    query = {k: str(v) for k, v in (params or {}).items() if v is not None}
    return Call(method, _P + path, parse_with(kind), params=query, json=json, auth="admin")


def _none(_: Any) -> None:
    return None


class ControlCalls:
    """One builder per control-plane operation; results are typed models."""

    @staticmethod
    def health() -> Call[Health]:
        return Call("GET", f"{_P}/health", parse_with(Health), auth="none")

    @staticmethod
    def info() -> Call[dict[str, Any]]:
        return _call("GET", "/info", dict[str, Any])

    @staticmethod
    def clock() -> Call[ClockInfo]:
        return _call("GET", "/clock", ClockInfo)

    @staticmethod
    def set_clock(mode: str | None, rate: float | None, now: Any) -> Call[ClockInfo]:
        body = {k: v for k, v in (("mode", mode), ("rate", rate), ("now", now)) if v is not None}
        return _call("PUT", "/clock", ClockInfo, body)

    @staticmethod
    def advance(seconds: int | None, to: Any) -> Call[AdvanceResult]:
        body = {"seconds": seconds} if to is None else {"to": to}
        return _call("POST", "/clock/advance", AdvanceResult, body)

    @staticmethod
    def sites_page(cursor: str | None) -> Call[tuple[list[AdminSite], str | None]]:
        """One page of the site list and the cursor of the next (None after the last)."""
        parse_sites = parse_with(list[AdminSite])

        def parse(body: Any) -> tuple[list[AdminSite], str | None]:
            return parse_sites(body["response"]), body.get("next_cursor")

        params = {} if cursor is None else {"cursor": cursor}
        return Call("GET", f"{_P}/sites", parse, params=params, auth="admin", envelope=False)

    @staticmethod
    def site(site_id: int) -> Call[AdminSite]:
        return _call("GET", f"/sites/{int(site_id)}", AdminSite)

    @staticmethod
    def patch_site(site_id: int, knobs: Mapping[str, Any]) -> Call[AdminSite]:
        return _call("PATCH", f"/sites/{int(site_id)}", AdminSite, dict(knobs))

    @staticmethod
    def create_site(description: Mapping[str, Any]) -> Call[AdminSite]:
        return _call("POST", "/sites", AdminSite, dict(description))

    @staticmethod
    def delete_site(site_id: int) -> Call[dict[str, Any]]:
        return _call("DELETE", f"/sites/{int(site_id)}", dict[str, Any])

    @staticmethod
    def event(site_id: int, type: str, params: Mapping[str, Any]) -> Call[Event]:
        return _call("POST", f"/sites/{int(site_id)}/events", Event, {"type": type, **params})

    @staticmethod
    def broadcast_event(type: str, sites: Sequence[int] | str,
                        params: Mapping[str, Any]) -> Call[list[Event]]:
        body = {"type": type, "sites": sites if isinstance(sites, str) else list(sites), **params}
        return _call("POST", "/events", list[Event], body)

    @staticmethod
    def events(filters: Mapping[str, Any]) -> Call[list[Event]]:
        return _call("GET", "/events", list[Event], params=filters)

    @staticmethod
    def end_event(event_id: str) -> Call[EventEnded]:
        return _call("DELETE", f"/events/{event_id}", EventEnded)

    @staticmethod
    def faults() -> Call[list[FaultRule]]:
        return _call("GET", "/faults", list[FaultRule])

    @staticmethod
    def add_fault(rule: Mapping[str, Any]) -> Call[FaultRule]:
        return _call("POST", "/faults", FaultRule, dict(rule))

    @staticmethod
    def set_faults(rules: Sequence[Mapping[str, Any]]) -> Call[list[FaultRule]]:
        return _call("PUT", "/faults", list[FaultRule], [dict(r) for r in rules])

    @staticmethod
    def clear_faults() -> Call[None]:
        return Call("DELETE", f"{_P}/faults", _none, auth="admin")

    @staticmethod
    def remove_fault(rule_id: str) -> Call[dict[str, Any]]:
        return _call("DELETE", f"/faults/{rule_id}", dict[str, Any])

    @staticmethod
    def mint_token(user: str, scopes: Sequence[str] | None,
                   extra: Mapping[str, Any]) -> Call[MintedToken]:
        body: dict[str, Any] = {"user": user, **extra}
        if scopes is not None:
            body["scopes"] = list(scopes)
        return _call("POST", "/tokens", MintedToken, body)

    @staticmethod
    def tokens() -> Call[list[TokenRecord]]:
        return _call("GET", "/tokens", list[TokenRecord])

    @staticmethod
    def revoke_token(jti: str) -> Call[dict[str, Any]]:
        return _call("POST", "/tokens/revoke", dict[str, Any], {"jti": jti})

    @staticmethod
    def requests(filters: Mapping[str, Any]) -> Call[list[JournalEntry]]:
        return _call("GET", "/requests", list[JournalEntry], params=filters)

    @staticmethod
    def requests_count(filters: Mapping[str, Any]) -> Call[dict[str, int]]:
        return _call("GET", "/requests/count", dict[str, int], params=filters)

    @staticmethod
    def clear_requests() -> Call[None]:
        return Call("DELETE", f"{_P}/requests", _none, auth="admin")

    @staticmethod
    def reset(body: Mapping[str, Any]) -> Call[LoadResult]:
        return _call("POST", "/reset", LoadResult, dict(body))

    @staticmethod
    def seed(seed: int) -> Call[LoadResult]:
        return _call("POST", "/seed", LoadResult, {"seed": seed})

    @staticmethod
    def presets() -> Call[list[PresetInfo]]:
        return _call("GET", "/presets", list[PresetInfo])

    @staticmethod
    def load_preset(name: str, body: Mapping[str, Any]) -> Call[LoadResult]:
        return _call("POST", f"/presets/{name}", LoadResult, dict(body))

    @staticmethod
    def scenario() -> Call[dict[str, Any] | None]:
        return _call("GET", "/scenario", dict[str, Any] | None)

    @staticmethod
    def load_scenario(doc: Mapping[str, Any]) -> Call[LoadResult]:
        return _call("POST", "/scenario", LoadResult, dict(doc))

    @staticmethod
    def export_state(secrets: bool = False) -> Call[dict[str, Any]]:
        return _call("GET", "/state", dict[str, Any], params={"secrets": 1 if secrets else None})

    @staticmethod
    def import_state(snapshot: Mapping[str, Any]) -> Call[dict[str, Any]]:
        return _call("POST", "/state", dict[str, Any], dict(snapshot))
