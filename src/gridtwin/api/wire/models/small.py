"""OAuth token exchange (wire-format §4.4) and the small reads (§13)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gridtwin.api.wire.models.base import Closed, Open, omitted

__all__ = ["BackupTimeRemaining", "BackupTimeRemainingResponse", "OAuthTokenReply", "Region", "RegionResponse", "TokenRequest"]


class TokenRequest(Open):
    """``POST /oauth2/v3/token`` body, form-encoded or JSON."""

    grant_type: Literal["client_credentials", "refresh_token"]
    client_id: str
    client_secret: str = omitted(description="client_credentials")
    scope: str = omitted(description="space-separated; default all the client may have")
    audience: str = omitted()
    refresh_token: str = omitted(description="refresh_token")


class OAuthTokenReply(Closed):
    """OAuth2 token reply, without the ``response`` wrapper."""

    access_token: str
    refresh_token: str = omitted(description="only when offline_access is granted")
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, Field(ge=1)]
    scope: str




class Region(Closed):
    region: Literal["na", "eu", "cn"]
    fleet_api_base_url: str


class RegionResponse(Closed):
    response: Region


class BackupTimeRemaining(Closed):
    time_remaining_hours: Annotated[float, Field(ge=0)]


class BackupTimeRemainingResponse(Closed):
    response: BackupTimeRemaining


