"""Events (emulator §6): validated, stored, and seen by the engine at their instants.

A body is checked whole before anything is written: its type, the members that type
takes (others are refused, so a wrongly nested parameter is never silently dropped),
ranges, instants up to 9999-12-31 and text that fits the store's columns. An event for
several sites is stored for all of them in one transaction, or for none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.events import EventType
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.emulator.describe import EARLIEST_INSTALLATION_S, SKIES
from gridtwin.services.emulator.inputs import MAX_INSTANT_S, NAME_CHARS, Problems, Reader
from gridtwin.services.emulator.vehicles import Vehicle, world_vehicles
from gridtwin.services.world import World
from gridtwin.sim.runner import advance_site
from gridtwin.store.repository import Tx

__all__ = ["EVENT_STATES", "SKIES", "NewEvent", "build_event", "create_event", "create_events",
           "delete_event", "list_events", "store_event"]

EVENT_STATES = ("pending", "active", "done")
_ENDED = ("grid_outage", "island", "storm_alert", "load_spike", "wc_fault")
_END = ("duration_s", "end")
_MEMBERS: dict[EventType, tuple[str, ...]] = {
    EventType.GRID_OUTAGE: _END,
    EventType.GRID_RESTORE: (),
    EventType.ISLAND: _END,
    EventType.STORM_ALERT: _END,
    EventType.EV_PLUG_IN: ("din", "vehicle_id", "vin", "energy_wh", "scheduled_start",
                           "max_power_w", *_END),  # the end, if given, unplugs
    EventType.EV_UNPLUG: ("din",),
    EventType.SKY: ("date", "sky"),
    EventType.LOAD_SPIKE: ("power_w", *_END),
    EventType.WC_FAULT: ("din", *_END),
}
_NEEDS_END = (EventType.LOAD_SPIKE, EventType.WC_FAULT, EventType.STORM_ALERT)
_WHEN_CHARS = 64
_FIRST_DAY = datetime.fromtimestamp(EARLIEST_INSTALLATION_S, UTC).date()
_DEFAULT_VEHICLE = str(uuid.uuid5(uuid.NAMESPACE_URL, "gridtwin-vehicle"))


@dataclass
class _Event:
    """A validated event body, not yet bound to a site (the connector is per site)."""

    kind: EventType
    start_s: int
    end_s: int | None
    params: dict[str, Any] = field(default_factory=dict)
    din: str | None = None


def _instant(body: Reader, key: str, now_s: int, lo: int) -> int | None:
    value = body.data.get(key)
    if isinstance(value, str) and len(value) > _WHEN_CHARS:
        body.add(key, "must be Unix seconds, RFC 3339 text or +PT…")
        return None
    try:
        when = parse_when(body.at(key), value, now_s)
    except InvalidField as exc:
        for path, texts in exc.messages.items():
            for text in texts:
                body.problems.add(path, text)
        return None
    if not lo <= when <= MAX_INSTANT_S:
        body.add(key, "must be from now up to 9999-12-31T23:59:59Z")
        return None
    return when


def _end(body: Reader, kind: EventType, start_s: int, now_s: int) -> int | None:
    if kind in (EventType.GRID_RESTORE, EventType.EV_UNPLUG):
        return start_s
    if body.given("duration_s"):
        return start_s + body.integer("duration_s", 0, 1, 400 * 86_400)
    if body.given("end"):
        end = _instant(body, "end", now_s, now_s)
        if end is not None and end <= start_s:
            body.add("end", "must be after the start")
        return end
    if kind in _NEEDS_END:
        body.add("duration_s", "give duration_s or end")
    return None


def _vehicle(body: Reader, vehicles: Sequence[Vehicle]) -> dict[str, Any]:
    """The charged vehicle's members of an ev_plug_in's params: a scenario's vehicle (the
    one named, else the first), or with none in the scenario whichever the body names."""
    if not vehicles:
        return {"vehicle_id": body.text("vehicle_id", _DEFAULT_VEHICLE, NAME_CHARS["vehicle_id"]),
                "vin": body.text("vin", "5YJ3E1EA7KF000001", 17)}
    vehicle = vehicles[0]
    if body.given("vehicle_id"):
        named = [v for v in vehicles if v.id.lower() == str(body.data["vehicle_id"]).lower()]
        if not named:
            body.add("vehicle_id", "must name one of the scenario's vehicles: "
                                   + ", ".join(v.id for v in vehicles))
        vehicle = named[0] if named else vehicle
    if body.given("vin") and body.data["vin"] != vehicle.vin:
        body.add("vin", f"vehicle {vehicle.id} has VIN {vehicle.vin}")
    return {"vehicle_id": vehicle.id, "vin": vehicle.vin, "vehicle_max_w": vehicle.max_charge_w}


def _params(body: Reader, kind: EventType, now_s: int,
            vehicles: Sequence[Vehicle] = ()) -> dict[str, Any]:
    if kind is EventType.EV_PLUG_IN:
        params: dict[str, Any] = {
            **_vehicle(body, vehicles),
            "energy_wh": body.integer("energy_wh", 20_000, 1, 200_000),
        }
        if body.given("max_power_w"):
            params["max_power_w"] = body.integer("max_power_w", 1440, 1440, 50_000)
        if body.given("scheduled_start"):
            params["scheduled_start_s"] = _instant(body, "scheduled_start", now_s, 0)
        return params
    if kind is EventType.LOAD_SPIKE:
        return {"power_w": body.integer("power_w", 1, 1, 100_000)}
    if kind is EventType.SKY:
        sky = body.choice("sky", "tmy", SKIES)
        value = body.data.get("date")
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None or day < _FIRST_DAY:
            body.add("date", "must be a local date YYYY-MM-DD from 2000-01-01")
            return {}
        return {"sky": sky, "date": day.isoformat()}
    return {}


def _validated(body: Mapping[str, Any], now_s: int, extra: Sequence[str] = (),
               vehicles: Sequence[Vehicle] = ()) -> _Event:
    """The event of ``body`` at ``now_s``; raises InvalidField listing every problem.
    ``extra``: members the caller reads itself (``sites``); ``vehicles``: the scenario's."""
    problems = Problems()
    head = Reader(problems, body, "")
    types = tuple(t.value for t in EventType)
    text = body.get("type")
    if not isinstance(text, str) or text not in types:
        head.add("type", f"must be one of {', '.join(types)}")
        problems.raise_if_any()
    kind = EventType(str(text))
    reader = Reader(problems, body, "", ("type", "at", *_MEMBERS[kind], *extra))
    start = now_s
    if reader.given("at"):
        start = _instant(reader, "at", now_s, now_s) or now_s
    params = _params(reader, kind, now_s, vehicles)
    end = None if kind is EventType.SKY else _end(reader, kind, start, now_s)
    din = reader.optional_text("din", NAME_CHARS["din"]) if kind in (
        EventType.EV_PLUG_IN, EventType.EV_UNPLUG, EventType.WC_FAULT) else None
    problems.raise_if_any()
    return _Event(kind, start, end, params, din)


def _row(event: _Event, site_id: int, dins: list[str]) -> dict[str, Any]:
    params = dict(event.params)
    if event.kind in (EventType.EV_PLUG_IN, EventType.EV_UNPLUG, EventType.WC_FAULT):
        din = event.din or (dins[0] if len(dins) == 1 else None)
        if din not in dins:
            raise InvalidField.for_field("din", "must name one of the site's Wall Connectors")
        params = {"din": din, **params}
    return {"id": uuid.uuid4().hex[:16], "site_id": site_id, "type": event.kind.value,
            "start_s": event.start_s, "end_s": event.end_s, "params_json": jsonio.dumps(params)}


@contextmanager
def _sites_tx(world: World, site_ids: Sequence[int]) -> Iterator[Tx]:
    """One transaction holding every listed site's locks, taken in id order."""
    with ExitStack() as stack:
        for site_id in sorted(set(site_ids)):
            stack.enter_context(world.site_lock(site_id))
        tx = stack.enter_context(world.store.tx())
        for site_id in sorted(set(site_ids)):
            tx.lock_site(site_id)
        yield tx


def create_events(world: World, site_ids: Sequence[int], body: Mapping[str, Any],
                  extra: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Validate ``body`` and store it as one event per site, all in one transaction."""
    now = world.now_s()
    plug_in = body.get("type") == EventType.EV_PLUG_IN.value
    event = _validated(body, now, extra, world_vehicles(world) if plug_in else ())
    rows = []
    with _sites_tx(world, site_ids) as tx:
        for site_id in site_ids:
            site = advance_site(tx, site_id, now)
            if site is None:
                raise NotFound()
            tx.decoded[site_id] = site  # its spec and controls, for the products item hook
            rows.append(_insert(tx, event, _row(event, site_id,
                                                [wc.din for wc in site.spec.wall_connectors])))
    return rows


def _insert(tx: Tx, event: _Event, row: dict[str, Any]) -> dict[str, Any]:
    """Store one checked row (a restore first ends the site's outages); its JSON form."""
    if event.kind is EventType.GRID_RESTORE:
        for e in tx.list_events(row["site_id"]):
            if e["type"] == "grid_outage" and e["start_s"] <= event.start_s and (
                    e["end_s"] is None or e["end_s"] > event.start_s):
                tx.update_event_end(e["id"], event.start_s)
    tx.insert_event(**row)
    return {"id": row["id"], "site_id": row["site_id"], "type": row["type"],
            "start": row["start_s"], "end": row["end_s"],
            "params": jsonio.loads(row["params_json"], decimals=False)}


@dataclass(frozen=True)
class NewEvent:
    """An event checked for one site (its Wall Connector ``dins``), not yet stored."""

    event: _Event
    dins: tuple[str, ...]


def build_event(body: Mapping[str, Any], dins: Sequence[str], now_s: int,
                vehicles: Sequence[Vehicle] = ()) -> NewEvent:
    """Check an event body for a site with these Wall Connectors at ``now_s`` in a world
    with these vehicles (scenarios check every event before anything is stored)."""
    event = _validated(body, now_s, vehicles=vehicles)
    _row(event, 0, list(dins))  # the connector choice is refused now, not at store time
    return NewEvent(event, tuple(dins))


def store_event(tx: Tx, site_id: int, new: NewEvent) -> dict[str, Any]:
    """Store a checked event in ``tx``; returns its JSON form."""
    return _insert(tx, new.event, _row(new.event, site_id, list(new.dins)))


def create_event(world: World, site_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store one event for one site; returns its JSON form."""
    return create_events(world, [site_id], body)[0]


def _state(e: Mapping[str, Any], now_s: int) -> str:
    if e["start_s"] > now_s:
        return "pending"
    if (e["end_s"] is None and e["type"] in _ENDED) or (e["end_s"] is not None and e["end_s"] > now_s):
        return "active"
    return "done"


def list_events(world: World, filters: Mapping[str, str]) -> list[dict[str, Any]]:
    """Events, optionally of one site (``site_id``) and in one state (``state``)."""
    site_text = filters.get("site_id") or None  # empty means no filter
    if site_text is not None and not (site_text.isascii() and site_text.isdigit()
                                      and len(site_text) <= 16):
        raise InvalidField.for_field("site_id", "must be an energy site id")
    state = filters.get("state") or None
    if state is not None and state not in EVENT_STATES:
        raise InvalidField.for_field("state", f"must be one of {', '.join(EVENT_STATES)}")
    now = world.now_s()
    with world.store.tx() as tx:
        rows = tx.list_events(None if site_text is None else int(site_text))
    out = [{"id": e["id"], "site_id": e["site_id"], "type": e["type"], "start": e["start_s"],
            "end": e["end_s"], "params": jsonio.loads(e["params_json"], decimals=False),
            "state": _state(e, now)} for e in rows]
    return [e for e in out if state is None or e["state"] == state]


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
