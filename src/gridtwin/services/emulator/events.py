"""Events (emulator §6): validated, stored, and seen by the engine at their instants."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.events import EventType
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.world import World
from gridtwin.sim.runner import advance_site
from gridtwin.store.repository import Tx

__all__ = ["NewEvent", "build_event", "create_event", "delete_event", "list_events", "store_event"]

SKIES = ("tmy", "clear", "partly_cloudy", "overcast", "storm", "random")
_ENDED = ("grid_outage", "island", "storm_alert", "load_spike", "wc_fault")


def _int(body: Mapping[str, Any], key: str, lo: int, hi: int, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None:
        raise InvalidField.for_field(key, "is required")
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidField.for_field(key, f"must be an integer {lo}-{hi}")
    return value


def _end(body: Mapping[str, Any], start_s: int, now_s: int, required: bool) -> int | None:
    if "duration_s" in body:
        return start_s + _int(body, "duration_s", 1, 400 * 86_400)
    if body.get("end") is not None:
        end = parse_when("end", body["end"], now_s)
        if end <= start_s:
            raise InvalidField.for_field("end", "must be after the start")
        return end
    if required:
        raise InvalidField.for_field("duration_s", "give duration_s or end")
    return None


def _connector(site_dins: list[str], body: Mapping[str, Any]) -> str:
    din = body.get("din") or (site_dins[0] if len(site_dins) == 1 else None)
    if din not in site_dins:
        raise InvalidField.for_field("din", "must name one of the site's Wall Connectors")
    return str(din)


def _params(kind: EventType, body: Mapping[str, Any], dins: list[str], now_s: int) -> dict[str, Any]:
    if kind is EventType.EV_PLUG_IN:
        vehicle = str(body.get("vehicle_id") or uuid.uuid5(uuid.NAMESPACE_URL, "gridtwin-vehicle"))
        params: dict[str, Any] = {
            "din": _connector(dins, body), "vehicle_id": vehicle,
            "vin": str(body.get("vin") or "5YJ3E1EA7KF000001"),
            "energy_wh": _int(body, "energy_wh", 1, 200_000, 20_000),
        }
        if body.get("max_power_w") is not None:
            params["max_power_w"] = _int(body, "max_power_w", 1440, 50_000)
        if body.get("scheduled_start") is not None:
            params["scheduled_start_s"] = parse_when("scheduled_start", body["scheduled_start"], now_s)
        return params
    if kind in (EventType.EV_UNPLUG, EventType.WC_FAULT):
        return {"din": _connector(dins, body)}
    if kind is EventType.LOAD_SPIKE:
        return {"power_w": _int(body, "power_w", 1, 100_000)}
    if kind is EventType.SKY:
        if body.get("sky") not in SKIES:
            raise InvalidField.for_field("sky", f"must be one of {', '.join(SKIES)}")
        try:
            day = date.fromisoformat(str(body.get("date")))
        except ValueError as exc:
            raise InvalidField.for_field("date", "must be a local date YYYY-MM-DD") from exc
        return {"sky": body["sky"], "date": day.isoformat()}
    return {}


@dataclass(frozen=True)
class NewEvent:
    """A validated event, not yet stored: type, instants [Unix s] and engine parameters."""

    type: EventType
    start_s: int
    end_s: int | None
    params: dict[str, Any]


def build_event(body: Mapping[str, Any], dins: list[str], now_s: int) -> NewEvent:
    """Validate an event body for a site with these Wall Connector ``dins`` at ``now_s``."""
    type_text = body.get("type")
    if type_text not in {t.value for t in EventType}:
        raise InvalidField.for_field("type", f"must be one of {', '.join(t.value for t in EventType)}")
    kind = EventType(type_text)
    start = parse_when("at", body["at"], now_s) if body.get("at") is not None else now_s
    if start < now_s:
        raise InvalidField.for_field("at", "must not be in the past")
    params = _params(kind, body, dins, now_s)
    end = _end(body, start, now_s, kind in ("load_spike", "wc_fault", "storm_alert"))
    if kind in (EventType.GRID_RESTORE, EventType.EV_UNPLUG):
        end = start
    if kind is EventType.SKY:
        end = None
    return NewEvent(kind, start, end, params)


def store_event(tx: Tx, site_id: int, event: NewEvent) -> dict[str, Any]:
    """Store a validated event in ``tx``; returns its JSON form."""
    if event.type is EventType.GRID_RESTORE:
        for e in tx.list_events(site_id):
            if e["type"] == "grid_outage" and e["start_s"] <= event.start_s and (
                    e["end_s"] is None or e["end_s"] > event.start_s):
                tx.update_event_end(e["id"], event.start_s)
    event_id = uuid.uuid4().hex[:16]
    tx.insert_event(id=event_id, site_id=site_id, type=event.type.value, start_s=event.start_s,
                    end_s=event.end_s, params_json=jsonio.dumps(event.params))
    return {"id": event_id, "site_id": site_id, "type": event.type.value, "start": event.start_s,
            "end": event.end_s, "params": event.params}


def create_event(world: World, site_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store one event for one site; returns its JSON form."""
    now = world.now_s()
    with world.site_tx(site_id) as tx:
        site = advance_site(tx, site_id, now)
        if site is None:
            raise NotFound()
        event = build_event(body, [wc.din for wc in site.spec.wall_connectors], now)
        return store_event(tx, site_id, event)


def _state(e: Mapping[str, Any], now_s: int) -> str:
    if e["start_s"] > now_s:
        return "pending"
    if (e["end_s"] is None and e["type"] in _ENDED) or (e["end_s"] is not None and e["end_s"] > now_s):
        return "active"
    return "done"


def list_events(world: World, filters: Mapping[str, str]) -> list[dict[str, Any]]:
    now = world.now_s()
    with world.store.tx() as tx:
        rows = tx.list_events(int(filters["site_id"]) if filters.get("site_id", "").isdigit() else None)
    out = [{"id": e["id"], "site_id": e["site_id"], "type": e["type"], "start": e["start_s"],
            "end": e["end_s"], "params": jsonio.loads(e["params_json"], decimals=False), "state": _state(e, now)}
           for e in rows]
    if filters.get("state"):
        out = [e for e in out if e["state"] == filters["state"]]
    return out


def delete_event(world: World, event_id: str) -> dict[str, Any]:
    """Cancel a pending event, or end an active one now."""
    now = world.now_s()
    with world.store.tx() as tx:
        match = [e for e in tx.list_events() if e["id"] == event_id]
    if not match:
        raise NotFound()
    e = match[0]
    with world.site_tx(e["site_id"]) as tx:
        advance_site(tx, e["site_id"], now)
        if e["start_s"] > now:
            tx.delete_event(event_id)
            return {"id": event_id, "state": "cancelled"}
        if e["end_s"] is None or e["end_s"] > now:
            tx.update_event_end(event_id, now)
    return {"id": event_id, "state": "done"}
