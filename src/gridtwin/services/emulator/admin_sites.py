"""Control-plane site operations (emulator §5 site knobs; tokens are in tokens.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.clock import wall_now_s
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    DEFAULT_REAL_MODE,
    EV_RESERVE_PERCENT,
    STORM_MODE_ENABLED,
)
from gridtwin.domain.catalogue_nested import (
    EXPORT_RULE,
    GRID_CHARGING_DISALLOWED,
    OPTIMIZATION_STRATEGY,
)
from gridtwin.domain.codec import controls_to_dict, spec_to_dict
from gridtwin.domain.profile import Profile
from gridtwin.services.emulator.describe import (
    SETTING_KEYS,
    SKIES,
    check_components,
    parse_settings,
    parse_site,
    read_quirks,
)
from gridtwin.services.emulator.inputs import NAME_CHARS, Problems, Reader
from gridtwin.services.history_kinds import APP_PCT_EDIT, app_pct_edit_body
from gridtwin.services.provision import DEMO_USER
from gridtwin.services.weather import weather_used
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import app_percent, initial_state
from gridtwin.sim.runner import advance_site
from gridtwin.store.repository import SiteRow, Tx

PROFILES = tuple(p.value for p in Profile)

__all__ = [
    "create_from_description",
    "delete_site",
    "list_sites",
    "patch_site",
    "site_state",
]


def _summary(world: World, site_id: int) -> dict[str, Any]:
    with world.site_tx(site_id) as tx:
        site = advance_site(tx, site_id, world.now_s())
        if site is None:
            raise NotFound()
        tx.decoded[site_id] = site  # its spec and controls, for the products item hook
        events = [e for e in tx.list_events(site_id)
                  if e["end_s"] is None or e["end_s"] > site.state.t_s]
    st = site.state
    return {
        "energy_site_id": site_id, "owner": site.row.user_id, "type": site.spec.kind.value,
        "name": site.spec.name, "time_zone": site.spec.time_zone, "profile": site.spec.profile.value,
        "signed_commands": site.spec.signed_commands,
        "weather": weather_used(site.spec.location).as_dict(),
        "sim_time": st.t_s, "energy_wh": st.energy_wh,
        "app_pct": app_percent(site.spec, st.energy_wh) if site.spec.has_battery else 0.0,
        "powers": {"solar": st.solar_w, "battery": st.battery_w, "grid": st.grid_w,
                   "generator": st.generator_w, "load": st.load_w,
                   "wall_connectors": list(st.wall_connector_w)},
        "controller_state": st.controller_state, "islanded": st.islanded, "dark": st.dark,
        "unserved_wh": st.unserved_wh, "settings": controls_to_dict(site.controls),
        "active_events": [{"id": e["id"], "type": e["type"], "start": e["start_s"],
                           "end": e["end_s"]} for e in events],
        "sessions": [s.__dict__ for s in st.sessions],
    }


DEFAULT_PAGE = 100
MAX_PAGE = 1_000
"""Sites per page of ``GET /_gridtwin/sites``: each listed site is brought to now."""


def _page_size(text: str | None) -> int:
    if text is None:
        return DEFAULT_PAGE
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise InvalidField.for_field("limit", f"must be an integer from 1 to {MAX_PAGE}")
    return int(text)


def _cursor(text: str | None) -> tuple[int, int] | None:
    """``next_cursor`` of the previous page: ``<position>-<site id>`` of its last site."""
    if text is None:
        return None
    pos, _, sid = text.partition("-")
    if not (pos.isascii() and pos.isdigit() and sid.isascii() and sid.isdigit()
            and len(pos) <= 18 and len(sid) <= 18):
        raise InvalidField.for_field("cursor", "must be a next_cursor of a previous page")
    return int(pos), int(sid)


def list_sites(world: World, limit: str | None = None,
               cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of sites in list order, each brought to now, and the cursor of the next
    page (None after the last): the cost is the page's, not the world's."""
    size, after = _page_size(limit), _cursor(cursor)
    with world.store.peek() as tx:
        rows = tx.site_page(after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    # A site deleted meanwhile is left out, not an error.
    page = [s for s in (_summary_if_any(world, r.energy_site_id) for r in rows) if s is not None]
    last = rows[-1] if rows else None
    return page, f"{last.position}-{last.energy_site_id}" if more and last else None


def _summary_if_any(world: World, site_id: int) -> dict[str, Any] | None:
    try:
        return _summary(world, site_id)
    except NotFound:
        return None


def site_state(world: World, site_id: int) -> dict[str, Any]:
    return _summary(world, site_id)


def _ensure_owner(tx: Tx, owner: str) -> None:
    """The owner's user row, in the caller's transaction (a second write transaction would
    wait for this one on SQLite)."""
    if tx.get_user(owner) is None:
        tx.insert_user(owner, "NA", wall_now_s())


def create_from_description(world: World, data: dict[str, Any]) -> dict[str, Any]:
    """Validate the whole description (tariff included), then store the site, its owner and
    its tariff in one transaction: a refused description stores nothing."""
    with world.store.tx() as tx:
        index = tx.next_site_position()
    desc = parse_site(data, seed=world.seed, now_s=world.now_s(), index=index)
    spec, owner = desc.spec, desc.owner or DEMO_USER
    state = initial_state(spec, spec.installation_s, desc.app_pct)
    with world.store.tx() as tx:
        if tx.get_site(spec.energy_site_id) is not None:
            raise InvalidField.for_field("site.energy_site_id", "a site with this id exists")
        _ensure_owner(tx, owner)
        tx.insert_site(SiteRow(
            energy_site_id=spec.energy_site_id, user_id=owner, position=tx.next_site_position(),
            spec_json=jsonio.dumps(spec_to_dict(spec)),
            controls_json=jsonio.dumps(controls_to_dict(desc.controls)),
            state_json=jsonio.dumps(state_to_dict(state)), state_t_s=state.t_s,
        ))
        if desc.tariff is not None:
            tx.insert_tariff(spec.energy_site_id, world.now_s(), jsonio.dumps(desc.tariff))
    return _summary(world, spec.energy_site_id)


def delete_site(world: World, site_id: int) -> None:
    with world.site_tx(site_id) as tx:
        if tx.get_site(site_id) is None:
            raise NotFound()
        tx.delete_site(site_id)


_KNOBS = ("app_pct", "profile", "signed_commands", "quirks", "settings", "components", "sky",
          "owner")


@dataclass(frozen=True)
class _Patch:
    """A validated PATCH body: only the members given are set."""

    data: dict[str, Any]
    quirks: dict[str, bool]
    components: tuple[tuple[str, object], ...]


def _validated_patch(data: dict[str, Any]) -> _Patch:
    problems = Problems()
    body = Reader(problems, data, "", _KNOBS)
    for key in data:
        if key in ("profile", "sky"):
            body.choice(key, "", PROFILES if key == "profile" else SKIES)
        elif key == "app_pct":
            body.number(key, 0.0, 0, 100)
        elif key == "owner":
            body.text(key, "", NAME_CHARS["user"])
        elif key == "signed_commands":
            body.flag(key, False)
        elif key == "settings":
            parse_settings(body.child(key, SETTING_KEYS))
    patch = _Patch(data, read_quirks(body), check_components(body.child("components")))
    problems.raise_if_any()
    return patch


def patch_site(world: World, site_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Apply site knobs at the current sim instant, all in one transaction."""
    patch = _validated_patch(data)
    with world.site_tx(site_id) as tx:
        site = advance_site(tx, site_id, world.now_s())
        if site is None:
            raise NotFound()
        tx.decoded[site_id] = site  # its spec and controls, for the products item hook
        spec = site.spec
        if "profile" in data:
            spec = replace(spec, profile=Profile(data["profile"]))
        if patch.quirks:
            spec = replace(spec, quirks=tuple({**dict(spec.quirks), **patch.quirks}.items()))
        if patch.components:
            spec = replace(spec, components=tuple(
                {**dict(spec.components), **dict(patch.components)}.items()))
        if "sky" in data:
            spec = replace(spec, sky=data["sky"])
        if "signed_commands" in data:
            spec = replace(spec, signed_commands=data["signed_commands"])
        if spec != site.spec:
            tx.save_spec(site_id, jsonio.dumps(spec_to_dict(spec)))
        if data.get("settings"):
            merged = {**_wire_settings(site.controls), **data["settings"]}
            controls = parse_settings(Reader(Problems(), merged, "settings"))
            tx.save_controls(site_id, jsonio.dumps(controls_to_dict(controls)))
        if "app_pct" in data:
            fresh = initial_state(spec, site.state.t_s, float(data["app_pct"]))
            state = replace(site.state, energy_wh=fresh.energy_wh, decision_key="")
            tx.save_state(site_id, jsonio.dumps(state_to_dict(state)), state.t_s)
            tx.bump_version(site_id)
            if spec.has_battery:  # not a flow: the soe history before it must not move
                tx.log_command(site_id, state.t_s, APP_PCT_EDIT, jsonio.dumps(
                    app_pct_edit_body(site.state.energy_wh, state.energy_wh)))
        if "owner" in data:
            _ensure_owner(tx, data["owner"])
            tx.set_site_owner(site_id, data["owner"])
    return _summary(world, site_id)


def _wire_settings(c: Any) -> dict[str, Any]:
    return {
        BACKUP_RESERVE_PERCENT.key: c.backup_reserve_pct, DEFAULT_REAL_MODE.key: c.mode.value,
        STORM_MODE_ENABLED.key: c.storm_mode_enabled,
        EXPORT_RULE.key: c.export_rule.value,
        GRID_CHARGING_DISALLOWED.key: not c.grid_charging_allowed,
        EV_RESERVE_PERCENT.key: c.ev_reserve_pct,
        OPTIMIZATION_STRATEGY.key: c.strategy.value,
    }
