"""Control-plane routes under ``/_gridtwin/`` (spec/emulator.md). Off with ``--no-admin``.

Every call but ``health`` needs ``Authorization: Bearer <admin token>``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from gridtwin import __version__
from gridtwin.api import admin_docs, deps
from gridtwin.api.responses import JSON_TYPE, WireResponse, envelope
from gridtwin.api.wire.products import PRODUCT_ITEMS
from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, NotFound, Unauthenticated
from gridtwin.services.emulator import (
    admin_sites,
    clock,
    events,
    faults,
    presets,
    ratelimit,
    redaction,
    scenario,
    snapshot,
    tokens,
)
from gridtwin.services.product_items import refresh_items
from gridtwin.services.world import World

__all__ = ["router"]


def require_admin(request: Request) -> World:
    world = deps.world_of(request)
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not world.admin_token_ok(given):
        raise Unauthenticated("Admin token is missing or wrong")
    return world


def _secrets_wanted(q: dict[str, str]) -> bool:
    """``?secrets=1`` (or true): show secrets in a read-back; the admin token is checked first."""
    return q.get("secrets", "").lower() in ("1", "true")


async def body(request: Request) -> dict[str, Any]:
    return deps.parse_json_object(await request.body(), decimals=False)


router = APIRouter(prefix="/_gridtwin")
Admin = Depends(require_admin)
Body = Depends(body)


@router.get("/health")
def health(request: Request) -> WireResponse:
    world = deps.world_of(request)
    with world.store.peek() as tx:
        sites = tx.count_sites()
    return envelope({"status": "ok", "version": __version__, "sim_time": world.now_s(),
                     "clock_mode": world.clock.mode, "sites": sites})


@router.get("/info")
def info(world: World = Admin) -> WireResponse:
    from gridtwin.domain.profile import Quirk

    s = world.settings
    return envelope({
        "public_base_url": s.public_base_url, "version": __version__, "seed": world.seed,
        "profiles": ["documented", "observed"], "quirks": [q.value for q in Quirk],
        "fault_templates": sorted(faults.TEMPLATES),
        "config": {"db": s.db_url.split("@")[-1], "max_body_bytes": s.max_body_bytes,
                   "token_leeway_s": s.token_leeway_s, "check_audience": s.check_audience},
    })


@router.get("/clock")
def get_clock(world: World = Admin) -> WireResponse:
    return envelope(clock.clock_info(world))


@router.put("/clock")
def put_clock(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    result = clock.set_clock(world, data)
    # Only a jump simulates the sites; a mode or rate change leaves their items current.
    return envelope(result if data.get("now") is None else _refreshed(world, result))


@router.post("/clock/advance")
def advance(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(_refreshed(world, clock.advance_clock(world, data)))


@router.get("/sites")
def list_sites(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> WireResponse:
    page, cursor = admin_sites.list_sites(world, q.get("limit"), q.get("cursor"))
    return envelope(page, count=len(page), next_cursor=cursor)


@router.post("/sites")
def create_site(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(admin_sites.create_from_description(world, data))


@router.get("/sites/{site_id}")
def get_site(site_id: str, world: World = Admin) -> WireResponse:
    return envelope(admin_sites.site_state(world, _id(site_id)))


@router.patch("/sites/{site_id}")
def patch_site(site_id: str, world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(admin_sites.patch_site(world, _id(site_id), data))


@router.delete("/sites/{site_id}")
def delete_site(site_id: str, world: World = Admin) -> WireResponse:
    admin_sites.delete_site(world, _id(site_id))
    return envelope({"deleted": _id(site_id)})


@router.post("/sites/{site_id}/events")
def site_event(site_id: str, world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(events.create_event(world, _id(site_id), data))


@router.post("/events")
def multi_event(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    targets = data.get("sites", "all")
    with world.store.tx() as tx:
        known = tx.site_ids()
    if targets == "all":
        ids = known
    elif isinstance(targets, list) and all(
            isinstance(x, int) and not isinstance(x, bool) and x in set(known) for x in targets):
        ids = list(dict.fromkeys(targets))
    else:
        raise InvalidField.for_field("sites", 'must be "all" or a list of site ids')
    return envelope(events.create_events(world, ids, data, extra=("sites",)))


@router.get("/events")
def get_events(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> WireResponse:
    return envelope(events.list_events(world, q))


@router.delete("/events/{event_id}")
def end_event(event_id: str, world: World = Admin) -> WireResponse:
    return envelope(events.delete_event(world, event_id))


@router.get("/faults")
def get_faults(world: World = Admin) -> WireResponse:
    return envelope([r.to_json() for r in world.faults.rules()])


@router.post("/faults")
def add_fault(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    rule = faults.rule_from_json(data)
    world.faults.append(rule)
    return envelope(rule.to_json())


@router.put("/faults")
async def put_faults(request: Request, world: World = Admin) -> WireResponse:
    try:
        data = jsonio.loads(await request.body() or b"[]", decimals=False)
    except (jsonio.JsonError, ValueError, RecursionError) as exc:
        raise InvalidField.for_field("rules", "must be a JSON list of rules") from exc
    if not isinstance(data, list):
        raise InvalidField.for_field("rules", "must be a list of rules")
    rules = []
    for i, item in enumerate(data):
        try:
            rules.append(faults.rule_from_json(item))
        except InvalidField as exc:
            raise InvalidField.for_field(f"rules[{i}].{next(iter(exc.messages))}",
                                         exc.messages[next(iter(exc.messages))][0]) from exc
    world.faults.replace_all(rules)
    return envelope([r.to_json() for r in rules])


@router.delete("/faults")
def clear_faults(world: World = Admin) -> WireResponse:
    world.faults.replace_all([])
    return envelope([])


@router.delete("/faults/{rule_id}")
def delete_fault(rule_id: str, world: World = Admin) -> WireResponse:
    if not world.faults.remove(rule_id):
        raise NotFound()
    return envelope({"deleted": rule_id})


@router.post("/tokens")
def mint(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(tokens.mint_token(world, data))


@router.get("/tokens")
def list_tokens(world: World = Admin) -> WireResponse:
    with world.store.tx() as tx:
        rows = tx.list_tokens()
    return envelope([{k: v for k, v in r.items()} for r in rows])


@router.post("/tokens/revoke")
def revoke(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope({"revoked": tokens.revoke_token(world, data)})


@router.get("/requests")
def requests(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> WireResponse:
    return envelope(world.journal.query(q))


@router.get("/requests/count")
def requests_count(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> WireResponse:
    return envelope({"count": len(world.journal.query(q))})


@router.get("/requests.jsonl")
def requests_jsonl(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> Response:
    lines = "".join(jsonio.dumps(e) + "\n" for e in world.journal.query(q))
    return Response(lines, media_type="application/x-ndjson")


@router.delete("/requests")
def clear_requests(world: World = Admin) -> WireResponse:
    world.journal.clear()
    return envelope({"cleared": True})


def _refreshed(world: World, result: dict[str, Any]) -> dict[str, Any]:
    """``result``, once every site's stored products item is current: after a reset, an
    import or a clock move, the first ``products`` reads items instead of rendering a
    user's every site (services/product_items.py; a scenario stores them as it loads)."""
    refresh_items(world, PRODUCT_ITEMS)
    return result


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 16:
        raise NotFound()
    return int(text)


@router.post("/reset")
def reset(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(_refreshed(world, snapshot.reset_world(world, data)))


@router.post("/seed")
def seed(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    return envelope(_refreshed(world, snapshot.reseed(world, data)))


@router.get("/state")
def get_state(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> Response:
    # Streamed: a large world must not be built in memory as one body.
    return StreamingResponse(snapshot.export_chunks(world, secrets=_secrets_wanted(q)),
                             media_type=JSON_TYPE)


@router.post("/state")
async def post_state(request: Request, world: World = Admin) -> WireResponse:
    data = deps.parse_json_object(await request.body(), decimals=False)
    snap = data.get("response", data)
    if not isinstance(snap, dict):
        raise InvalidField.for_field("state", "must be a state snapshot object")
    # Off the event loop: an import rewrites every table and may simulate.
    result = await run_in_threadpool(snapshot.import_state, world, snap)
    return envelope(await run_in_threadpool(_refreshed, world, result))


@router.get("/scenario")
def get_scenario(world: World = Admin, q: dict[str, str] = Depends(deps.query)) -> WireResponse:
    with world.store.tx() as tx:
        text = tx.get_meta("scenario")
    doc = None if text is None else jsonio.loads(text, decimals=False)
    return envelope(doc if _secrets_wanted(q) else redaction.redact_scenario(doc))


@router.post("/scenario")
async def post_scenario(request: Request, world: World = Admin) -> WireResponse:
    doc = scenario.parse_document(await request.body())
    # Off the event loop: a load warms every site up (up to 400 days of simulation each).
    return envelope(await run_in_threadpool(scenario.load_scenario, world, doc, PRODUCT_ITEMS))


@router.get("/presets")
def get_presets(world: World = Admin) -> WireResponse:
    return envelope(presets.describe())


@router.post("/presets/{name}")
def load_preset(name: str, world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    if name not in presets.PRESETS:
        raise NotFound()
    doc = presets.preset(name, data.get("seed"), data.get("start"))
    return envelope(scenario.load_scenario(world, doc, PRODUCT_ITEMS))


@router.get("/rate-limits")
def get_rate_limits(world: World = Admin) -> WireResponse:
    return envelope({"config": world.limits.config, "presets": sorted(ratelimit.PRESETS)})


@router.put("/rate-limits")
def put_rate_limits(world: World = Admin, data: dict[str, Any] = Body) -> WireResponse:
    config = data.get("preset", data.get("rules"))
    if config is None:
        raise InvalidField.for_field("preset", "give a preset name or rules")
    world.limits.configure(config)
    return envelope({"config": world.limits.config})


admin_docs.apply(router)
