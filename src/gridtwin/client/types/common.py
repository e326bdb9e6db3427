"""Small replies: command acknowledgements, errors, region, OAuth2 tokens."""

from __future__ import annotations

from pydantic import Field

from gridtwin.client.types._model import WireModel

__all__ = ["BackupTimeRemaining", "CommandResult", "ErrorBody", "Region", "TokenGrant"]


class CommandResult(WireModel):
    """``{"code": 201, "message": "Updated"}`` (wire-format §12.1)."""

    code: int
    message: str


class ErrorBody(WireModel):
    """The error envelope (§2): ``messages`` maps a JSON path to its problems."""

    response: None = None
    error: str
    error_description: str | None = None
    messages: dict[str, list[str]] = Field(default_factory=dict)


class Region(WireModel):
    region: str
    fleet_api_base_url: str


class BackupTimeRemaining(WireModel):
    time_remaining_hours: float


class TokenGrant(WireModel):
    """The OAuth2 token reply (§4.4), not wrapped in ``response``."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    refresh_token: str | None = None
