"""``calendar_history`` and ``telemetry_history`` (wire-format §9–§11)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from gridtwin.api import deps
from gridtwin.api.responses import JSON_TYPE, WireResponse, envelope
from gridtwin.api.wire.history import energy_reply_json, render_backup, render_charge
from gridtwin.api.wire.history_kinds import render_kind
from gridtwin.api.wire.models import (
    BEARER_DOC,
    BackupHistoryResponse,
    CalendarHistoryQuery,
    ChargeHistoryResponse,
    EnergyHistoryResponse,
    PowerHistoryResponse,
    SavingsHistoryResponse,
    SelfConsumptionHistoryResponse,
    SoeHistoryResponse,
    TelemetryHistoryQuery,
    TouEnergyHistoryResponse,
    history_query,
    responses,
)
from gridtwin.core import jsonio
from gridtwin.services.auth import ENERGY_DATA, Principal, require_scope
from gridtwin.services.history import EnergyHistory, calendar_history, charge_history
from gridtwin.services.history_kinds import KINDS, history_kind
from gridtwin.services.sites import parse_site_id
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/energy_sites/{energy_site_id}")


@router.get(
    "/calendar_history", name="calendar_history", operation_id="calendar_history",
    tags=["history"],
    summary="Energy, backup-event, power, soe, self_consumption, time_of_use_energy or "
            "savings history (kind=...)",
    dependencies=BEARER_DOC,
    responses=responses(EnergyHistoryResponse | BackupHistoryResponse | PowerHistoryResponse
                        | SoeHistoryResponse | SelfConsumptionHistoryResponse
                        | TouEnergyHistoryResponse | SavingsHistoryResponse,
                        400, 401, 403, 404, 429, 500),
    openapi_extra=history_query(CalendarHistoryQuery),
)
def calendar(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world), params: dict[str, str] = Depends(deps.query),
) -> Response:
    require_scope(principal, ENERGY_DATA)
    if params.get("kind") in KINDS:
        doc = render_kind(history_kind(world, principal, parse_site_id(energy_site_id), params))
        return _energy_reply(doc) if isinstance(doc, dict) and "time_series" in doc else envelope(doc)
    result = calendar_history(world, principal, parse_site_id(energy_site_id), params)
    if isinstance(result, EnergyHistory):
        return _energy_history_reply(result)
    return envelope(render_backup(result))


def _energy_history_reply(result: EnergyHistory) -> Response:
    """kind=energy: the reply's bytes written in short pieces (see energy_reply_json) on this
    worker thread, without a document per bucket."""
    body = b"".join(part.encode() for part in energy_reply_json(result))
    return Response(body, media_type=JSON_TYPE)


CHUNK_BUCKETS = 500
"""Buckets encoded per call: one C-encoder call on a whole 7 MB reply holds the GIL for
~100 ms, stalling the event loop (and /status) meanwhile; ~500 buckets take a few ms."""


def _energy_reply(doc: dict[str, Any]) -> Response:
    """``{"response": doc}`` with ``time_series`` (the last member) encoded in chunks; the
    bytes are those of encoding the whole document at once."""
    series = doc["time_series"]
    if not series or len(series) <= CHUNK_BUCKETS:
        return envelope(doc)
    head = jsonio.dumps({"response": {**doc, "time_series": None}})
    if not head.endswith('"time_series":null}}'):
        return envelope(doc)
    parts = [head[: -len("null}}")].encode(), b"["]
    for i in range(0, len(series), CHUNK_BUCKETS):
        if i:
            parts.append(b",")
        parts.append(jsonio.dumps(series[i : i + CHUNK_BUCKETS])[1:-1].encode())
    parts.append(b"]}}")
    return Response(b"".join(parts), media_type=JSON_TYPE)


@router.get(
    "/telemetry_history", name="telemetry_history", operation_id="telemetry_history",
    tags=["history"], summary="Wall Connector charging sessions (kind=charge)",
    dependencies=BEARER_DOC,
    responses=responses(ChargeHistoryResponse, 400, 401, 403, 404, 429, 500),
    openapi_extra=history_query(TelemetryHistoryQuery),
)
def telemetry(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world), params: dict[str, str] = Depends(deps.query),
) -> WireResponse:
    require_scope(principal, ENERGY_DATA)
    result = charge_history(world, principal, parse_site_id(energy_site_id), params)
    return envelope(render_charge(result))
