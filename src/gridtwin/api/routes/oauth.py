"""``POST /oauth2/v3/token``: form or JSON body, OAuth2 reply shape (wire-format §4.4)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from gridtwin.api import deps
from gridtwin.api.responses import WireResponse
from gridtwin.api.wire.models import (
    OAuthClientError,
    OAuthGrantError,
    OAuthTokenReply,
    responses,
    token_body,
)
from gridtwin.core import jsonio
from gridtwin.core.errors import OAuthError
from gridtwin.services.auth import oauth_token
from gridtwin.services.world import World

router = APIRouter()


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    text = raw.decode("utf-8", errors="replace")
    if "json" in request.headers.get("content-type", ""):
        try:
            data = jsonio.loads(text) if text.strip() else {}
        except jsonio.JsonError as exc:
            raise OAuthError("invalid_request", "Body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise OAuthError("invalid_request", "Body must be an object")
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}
    return dict(parse_qsl(text, keep_blank_values=True))


@router.post(
    "/oauth2/v3/token", name="token", operation_id="token", tags=["auth"],
    summary="OAuth2 token endpoint (client_credentials, refresh_token)",
    responses=responses(OAuthTokenReply, 400, 401, 413, 429, 500,
                        error_models={400: OAuthGrantError, 401: OAuthClientError}),
    openapi_extra=token_body(),
)
async def token(request: Request, world: World = Depends(deps.world)) -> WireResponse:
    form = await _form(request)
    reply = await run_in_threadpool(oauth_token, world, form)
    return WireResponse(reply)
