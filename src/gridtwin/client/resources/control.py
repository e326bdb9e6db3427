"""The emulator's control plane (emulator.md), sync and async. Needs the admin token.

Results are typed models that also answer ``result["field"]``, so code written for the
first, dict-returning control client keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridtwin.client._base import AsyncCore, SyncCore
from gridtwin.client.resources._control_calls import ControlCalls as C
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

__all__ = ["AsyncControl", "Control"]


class Control:
    """Clock, sites, events, faults, tokens, journal, scenarios and state."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def health(self) -> Health:
        return self._core.run(C.health())

    def info(self) -> dict[str, Any]:
        return self._core.run(C.info())

    def clock(self) -> ClockInfo:
        return self._core.run(C.clock())

    def set_clock(self, mode: str | None = None, rate: float | None = None,
                  now: Any = None) -> ClockInfo:
        """Switch mode (realtime, scaled, frozen), rate [-], or jump forward to ``now``."""
        return self._core.run(C.set_clock(mode, rate, now))

    def advance(self, seconds: int | None = None, *, to: Any = None) -> AdvanceResult:
        """Move simulated time forward by ``seconds`` [s] or ``to`` an instant."""
        return self._core.run(C.advance(seconds, to))

    def sites(self) -> list[AdminSite]:
        """Every site, each at the simulated now, read a page at a time."""
        out: list[AdminSite] = []
        cursor = None
        while True:
            page, cursor = self._core.run(C.sites_page(cursor))
            out.extend(page)
            if cursor is None:
                return out

    def site(self, site_id: int) -> AdminSite:
        return self._core.run(C.site(site_id))

    def patch_site(self, site_id: int, **knobs: Any) -> AdminSite:
        """Site knobs: app_pct, profile, quirks, settings, components, sky, overrides, owner."""
        return self._core.run(C.patch_site(site_id, knobs))

    def create_site(self, **description: Any) -> AdminSite:
        return self._core.run(C.create_site(description))

    def delete_site(self, site_id: int) -> dict[str, Any]:
        return self._core.run(C.delete_site(site_id))

    def event(self, site_id: int, type: str, **params: Any) -> Event:
        return self._core.run(C.event(site_id, type, params))

    def outage(self, site_id: int, duration_s: int | None = None, **params: Any) -> Event:
        """A grid outage from now (or ``at``) for ``duration_s`` [s]; open-ended if None."""
        if duration_s is not None:
            params["duration_s"] = duration_s
        return self.event(site_id, "grid_outage", **params)

    def broadcast_event(self, type: str, sites: Sequence[int] | str = "all",
                        **params: Any) -> list[Event]:
        return self._core.run(C.broadcast_event(type, sites, params))

    def events(self, **filters: Any) -> list[Event]:
        """Filters: ``site_id``, ``state`` (pending, active, done)."""
        return self._core.run(C.events(filters))

    def end_event(self, event_id: str) -> EventEnded:
        return self._core.run(C.end_event(event_id))

    def faults(self) -> list[FaultRule]:
        return self._core.run(C.faults())

    def add_fault(self, **rule: Any) -> FaultRule:
        """A rule (``match``, ``action``...) or ``template="rate_limited"`` etc."""
        return self._core.run(C.add_fault(rule))

    def set_faults(self, rules: Sequence[Mapping[str, Any]]) -> list[FaultRule]:
        return self._core.run(C.set_faults(rules))

    def clear_faults(self) -> None:
        self._core.run(C.clear_faults())

    def remove_fault(self, rule_id: str) -> dict[str, Any]:
        return self._core.run(C.remove_fault(rule_id))

    def mint_token(self, user: str, scopes: Sequence[str] | None = None,
                   **extra: Any) -> MintedToken:
        """Extra: ``ttl_s``, ``region``, ``name``."""
        return self._core.run(C.mint_token(user, scopes, extra))

    def token(self, user: str, scopes: Sequence[str] | None = None, **extra: Any) -> str:
        """Just the access token of :meth:`mint_token`."""
        return self.mint_token(user, scopes, **extra).access_token

    def tokens(self) -> list[TokenRecord]:
        return self._core.run(C.tokens())

    def revoke_token(self, jti: str) -> dict[str, Any]:
        return self._core.run(C.revoke_token(jti))

    def requests(self, **filters: Any) -> list[JournalEntry]:
        """Filters: endpoint, site_id, method, status, since_seq, limit."""
        return self._core.run(C.requests(filters))

    def requests_count(self, **filters: Any) -> int:
        return int(self._core.run(C.requests_count(filters))["count"])

    def clear_requests(self) -> None:
        self._core.run(C.clear_requests())

    def reset(self, **body: Any) -> LoadResult:
        return self._core.run(C.reset(body))

    def seed(self, seed: int) -> LoadResult:
        return self._core.run(C.seed(seed))

    def presets(self) -> list[PresetInfo]:
        return self._core.run(C.presets())

    def load_preset(self, name: str, **body: Any) -> LoadResult:
        return self._core.run(C.load_preset(name, body))

    def scenario(self) -> dict[str, Any] | None:
        return self._core.run(C.scenario())

    def load_scenario(self, doc: Mapping[str, Any]) -> LoadResult:
        return self._core.run(C.load_scenario(doc))

    def export_state(self, *, secrets: bool = False) -> dict[str, Any]:
        """The state snapshot; ``secrets``: with the JWT and client secrets (to move it
        to another server with its tokens)."""
        return self._core.run(C.export_state(secrets))

    def import_state(self, snapshot: Mapping[str, Any]) -> dict[str, Any]:
        return self._core.run(C.import_state(snapshot))


class AsyncControl:
    """The async twin of :class:`Control`."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def health(self) -> Health:
        return await self._core.run(C.health())

    async def info(self) -> dict[str, Any]:
        return await self._core.run(C.info())

    async def clock(self) -> ClockInfo:
        return await self._core.run(C.clock())

    async def set_clock(self, mode: str | None = None, rate: float | None = None,
                        now: Any = None) -> ClockInfo:
        return await self._core.run(C.set_clock(mode, rate, now))

    async def advance(self, seconds: int | None = None, *, to: Any = None) -> AdvanceResult:
        return await self._core.run(C.advance(seconds, to))

    async def sites(self) -> list[AdminSite]:
        """Every site, each at the simulated now, read a page at a time."""
        out: list[AdminSite] = []
        cursor = None
        while True:
            page, cursor = await self._core.run(C.sites_page(cursor))
            out.extend(page)
            if cursor is None:
                return out

    async def site(self, site_id: int) -> AdminSite:
        return await self._core.run(C.site(site_id))

    async def patch_site(self, site_id: int, **knobs: Any) -> AdminSite:
        return await self._core.run(C.patch_site(site_id, knobs))

    async def create_site(self, **description: Any) -> AdminSite:
        return await self._core.run(C.create_site(description))

    async def delete_site(self, site_id: int) -> dict[str, Any]:
        return await self._core.run(C.delete_site(site_id))

    async def event(self, site_id: int, type: str, **params: Any) -> Event:
        return await self._core.run(C.event(site_id, type, params))

    async def outage(self, site_id: int, duration_s: int | None = None, **params: Any) -> Event:
        if duration_s is not None:
            params["duration_s"] = duration_s
        return await self.event(site_id, "grid_outage", **params)

    async def broadcast_event(self, type: str, sites: Sequence[int] | str = "all",
                              **params: Any) -> list[Event]:
        return await self._core.run(C.broadcast_event(type, sites, params))

    async def events(self, **filters: Any) -> list[Event]:
        return await self._core.run(C.events(filters))

    async def end_event(self, event_id: str) -> EventEnded:
        return await self._core.run(C.end_event(event_id))

    async def faults(self) -> list[FaultRule]:
        return await self._core.run(C.faults())

    async def add_fault(self, **rule: Any) -> FaultRule:
        return await self._core.run(C.add_fault(rule))

    async def set_faults(self, rules: Sequence[Mapping[str, Any]]) -> list[FaultRule]:
        return await self._core.run(C.set_faults(rules))

    async def clear_faults(self) -> None:
        await self._core.run(C.clear_faults())

    async def remove_fault(self, rule_id: str) -> dict[str, Any]:
        return await self._core.run(C.remove_fault(rule_id))

    async def mint_token(self, user: str, scopes: Sequence[str] | None = None,
                         **extra: Any) -> MintedToken:
        return await self._core.run(C.mint_token(user, scopes, extra))

    async def token(self, user: str, scopes: Sequence[str] | None = None, **extra: Any) -> str:
        return (await self.mint_token(user, scopes, **extra)).access_token

    async def tokens(self) -> list[TokenRecord]:
        return await self._core.run(C.tokens())

    async def revoke_token(self, jti: str) -> dict[str, Any]:
        return await self._core.run(C.revoke_token(jti))

    async def requests(self, **filters: Any) -> list[JournalEntry]:
        return await self._core.run(C.requests(filters))

    async def requests_count(self, **filters: Any) -> int:
        return int((await self._core.run(C.requests_count(filters)))["count"])

    async def clear_requests(self) -> None:
        await self._core.run(C.clear_requests())

    async def reset(self, **body: Any) -> LoadResult:
        return await self._core.run(C.reset(body))

    async def seed(self, seed: int) -> LoadResult:
        return await self._core.run(C.seed(seed))

    async def presets(self) -> list[PresetInfo]:
        return await self._core.run(C.presets())

    async def load_preset(self, name: str, **body: Any) -> LoadResult:
        return await self._core.run(C.load_preset(name, body))

    async def scenario(self) -> dict[str, Any] | None:
        return await self._core.run(C.scenario())

    async def load_scenario(self, doc: Mapping[str, Any]) -> LoadResult:
        return await self._core.run(C.load_scenario(doc))

    async def export_state(self, *, secrets: bool = False) -> dict[str, Any]:
        """The state snapshot; ``secrets``: with the JWT and client secrets (to move it
        to another server with its tokens)."""
        return await self._core.run(C.export_state(secrets))

    async def import_state(self, snapshot: Mapping[str, Any]) -> dict[str, Any]:
        return await self._core.run(C.import_state(snapshot))
