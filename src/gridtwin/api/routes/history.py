"""``calendar_history`` and ``telemetry_history`` (wire-format §9–§11)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from gridtwin.api import deps
from gridtwin.api.responses import JSON_TYPE, WireResponse, envelope
from gridtwin.api.wire.history import energy_reply_json, render_backup, render_charge
from gridtwin.api.wire.models import (
    BEARER_DOC,
    BackupHistoryResponse,
    CalendarHistoryQuery,
    ChargeHistoryResponse,
    EnergyHistoryResponse,
    TelemetryHistoryQuery,
    history_query,
    responses,
)
from gridtwin.services.auth import ENERGY_DATA, Principal, require_scope
from gridtwin.services.history import EnergyHistory, calendar_history, charge_history
from gridtwin.services.sites import parse_site_id
from gridtwin.services.world import World

router = APIRouter(prefix="/api/1/energy_sites/{energy_site_id}")


@router.get(
    "/calendar_history", name="calendar_history", operation_id="calendar_history",
    tags=["history"], summary="Energy (kind=energy) or backup-event (kind=backup) history",
    dependencies=BEARER_DOC,
    responses=responses(EnergyHistoryResponse | BackupHistoryResponse,
                        400, 401, 403, 404, 429, 500),
    openapi_extra=history_query(CalendarHistoryQuery),
)
def calendar(
    energy_site_id: str, principal: Principal = Depends(deps.principal),
    world: World = Depends(deps.world), params: dict[str, str] = Depends(deps.query),
) -> Response:
    require_scope(principal, ENERGY_DATA)
    result = calendar_history(world, principal, parse_site_id(energy_site_id), params)
    if isinstance(result, EnergyHistory):
        return _energy_reply(result)
    return envelope(render_backup(result))


def _energy_reply(result: EnergyHistory) -> Response:
    """The energy reply's bytes, written in short pieces (see energy_reply_json) on this
    worker thread, so a large reply never holds the event loop's GIL for long."""
    body = b"".join(part.encode() for part in energy_reply_json(result))
    return Response(body, media_type=JSON_TYPE)


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
