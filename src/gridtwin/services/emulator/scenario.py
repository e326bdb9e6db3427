"""Scenarios (emulator §5): load a YAML/JSON document into a fresh world.

Loading wipes users, tokens, sites and history, then builds everything the document
describes; the clock starts at ``clock.start`` and every site is simulated from its
installation up to then (warm-up, capped at 400 days).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from gridtwin.core import jsonio
from gridtwin.core.clock import wall_now_s
from gridtwin.core.errors import InvalidField
from gridtwin.services.auth import ensure_user, mint_access_token, register_client
from gridtwin.services.calendar_parse import parse_duration_s, parse_when
from gridtwin.services.commands import store_tariff
from gridtwin.services.emulator.clock import catch_up_all
from gridtwin.services.emulator.describe import SiteDescription, parse_site
from gridtwin.services.emulator.events import create_event
from gridtwin.services.emulator.faults import rule_from_json
from gridtwin.services.provision import create_site
from gridtwin.services.world import World

__all__ = ["WARMUP_CAP_S", "load_scenario", "parse_document"]

WARMUP_CAP_S = 400 * 86_400


def parse_document(text: str | bytes) -> dict[str, Any]:
    """A scenario from YAML or JSON text."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidField.for_field("scenario", f"not valid YAML/JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise InvalidField.for_field("scenario", "must be an object")
    return doc


def _start(doc: Mapping[str, Any]) -> int:
    clock = doc.get("clock") or {}
    if clock.get("start") is None:
        return wall_now_s() // 60 * 60
    return parse_when("clock.start", clock["start"], wall_now_s())


def _sites(doc: Mapping[str, Any], seed: int, start: int) -> list[SiteDescription]:
    raw = doc.get("sites") or []
    if not isinstance(raw, list):
        raise InvalidField.for_field("sites", "must be a list")
    problems: dict[str, list[str]] = {}
    out = []
    for i, item in enumerate(raw):
        try:
            desc = parse_site(item, seed=seed, now_s=start, index=i, path=f"sites[{i}]")
        except InvalidField as exc:
            for k, v in exc.messages.items():
                problems.setdefault(k, []).extend(v)
            continue
        if start - desc.spec.installation_s > WARMUP_CAP_S:
            from dataclasses import replace

            desc.spec = replace(desc.spec, installation_s=start - WARMUP_CAP_S)
        out.append(desc)
    ids = [d.spec.energy_site_id for d in out]
    if len(set(ids)) != len(ids):
        problems.setdefault("sites", []).append("energy_site_id values must be unique")
    if problems:
        first = next(iter(problems.items()))
        raise InvalidField(f"{first[0]}: {first[1][0]}", problems)
    return out


def _owners(doc: Mapping[str, Any], sites: list[SiteDescription]) -> dict[int, str]:
    owners: dict[int, str] = {}
    for u in doc.get("users") or []:
        for sid in u.get("sites") or []:
            owners[int(sid)] = str(u["id"])
    default = str((doc.get("users") or [{"id": "demo"}])[0]["id"])
    return {d.spec.energy_site_id: owners.get(d.spec.energy_site_id, d.owner or default)
            for d in sites}


def load_scenario(world: World, doc: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the world with ``doc``; returns the minted tokens and site ids."""
    if doc.get("version", 1) != 1:
        raise InvalidField.for_field("version", "must be 1")
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidField.for_field("seed", "must be an integer")
    start = _start(doc)
    sites = _sites(doc, seed, start)
    faults = [rule_from_json(r) for r in doc.get("faults") or []]
    with world.store.tx() as tx:
        tx.wipe_world()
        tx.set_meta("scenario", jsonio.dumps(dict(doc)))
        world.set_seed(seed, tx)
        world.faults.replace_all(faults, tx)
        world.forget_caches(tx)  # tokens of the old world stop verifying in every worker
    world.journal.clear()
    clock = doc.get("clock") or {}
    world.clock.jump_to(start)
    world.clock.set_mode(clock.get("mode", "realtime"), float(clock.get("rate", 1.0)))
    users = doc.get("users") or [{"id": "demo"}]
    for u in users:
        ensure_user(world, str(u["id"]), str(u.get("region", "NA")))
        for c in u.get("clients") or []:
            register_client(world, c["client_id"], c["client_secret"], str(u["id"]),
                            c.get("scopes") or ["openid", "offline_access", "energy_device_data",
                                                "energy_cmds"])
    owners = _owners(doc, sites)
    for d in sites:
        create_site(world, owners[d.spec.energy_site_id], d.spec, d.controls, d.app_pct)
    for d in sites:
        if d.tariff is not None:
            # In force from installation, so warm-up prices with it.
            store_tariff(world, d.spec.energy_site_id, d.tariff, stored_s=d.spec.installation_s)
    catch_up_all(world, start)
    world.save_clock()
    tokens = {}
    for u in users:
        for t in u.get("tokens") or [{"name": "default"}]:
            minted = mint_access_token(world, str(u["id"]), t.get("scopes") or
                                       ["openid", "offline_access", "energy_device_data", "energy_cmds"],
                                       t.get("ttl_s"), name=t.get("name"))
            tokens[f"{u['id']}:{t.get('name', 'default')}"] = minted.access_token
    fired = []
    for e in doc.get("events") or []:
        body = dict(e)
        at = body.get("at")
        if isinstance(at, str) and at.startswith("+"):
            body["at"] = start + parse_duration_s("at", at[1:])
        targets = body.pop("sites", None)
        ids = [d.spec.energy_site_id for d in sites] if targets in (None, "all") else targets
        if "site_id" in body:
            ids = [body.pop("site_id")]
        fired += [create_event(world, int(i), body)["id"] for i in ids]
    return {"seed": seed, "now": start, "sites": [d.spec.energy_site_id for d in sites],
            "tokens": tokens, "events": fired}
