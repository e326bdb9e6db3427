"""``POST /api/1/energy_sites/{id}/command``: the gateway requests tesla-fleet-api sends.

The body is ``{"command_type": "grpc_command", "command_properties": {"message":
{category: {request: params}}, "identifier_type": 1}}``. Each supported request is either a
read (scope energy_device_data or energy_cmds) or a write (energy_cmds). A manual backup
event is the control plane's ``island`` event: scheduling one creates it, cancelling ends it.
``set_island_mode`` operates the contactor only on a site with ``signed_commands`` on (real
gateways act only on signed requests): off grid is an open-ended ``island`` event, kept apart
from the manual backups by its id in the command log, and reconnecting ends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField
from gridtwin.domain.events import EventType
from gridtwin.domain.site import SiteKind
from gridtwin.services.auth import ENERGY_CMDS, ENERGY_DATA, Principal, require_scope
from gridtwin.services.calendar_parse import parse_when
from gridtwin.services.emulator.events import create_event, delete_event, list_events
from gridtwin.services.sites import SiteView, view_site, with_site
from gridtwin.services.world import World
from gridtwin.store.repository import Tx

__all__ = [
    "READS",
    "WRITES",
    "BackupEvents",
    "GatewayRequest",
    "ManualBackup",
    "PastBackup",
    "backup_events",
    "cancel_manual_backup",
    "gateway_view",
    "parse_request",
    "schedule_manual_backup",
    "set_island_mode",
]

READS: frozenset[tuple[str, str]] = frozenset({
    ("common", "get_system_info_request"),
    ("common", "get_networking_status_request"),
    ("common", "check_internet_request"),
    ("common", "check_for_update_request"),
    ("common", "check_for_update_urgency_request"),
    ("teg", "get_backup_events_request"),
    ("teg", "get_config_request"),
})
WRITES: frozenset[tuple[str, str]] = frozenset({
    ("teg", "schedule_manual_backup_event_request"),
    ("teg", "cancel_manual_backup_event_request"),
    ("teg", "set_island_mode_request"),
})
ON_GRID, PREFERENCE, OFF_GRID = 1, 2, 6
ISLAND_MODES = (ON_GRID, PREFERENCE, OFF_GRID)
"""setIslandModeRequest modes the client knows: 1 on grid, 2 preference only, 6 off grid
(tesla-fleet-api's ``EnergyIslandMode``; 2 never operates the contactor)."""
DEFAULT_BACKUP_S = 7200
"""Length of a manual backup scheduled without ``duration_seconds`` [s] (gridtwin's choice,
pypowerwall's default for its max-backup helper)."""
MAX_BACKUP_S = 7 * 86_400
_SCHEDULE = "schedule_manual_backup_event_request"
_ISLAND_MODE = "set_island_mode_request"


@dataclass(frozen=True)
class GatewayRequest:
    category: str
    name: str
    params: dict[str, Any]

    @property
    def is_write(self) -> bool:
        return (self.category, self.name) in WRITES


@dataclass(frozen=True)
class ManualBackup:
    event_id: str
    start_s: int
    duration_s: int
    priority: int


@dataclass(frozen=True)
class PastBackup:
    start_s: int
    duration_s: int
    intentional: bool


@dataclass(frozen=True)
class BackupEvents:
    manual: ManualBackup | None
    past: list[PastBackup]


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidField.for_field(path, "must be an object")
    return value


def _single(value: Any, path: str) -> tuple[str, Any]:
    obj = _object(value, path)
    if len(obj) != 1:
        raise InvalidField.for_field(path, "must have exactly one member")
    return next(iter(obj.items()))


def parse_request(body: Mapping[str, Any]) -> GatewayRequest:
    """The request named by the body, or a 400 naming what is wrong or unsupported."""
    if body.get("command_type") != "grpc_command":
        raise InvalidField.for_field("command_type", "must be grpc_command")
    props = _object(body.get("command_properties"), "command_properties")
    ident = props.get("identifier_type", 1)
    if isinstance(ident, bool) or ident not in (1, 2):
        raise InvalidField.for_field(
            "command_properties.identifier_type", "must be 1 (gateway DIN) or 2 (site UUID)")
    category, inner = _single(props.get("message"), "command_properties.message")
    name, params = _single(inner, f"command_properties.message.{category}")
    params = {} if params is None else _object(params, f"command_properties.message.{category}.{name}")
    if (category, name) not in READS | WRITES:
        supported = ", ".join(f"{c}.{n}" for c, n in sorted(READS | WRITES))
        raise InvalidField.for_field(
            f"command_properties.message.{category}.{name}",
            f"unsupported request; gridtwin answers {supported}")
    return GatewayRequest(category, name, params)


def gateway_view(world: World, principal: Principal, site_id: int, request: GatewayRequest) -> SiteView:
    """The owned site as of now, after the scope check for ``request``; 400 without a gateway."""
    if request.is_write:
        require_scope(principal, ENERGY_CMDS)
    view = view_site(world, principal, site_id)
    if view.spec.kind is not SiteKind.BATTERY or not view.spec.has_battery:
        raise InvalidField("site has no Tesla Energy Gateway",
                           {"site": ["site has no Tesla Energy Gateway"]})
    return view


def require_command_scope(principal: Principal) -> None:
    """Before the site lookup: a read needs either energy scope (writes check again); a
    token with neither is told it lacks energy_cmds, the command scope."""
    require_scope(principal, ENERGY_CMDS, ENERGY_DATA)


def _uint(params: Mapping[str, Any], key: str, lo: int, hi: int, path: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidField.for_field(f"{path}.{key}", f"must be an integer {lo}-{hi}")
    return value


def _start(info: Mapping[str, Any], now_s: int) -> int | None:
    value = info.get("start_time")
    if value is None:
        return None
    if isinstance(value, dict):  # protobuf Timestamp as an object
        value = value.get("seconds")
    return parse_when("scheduling_info.start_time", value, now_s)


def _log(world: World, principal: Principal, site_id: int, name: str, body: Mapping[str, Any]) -> None:
    def run(tx: Tx, view: SiteView) -> None:
        tx.log_command(view.site_id, view.now_s, name, jsonio.dumps(dict(body)))

    with_site(world, principal, site_id, run)


def _open_islands(world: World, site_id: int) -> list[dict[str, Any]]:
    """The site's pending or active island events, earliest first."""
    events = list_events(world, {"site_id": str(site_id)})
    return [e for e in events if e["type"] == EventType.ISLAND.value and e["state"] in ("pending", "active")]


def _off_grid_ids(world: World, site_id: int) -> set[str]:
    """Ids of the island events ``set_island_mode`` created (its command log names them)."""
    with world.store.peek() as tx:
        rows = tx.command_log(site_id)
    ids = set()
    for row in rows:
        if row["command"] == _ISLAND_MODE:
            event_id = jsonio.loads(row["body_json"], decimals=False).get("event_id")
            if event_id is not None:
                ids.add(str(event_id))
    return ids


def _manual_events(world: World, site_id: int) -> list[dict[str, Any]]:
    """The site's pending or active island events but the forced off-grid ones."""
    forced = _off_grid_ids(world, site_id)
    return [e for e in _open_islands(world, site_id) if e["id"] not in forced]


def _off_grid_events(world: World, site_id: int) -> list[dict[str, Any]]:
    """The site's active island events opened by ``set_island_mode``."""
    forced = _off_grid_ids(world, site_id)
    return [e for e in _open_islands(world, site_id) if e["id"] in forced]


def schedule_manual_backup(world: World, principal: Principal, view: SiteView,
                           params: Mapping[str, Any]) -> ManualBackup:
    """Replace any pending or active manual backup with a new island event."""
    if not view.spec.has_backup:
        raise InvalidField("site cannot island (no backup)", {"site": ["site has no backup"]})
    path = f"teg.{_SCHEDULE}.scheduling_info"
    info = _object(params.get("scheduling_info", {}), path)
    now = view.now_s
    start = _start(info, now)
    duration = _uint(info, "duration_seconds", 1, MAX_BACKUP_S, path) or DEFAULT_BACKUP_S
    priority = _uint(info, "priority", 0, (1 << 64) - 1, path) or 0
    begin = now if start is None else start
    end = begin + duration
    if end <= now:
        raise InvalidField.for_field(f"{path}.start_time", "the event would already be over")
    begin = max(begin, now)  # a start in the past begins at once and keeps its end
    for old in _manual_events(world, view.site_id):
        delete_event(world, old["id"])
    event = create_event(world, view.site_id, {
        "type": EventType.ISLAND.value, "at": begin, "duration_s": end - begin})
    _log(world, principal, view.site_id, _SCHEDULE,
         {"event_id": event["id"], "start_s": begin, "duration_s": end - begin, "priority": priority})
    return ManualBackup(event["id"], begin, end - begin, priority)


def cancel_manual_backup(world: World, principal: Principal, view: SiteView) -> int:
    """End the active and drop the pending manual backups; returns how many were touched."""
    events = _manual_events(world, view.site_id)
    for event in events:
        delete_event(world, event["id"])
    _log(world, principal, view.site_id, "cancel_manual_backup_event_request",
         {"event_ids": [e["id"] for e in events]})
    return len(events)


def _priorities(tx: Tx, site_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in tx.command_log(site_id):
        if row["command"] == _SCHEDULE:
            body = jsonio.loads(row["body_json"], decimals=False)
            out[str(body.get("event_id"))] = int(body.get("priority", 0))
    return out


def backup_events(world: World, principal: Principal, view: SiteView) -> BackupEvents:
    """The current manual backup (if any) and every stored off-grid period, oldest first."""
    manual_rows = _manual_events(world, view.site_id)

    def run(tx: Tx, current: SiteView) -> tuple[list[PastBackup], dict[str, int]]:
        past = []
        for row in tx.list_backups(current.site_id):
            start = int(row["start_s"])
            end = current.now_s if row["end_s"] is None else int(row["end_s"])
            past.append(PastBackup(start, end - start, bool(row["intentional"])))
        return past, _priorities(tx, current.site_id)

    past, priorities = with_site(world, principal, view.site_id, run)
    manual = None
    if manual_rows:
        e = manual_rows[0]
        end = e["end"] if e["end"] is not None else e["start"] + DEFAULT_BACKUP_S
        manual = ManualBackup(e["id"], e["start"], end - e["start"], priorities.get(e["id"], 0))
    return BackupEvents(manual, past)


def _operate_contactor(world: World, view: SiteView, mode: int, force: bool) -> dict[str, Any]:
    """A signed request's effect: off grid (mode 6 with force) opens an island with no end,
    on grid (mode 1) ends it; mode 2, or 6 without force, changes nothing (as on real
    gateways). Returns what to add to the logged body."""
    if mode == ON_GRID:
        ended = _off_grid_events(world, view.site_id)
        for event in ended:
            delete_event(world, event["id"])
        return {"ended": [e["id"] for e in ended]}
    if mode != OFF_GRID or not force:
        return {}
    if not view.spec.has_backup:
        raise InvalidField("site cannot island (no backup)", {"site": ["site has no backup"]})
    if _off_grid_events(world, view.site_id):
        return {}  # already off grid: the open island goes on
    event = create_event(world, view.site_id, {"type": EventType.ISLAND.value})  # from now
    return {"event_id": event["id"]}


def set_island_mode(world: World, principal: Principal, view: SiteView, params: Mapping[str, Any]) -> int:
    """Validate and log an island-mode request; returns the mode. Real gateways acknowledge
    an unsigned one without operating the contactor, so the simulation changes only on a
    site whose scenario emulates signed commands (``signed_commands``)."""
    path = f"teg.{_ISLAND_MODE}"
    mode = _uint(params, "mode", 0, 1 << 31, path)
    if mode not in ISLAND_MODES:
        raise InvalidField.for_field(f"{path}.mode", "must be 1 (on grid), 2 or 6 (off grid)")
    force = params.get("force", False)
    if not isinstance(force, bool):
        raise InvalidField.for_field(f"{path}.force", "must be a boolean")
    body: dict[str, Any] = {"mode": mode, "force": force}
    if view.spec.signed_commands:
        body.update(_operate_contactor(world, view, mode, force))
    _log(world, principal, view.site_id, _ISLAND_MODE, body)
    return mode
