"""Error envelopes (wire-format §2, §3, §4.4, §14)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gridtwin.api.wire.models.base import Closed, omitted

__all__ = ["Error", "ForbiddenError", "GoneError", "InternalError", "InvalidFieldError", "InvalidRequestError", "NotFoundError", "OAuthClientError", "OAuthGrantError", "PayloadTooLargeError", "RateLimitedError", "UnauthorizedError"]


class Error(Closed):
    """The error envelope of every status ≥ 400 (wire-format §2)."""

    response: None
    error: str
    error_description: str
    messages: dict[str, list[str]] = omitted(
        description="field-level problems: JSON path (or query parameter) → problem strings"
    )


class InvalidRequestError(Closed):
    """400 ``invalid_request``: the body is not a JSON object."""

    response: None
    error: Literal["invalid_request"]
    error_description: str


class InvalidFieldError(Closed):
    """400 ``invalid_field``: a body member or query parameter is wrong."""

    response: None
    error: Literal["invalid_field"]
    error_description: str
    messages: dict[str, list[str]]


class UnauthorizedError(Closed):
    """401: no, malformed, badly signed, revoked or expired access token."""

    response: None
    error: Literal["invalid bearer token", "token expired (401)"]
    error_description: str


class ForbiddenError(Closed):
    """403: the token lacks the scope the route needs."""

    response: None
    error: Annotated[str, Field(pattern=r"^Unauthorized missing scopes [a-z_]+$")]
    error_description: str


class NotFoundError(Closed):
    """404: unknown site, non-numeric site id, or a site the token's user does not own."""

    response: None
    error: Literal["not_found"]
    error_description: str


class GoneError(Closed):
    """410: a retired route."""

    response: None
    error: Literal["gone"]
    error_description: str


class PayloadTooLargeError(Closed):
    """413: the request body exceeds the server's ``max_body_bytes`` (gridtwin extension)."""

    response: None
    error: Literal["invalid_request"]
    error_description: str


class RateLimitedError(Closed):
    """429: a configured rate limit is exhausted (wire-format §14)."""

    response: None
    error: Literal["rate_limited"]
    error_description: str


class InternalError(Closed):
    """500: any unexpected failure; never a stack trace."""

    response: None
    error: Literal["upstream internal error"]
    error_description: Literal["Internal error"]


class OAuthGrantError(Closed):
    """Token endpoint failure (wire-format §4.4), in the §2 envelope with an OAuth2 code."""

    response: None
    error: Literal["unsupported_grant_type", "invalid_request", "invalid_client", "invalid_grant"]
    error_description: str


class OAuthClientError(Closed):
    """401 from the token endpoint: unknown client or wrong secret."""

    response: None
    error: Literal["invalid_client"]
    error_description: str


