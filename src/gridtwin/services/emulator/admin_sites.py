"""Control-plane site operations (emulator §5 site knobs; tokens are in tokens.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.domain.codec import controls_to_dict, spec_to_dict
from gridtwin.domain.profile import Profile, Quirk
from gridtwin.services.auth import ensure_user
from gridtwin.services.commands import store_tariff
from gridtwin.services.emulator.describe import parse_site
from gridtwin.services.provision import create_site
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import app_percent, initial_state
from gridtwin.sim.runner import advance_site

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
        events = [e for e in tx.list_events(site_id)
                  if e["end_s"] is None or e["end_s"] > site.state.t_s]
    st = site.state
    return {
        "energy_site_id": site_id, "owner": site.row.user_id, "type": site.spec.kind.value,
        "name": site.spec.name, "time_zone": site.spec.time_zone, "profile": site.spec.profile.value,
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


def list_sites(world: World) -> list[dict[str, Any]]:
    with world.store.tx() as tx:
        ids = [row.energy_site_id for row in tx.list_sites()]
    return [_summary(world, i) for i in ids]


def site_state(world: World, site_id: int) -> dict[str, Any]:
    return _summary(world, site_id)


def create_from_description(world: World, data: dict[str, Any]) -> dict[str, Any]:
    with world.store.tx() as tx:
        index = tx.next_site_position()
    desc = parse_site(data, seed=world.seed, now_s=world.now_s(), index=index)
    with world.store.tx() as tx:
        if tx.get_site(desc.spec.energy_site_id) is not None:
            raise InvalidField.for_field("energy_site_id", "a site with this id exists")
    owner = str(data.get("owner") or "demo")
    create_site(world, owner, desc.spec, desc.controls, desc.app_pct)
    if desc.tariff is not None:
        store_tariff(world, desc.spec.energy_site_id, desc.tariff)
    return _summary(world, desc.spec.energy_site_id)


def delete_site(world: World, site_id: int) -> None:
    with world.site_tx(site_id) as tx:
        if tx.get_site(site_id) is None:
            raise NotFound()
        tx.delete_site(site_id)


_KNOBS = ("app_pct", "profile", "quirks", "settings", "components", "sky", "owner")


def patch_site(world: World, site_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Apply site knobs at the current sim instant."""
    unknown = [k for k in data if k not in _KNOBS]
    if unknown:
        raise InvalidField.for_field(unknown[0], f"unknown knob; one of {', '.join(_KNOBS)}")
    with world.site_tx(site_id) as tx:
        site = advance_site(tx, site_id, world.now_s())
        if site is None:
            raise NotFound()
        spec = site.spec
        if "profile" in data:
            if data["profile"] not in ("documented", "observed"):
                raise InvalidField.for_field("profile", "must be documented or observed")
            spec = replace(spec, profile=Profile(data["profile"]))
        if "quirks" in data:
            q = data["quirks"]
            if not isinstance(q, dict) or any(k not in {x.value for x in Quirk} for k in q):
                raise InvalidField.for_field("quirks", "must map known quirk ids to booleans")
            merged = {**dict(spec.quirks), **{k: bool(v) for k, v in q.items()}}
            spec = replace(spec, quirks=tuple(merged.items()))
        if "components" in data:
            if not isinstance(data["components"], dict):
                raise InvalidField.for_field("components", "must be an object")
            spec = replace(spec, components=tuple({**dict(spec.components), **data["components"]}.items()))
        if "sky" in data:
            spec = replace(spec, sky=str(data["sky"]))
        if spec != site.spec:
            tx.save_spec(site_id, jsonio.dumps(spec_to_dict(spec)))
        if "settings" in data:
            desc = parse_site({"time_zone": spec.time_zone, "settings": {
                **_wire_settings(site.controls), **data["settings"]}},
                seed=world.seed, now_s=world.now_s(), index=0)
            tx.save_controls(site_id, jsonio.dumps(controls_to_dict(desc.controls)))
        if "app_pct" in data:
            pct = data["app_pct"]
            if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
                raise InvalidField.for_field("app_pct", "must be a number 0-100")
            fresh = initial_state(spec, site.state.t_s, float(pct))
            state = replace(site.state, energy_wh=fresh.energy_wh, decision_key="")
            tx.save_state(site_id, jsonio.dumps(state_to_dict(state)), state.t_s)
            tx.bump_version(site_id)
        if "owner" in data:
            ensure_user(world, str(data["owner"]))
            tx.set_site_owner(site_id, str(data["owner"]))
    return _summary(world, site_id)


def _wire_settings(c: Any) -> dict[str, Any]:
    return {
        "backup_reserve_percent": c.backup_reserve_pct, "default_real_mode": c.mode.value,
        "storm_mode_enabled": c.storm_mode_enabled,
        "customer_preferred_export_rule": c.export_rule.value,
        "disallow_charge_from_grid_with_solar_installed": not c.grid_charging_allowed,
        "off_grid_vehicle_charging_reserve_percent": c.ev_reserve_pct,
        "optimization_strategy": c.strategy.value,
    }
